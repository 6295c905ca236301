import * as Y from 'yjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  decodeMessage,
  filterUpdate,
  LIMITS,
  ParticipantBindings,
  Reassembler,
} from '../../../protocol/index.ts';
import { ChatReplica } from '../../../app/lib/session/chat-replica.ts';
import { InMemoryNetwork } from '../../fixtures/in-memory-network.ts';

let net: InMemoryNetwork;
afterEach(() => net.destroy());

function network(): InMemoryNetwork {
  net = new InMemoryNetwork(3, [
    { id: 'v', role: 'visitor' },
    { id: 'h1', role: 'helper' },
    { id: 'm', role: 'monitor' },
  ]);
  return net;
}

describe('chat replica', () => {
  it('CH-C7 a message is pending until a peer has it, also across a lost link', () => {
    network().connectAll();
    net.flush();
    const v = net.peer('v');
    net.link('v', 'h1')!.fail();
    const posted = v.replica.post({ kind: 'text', body: 'anyone there?' });
    if (!posted.ok) throw new Error('post');
    expect(v.replica.pending()).toEqual([posted.id]);
    net.connect('v', 'h1');
    net.flush();
    expect(v.replica.pending()).toEqual([]);
    expect(v.events).toContainEqual({ type: 'pending', ids: [] });
    expect(net.peer('h1').replica.chat.message(posted.id)?.body).toBe('anyone there?');
  });

  it('CH-C7 a pending set handed to a view is kept as it was; the replica changes a copy (S8)', () => {
    network().connectAll();
    net.flush();
    const v = net.peer('v');
    net.link('v', 'h1')!.fail();
    const first = v.replica.post({ kind: 'text', body: 'one' });
    if (!first.ok) throw new Error('post');
    const handed = v.replica.pendingIds();
    // Nothing changed since: the same set, not a copy per view.
    expect(v.replica.pendingIds()).toBe(handed);
    const second = v.replica.post({ kind: 'text', body: 'two' });
    if (!second.ok) throw new Error('post');
    expect([...handed]).toEqual([first.id]);
    const later = v.replica.pendingIds();
    expect([...later]).toEqual([first.id, second.id]);
    net.connect('v', 'h1');
    net.flush();
    expect([...later]).toEqual([first.id, second.id]);
    expect([...v.replica.pendingIds()]).toEqual([]);
    expect(v.replica.pending()).toEqual([]);
  });

  it('CH-C7 messages restored from storage start pending', () => {
    network();
    const doc = net.peer('v').replica.doc;
    const restored = new Y.Doc();
    restored.clientID = doc.clientID;
    net.peer('v').replica.chat.postMessage({ kind: 'text', body: 'from before the reload' }, 1);
    Y.applyUpdate(restored, Y.encodeStateAsUpdate(doc));
    restored.clientID = doc.clientID;
    const replica = new ChatReplica({
      doc: restored,
      self: 'v',
      participants: [...net.peer('v').replica.bindings.participants()].map((p) => ({
        id: p.id,
        role: p.role,
        clientIds: [...p.clientIds],
      })),
    });
    expect(replica.pending()).toHaveLength(1);
    replica.destroy();
  });

  it('CH-W1 CH-W4 presence reaches the helper and leaves with the link', () => {
    network().connectAll();
    net.peer('v').replica.setPresence({ typing: true, focus: 'focused', draft: 'My print' });
    net.flush();
    expect(net.peer('h1').replica.presence().get('v')).toEqual({
      typing: true,
      focus: 'focused',
      draft: 'My print',
    });
    // The draft never reaches the document.
    expect(JSON.stringify(net.peer('h1').replica.doc.toJSON())).not.toContain('My print');
    net.link('v', 'h1')!.fail();
    expect(net.peer('h1').replica.presence().has('v')).toBe(false);
  });

  it('CH-C8 CH-N2 a monitor sends the chat document nothing but sync step 1, and reads everything', () => {
    network().connectAll();
    net.peer('h1').replica.post({ kind: 'text', body: 'hi' });
    net.peer('v').replica.post({ kind: 'text', body: 'hello' });
    const pair = net.link('h1', 'm')!;
    const fromMonitor = pair.a === 'm' ? pair.queues[0] : pair.queues[1];
    const sent = [...fromMonitor];
    net.flush();
    const reassembler = new Reassembler();
    const types = sent.map((f) => {
      const r = reassembler.push(f);
      if (!r.ok || !r.message) throw new Error('frame');
      const m = decodeMessage(r.message);
      return m.ok ? m.message.type : m.code;
    });
    // The chat document gets step 1 only; the staff notes have their own sync (CH-N2).
    expect(types).toEqual(['sync-step1', 'notes-step1']);
    expect(
      net
        .peer('m')
        .replica.chat.messages()
        .map((m) => m.body),
    ).toEqual(['hi', 'hello']);
  });

  it('CH-D1 CH-C2 a 2 MB transcript syncs to a late-joining monitor in 16 KiB frames', () => {
    network();
    net.connect('v', 'h1');
    const h1 = net.peer('h1').replica;
    const v = net.peer('v').replica;
    const body = 'x'.repeat(4000);
    for (let i = 0; i < 260; i++) (i % 2 ? v : h1).post({ kind: 'text', body: `${i} ${body}` });
    net.flush();
    expect(Y.encodeStateAsUpdate(h1.doc).length).toBeGreaterThan(1_000_000);
    const pair = net.connect('h1', 'm');
    let largest = 0;
    let frames = 0;
    do {
      for (const q of pair.queues) for (const f of q) largest = Math.max(largest, f.length);
      frames++;
    } while (net.deliverOne());
    expect(largest).toBeLessThanOrEqual(LIMITS.maxChatFrameBytes);
    expect(frames).toBeGreaterThan(60);
    expect(net.peer('m').replica.chat.messages()).toHaveLength(260);
    expect(net.peer('m').events.filter((e) => e.type === 'refused')).toEqual([]);
  });

  it('CH-A1 filtering a one-message update costs microseconds (measured, not asserted)', () => {
    network();
    const v = net.peer('v').replica;
    let update: Uint8Array | undefined;
    v.doc.once('update', (u: Uint8Array) => {
      update = u;
    });
    v.post({ kind: 'text', body: 'How do I reset my password?' });
    const bindings = new ParticipantBindings(
      [...v.bindings.participants()].map((p) => ({ ...p, clientIds: [...p.clientIds] })),
    );
    const source = { sender: bindings.participant('v'), bindings, message: 'update' as const };
    expect(filterUpdate(update!, source)).toEqual({ ok: true });
    const runs = 20_000;
    for (let i = 0; i < 2000; i++) filterUpdate(update!, source);
    const start = performance.now();
    for (let i = 0; i < runs; i++) filterUpdate(update!, source);
    const micros = ((performance.now() - start) * 1000) / runs;
    console.log(
      `filterUpdate, one visitor message (${update!.length} bytes): ${micros.toFixed(2)} µs`,
    );
    const h1 = net.peer('h1').replica;
    let helperUpdate: Uint8Array | undefined;
    h1.doc.once('update', (u: Uint8Array) => {
      helperUpdate = u;
    });
    h1.post({ kind: 'text', body: 'Open Settings, then Privacy.' });
    const fromHelper = { ...source, sender: bindings.participant('h1') };
    expect(filterUpdate(helperUpdate!, fromHelper)).toEqual({ ok: true });
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) filterUpdate(helperUpdate!, fromHelper);
    const helperMicros = ((performance.now() - t0) * 1000) / runs;
    console.log(`filterUpdate, one helper message: ${helperMicros.toFixed(2)} µs`);
  });
});
