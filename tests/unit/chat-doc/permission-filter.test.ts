import fc from 'fast-check';
import * as Y from 'yjs';
import { describe, expect, it } from 'vitest';
import {
  encodeOwnStateAsUpdate,
  filterUpdate,
  LIMITS,
  ROOT,
  type ChatErrorCode,
  type Verdict,
} from '../../../protocol/index.ts';
import { CLIENT, docOf, from, syncInto, updateOf } from './chat-doc-fixture.ts';

function refusedWith(verdict: Verdict): ChatErrorCode | 'ok' {
  return verdict.ok ? 'ok' : verdict.code;
}

/** A chat where h1 wrote a message and v a message and its read state. */
function chatWithHistory() {
  const h1 = docOf(CLIENT.h1);
  const v = docOf(CLIENT.v);
  const helperMessage = h1.chat.postMessage({ kind: 'text', body: 'Hello, how can I help?' }, 1);
  if (!helperMessage.ok) throw new Error('setup');
  syncInto(v.doc, h1.doc);
  const visitorMessage = v.chat.postMessage({ kind: 'text', body: 'My printer' }, 2);
  if (!visitorMessage.ok) throw new Error('setup');
  v.chat.markRead('v', helperMessage.id, 3);
  syncInto(h1.doc, v.doc);
  return { h1, v, helperId: helperMessage.id, visitorId: visitorMessage.id };
}

