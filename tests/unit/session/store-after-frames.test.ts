/**
 * Frames first, then IndexedDB (benchmark S5, chat-store.ts storeAfterTheFrames): a sent
 * message's update is on the link before the sender's store opens its transaction, and
 * a receiver's ack is on the link before the receiver's does; the writes still land, in
 * order, before any other task (a reload shows them: indexeddb-store.test.ts).
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { decodeMessage, Reassembler } from '../../../protocol/index.ts';
import type { IndexeddbPersistence } from 'y-indexeddb';
import type { ChatSession } from '../../../app/lib/session/chat-session.ts';
import { indexeddbChatStore, storeAfterTheFrames } from '../../../app/lib/session/chat-store.ts';
import type { PeerLinkFactory } from '../../../app/lib/peer/peer-link.ts';
import type { FakeService } from './fake-world.ts';
import { loopLinks, openSession, until, ALICE, VERA, serviceWith } from './fake-world.ts';

const open: ChatSession[] = [];
const restore: (() => void)[] = [];
afterEach(async () => {
  for (const undo of restore.splice(0)) undo();
  for (const s of open.splice(0)) await s.destroy();
});

/** Records every IndexedDB write of the updates store (fake-indexeddb's own classes). */
function recordWrites(log: string[], who: string): void {
  const proto = IDBObjectStore.prototype;
  const add = proto.add;
  proto.add = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['add']>) {
    if (this.name === 'updates') log.push(`${who} stores`);
    return add.apply(this, args);
  };
  restore.push(() => {
    proto.add = add;
  });
}

/** The session's links, recording each frame sent with its wire kind (CHAT.md). */
function recordingLinks(service: FakeService, who: string, log: string[]) {
  return (ice: Parameters<ReturnType<typeof loopLinks>>[0]): PeerLinkFactory =>
    (init) => {
      const link = loopLinks(service, who)(ice)(init);
      const send = link.send.bind(link);
      link.send = (frame) => {
        const assembled = new Reassembler().push(frame);
        const decoded = assembled.ok && assembled.message ? decodeMessage(assembled.message) : null;
        log.push(`${who} sends ${decoded?.ok === true ? decoded.message.type : 'part'}`);
        return send(frame);
      };
      return link;
    };
}

describe('storeAfterTheFrames', () => {
  it("runs y-indexeddb's handler after the update's other handlers, in order", async () => {
    const doc = new Y.Doc();
    const log: string[] = [];
    const persistence = {
      _destroyed: false,
      _storeUpdate: (update: Uint8Array) => log.push(`stored ${update.length}`),
    } as unknown as IndexeddbPersistence;
    doc.on('update', persistence._storeUpdate);
    const stop = storeAfterTheFrames(persistence, doc);
    doc.on('update', (update: Uint8Array) => log.push(`sent ${update.length}`));
    doc.getMap('m').set('a', 1);
    doc.getMap('m').set('b', 'two');
    const [first, second] = log.map((line) => line.split(' ')[1]);
    expect(log).toEqual([`sent ${first}`, `sent ${second}`]);
    await Promise.resolve();
    expect(log).toEqual([`sent ${first}`, `sent ${second}`, `stored ${first}`, `stored ${second}`]);
    stop();
    doc.getMap('m').set('c', 3);
    await Promise.resolve();
    expect(log.filter((line) => line.startsWith('stored'))).toHaveLength(2);
  });

  it('a sent message goes on the link, and its ack comes back, before either store writes', async () => {
    const service = serviceWith(VERA, ALICE);
    const log: string[] = [];
    const vera = await openSession(service, VERA, {
      store: indexeddbChatStore,
      links: recordingLinks(service, 'vera', log),
    });
    const alice = await openSession(service, ALICE, {
      store: indexeddbChatStore,
      links: recordingLinks(service, 'alice', log),
    });
    open.push(vera, alice);
    await until('live', () => vera.state.status === 'live' && alice.state.status === 'live');
    await until('linked', () => vera.view.connection.status === 'connected');
    await until('quiet', () => vera.view.messages.length === 0);
    recordWrites(log, 'idb');
    log.length = 0;

    vera.send('frames first');
    await until('acked', () =>
      vera.view.messages.some((m) => m.body === 'frames first' && !m.pending),
    );
    await until('both stored', () => log.filter((line) => line === 'idb stores').length >= 2);
    const sent = log.indexOf('vera sends sync-update');
    const acked = log.indexOf('alice sends ack');
    expect(sent).toBeGreaterThanOrEqual(0);
    expect(acked).toBeGreaterThan(sent);
    // Vera's write waits for her frame; Alice's for her ack.
    expect(log.slice(0, sent + 1)).not.toContain('idb stores');
    expect(log[sent + 1]).toBe('idb stores');
    expect(log.slice(sent + 2, acked + 1)).not.toContain('idb stores');
    expect(log.slice(acked + 1)).toContain('idb stores');
  });
});
