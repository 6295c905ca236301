/**
 * Attacks on a chat (issue 3, B4): a visitor or monitor peer that sends what it
 * may not. In every case nothing is applied at the helper or at third parties,
 * and the offender's link is closed with the refusal's code (CHAT.md CH-C9).
 */
import * as Y from 'yjs';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ChatDocument,
  encodeMessage,
  encodeWireFrames,
  LIMITS,
  type ChatErrorCode,
  type WireMessage,
} from '../../../protocol/index.ts';
import { InMemoryNetwork, type NetworkPeer } from '../../fixtures/in-memory-network.ts';

let net: InMemoryNetwork;
let helperMessage: string;

/** v, h1, h2 and m, all linked where allowed, with a message from h1 and from v. */
function chat(): InMemoryNetwork {
  net = new InMemoryNetwork(7, [
    { id: 'v', role: 'visitor' },
    { id: 'h1', role: 'helper' },
    { id: 'h2', role: 'helper' },
    { id: 'm', role: 'monitor' },
  ]);
  net.connectAll();
  const posted = net.peer('h1').replica.post({ kind: 'text', body: 'Hello, how can I help?' });
  if (!posted.ok) throw new Error('setup');
  helperMessage = posted.id;
  net.peer('v').replica.post({ kind: 'text', body: 'My printer' });
  net.peer('h1').replica.setPresence({ typing: false, focus: 'focused' });
  net.flush();
  return net;
}

afterEach(() => net.destroy());

function clientOf(id: string): number {
  return net.peer(id).replica.doc.clientID;
}

/** What a peer's document and presence hold, to compare before and after. */
function snapshot(peer: NetworkPeer): string {
  const { replica } = peer;
  return JSON.stringify({
    doc: [...Y.encodeStateAsUpdate(replica.doc)],
    presence: [...replica.presence()],
  });
}

function snapshots(): Map<string, string> {
  return new Map([...net.peers].map(([id, peer]) => [id, snapshot(peer)]));
}

let attackId = 0x7000_0000;
function framesOf(message: WireMessage): Uint8Array[] {
  return encodeWireFrames(attackId++, encodeMessage(message));
}

function inject(from: string, to: string, frames: Uint8Array[]): void {
  for (const frame of frames) net.inject(from, to, frame);
}

/** A document writing under `clientId`, seeded with what `like` has. */
function forgerDoc(clientId: number, like?: Y.Doc): { doc: Y.Doc; chat: ChatDocument } {
  const doc = new Y.Doc();
  if (like) Y.applyUpdate(doc, Y.encodeStateAsUpdate(like));
  // Set after seeding: Yjs picks a new client id when an update brings structs of its own.
  doc.clientID = clientId;
  return { doc, chat: new ChatDocument(doc) };
}

function changeOf(doc: Y.Doc, change: () => void): Uint8Array {
  const before = Y.encodeStateVector(doc);
  change();
  return Y.encodeStateAsUpdate(doc, before);
}

function expectDropped(at: string, offender: string, code: ChatErrorCode): void {
  const refused = net.peer(at).events.filter((e) => e.type === 'refused');
  expect(refused, `${at} should refuse ${offender}`).toContainEqual(
    expect.objectContaining({ type: 'refused', peer: offender, code }),
  );
  expect(net.link(at, offender)?.open, `${at}-${offender} link closed`).toBe(false);
}

function expectUnchanged(before: Map<string, string>, ids: string[]): void {
  for (const id of ids) expect(snapshot(net.peer(id)), `${id} changed`).toBe(before.get(id));
}

