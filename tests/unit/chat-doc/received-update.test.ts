/**
 * A received update applied without Yjs encoding it again (protocol/chat-doc/
 * received-update.ts, benchmark S6). The `update` listeners (the store, the size budget,
 * the views) hear the received bytes; what they hear must still hold everything the
 * document holds: a store that kept only what it heard loads the same document (CH-C10).
 * Where the received bytes cannot stand for the transaction (a relay, pending structs,
 * a write by an observer), Yjs's own encoding goes out as before.
 */
import fc from 'fast-check';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { applyReceivedUpdate } from '../../../protocol/index.ts';

const ORIGIN = { link: 'peer' };

/** A document whose `update` listener keeps what it hears. */
function listened(): { doc: Y.Doc; heard: Uint8Array[] } {
  const doc = new Y.Doc();
  const heard: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => heard.push(update));
  return { doc, heard };
}

/** The updates a writer emits, one per message (`client` writes `count` of them). */
function writes(client: number, count: number, start = 0): Uint8Array[] {
  const doc = new Y.Doc();
  doc.clientID = client;
  const out: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => out.push(update));
  const messages = doc.getMap('messages');
  for (let i = start; i < start + count; i++) {
    messages.set(`${client}.${i}`, { kind: 'text', body: `line ${i}`, at: i, seq: i + 1 });
  }
  return out;
}

function contentOf(doc: Y.Doc): unknown {
  return doc.getMap('messages').toJSON();
}

describe('a received update applied without encoding it again', () => {
  it('S6 the listeners hear the received bytes themselves, once, and the document has them', () => {
    const [update] = writes(7, 1);
    const { doc, heard } = listened();
    applyReceivedUpdate(doc, update!, ORIGIN, false);
    expect(heard).toHaveLength(1);
    expect(heard[0]).toBe(update);
    expect(contentOf(doc)).toEqual({ '7.0': { kind: 'text', body: 'line 0', at: 0, seq: 1 } });
  });

  it('CH-C5 a relayed update is what Yjs encodes: only the structs that were new', () => {
    const updates = writes(7, 2);
    const both = Y.mergeUpdates(updates);
    const { doc, heard } = listened();
    Y.applyUpdate(doc, updates[0]!);
    heard.length = 0;
    applyReceivedUpdate(doc, both, ORIGIN, true);
    expect(heard).toHaveLength(1);
    expect(heard[0]).not.toBe(both);
    // The first message is not sent on again.
    const fresh = new Y.Doc();
    Y.applyUpdate(fresh, heard[0]!);
    expect(Object.keys(contentOf(fresh) as object)).toEqual([]);
    Y.applyUpdate(fresh, updates[0]!);
    expect(Object.keys(contentOf(fresh) as object).sort()).toEqual(['7.0', '7.1']);
  });

  it('CH-C10 an update the document already holds is heard by nobody, as with Yjs', () => {
    const [update] = writes(7, 1);
    const { doc, heard } = listened();
    applyReceivedUpdate(doc, update!, ORIGIN, false);
    applyReceivedUpdate(doc, update!, ORIGIN, false);
    expect(heard).toHaveLength(1);
  });

  it('CH-C10 structs that waited for what they follow are heard when they are integrated', () => {
    const updates = writes(7, 2);
    const { doc, heard } = listened();
    // The second message first: Yjs keeps it pending, nothing is integrated.
    applyReceivedUpdate(doc, updates[1]!, ORIGIN, false);
    expect(heard).toHaveLength(0);
    applyReceivedUpdate(doc, updates[0]!, ORIGIN, false);
    const stored = new Y.Doc();
    for (const update of heard) Y.applyUpdate(stored, update);
    expect(contentOf(stored)).toEqual(contentOf(doc));
    expect(Object.keys(contentOf(stored) as object).sort()).toEqual(['7.0', '7.1']);
  });

  it('CH-C5 what an observer writes during the apply is heard, and so is the apply', () => {
    const [update] = writes(7, 1);
    const { doc, heard } = listened();
    doc.clientID = 9;
    const notes = doc.getMap('notes');
    doc.getMap('messages').observe(() => notes.set('seen', true));
    applyReceivedUpdate(doc, update!, ORIGIN, false);
    const stored = new Y.Doc();
    for (const bytes of heard) Y.applyUpdate(stored, bytes);
    expect(stored.getMap('notes').toJSON()).toEqual({ seen: true });
    expect(contentOf(stored)).toEqual(contentOf(doc));
  });

  it('S6 a listener added during the apply stays, and the ones there before are back', () => {
    const [first, second] = writes(7, 2);
    const { doc, heard } = listened();
    const late: Uint8Array[] = [];
    doc.getMap('messages').observe(() => {
      if (late.length === 0) doc.on('update', (update: Uint8Array) => late.push(update));
    });
    applyReceivedUpdate(doc, first!, ORIGIN, false);
    applyReceivedUpdate(doc, second!, ORIGIN, false);
    expect(heard).toEqual([first, second]);
    expect(late.length).toBeGreaterThan(0);
    expect(doc._observers.get('beforeTransaction')?.size ?? 0).toBe(0);
  });

  it('CH-C10 on any delivery order, with repeats, a store of what was heard loads the same document', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
        fc.boolean(),
        (order, relayed) => {
          // Three writers, one of them overwriting and deleting its own entries.
          const updates = [...writes(7, 6), ...writes(8, 6), ...overwrites(9)];
          const { doc, heard } = listened();
          for (const pick of order) {
            applyReceivedUpdate(doc, updates[pick % updates.length]!, ORIGIN, relayed);
          }
          const stored = new Y.Doc();
          for (const update of heard) Y.applyUpdate(stored, update);
          expect(contentOf(stored)).toEqual(contentOf(doc));
          expect(Y.encodeStateVector(stored)).toEqual(Y.encodeStateVector(doc));
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** A writer that sets, overwrites and deletes its entries: updates with delete sets. */
function overwrites(client: number): Uint8Array[] {
  const doc = new Y.Doc();
  doc.clientID = client;
  const out: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => out.push(update));
  const messages = doc.getMap('messages');
  messages.set(`${client}.a`, { body: 'one' });
  messages.set(`${client}.a`, { body: 'two' });
  messages.set(`${client}.b`, { body: 'three' });
  messages.delete(`${client}.b`);
  return out;
}
