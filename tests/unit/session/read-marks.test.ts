import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MessageId } from '../../../protocol/index.ts';
import {
  laterReadMark,
  nextReadMark,
  readersByPlace,
  readersOf,
} from '../../../app/lib/read-state/read-marks.ts';
import { ReadTracker } from '../../../app/lib/read-state/read-tracker.ts';

const msgs = [
  { id: 'a', mine: false },
  { id: 'b', mine: true },
  { id: 'c', mine: false },
  { id: 'd', mine: true },
];

describe('F9 read marks', () => {
  it('F9 the mark moves to the last seen message of someone else, never back', () => {
    expect(nextReadMark(msgs, new Set(), undefined)).toBeNull();
    expect(nextReadMark(msgs, new Set(['a']), undefined)).toBe('a');
    expect(nextReadMark(msgs, new Set(['a', 'c', 'd']), 'a')).toBe('c');
    expect(nextReadMark(msgs, new Set(['a']), 'c')).toBeNull();
    // Own messages never count as something to read.
    expect(nextReadMark(msgs, new Set(['b', 'd']), undefined)).toBeNull();
  });

  it('F9 readers of a message are those whose mark is at or after it, with the time', () => {
    const order = new Map(msgs.map((m, i) => [m.id, i] as const));
    const marks = new Map([
      ['v', { upTo: 'c', at: 5 }],
      ['h', { upTo: 'a', at: 3 }],
    ]);
    expect(readersOf('a', order, marks)).toEqual([
      { participant: 'v', at: 5 },
      { participant: 'h', at: 3 },
    ]);
    expect(readersOf('d', order, marks)).toEqual([]);
  });

  it('F9 readers of every message at once match readersOf, one shared list per band (CH-S8)', () => {
    // 300 messages, marks at a few places (one at an unknown id, two at the same place).
    const ids = Array.from({ length: 300 }, (_, i) => `m${i}`);
    const order = new Map(ids.map((id, i) => [id, i] as const));
    const marks = new Map([
      ['v', { upTo: 'm120', at: 5 }],
      ['h', { upTo: 'm299', at: 9 }],
      ['gone', { upTo: 'nowhere', at: 1 }],
      ['w', { upTo: 'm120', at: 7 }],
      ['x', { upTo: 'm0', at: 2 }],
    ]);
    const all = readersByPlace(ids, order, marks);
    expect(all).toHaveLength(ids.length);
    ids.forEach((id, i) => expect(all[i]).toEqual(readersOf(id, order, marks)));
    // Bands: m0 (x, v, w, h), m1..m120 (v, w, h), m121..m299 (h): three lists in all.
    expect(new Set(all).size).toBe(3);
    expect(all[1]).toBe(all[120]);
    expect(all[121]).toBe(all[299]);
    expect(all[0]!.map((r) => r.participant)).toEqual(['v', 'h', 'w', 'x']);
    expect(readersByPlace(ids, order, new Map())[5]).toEqual([]);
  });

  it('F9 on screen counts only while the chat is visible: page visible and widget open', () => {
    let calls = 0;
    const tracker = new ReadTracker(() => calls++);
    tracker.setOnScreen('a', true);
    tracker.setVisibility({ pageVisible: true, chatOpen: false });
    tracker.setVisibility({ pageVisible: false, chatOpen: true });
    expect([...tracker.seen]).toEqual([]);
    tracker.setOnScreen('a', false);
    tracker.setOnScreen('b', true);
    tracker.setVisibility({ pageVisible: true, chatOpen: true });
    expect([...tracker.seen]).toEqual(['b']);
    tracker.setOnScreen('c', true);
    expect([...tracker.seen]).toEqual(['b', 'c']);
    expect(calls).toBe(2);
  });
});

describe('F9 read marks from what was seen since the last mark (benchmark S8: O(new))', () => {
  it('F9 fed the newly seen messages each time, the mark follows nextReadMark over all', () => {
    // A conversation of 30 (some mine), messages seen in any order in batches; the mark
    // moves as nextReadMark says given everything seen, and laterReadMark agrees.
    const conversation = Array.from({ length: 30 }, (_, i) => ({
      id: `m${String(i).padStart(2, '0')}` as MessageId,
      seq: i + 1,
      mine: i % 3 === 1,
    }));
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat({ max: 29 }), { maxLength: 6 }), { maxLength: 12 }),
        (batches) => {
          const seen = new Set<MessageId>();
          let mark: MessageId | undefined;
          for (const batch of batches) {
            const fresh = batch.map((i) => conversation[i]!).filter((m) => !seen.has(m.id));
            for (const m of fresh) seen.add(m.id);
            const expected = nextReadMark(conversation, seen, mark);
            const current = conversation.find((m) => m.id === mark);
            expect(laterReadMark(fresh, current)).toBe(expected);
            if (expected !== null) mark = expected;
          }
        },
      ),
    );
  });

  it('F9 the tracker hands out each newly seen id once', () => {
    const tracker = new ReadTracker(() => {});
    tracker.setOnScreen('a', true);
    tracker.setVisibility({ pageVisible: true, chatOpen: true });
    tracker.setOnScreen('b', true);
    expect(tracker.takeFresh()).toEqual(['a', 'b']);
    expect(tracker.takeFresh()).toEqual([]);
    tracker.setOnScreen('c', true);
    expect(tracker.takeFresh()).toEqual(['c']);
  });
});