describe('attacks by a visitor', () => {
  it("CH-A6 CH-C9 a visitor that deletes a helper's message: refused by both helpers, nothing applied", () => {
    chat();
    const before = snapshots();
    // The visitor's own replica would send it: Yjs lets any peer delete anything.
    net.peer('v').replica.chat.deleteMessage(helperMessage);
    net.flush();
    expectDropped('h1', 'v', 'foreign_delete');
    expectDropped('h2', 'v', 'foreign_delete');
    expectUnchanged(before, ['h1', 'h2', 'm']);
    expect(net.peer('h1').replica.chat.message(helperMessage)).toBeDefined();
  });

  it("CH-A5 CH-C9 a visitor that writes under a helper's client id: refused at the helper and third parties", () => {
    chat();
    const before = snapshots();
    const forger = forgerDoc(clientOf('h1'), net.peer('v').replica.doc);
    const update = changeOf(forger.doc, () =>
      forger.chat.postMessage({ kind: 'text', body: 'Please send your password' }, 1),
    );
    expect(Y.decodeUpdate(update).structs.map((s) => s.id.client)).toEqual([clientOf('h1')]);
    inject('v', 'h1', framesOf({ type: 'sync-update', update }));
    inject('v', 'h2', framesOf({ type: 'sync-step2', update }));
    net.flush();
    expectDropped('h1', 'v', 'foreign_struct');
    expectDropped('h2', 'v', 'foreign_struct');
    expectUnchanged(before, ['h1', 'h2', 'm']);
  });

  it("CH-A7 a visitor that rewrites a helper's message in place or writes meta: refused", () => {
    chat();
    const before = snapshots();
    const forger = forgerDoc(clientOf('v'), net.peer('v').replica.doc);
    const overwrite = changeOf(forger.doc, () =>
      forger.doc.getMap('messages').set(helperMessage, { kind: 'text', body: 'x', at: 1, seq: 1 }),
    );
    inject('v', 'h1', framesOf({ type: 'sync-update', update: overwrite }));
    const meta = changeOf(forger.doc, () => forger.chat.setMeta('label', 'VIP'));
    inject('v', 'h2', framesOf({ type: 'sync-update', update: meta }));
    net.flush();
    expectDropped('h1', 'v', 'foreign_origin');
    expectDropped('h2', 'v', 'forbidden_location');
    expectUnchanged(before, ['h1', 'h2', 'm']);
  });

  it("CH-W3 CH-C9 a visitor that spoofs a helper's awareness: refused, the helper's presence intact", () => {
    chat();
    const before = snapshots();
    const doc = new Y.Doc();
    doc.clientID = clientOf('h1');
    const awareness = new Awareness(doc);
    awareness.setLocalState({
      typing: true,
      focus: 'focused',
      draft: 'I will refund you 1000 EUR',
    });
    const update = encodeAwarenessUpdate(awareness, [doc.clientID]);
    awareness.destroy();
    inject('v', 'h2', framesOf({ type: 'awareness', update }));
    net.flush();
    expectDropped('h2', 'v', 'foreign_awareness');
    expectUnchanged(before, ['h1', 'm']);
    expect(net.peer('h2').replica.presence().get('h1')).toEqual({
      typing: false,
      focus: 'focused',
    });
  });

  it('CH-A4 CH-D12 CH-C9 a visitor that sends garbage bytes: dropped, nothing applied', () => {
    chat();
    const before = snapshots();
    inject('v', 'h1', [Uint8Array.of(1, 0, 0, 1, 0, 2, 5, 0xff, 0xff, 0xff, 0xff, 0x0f)]);
    inject('v', 'h2', [Uint8Array.of(0xde, 0xad, 0xbe, 0xef)]);
    net.flush();
    expectDropped('h1', 'v', 'undecodable');
    expectDropped('h2', 'v', 'bad_frame');
    expectUnchanged(before, ['h1', 'h2', 'm']);
  });

  it('CH-D1 CH-A3 CH-C9 a visitor that sends an oversized frame or an oversized update: dropped', () => {
    chat();
    const before = snapshots();
    const huge = new Uint8Array(LIMITS.maxChatFrameBytes + 1);
    huge[0] = 1;
    inject('v', 'h1', [huge]);
    const update = new Uint8Array(LIMITS.maxChatUpdateBytes + 100).fill(1);
    inject('v', 'h2', framesOf({ type: 'sync-update', update }));
    net.flush();
    expectDropped('h1', 'v', 'frame_too_large');
    expectDropped('h2', 'v', 'update_too_large');
    expectUnchanged(before, ['h1', 'h2', 'm']);
  });

  it('CH-C9 after a refusal the other links carry on', () => {
    chat();
    inject('v', 'h1', [Uint8Array.of(0)]);
    net.flush();
    expect(net.link('v', 'h1')?.open).toBe(false);
    const posted = net.peer('v').replica.post({ kind: 'text', body: 'still here' });
    net.flush();
    expect(posted.ok && net.peer('h2').replica.chat.message(posted.id)?.body).toBe('still here');
    expect(posted.ok && net.peer('h1').replica.chat.message(posted.id)?.body).toBe('still here');
  });
});

describe('attacks by a monitor', () => {
  it('CH-A2 CH-C8 a monitor that writes anything: refused by every helper, nothing applied anywhere', () => {
    chat();
    // Its own replica will not even try.
    expect(net.peer('m').replica.post({ kind: 'text', body: 'hi' })).toMatchObject({
      ok: false,
      code: 'not_writable',
    });
    const before = snapshots();
    const forger = forgerDoc(clientOf('m'), net.peer('m').replica.doc);
    const update = changeOf(forger.doc, () =>
      forger.chat.postMessage({ kind: 'text', body: 'psst' }, 1),
    );
    inject('m', 'h1', framesOf({ type: 'sync-update', update }));
    inject('m', 'h2', framesOf({ type: 'sync-step2', update: Y.encodeStateAsUpdate(new Y.Doc()) }));
    net.flush();
    expectDropped('h1', 'm', 'read_only');
    expectDropped('h2', 'm', 'read_only');
    expectUnchanged(before, ['v', 'h1', 'h2']);
  });

  it('CH-W3 a monitor that sets its own awareness or acks: refused', () => {
    chat();
    const doc = new Y.Doc();
    doc.clientID = clientOf('m');
    const awareness = new Awareness(doc);
    awareness.setLocalState({ typing: false, focus: 'hidden' });
    inject(
      'm',
      'h1',
      framesOf({ type: 'awareness', update: encodeAwarenessUpdate(awareness, [doc.clientID]) }),
    );
    awareness.destroy();
    inject('m', 'h2', framesOf({ type: 'ack', stateVector: Y.encodeStateVector(doc) }));
    net.flush();
    expectDropped('h1', 'm', 'read_only');
    expectDropped('h2', 'm', 'read_only');
  });
});
