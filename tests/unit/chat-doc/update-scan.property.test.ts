/**
 * The permission filter reads most updates with its byte scan (protocol/chat-doc/
 * update-scan.ts) and decodes with Yjs only what the scan does not vouch for. The
 * filter must stay exactly as strict as the Yjs decode alone (`filterDecodedUpdate`,
 * the oracle): same verdict, same code, same detail, on legal and illegal updates,
 * from every kind of sender (CHAT.md CH-A1–CH-A10, CH-S8). And the scan must actually
 * vouch for honest chat traffic, or the speed-up (benchmark S6) is gone.
 */
import fc from 'fast-check';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import {
  filterDecodedUpdate,
  filterUpdate,
  ParticipantBindings,
  ROOT,
  type UpdateSource,
} from '../../../protocol/index.ts';
import { scanAccepts } from '../../../protocol/chat-doc/update-scan.ts';
import { CLIENT, PARTICIPANTS, docOf, from, updateOf } from './chat-doc-fixture.ts';

/** A visitor client id past 32 bits: `messageIdClient` never names it (chat-schema.ts). */
const WIDE = 36 ** 7 - 1;
const wideBindings = new ParticipantBindings([
  ...PARTICIPANTS.filter((p) => p.id !== 'v'),
  { id: 'v', role: 'visitor', clientIds: [CLIENT.v, CLIENT.v2, WIDE] },
]);

const SENDERS = ['v', 'h1', 'h2', 'm', 'nobody'] as const;

/** Every way a receiver may be asked to judge `update`. */
function sources(): UpdateSource[] {
  const out: UpdateSource[] = [];
  for (const id of SENDERS) {
    for (const message of ['update', 'step2'] as const) {
      const plain = from(id, message);
      out.push(plain, { ...plain, seqBound: { highest: 0, deleted: 0 } });
      out.push({ ...plain, seqBound: { highest: 3, deleted: 1 } });
      out.push({ ...plain, bindings: wideBindings, sender: wideBindings.participant(id) });
    }
  }
  return out;
}
const SOURCES = sources();

function expectSameVerdicts(update: Uint8Array): void {
  for (const source of SOURCES) {
    const fast = filterUpdate(update, source);
    expect(fast).toEqual(filterDecodedUpdate(update, source));
    // What the scan vouches for, the oracle accepts.
    if (scanAccepts(update, source)) expect(fast).toEqual({ ok: true });
  }
}

type Op = { who: 'v' | 'h1' | 'm' | 'stranger'; what: number; text: string; n: number };

const op = fc.record({
  who: fc.constantFrom(
    'v' as const,
    'v' as const,
    'h1' as const,
    'm' as const,
    'stranger' as const,
  ),
  what: fc.nat(11),
  text: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('', 'é✓😀', 'x'.repeat(5001))),
  n: fc.oneof(fc.integer({ min: -3, max: 40 }), fc.constantFrom(2 ** 31, 1.5, 1.7e12, -0)),
});

/** Plays `ops` on four replicas kept in sync; returns every update made, and full states. */
function play(ops: Op[]): Uint8Array[] {
  const docs = {
    v: docOf(CLIENT.v),
    h1: docOf(CLIENT.h1),
    m: docOf(CLIENT.m),
    stranger: docOf(99),
  };
  const updates: Uint8Array[] = [];
  const ids: string[] = [];
  for (const { who, what, text, n } of ops) {
    const { doc, chat } = docs[who];
    const messages = doc.getMap(ROOT.messages);
    const own = `${doc.clientID.toString(36)}.${'abcdefgh'}${ids.length}`;
    const update = (() => {
      try {
        return updateOf(doc, () => {
          switch (what) {
            case 0:
            case 1: {
              const posted = chat.postMessage(
                { kind: 'text', body: text.slice(0, 5000) },
                1000 + n,
              );
              if (posted.ok) ids.push(posted.id);
              return;
            }
            case 2:
              return chat.postMessage(
                { kind: 'page', body: '', page: { url: 'https://x/a', title: text } },
                5,
              );
            case 3:
              return chat.markRead(
                who === 'v' ? 'v' : 'h1',
                ids[n % Math.max(ids.length, 1)] ?? own,
                7,
              );
            case 4:
              return chat.deleteMessage(ids[Math.abs(n) % Math.max(ids.length, 1)] ?? own);
            case 5:
              return chat.setMeta('label', text.slice(0, 40));
            case 6:
              return messages.set(own, { kind: 'text', body: text, at: n, seq: n });
            case 7:
              return messages.set(ids[Math.abs(n) % Math.max(ids.length, 1)] ?? own, {
                kind: n % 2 === 0 ? 'system' : 'text',
                body: text,
                at: 1,
                seq: 1,
              });
            case 8:
              return messages.set(own, {
                kind: 'text',
                body: 'x',
                at: 1,
                seq: 1,
                sig: 'A'.repeat(86),
              });
            case 9:
              return messages.set(
                own,
                n % 2 === 0 ? new Y.Map() : { nested: [text, n, null, true] },
              );
            case 10:
              return doc.getText('notes').insert(0, text || 'x');
            default:
              return doc.getMap(ROOT.reads).set(text.slice(0, 10) || 'v', { upTo: own, at: n });
          }
        });
      } catch {
        return null;
      }
    })();
    if (update === null) continue;
    updates.push(update);
    for (const other of Object.values(docs))
      if (other.doc !== doc) Y.applyUpdate(other.doc, update);
  }
  for (const { doc } of Object.values(docs)) updates.push(Y.encodeStateAsUpdate(doc));
  return updates;
}

