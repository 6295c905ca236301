/**
 * The hot-frame decoder (protocol/hot-frames.ts) is exactly as strict as the valibot
 * schema it stands in for (issue 17): over the malformed-frame corpus and generated
 * `signal` frames, valid and broken, it accepts exactly what `SignalOut` accepts,
 * with the same output (key order included), and `decodeFrame` with it gives the
 * same result (value, or code, ref and detail) as without it, on both endpoints.
 */
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  LIMITS,
  SignalOut,
  StaffToService,
  VisitorToService,
  decodeFrame,
  decodeSignalOut,
} from '../../../protocol/index.ts';
import { CORPUS } from '../../fixtures/malformed-frames.ts';

/** Both decoders on one text frame, on both endpoints: same answer, to the byte. */
function expectSameDecoding(text: string): void {
  expect(JSON.stringify(decodeFrame(VisitorToService, text, decodeSignalOut))).toBe(
    JSON.stringify(decodeFrame(VisitorToService, text)),
  );
  expect(JSON.stringify(decodeFrame(StaffToService, text, decodeSignalOut))).toBe(
    JSON.stringify(decodeFrame(StaffToService, text)),
  );
}

/** The decoder against the schema on a parsed frame; true when the schema accepts. */
function expectSameVerdict(text: string): boolean | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null;
  const hot = decodeSignalOut(json as Record<string, unknown>);
  const schema = v.safeParse(SignalOut, json);
  expect(hot !== undefined).toBe(schema.success);
  if (schema.success) expect(JSON.stringify(hot)).toBe(JSON.stringify(schema.output));
  return schema.success;
}

// ---- generated frames ------------------------------------------------------------
// Objects are lists of entries written out as JSON text by hand, so that a frame can
// carry `__proto__` as a key, a key twice, or its keys in any order.

class Obj {
  constructor(readonly entries: readonly (readonly [string, unknown])[]) {}
}

function toJson(value: unknown): string {
  if (value instanceof Obj) {
    return `{${value.entries.map(([k, x]) => `${JSON.stringify(k)}:${toJson(x)}`).join(',')}}`;
  }
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  return JSON.stringify(value) ?? 'null';
}

const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 8 }),
  fc.constant([]),
  fc.constant(new Obj([])),
  fc.constant(new Obj([['kind', 'restart']])),
);

/** Mostly what the schema wants, sometimes just outside it, sometimes junk. */
function nearly<T>(valid: fc.Arbitrary<T>, edges: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { arbitrary: valid, weight: 18 },
    { arbitrary: fc.constantFrom(...edges), weight: 1 },
    { arbitrary: junk, weight: 1 },
  );
}

const id = nearly(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), [
  '',
  'a'.repeat(LIMITS.maxIdLength),
  'a'.repeat(LIMITS.maxIdLength + 1),
  'a b',
  'é',
  'a\n',
  '-_',
]);

const sdp = nearly(fc.string({ minLength: 1, maxLength: 40 }), [
  '',
  's'.repeat(LIMITS.maxSdpBytes),
  's'.repeat(LIMITS.maxSdpBytes + 1),
  '\u{1F600}'.repeat(LIMITS.maxSdpBytes / 2),
]);

const candidate = nearly(fc.string({ maxLength: 40 }), [
  '',
  'c'.repeat(LIMITS.maxCandidateBytes),
  'c'.repeat(LIMITS.maxCandidateBytes + 1),
]);

const sdpMid = nearly(fc.option(fc.string({ maxLength: 8 })), ['m'.repeat(64), 'm'.repeat(65)]);

const sdpMLineIndex = nearly(fc.option(fc.integer({ min: 0, max: 1024 })), [
  -1,
  1025,
  0.5,
  -0,
  1e300,
  2 ** 53,
]);

const extraKey = fc.constantFrom(
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'extra',
  'kind',
  'type',
  'sdp',
  '',
);

/** The value one time in ten, else null. */
function rarely<T>(value: fc.Arbitrary<T>): fc.Arbitrary<T | null> {
  return fc.oneof({ arbitrary: fc.constant(null), weight: 9 }, { arbitrary: value, weight: 1 });
}

type Entries = (readonly [string, unknown])[];

/** Keeps the entries, or drops one, replaces one's value, adds one, or reorders. */
function mutated(base: fc.Arbitrary<Entries>): fc.Arbitrary<Obj> {
  return fc
    .tuple(
      base,
      rarely(fc.nat()),
      rarely(fc.tuple(fc.nat(), junk)),
      rarely(fc.tuple(extraKey, junk)),
      fc.option(fc.nat()),
    )
    .map(([entries, drop, replace, add, rotate]) => {
      let out = [...entries];
      if (drop !== null && out.length > 0) out.splice(drop % out.length, 1);
      if (replace !== null && out.length > 0) {
        const i = replace[0] % out.length;
        out[i] = [out[i]![0], replace[1]];
      }
      if (add !== null) out.push(add);
      if (rotate !== null && out.length > 0) {
        const r = rotate % out.length;
        out = [...out.slice(r), ...out.slice(0, r)];
      }
      return new Obj(out);
    });
}

const data = mutated(
  fc.oneof(
    fc
      .tuple(nearly(fc.constantFrom('offer', 'answer'), ['pranswer', 'Offer']), sdp)
      .map(([type, s]): Entries => [
        ['kind', 'description'],
        ['type', type],
        ['sdp', s],
      ]),
    fc.tuple(candidate, sdpMid, sdpMLineIndex).map(([c, mid, index]): Entries => [
      ['kind', 'candidate'],
      ['candidate', c],
      ['sdpMid', mid],
      ['sdpMLineIndex', index],
    ]),
    fc.constant<Entries>([['kind', 'restart']]),
    fc.tuple(nearly(fc.constant('offer'), ['Restart', 'other']), sdp).map(([kind, s]): Entries => [
      ['kind', kind],
      ['sdp', s],
    ]),
  ),
);

const frame = mutated(
  fc
    .tuple(nearly(fc.constant('signal'), ['bind', 'Signal', 'end']), id, id, id, data)
    .map(([type, chatId, to, link, d]): Entries => [
      ['type', type],
      ['chatId', chatId],
      ['to', to],
      ['link', link],
      ['data', d],
    ]),
).map(toJson);

describe('hot-frame decoder ≡ valibot schema (issue 17)', () => {
  it('SP-W1 SP-R1 every text frame of the malformed-frame corpus decodes the same', () => {
    const texts = CORPUS.flatMap((c) => (typeof c.frame === 'string' ? [c.frame] : []));
    expect(texts.length).toBeGreaterThan(30);
    for (const text of texts) {
      expectSameDecoding(text);
      expectSameVerdict(text);
    }
  });

  it('SP-R1 generated signal frames, valid and broken: same verdict, output and error', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(frame, (text) => {
        expectSameDecoding(text);
        if (expectSameVerdict(text) === true) accepted += 1;
        else refused += 1;
      }),
      { numRuns: 3000 },
    );
    // Both sides of the line are exercised, not just one.
    expect(accepted).toBeGreaterThan(300);
    expect(refused).toBeGreaterThan(300);
  }, 60_000);

  it('SP-R1 any JSON value as a signal frame: same verdict', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue()), (fields) => {
        const text = JSON.stringify({ ...fields, type: 'signal' });
        expectSameDecoding(text);
        expectSameVerdict(text);
      }),
      { numRuns: 1000 },
    );
  }, 60_000);
});
