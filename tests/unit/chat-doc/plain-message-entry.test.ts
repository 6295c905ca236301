/**
 * The schema-free check of a plain text or system line (isPlainMessageEntry, used by
 * ChatDocument reads and the permission filter, CH-A5–CH-A7) accepts only what the
 * MessageEntry schema (CHAT.md CH-S2) accepts, unchanged: over generated values near and
 * far from a valid entry, whatever it accepts the schema parses to an equal value.
 */
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { isPlainMessageEntry, LIMITS, MessageEntry } from '../../../protocol/index.ts';

const SIG = 'A'.repeat(43) + '-_'.repeat(21) + 'z';

const numberNear = fc.oneof(
  { weight: 8, arbitrary: fc.nat() },
  fc.constantFrom(0, -0, 1, -1, 1.5, NaN, Infinity, -Infinity),
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 1, 2 ** 60),
  fc.integer(),
  fc.double(),
  fc.string(),
);
const fields = fc.record({
  kind: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom('text', 'system', 'page', 'attachment', 'Text') },
    fc.anything(),
  ),
  body: fc.oneof(
    { weight: 4, arbitrary: fc.string() },
    fc.constantFrom(
      'x'.repeat(LIMITS.maxChatMessageLength),
      'x'.repeat(LIMITS.maxChatMessageLength + 1),
    ),
    fc.anything(),
  ),
  at: numberNear,
  seq: numberNear,
  sig: fc.oneof(
    fc.constantFrom(SIG, `${SIG}=`, SIG.slice(1), `${SIG.slice(1)}+`, undefined),
    fc.string(),
  ),
  page: fc.constant({ url: 'https://help.example/', title: 'Help' }),
  extra: fc.anything(),
});
/** Near-valid entries: the four fields always there, the other keys sometimes. */
const entryNear = fc
  .tuple(fields, fc.nat(9), fc.nat(9), fc.boolean())
  .map(([{ sig, page, extra, ...entry }, withPage, withExtra, withSig]) => ({
    ...entry,
    ...(withSig ? { sig } : {}),
    ...(withPage === 0 ? { page } : {}),
    ...(withExtra === 0 ? { extra } : {}),
  }));

describe('plain message entries', () => {
  it('CH-S2 CH-A5 whatever the fast check accepts, MessageEntry parses to the same value', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fc.oneof({ weight: 4, arbitrary: entryNear }, fc.anything()), (value) => {
        if (!isPlainMessageEntry(value)) return;
        accepted += 1;
        const parsed = v.safeParse(MessageEntry, value);
        expect(parsed.success).toBe(true);
        expect(parsed.output).toStrictEqual(value);
      }),
      { numRuns: 5000 },
    );
    // The generator reaches the accepted shape often enough for the property to say something.
    expect(accepted).toBeGreaterThan(20);
  }, 30_000);

  it('CH-S2 it accepts the common lines and leaves the rest to the schema', () => {
    const line = { kind: 'text', body: 'Hello', at: 1_700_000_000_000, seq: 3 };
    expect(isPlainMessageEntry(line)).toBe(true);
    expect(isPlainMessageEntry({ ...line, kind: 'system', sig: SIG })).toBe(true);
    // Valid, but not the plain shape: the schema decides.
    const page = { ...line, kind: 'page', page: { url: 'https://help.example/', title: 'x' } };
    expect(isPlainMessageEntry(page)).toBe(false);
    expect(v.is(MessageEntry, page)).toBe(true);
    for (const bad of [
      { ...line, seq: 0 },
      { ...line, at: -1 },
      { ...line, at: 1.5 },
      { ...line, body: 'x'.repeat(LIMITS.maxChatMessageLength + 1) },
      { ...line, sig: `${SIG}=` },
      { ...line, sig: undefined },
      { ...line, author: 'h1' },
      Object.assign(Object.create({ inherited: 1 }) as object, line),
      [line],
    ]) {
      expect(isPlainMessageEntry(bad)).toBe(false);
    }
  });
});