describe('CH-A1 the byte scan agrees with the Yjs decode (update-scan.ts)', () => {
  it('CH-A1–CH-A10 CH-S8 generated chats: every update and state, from every sender', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 14 }), (ops) => {
        for (const update of play(ops)) expectSameVerdicts(update);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('CH-A4 generated chats with bytes changed, cut or added: same verdicts', () => {
    const mutation = fc.record({
      at: fc.nat(),
      byte: fc.integer({ min: 0, max: 255 }),
      how: fc.constantFrom('set', 'cut', 'insert', 'append'),
    });
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 1, maxLength: 6 }),
        fc.array(mutation, { minLength: 1, maxLength: 3 }),
        (ops, mutations) => {
          for (const honest of play(ops)) {
            let bytes = honest.slice();
            for (const { at, byte, how } of mutations) {
              const i = at % Math.max(bytes.length, 1);
              if (how === 'set') bytes[i] = byte;
              else if (how === 'cut') bytes = bytes.slice(0, i);
              else if (how === 'insert')
                bytes = Uint8Array.from([...bytes.slice(0, i), byte, ...bytes.slice(i)]);
              else bytes = Uint8Array.from([...bytes, byte]);
            }
            expectSameVerdicts(bytes);
          }
        },
      ),
      { numRuns: 60 },
    );
  }, 120_000);

  it('CH-A4 random bytes: same verdicts', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => expectSameVerdicts(bytes)),
      { numRuns: 400 },
    );
  }, 120_000);

  it('CH-A6 CH-A7 hand-made visitor messages (keys, number encodings, duplicates): same verdicts', () => {
    const key = fc.oneof(
      fc.constantFrom('kind', 'body', 'at', 'seq', 'sig', 'page', '__proto__', 'kin', 'bodyx', 'a'),
      fc.string({ maxLength: 5 }),
    );
    const value = fc.oneof(
      fc.constantFrom('text', 'system', 'page', 'tex', ''),
      fc.string({ maxLength: 8 }),
      fc.integer({ min: -5, max: 2 ** 31 }),
      fc.constantFrom(-0, 0.5, 1.7e12, 2 ** 53, 2 ** 53 + 2, 16777216, -1, NaN),
      fc.boolean(),
      fc.constant(null),
      fc.bigInt({ min: -5n, max: 5n }),
    );
    const keyOf = fc.oneof(
      fc.constant('own'),
      fc.constant('own'),
      fc
        .constantFrom(CLIENT.v, CLIENT.v2, WIDE, CLIENT.h1)
        .map((c) => `${c.toString(36)}.abcdefghij`),
      fc.constantFrom('.abcdefgh', 'b.', 'B.abcdefgh', '0000000b.abcdefgh', 'b', 'é.x'),
      fc.string({ maxLength: 12 }),
    );
    const number = fc.oneof(
      fc.integer({ min: -2, max: 40 }),
      fc.constantFrom(-0, 0.5, 1.7e12, 2 ** 53, 2 ** 53 + 2, 16777216, NaN),
    );
    /** A plain message's entries, in any order, then up to two changes. */
    const nearPlain = fc
      .tuple(
        fc.record({
          kind: fc.constantFrom('text', 'text', 'system', 'page'),
          body: fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('✓😀', 'x'.repeat(5001))),
          at: number,
          seq: number,
        }),
        fc.array(fc.tuple(fc.nat(4), fc.constantFrom('key', 'value', 'add', 'drop'), key, value), {
          maxLength: 2,
        }),
      )
      .map(([entry, changes]) => {
        const entries: Array<[string, unknown]> = Object.entries(entry);
        for (const [i, how, k, v] of changes) {
          const at = i % entries.length;
          if (how === 'key') entries[at]![0] = k;
          else if (how === 'value') entries[at]![1] = v;
          else if (how === 'add') entries.splice(at, 0, [k, v]);
          else entries.splice(at, 1);
        }
        return entries;
      });
    fc.assert(
      fc.property(
        fc.constantFrom(CLIENT.v, CLIENT.v2, WIDE, CLIENT.h1),
        keyOf,
        fc.oneof(nearPlain, nearPlain, fc.array(fc.tuple(key, value), { maxLength: 6 })),
        fc.constantFrom(0, 0, 0, 1, -1),
        fc.constantFrom('float', 'as is'),
        (client, id, entries, countSkew, numbers) => {
          const e = encoding.createEncoder();
          for (const n of [1, 1, client, 0, 0x28, 1]) encoding.writeVarUint(e, n);
          encoding.writeVarString(e, ROOT.messages);
          encoding.writeVarString(e, id === 'own' ? `${client.toString(36)}.abcdefghij` : id);
          encoding.writeVarUint(e, 1);
          encoding.writeUint8(e, 118);
          encoding.writeVarUint(e, Math.max(0, entries.length + countSkew));
          for (const [k, v] of entries) {
            encoding.writeVarString(e, k);
            if (numbers === 'float' && typeof v === 'number') {
              encoding.writeUint8(e, 123);
              encoding.writeFloat64(e, v);
            } else encoding.writeAny(e, v as Parameters<typeof encoding.writeAny>[1]);
          }
          encoding.writeVarUint(e, 0);
          expectSameVerdicts(encoding.toUint8Array(e));
        },
      ),
      { numRuns: 1500 },
    );
  }, 120_000);

  it('CH-A5 CH-A7 the scan vouches for honest chat traffic itself, without the Yjs decode', () => {
    const v = docOf(CLIENT.v);
    const h1 = docOf(CLIENT.h1);
    const vouched = (update: Uint8Array, source: UpdateSource): void => {
      expect(scanAccepts(update, source)).toBe(true);
      expect(filterDecodedUpdate(update, source)).toEqual({ ok: true });
      Y.applyUpdate(v.doc, update);
      Y.applyUpdate(h1.doc, update);
    };
    const bound = (): UpdateSource => ({
      ...from('v'),
      seqBound: { highest: h1.chat.highestSeq(), deleted: h1.chat.deletedMessages() },
    });
    for (let i = 0; i < 20; i++) {
      const asked = updateOf(v.doc, () =>
        v.chat.postMessage({ kind: 'text', body: `Frage ${i} ✓` }, 1.7e12 + i),
      );
      vouched(asked, bound());
      const answer = updateOf(h1.doc, () =>
        h1.chat.postMessage({ kind: 'text', body: `answer ${i}` }, 1.7e12 + i),
      );
      vouched(answer, from('h1'));
      const ids = v.chat.messages().map((m) => m.id);
      vouched(
        updateOf(v.doc, () => v.chat.markRead('v', ids.at(-1)!, 1.7e12 + i)),
        bound(),
      );
    }
    const own = v.chat.messages().find((m) => m.body === 'Frage 3 ✓')!;
    vouched(
      updateOf(v.doc, () => v.chat.deleteMessage(own.id)),
      bound(),
    );
    vouched(Y.encodeStateAsUpdate(h1.doc), from('h2', 'step2'));
    // A visitor's seq run ahead: the scan leaves it to the decode, which names it.
    const ahead = updateOf(v.doc, () => v.chat.postMessage({ kind: 'text', body: 'x' }, 1, 500));
    const source = { ...from('v'), seqBound: { highest: 1, deleted: 0 } };
    expect(scanAccepts(ahead, source)).toBe(false);
    expect(filterUpdate(ahead, source)).toMatchObject({ ok: false, code: 'seq_ahead' });
  });
});
