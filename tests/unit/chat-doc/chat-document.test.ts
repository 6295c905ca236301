import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import { DocSizeBudget, LIMITS, messageIdClient, ChatDocument } from '../../../protocol/index.ts';
import { bindings, CLIENT, docOf, syncInto } from './chat-doc-fixture.ts';

describe('chat document', () => {
  it("CH-S3 CH-S4 message ids live in the writer's key space; authors come from the bindings", () => {
    const h1 = docOf(CLIENT.h1);
    const posted = h1.chat.postMessage({ kind: 'text', body: 'Hello' }, 10);
    if (!posted.ok) throw new Error('post');
    expect(messageIdClient(posted.id)).toBe(CLIENT.h1);
    const [message] = h1.chat.messages(bindings);
    expect(message).toMatchObject({ id: posted.id, body: 'Hello', authorClient: CLIENT.h1 });
    expect(message?.author?.id).toBe('h1');
    expect(message).not.toHaveProperty('author.name');
  });

  it('CH-S5 a reply sorts after what it answers, whatever the clocks say', () => {
    const v = docOf(CLIENT.v);
    const h1 = docOf(CLIENT.h1);
    v.chat.postMessage({ kind: 'text', body: 'question' }, 5_000);
    syncInto(h1.doc, v.doc);
    h1.chat.postMessage({ kind: 'text', body: 'answer' }, 1_000); // a clock running behind
    syncInto(v.doc, h1.doc);
    expect(v.chat.messages().map((m) => m.body)).toEqual(['question', 'answer']);
  });

  it('CH-S5 seq follows what arrived since the last post, and counts again after a delete', () => {
    const v = docOf(CLIENT.v);
    const h1 = docOf(CLIENT.h1);
    const seqOf = (chat: ChatDocument, id: string) => chat.message(id)?.seq;
    const first = v.chat.postMessage({ kind: 'text', body: 'one' }, 1);
    if (!first.ok) throw new Error('post');
    // Three helper messages arrive after the visitor's first post (seq 2, 3, 4).
    syncInto(h1.doc, v.doc);
    for (const body of ['two', 'three', 'four']) h1.chat.postMessage({ kind: 'text', body }, 2);
    syncInto(v.doc, h1.doc);
    const fifth = v.chat.postMessage({ kind: 'text', body: 'five' }, 3);
    if (!fifth.ok) throw new Error('post');
    expect(seqOf(v.chat, fifth.id)).toBe(5);
    // The highest message is deleted: the next one follows what is left, as a full
    // count over the messages would say.
    v.chat.deleteMessage(fifth.id);
    const again = v.chat.postMessage({ kind: 'text', body: 'five again' }, 4);
    if (!again.ok) throw new Error('post');
    expect(seqOf(v.chat, again.id)).toBe(5);
  });

  it('CH-S6 a read state counts only when its participant wrote it', () => {
    const h1 = docOf(CLIENT.h1);
    const posted = h1.chat.postMessage({ kind: 'text', body: 'x' }, 1);
    if (!posted.ok) throw new Error('post');
    h1.chat.markRead('h1', posted.id, 2);
    h1.chat.markRead('v', posted.id, 3); // a (buggy) helper writing the visitor's entry
    expect([...h1.chat.readStates(bindings).keys()]).toEqual(['h1']);
  });

  it('CH-S1 meta and tags are typed', () => {
    const h1 = docOf(CLIENT.h1);
    h1.chat.setMeta('label', 'printer');
    h1.chat.addTag('hardware', 1);
    h1.chat.addTag('refund', 2);
    h1.chat.removeTag('refund');
    expect(h1.chat.meta('label')).toBe('printer');
    expect(h1.chat.meta('department')).toBeUndefined();
    expect(h1.chat.tags()).toEqual(['hardware']);
    expect(() => h1.chat.setMeta('label', 'x'.repeat(LIMITS.maxLabelLength + 1))).toThrow();
  });

  it('CH-S7 a message longer than maxChatMessageLength is refused with a code', () => {
    const v = docOf(CLIENT.v);
    const result = v.chat.postMessage(
      { kind: 'text', body: 'x'.repeat(LIMITS.maxChatMessageLength + 1) },
      1,
    );
    expect(result).toMatchObject({ ok: false, code: 'message_too_long' });
    expect(v.chat.messages()).toEqual([]);
  });

  it('CH-S7 writes stop at the document size cap', () => {
    const doc = new Y.Doc();
    const budget = new DocSizeBudget(doc, 20_000);
    const chat = new ChatDocument(doc, { budget });
    let refused;
    for (let i = 0; i < 100 && !refused; i++) {
      const result = chat.postMessage({ kind: 'text', body: 'y'.repeat(1000) }, i);
      if (!result.ok) refused = result;
    }
    expect(refused).toMatchObject({ ok: false, code: 'doc_too_large' });
    expect(Y.encodeStateAsUpdate(doc).length).toBeLessThanOrEqual(20_000);
    budget.destroy();
  });

  it('CH-S2 entries that break the schema are skipped when read', () => {
    const h1 = docOf(CLIENT.h1);
    h1.doc.getMap('messages').set(`${CLIENT.h1.toString(36)}.abcdefghijkl`, { kind: 'bogus' });
    h1.chat.postMessage({ kind: 'text', body: 'fine' }, 1);
    expect(h1.chat.messages().map((m) => m.body)).toEqual(['fine']);
  });

  it('CH-S2 a decoded entry is reused until its entry is overwritten or deleted (CH-S8)', () => {
    const h1 = docOf(CLIENT.h1);
    const posted = h1.chat.postMessage({ kind: 'text', body: 'first' }, 1);
    if (!posted.ok) throw new Error('post');
    expect(h1.chat.messages().map((m) => m.body)).toEqual(['first']);
    const raw = h1.doc.getMap('messages');
    // An overwrite (a new item under the same id) is read anew, valid or not.
    raw.set(posted.id, { ...(raw.get(posted.id) as object), body: 'edited' });
    expect(h1.chat.messages().map((m) => m.body)).toEqual(['edited']);
    raw.set(posted.id, { kind: 'bogus' });
    expect(h1.chat.messages()).toEqual([]);
    raw.set(posted.id, { kind: 'text', body: 'back', at: 1, seq: 1 });
    expect(h1.chat.message(posted.id)?.body).toBe('back');
    h1.chat.deleteMessage(posted.id);
    expect(h1.chat.messages()).toEqual([]);
  });
});
