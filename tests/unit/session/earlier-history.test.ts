/**
 * The earlier conversation (CHAT.md CH-K1–CH-K5, CH-K8): the visitor's copy and a staff peer's,
 * decoded apart, never merged into the chat document, taken by a helper (from the
 * visitor or staff) or a monitor (from a helper only); anything else drops the sender
 * like any refused bytes (CH-C9).
 */
import * as Y from 'yjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ChatDocument,
  decodeEarlierHistory,
  encodeMessage,
  encodeWireFrames,
  LIMITS,
} from '../../../protocol/index.ts';
import { InMemoryNetwork } from '../../fixtures/in-memory-network.ts';

let net: InMemoryNetwork;
afterEach(() => net.destroy());

function chat(): InMemoryNetwork {
  net = new InMemoryNetwork(11, [
    { id: 'v', role: 'visitor' },
    { id: 'h1', role: 'helper' },
    { id: 'h2', role: 'helper' },
    { id: 'm', role: 'monitor' },
  ]);
  net.connectAll();
  net.peer('v').replica.post({ kind: 'text', body: 'My printer' });
  net.flush();
  return net;
}

function historyFrames(update: Uint8Array): Uint8Array[] {
  return encodeWireFrames(99, encodeMessage({ type: 'history', update }));
}

/** A document as a visitor might claim it: a line under someone else's client id. */
function forgedHistory(helperClient: number): Uint8Array {
  const doc = new Y.Doc();
  doc.clientID = helperClient;
  new ChatDocument(doc).postMessage({ kind: 'text', body: 'I, the helper, promise a refund' }, 1);
  return Y.encodeStateAsUpdate(doc);
}