describe('permission filter: visitors', () => {
  it('CH-A5 CH-A7 a visitor message and its own read state are accepted', () => {
    const { v, helperId } = chatWithHistory();
    const post = updateOf(v.doc, () => v.chat.postMessage({ kind: 'text', body: 'hi' }, 4));
    expect(filterUpdate(post, from('v'))).toEqual({ ok: true });
    const read = updateOf(v.doc, () => v.chat.markRead('v', helperId, 5));
    expect(filterUpdate(read, from('v'))).toEqual({ ok: true });
    const page = updateOf(v.doc, () =>
      v.chat.postMessage({ kind: 'page', body: '', page: { url: 'https://x/a', title: 'A' } }, 6),
    );
    expect(filterUpdate(page, from('v'))).toEqual({ ok: true });
  });

  it("CH-A5 a visitor writing under a helper's client id is refused (foreign_struct)", () => {
    const forger = docOf(CLIENT.h1);
    const forged = updateOf(forger.doc, () =>
      forger.chat.postMessage({ kind: 'text', body: 'I am the helper' }, 1),
    );
    expect(filterUpdate(forged, from('v'))).toMatchObject({ ok: false, code: 'foreign_struct' });
    // The same bytes are fine from h1 itself.
    expect(filterUpdate(forged, from('h1'))).toEqual({ ok: true });
  });

  it('CH-A5 CH-C11 a visitor writing with a client id nobody bound is refused', () => {
    const unbound = docOf(CLIENT.stranger);
    const update = updateOf(unbound.doc, () =>
      unbound.chat.postMessage({ kind: 'text', body: 'x' }, 1),
    );
    expect(filterUpdate(update, from('v'))).toMatchObject({ code: 'foreign_struct' });
  });

  it("CH-A6 a visitor deleting a helper's message is refused; its own is fine", () => {
    const { v, helperId, visitorId } = chatWithHistory();
    const theirs = updateOf(v.doc, () => v.chat.deleteMessage(helperId));
    expect(filterUpdate(theirs, from('v'))).toMatchObject({ code: 'foreign_delete' });
    const own = updateOf(v.doc, () => v.chat.deleteMessage(visitorId));
    expect(filterUpdate(own, from('v'))).toEqual({ ok: true });
  });

  it("CH-A7 a visitor writing another participant's read state is refused", () => {
    const { v, helperId } = chatWithHistory();
    const update = updateOf(v.doc, () => v.chat.markRead('h1', helperId, 9));
    expect(filterUpdate(update, from('v'))).toMatchObject({ code: 'forbidden_location' });
  });

  it("CH-A7 a visitor overwriting a helper's read state (origin in it) is refused", () => {
    const h1 = docOf(CLIENT.h1);
    const posted = h1.chat.postMessage({ kind: 'text', body: 'x' }, 1);
    if (!posted.ok) throw new Error('setup');
    h1.chat.markRead('h1', posted.id, 2);
    const v = docOf(CLIENT.v);
    syncInto(v.doc, h1.doc);
    const update = updateOf(v.doc, () => v.chat.markRead('h1', posted.id, 3));
    expect(filterUpdate(update, from('v'))).toMatchObject({ code: 'foreign_origin' });
  });

  it('CH-A7 a visitor writing meta or tags is refused', () => {
    const v = docOf(CLIENT.v);
    const label = updateOf(v.doc, () => v.chat.setMeta('label', 'VIP'));
    expect(filterUpdate(label, from('v'))).toMatchObject({ code: 'forbidden_location' });
    const tag = updateOf(v.doc, () => v.chat.addTag('refund', 1));
    expect(filterUpdate(tag, from('v'))).toMatchObject({ code: 'forbidden_location' });
  });

  it('CH-A7 a visitor may not write system messages or break the schema', () => {
    const v = docOf(CLIENT.v);
    const system = updateOf(v.doc, () =>
      v.chat.postMessage({ kind: 'system', body: 'Chat ended' }, 1),
    );
    expect(filterUpdate(system, from('v'))).toMatchObject({ code: 'invalid_entry' });
    const raw = updateOf(v.doc, () =>
      v.doc.getMap(ROOT.messages).set(`${CLIENT.v.toString(36)}.abcdefghijkl`, { kind: 'text' }),
    );
    expect(filterUpdate(raw, from('v'))).toMatchObject({ code: 'invalid_entry' });
    const long = updateOf(v.doc, () =>
      v.doc.getMap(ROOT.messages).set(`${CLIENT.v.toString(36)}.abcdefghijkm`, {
        kind: 'text',
        body: 'x'.repeat(LIMITS.maxChatMessageLength + 1),
        at: 1,
        seq: 1,
      }),
    );
    expect(filterUpdate(long, from('v'))).toMatchObject({ code: 'invalid_entry' });
  });

  it("CH-A7 a visitor writing to a key in a helper's key space is refused", () => {
    const v = docOf(CLIENT.v);
    const entry = { kind: 'text', body: 'replaced', at: 1, seq: 1 };
    const update = updateOf(v.doc, () =>
      v.doc.getMap(ROOT.messages).set(`${CLIENT.h1.toString(36)}.abcdefghijkl`, entry),
    );
    expect(filterUpdate(update, from('v'))).toMatchObject({ code: 'forbidden_location' });
  });

  it("CH-A7 a visitor overwriting a helper's message in place is refused", () => {
    const { v, helperId } = chatWithHistory();
    const update = updateOf(v.doc, () =>
      v.doc.getMap(ROOT.messages).set(helperId, { kind: 'text', body: 'hacked', at: 1, seq: 1 }),
    );
    // The overwrite's origin is the helper's struct; its delete set names it too.
    expect(filterUpdate(update, from('v'))).toMatchObject({ code: 'foreign_origin' });
  });

  it('CH-A7 nested types, text and list inserts from a visitor are refused', () => {
    const v = docOf(CLIENT.v);
    const nested = updateOf(v.doc, () =>
      v.doc.getMap(ROOT.messages).set(`${CLIENT.v.toString(36)}.abcdefghijkl`, new Y.Map()),
    );
    expect(filterUpdate(nested, from('v'))).toMatchObject({ code: 'forbidden_content' });
    const other = new Y.Doc();
    other.clientID = CLIENT.v;
    const list = updateOf(other, () => other.getArray(ROOT.messages).push([{ a: 1 }]));
    expect(filterUpdate(list, from('v'))).toMatchObject({ code: 'forbidden_location' });
    const text = updateOf(other, () => other.getText('notes').insert(0, 'hi'));
    expect(filterUpdate(text, from('v'))).toMatchObject({ code: 'forbidden_content' });
  });

  it('CH-A3 a visitor update over maxChatUpdateBytes is refused before decoding', () => {
    const big = new Uint8Array(LIMITS.maxChatUpdateBytes + 1);
    expect(filterUpdate(big, from('v'))).toMatchObject({ code: 'update_too_large' });
    expect(
      filterUpdate(new Uint8Array(LIMITS.maxChatDocBytes + 1), from('h1', 'step2')),
    ).toMatchObject({
      code: 'update_too_large',
    });
  });

  it('CH-A4 undecodable bytes are refused, never thrown', () => {
    expect(refusedWith(filterUpdate(new Uint8Array(), from('v')))).toBe('undecodable');
    expect(refusedWith(filterUpdate(Uint8Array.of(5, 1, 2), from('h1')))).toBe('undecodable');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom('v', 'h1'), (bytes, who) => {
        const verdict = filterUpdate(bytes, from(who));
        expect(verdict.ok || typeof verdict.code === 'string').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('CH-A4 mutated honest updates are judged without throwing', () => {
    const { v } = chatWithHistory();
    const honest = Y.encodeStateAsUpdate(v.doc);
    fc.assert(
      fc.property(fc.nat(honest.length - 1), fc.integer({ min: 0, max: 255 }), (at, byte) => {
        const bytes = honest.slice();
        bytes[at] = byte;
        const verdict = filterUpdate(bytes, from('v', 'step2'));
        expect(verdict.ok || typeof verdict.code === 'string').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('permission filter: monitors and helpers', () => {
  it('CH-A2 nothing at all is accepted from a monitor, even an empty update', () => {
    const m = docOf(CLIENT.m);
    const update = updateOf(m.doc, () => m.chat.postMessage({ kind: 'text', body: 'psst' }, 1));
    expect(filterUpdate(update, from('m'))).toMatchObject({ code: 'read_only' });
    expect(filterUpdate(Y.encodeStateAsUpdate(new Y.Doc()), from('m', 'step2'))).toMatchObject({
      code: 'read_only',
    });
  });

  it("CH-A2 CH-A8 a helper relaying a monitor's struct is refused", () => {
    const m = docOf(CLIENT.m);
    const update = updateOf(m.doc, () => m.chat.postMessage({ kind: 'text', body: 'psst' }, 1));
    expect(filterUpdate(update, from('h1'))).toMatchObject({ code: 'foreign_struct' });
  });

  it("CH-A8 a helper relaying a visitor's forbidden write is refused", () => {
    const v = docOf(CLIENT.v);
    const update = updateOf(v.doc, () => v.chat.setMeta('label', 'VIP'));
    expect(filterUpdate(update, from('h1'))).toMatchObject({ code: 'forbidden_location' });
  });

  it("CH-A9 helpers relay others' structs, write meta and delete visitors' messages", () => {
    const { h1, visitorId } = chatWithHistory();
    expect(filterUpdate(Y.encodeStateAsUpdate(h1.doc), from('h2', 'step2'))).toEqual({ ok: true });
    const meta = updateOf(h1.doc, () => {
      h1.chat.setMeta('label', 'printer');
      h1.chat.addTag('hardware', 5);
    });
    expect(filterUpdate(meta, from('h1'))).toEqual({ ok: true });
    const moderate = updateOf(h1.doc, () => h1.chat.deleteMessage(visitorId));
    expect(filterUpdate(moderate, from('h1'))).toEqual({ ok: true });
  });

  it('CH-A1 an unknown sender is refused', () => {
    expect(filterUpdate(new Uint8Array([0, 0]), { ...from('v'), sender: undefined })).toMatchObject(
      {
        code: 'unknown_sender',
      },
    );
  });
});

describe('CH-C4 a visitor answers step 1 with its own structs only', () => {
  it('CH-C4 encodeOwnStateAsUpdate matches Yjs when every client is own', () => {
    const v = docOf(CLIENT.v);
    for (let i = 0; i < 20; i++) v.chat.postMessage({ kind: 'text', body: `m${i}` }, i);
    const ids = v.chat.messages().map((m) => m.id);
    v.chat.deleteMessage(ids[3]!);
    v.chat.markRead('v', ids[5]!, 7);
    v.chat.markRead('v', ids[6]!, 8);
    const own = new Set([CLIENT.v]);
    expect(encodeOwnStateAsUpdate(v.doc, own, new Map())).toEqual(Y.encodeStateAsUpdate(v.doc));
    const partial = new Map([[CLIENT.v, 7]]);
    const sv = Y.encodeStateVector(partial);
    expect(encodeOwnStateAsUpdate(v.doc, own, partial)).toEqual(Y.encodeStateAsUpdate(v.doc, sv));
  });

  it("CH-C4 CH-A5 CH-A6 the visitor's answer passes the filter though the visitor holds helpers' content", () => {
    const { v, h1, helperId } = chatWithHistory();
    // A helper deleted its own message: the visitor's delete set now names h1's client.
    h1.chat.deleteMessage(helperId);
    syncInto(v.doc, h1.doc);
    expect(filterUpdate(Y.encodeStateAsUpdate(v.doc), from('v', 'step2'))).toMatchObject({
      ok: false,
    });
    const own = encodeOwnStateAsUpdate(v.doc, new Set([CLIENT.v, CLIENT.v2]), new Map());
    expect(filterUpdate(own, from('v', 'step2'))).toEqual({ ok: true });
    const fresh = docOf(CLIENT.h2);
    Y.applyUpdate(fresh.doc, own);
    expect(fresh.chat.messages().map((m) => m.body)).toEqual(['My printer']);
  });
});
