import * as Y from 'yjs';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { describe, expect, it } from 'vitest';
import { decodeAwarenessUpdate, filterAwarenessUpdate } from '../../../protocol/index.ts';
import { bindings, CLIENT } from './chat-doc-fixture.ts';

function awarenessUpdate(clientId: number, state: unknown): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = clientId;
  const awareness = new Awareness(doc);
  awareness.setLocalState(state as Record<string, unknown> | null);
  const update = encodeAwarenessUpdate(awareness, [clientId]);
  awareness.destroy();
  return update;
}

const typing = {
  typing: true,
  focus: 'focused',
  draft: 'My printer is',
  page: { url: 'https://x', title: 'X' },
};

describe('awareness', () => {
  it('CH-W1 CH-W2 a valid state decodes; a removal decodes as null', () => {
    expect(decodeAwarenessUpdate(awarenessUpdate(CLIENT.v, typing))).toMatchObject({
      ok: true,
      entries: [{ clientId: CLIENT.v, state: typing }],
    });
    expect(decodeAwarenessUpdate(awarenessUpdate(CLIENT.v, null))).toMatchObject({
      ok: true,
      entries: [{ clientId: CLIENT.v, state: null }],
    });
  });

  it('CH-W2 states that break the schema are refused', () => {
    for (const bad of [
      {},
      { ...typing, extra: 1 },
      { ...typing, draft: 'x'.repeat(6000) },
      { typing: 'yes', focus: 'focused' },
    ]) {
      expect(decodeAwarenessUpdate(awarenessUpdate(CLIENT.v, bad))).toMatchObject({
        code: 'bad_awareness',
      });
    }
    expect(decodeAwarenessUpdate(Uint8Array.of(1, 11, 1, 3, 0x7b, 0x7b, 0x7b))).toMatchObject({
      code: 'bad_awareness',
    });
    expect(decodeAwarenessUpdate(Uint8Array.of(1, 11))).toMatchObject({ code: 'bad_awareness' });
  });

  it("CH-W3 a peer may not set a helper's awareness", () => {
    const spoof = awarenessUpdate(CLIENT.h1, typing);
    expect(filterAwarenessUpdate(spoof, bindings.participant('v'))).toMatchObject({
      code: 'foreign_awareness',
    });
    expect(filterAwarenessUpdate(spoof, bindings.participant('h1'))).toMatchObject({ ok: true });
    expect(
      filterAwarenessUpdate(awarenessUpdate(CLIENT.v2, typing), bindings.participant('v')),
    ).toMatchObject({
      ok: true,
    });
  });

  it('CH-W3 monitors may not set any awareness, not even their own', () => {
    const own = awarenessUpdate(CLIENT.m, { typing: false, focus: 'hidden' });
    expect(filterAwarenessUpdate(own, bindings.participant('m'))).toMatchObject({
      code: 'read_only',
    });
  });
});
