import { describe, expect, it } from 'vitest';
import {
  EVIL,
  XSS_CATEGORIES,
  XSS_CORPUS,
  XSS_FLAG,
  XSS_FULL_CORPUS,
} from '../fixtures/xss-corpus.ts';

const REQUIRED = [
  'script',
  'event-handler',
  'javascript-url',
  'data-url',
  'svg',
  'broken-markup',
  'css-injection',
  'rtl-override',
  'long-word',
  'zero-width',
];

describe('the shared XSS corpus (issue 16)', () => {
  it('holds at least 300 distinct payloads and keeps the short hand-written set', () => {
    expect(XSS_FULL_CORPUS.length).toBeGreaterThanOrEqual(300);
    expect(new Set(XSS_FULL_CORPUS).size).toBe(XSS_FULL_CORPUS.length);
    for (const entry of XSS_CORPUS) expect(XSS_FULL_CORPUS).toContain(entry);
    expect(XSS_CORPUS.length).toBe(28);
  });

  it('represents every category, each with variants', () => {
    expect(Object.keys(XSS_CATEGORIES).sort()).toEqual([...REQUIRED].sort());
    for (const name of REQUIRED) {
      const entries = XSS_CATEGORIES[name as keyof typeof XSS_CATEGORIES];
      expect(entries.length, name).toBeGreaterThanOrEqual(5);
      for (const entry of entries) expect(XSS_FULL_CORPUS).toContain(entry);
    }
  });

  it('every markup or scheme payload aims at the guards: the flag or the evil host', () => {
    const active = Object.entries(XSS_CATEGORIES)
      .filter(([name]) => !['rtl-override', 'long-word', 'zero-width'].includes(name))
      .flatMap(([, entries]) => entries);
    for (const entry of active) {
      const aims = entry.includes(XSS_FLAG) || entry.includes('evil.test') || /base64/.test(entry);
      expect(aims, entry).toBe(true);
    }
    expect(EVIL).toBe('https://evil.test');
  });

  it('has the special characters its categories promise', () => {
    const all = XSS_FULL_CORPUS.join('');
    expect(all).toMatch(/\u202E/);
    expect(all).toMatch(/\u200B/);
    expect(XSS_FULL_CORPUS.some((e) => /\S{2000,}/.test(e))).toBe(true);
  });
});
