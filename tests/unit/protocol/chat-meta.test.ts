/** Tags, labels and tag statistics as the protocol defines them (SPEC.md SP-K2, SP-K6):
 * what a typed tag becomes, which periods a range has, the CSV, and that a board
 * frame of worst-case rows still fits a frame. */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  BoardSnapshot,
  COMMON_TAGS,
  LIMITS,
  Tag,
  normalizeTag,
  periodOf,
  periodsOf,
  tagStatsCsv,
} from '../../../protocol/index.ts';

describe('tags', () => {
  it('SP-K2 normalizeTag makes a valid tag of what a person typed, or null', () => {
    const cases: [string, string | null][] = [
      ['crash', 'crash'],
      ['  Crash ', 'crash'],
      ['#wontstart', 'wontstart'],
      ["Won't Start", 'wont-start'],
      ['add-on / firewall', 'add-on-firewall'],
      ['--', null],
      ['   ', null],
      ['é', null],
      ['x'.repeat(40), 'x'.repeat(LIMITS.maxTagLength)],
      [`${'a'.repeat(31)} b`, 'a'.repeat(31)],
    ];
    for (const [typed, tag] of cases) {
      expect(normalizeTag(typed), typed).toBe(tag);
      if (tag !== null) expect(v.is(Tag, tag)).toBe(true);
    }
    for (const tag of COMMON_TAGS) expect(normalizeTag(tag)).toBe(tag);
  });
});

describe('tag statistics periods', () => {
  it('SP-K6 days, ISO weeks named by their Monday, and months; both ends included', () => {
    expect(periodsOf('2026-02-27', '2026-03-02', 'day')).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    // 2026-03-01 is a Sunday: its week began on Monday 2026-02-23.
    expect(periodOf(Date.parse('2026-03-01T23:59:59Z'), 'week')).toBe('2026-02-23');
    expect(periodOf(Date.parse('2026-03-02T00:00:00Z'), 'week')).toBe('2026-03-02');
    expect(periodsOf('2026-03-01', '2026-03-09', 'week')).toEqual([
      '2026-02-23',
      '2026-03-02',
      '2026-03-09',
    ]);
    expect(periodsOf('2025-11-30', '2026-02-01', 'month')).toEqual([
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
    ]);
    expect(periodsOf('2026-01-31', '2026-01-31', 'month')).toEqual(['2026-01']);
  });

  it('SP-K6 the CSV has a row per period, a column per tag and a total row', () => {
    const csv = tagStatsCsv({
      from: '2026-01-01',
      to: '2026-01-02',
      bucket: 'day',
      periods: ['2026-01-01', '2026-01-02'],
      tags: [
        { tag: 'crash', total: 3, counts: [1, 2] },
        { tag: 'print', total: 1, counts: [0, 1] },
      ],
    });
    expect(csv).toBe('day,crash,print\r\n2026-01-01,1,0\r\n2026-01-02,2,1\r\ntotal,3,1\r\n');
  });
});

describe('board rows with tags', () => {
  it('SP-K4 SP-M4 a board frame of worst-case rows stays under the frame limit', () => {
    const name = '𝕏'.repeat(LIMITS.maxNameLength / 2);
    const row = {
      chatId: 'c'.repeat(LIMITS.maxIdLength),
      status: 'active' as const,
      department: 'd'.repeat(LIMITS.maxIdLength),
      visitorName: name,
      helpers: Array.from({ length: LIMITS.maxBoardNames }, () => name),
      monitors: Array.from({ length: LIMITS.maxBoardNames }, () => name),
      enqueuedAt: Number.MAX_SAFE_INTEGER,
      startedAt: Number.MAX_SAFE_INTEGER,
      unansweredSince: Number.MAX_SAFE_INTEGER,
      tags: Array.from({ length: LIMITS.maxTagsPerChat }, (_, i) =>
        `${i}`.padEnd(LIMITS.maxTagLength, 'x'),
      ),
      label: '"'.repeat(LIMITS.maxLabelLength),
    };
    const frame = {
      type: 'board' as const,
      chats: Array.from({ length: LIMITS.maxBoardRowsPerFrame }, () => row),
      staff: [],
    };
    expect(v.is(BoardSnapshot, frame)).toBe(true);
    expect(JSON.stringify(frame).length).toBeLessThanOrEqual(LIMITS.maxFrameBytes);
  });
});