describe('earlier history', () => {
  it('CH-K2 CH-K3 a helper decodes it into a separate document; lines not the visitor’s are unverified', () => {
    chat();
    const h1 = net.peer('h1');
    const h1Client = h1.replica.doc.clientID;
    const before = Y.encodeStateAsUpdate(h1.replica.doc);
    const merged = new Y.Doc();
    Y.applyUpdate(merged, Y.encodeStateAsUpdate(net.peer('v').replica.doc));
    Y.applyUpdate(merged, forgedHistory(h1Client));
    for (const frame of historyFrames(Y.encodeStateAsUpdate(merged))) net.inject('v', 'h1', frame);
    net.flush();
    const event = h1.events.find((e) => e.type === 'history');
    if (event?.type !== 'history') throw new Error('no history event');
    const visitor = h1.replica.bindings.participant('v')!;
    expect(event.history.lines(visitor).map((l) => [l.body, l.claimedRole, l.verified])).toEqual([
      ['My printer', 'visitor', true],
      ['I, the helper, promise a refund', 'helper', false],
    ]);
    // CH-K2: the chat document did not change, and the forged line reached nobody.
    expect(Y.encodeStateAsUpdate(h1.replica.doc)).toEqual(before);
    expect(
      net
        .peer('h2')
        .replica.chat.messages()
        .map((m) => m.body),
    ).toEqual(['My printer']);
    expect(net.link('v', 'h1')?.open).toBe(true);
  });

  it('CH-K4 history to a visitor is refused and the sender dropped', () => {
    chat();
    for (const frame of historyFrames(new Uint8Array([0, 0]))) net.inject('h1', 'v', frame);
    net.flush();
    expect(net.peer('v').events).toContainEqual(
      expect.objectContaining({ type: 'refused', peer: 'h1', code: 'unknown_message' }),
    );
    expect(net.peer('v').events.some((e) => e.type === 'history')).toBe(false);
  });

  it('CH-K4 CH-K8 a helper takes a staff copy from a helper or a monitor; a monitor only from a helper', () => {
    chat();
    const copy = Y.encodeStateAsUpdate(net.peer('h1').replica.doc);
    for (const frame of historyFrames(copy)) net.inject('m', 'h1', frame);
    for (const frame of historyFrames(copy)) net.inject('h1', 'h2', frame);
    for (const frame of historyFrames(copy)) net.inject('h2', 'm', frame);
    net.flush();
    const taken = (id: string) =>
      net.peer(id).events.flatMap((e) => (e.type === 'history' ? [[e.peer, e.from] as const] : []));
    expect(taken('h1')).toEqual([['m', 'staff']]);
    expect(taken('h2')).toEqual([['h1', 'staff']]);
    expect(taken('m')).toEqual([['h2', 'staff']]);
    // A monitor never takes the visitor's word: it has no link to the visitor (SP-M2).
  });

  it('CH-K2 garbage history is refused undecodable and drops the visitor; nothing is applied', () => {
    chat();
    const before = Y.encodeStateAsUpdate(net.peer('h1').replica.doc);
    for (const frame of historyFrames(new Uint8Array([1, 200, 3, 4, 5])))
      net.inject('v', 'h1', frame);
    net.flush();
    expect(net.peer('h1').events).toContainEqual(
      expect.objectContaining({ type: 'refused', peer: 'v', code: 'undecodable' }),
    );
    expect(net.link('v', 'h1')?.open).toBe(false);
    expect(Y.encodeStateAsUpdate(net.peer('h1').replica.doc)).toEqual(before);
  });

  it('CH-K2 the size cap holds before anything is decoded', () => {
    const result = decodeEarlierHistory(new Uint8Array(LIMITS.maxChatDocBytes + 1));
    expect(result).toMatchObject({ ok: false, code: 'update_too_large' });
    expect(decodeEarlierHistory(new Uint8Array([]))).toMatchObject({ ok: false });
  });

  it('CH-K1 a visitor offers history only to a helper, and only holds unbound structs after a requeue', () => {
    chat();
    const v = net.peer('v').replica;
    expect(v.holdsUnboundStructs()).toBe(false);
    net.peer('h1').replica.post({ kind: 'text', body: 'hello from h1' });
    net.flush();
    v.setParticipants(
      [...v.bindings.participants()]
        .filter((p) => p.id !== 'h1')
        .map((p) => ({ id: p.id, role: p.role, clientIds: [...p.clientIds] })),
    );
    expect(v.holdsUnboundStructs()).toBe(true);
    expect(v.sendHistory('m')).toBe(false);
    expect(v.sendHistory('h2')).toBe(true);
  });

  it('CH-K8 a staff peer hands its document on as a trusted copy only when it holds unbound structs', () => {
    chat();
    const m = net.peer('m').replica;
    const h2 = net.peer('h2').replica;
    net.peer('h1').replica.post({ kind: 'text', body: 'hello from h1' });
    net.flush();
    // Everyone who wrote is still in the chat: nothing to hand on, unless a copy is held.
    expect(m.sendStaffCopy('h2', null)).toBe(false);
    const held = new Uint8Array([0, 0]);
    expect(h2.sendStaffCopy('m', held)).toBe(true);
    for (const r of [m, h2]) {
      r.setParticipants(
        [...r.bindings.participants()]
          .filter((p) => p.id !== 'h1')
          .map((p) => ({ id: p.id, role: p.role, clientIds: [...p.clientIds] })),
      );
    }
    expect(m.holdsUnboundStructs()).toBe(true);
    expect(m.sendStaffCopy('h2', null)).toBe(true);
    // Never to the visitor, and never from a helper to itself or a monitor to a monitor.
    expect(h2.sendStaffCopy('v', held)).toBe(false);
    net.flush();
    const event = net.peer('h2').events.find((e) => e.type === 'history' && e.peer === 'm');
    if (event?.type !== 'history') throw new Error('no staff copy');
    expect(event.from).toBe('staff');
    const lines = event.history.lines(h2.bindings.participant('v')!);
    expect(lines.map((l) => [l.body, l.claimedRole])).toEqual([
      ['My printer', 'visitor'],
      ['hello from h1', 'helper'],
    ]);
  });
});
