/**
 * CHAT.md CH-C13: a peer sends under its new client id as soon as the service's echo of
 * its `bind` reaches it, and the same list reaches the other replicas over their own
 * WebSocket, which the data channel can beat (a visitor's widget reloading on another
 * page of the host site: its presence reached the helper first, and the helper's
 * console reset the visitor's link as "spoke for someone else"). A frame whose foreign
 * client ids are bound to nobody yet waits for a list that binds them, for at most 10 s.
 */
import * as Y from 'yjs';
import { Awareness, encodeAwarenessUpdate } from 'y-protocols/awareness';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ChatDocument, encodeMessage, encodeWireFrames } from '../../../protocol/index.ts';
import type { WireMessage } from '../../../protocol/index.ts';
import { InMemoryNetwork } from '../../fixtures/in-memory-network.ts';

let net: InMemoryNetwork;
afterEach(() => {
  net.destroy();
  vi.useRealTimers();
});

/** A client id the list does not name yet: the visitor's page after a reload. */
const RELOADED = 0x5eed_0001;

function linked(): InMemoryNetwork {
  net = new InMemoryNetwork(11, [
    { id: 'v', role: 'visitor' },
    { id: 'h', role: 'helper' },
  ]);
  net.connectAll();
  net.flush();
  return net;
}

/** The list as the service sends it, the visitor's ids replaced by `visitorIds`. */
function list(visitorIds: number[]) {
  return [
    { id: 'v', role: 'visitor' as const, clientIds: visitorIds },
    { id: 'h', role: 'helper' as const, clientIds: [net.peer('h').replica.doc.clientID] },
  ];
}

let frameId = 0x6000_0000;
function send(from: string, to: string, message: WireMessage): void {
  for (const frame of encodeWireFrames(frameId++, encodeMessage(message))) {
    net.inject(from, to, frame);
  }
}

/** The visitor's presence, typed on the reloaded page, under its new client id. */
function reloadedPresence(): Uint8Array {
  const awareness = new Awareness(Object.assign(new Y.Doc(), { clientID: RELOADED }));
  awareness.setLocalState({ typing: true, focus: 'focused', draft: 'still blank pages' });
  const update = encodeAwarenessUpdate(awareness, [RELOADED]);
  awareness.destroy();
  return update;
}

/** A message the reloaded page writes under its new client id, on the visitor's document. */
function reloadedMessage(): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(net.peer('v').replica.doc));
  doc.clientID = RELOADED;
  const before = Y.encodeStateVector(doc);
  const posted = new ChatDocument(doc).postMessage({ kind: 'text', body: 'Back again' }, 1);
  if (!posted.ok) throw new Error(posted.code);
  return Y.encodeStateAsUpdate(doc, before);
}

const refusals = (at: string) => net.peer(at).events.filter((e) => e.type === 'refused');
const visitorOld = () => net.peer('v').replica.doc.clientID;
const texts = () =>
  net
    .peer('h')
    .replica.chat.messages()
    .map((m) => (m.kind === 'text' ? m.body : m.kind));

describe('CH-C13 frames under a client id no list names yet', () => {
  it('wait for the next list and are applied when it binds the id to their sender', () => {
    linked();
    send('v', 'h', { type: 'awareness', update: reloadedPresence() });
    send('v', 'h', { type: 'sync-update', update: reloadedMessage() });
    net.flush();
    // Nothing refused, nothing applied yet: the link stays.
    expect(refusals('h')).toEqual([]);
    expect(net.link('h', 'v')?.open).toBe(true);
    expect(net.peer('h').replica.presence().get('v')).toBeUndefined();
    expect(texts()).not.toContain('Back again');

    net.peer('h').replica.setParticipants(list([visitorOld(), RELOADED]));
    expect(net.peer('h').replica.presence().get('v')).toMatchObject({ draft: 'still blank pages' });
    expect(texts()).toContain('Back again');
    expect(refusals('h')).toEqual([]);
  });

  it('wait on through a list that still binds the id to nobody (one sent before the bind)', () => {
    linked();
    send('v', 'h', { type: 'awareness', update: reloadedPresence() });
    send('v', 'h', { type: 'sync-update', update: reloadedMessage() });
    net.flush();
    // A list the service sent before the visitor's bind (a monitor joined just then)
    // reaches the helper after the visitor's frames: it must not refuse them.
    net.peer('h').replica.setParticipants(list([visitorOld()]));
    expect(refusals('h')).toEqual([]);
    expect(net.link('h', 'v')?.open).toBe(true);
    expect(texts()).not.toContain('Back again');

    net.peer('h').replica.setParticipants(list([visitorOld(), RELOADED]));
    expect(net.peer('h').replica.presence().get('v')).toMatchObject({ draft: 'still blank pages' });
    expect(texts()).toContain('Back again');
    expect(refusals('h')).toEqual([]);
  });

  it('are refused at once by a list that binds the id to someone else', () => {
    linked();
    send('v', 'h', { type: 'awareness', update: reloadedPresence() });
    net.flush();
    const helperIds = [net.peer('h').replica.doc.clientID, RELOADED];
    net.peer('h').replica.setParticipants([
      { id: 'v', role: 'visitor', clientIds: [visitorOld()] },
      { id: 'h', role: 'helper', clientIds: helperIds },
    ]);
    expect(refusals('h')).toContainEqual(
      expect.objectContaining({ peer: 'v', code: 'foreign_awareness' }),
    );
    expect(net.link('h', 'v')?.open).toBe(false);
  });

  it('are refused at their deadline when the lists meanwhile never bound the id', () => {
    vi.useFakeTimers();
    linked();
    send('v', 'h', { type: 'awareness', update: reloadedPresence() });
    net.flush();
    net.peer('h').replica.setParticipants(list([visitorOld()]));
    vi.advanceTimersByTime(9_999);
    expect(refusals('h')).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(refusals('h')).toContainEqual(
      expect.objectContaining({ peer: 'v', code: 'foreign_awareness' }),
    );
    expect(net.link('h', 'v')?.open).toBe(false);
  });

  it('are refused when no list comes within 10 s', () => {
    vi.useFakeTimers();
    linked();
    send('v', 'h', { type: 'sync-update', update: reloadedMessage() });
    net.flush();
    expect(refusals('h')).toEqual([]);
    vi.advanceTimersByTime(10_000);
    expect(refusals('h')).toContainEqual(
      expect.objectContaining({ peer: 'v', code: 'foreign_struct' }),
    );
    expect(texts()).not.toContain('Back again');
  });
});
