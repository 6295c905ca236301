/**
 * Persistence through the real y-indexeddb 9 on fake-indexeddb (Node has no
 * IndexedDB; Chromium's real one is tested in tests/e2e/session-reload.spec.ts): a
 * session reopened on the same database shows the transcript before any peer or
 * the service answers, with its notes (names, the reusable client id).
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatSession } from '../../../app/lib/session/chat-session.ts';
import {
  chatStoreName,
  indexeddbChatStoreWith,
  memoryWriteMarks,
  storageWriteMarks,
} from '../../../app/lib/session/chat-store.ts';
import {
  CHAT,
  FakeLocks,
  MemoryStores,
  openSession,
  until,
  ALICE,
  VERA,
  serviceWith,
} from './fake-world.ts';
import type { ChatStoreFactory } from '../../../app/lib/session/chat-store.ts';

const open: ChatSession[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.destroy();
});

describe('y-indexeddb chat store', () => {
  it('a reopened session shows the stored transcript at once and writes on with the same client id', async () => {
    const service = serviceWith(VERA, ALICE);
    const locks = new FakeLocks();
    const indexeddbChatStore = indexeddbChatStoreWith(memoryWriteMarks());
    const vera = await openSession(service, VERA, { store: indexeddbChatStore, locks });
    const alice = await openSession(service, ALICE);
    open.push(alice);
    await until('live', () => vera.state.status === 'live');
    vera.send('stored one');
    alice.send('stored two');
    await until(
      'synced',
      () => vera.view.messages.length === 2 && alice.view.messages.length === 2,
    );
    const clientId = vera.doc.clientID;
    await vera.destroy();

    service.setOnline(false);
    const again = await openSession(service, VERA, { store: indexeddbChatStore, locks });
    open.push(again);
    expect(again.view.messages.map((m) => [m.body, m.author?.name, m.pending])).toEqual([
      ['stored one', 'Vera', true],
      ['stored two', 'Alice', false],
    ]);
    expect(again.doc.clientID).toBe(clientId);
    expect(again.state.status).toBe('live');
  });

  it('CH-C11 a reload whose last write never reached IndexedDB writes on with a fresh client id', async () => {
    // The write went out on the link before its IndexedDB transaction committed, and the
    // reload aborted the commit: the mark, kept at once, is ahead of what was stored.
    const service = serviceWith(VERA, ALICE);
    const locks = new FakeLocks();
    const marks = memoryWriteMarks();
    const store = indexeddbChatStoreWith(marks);
    const vera = await openSession(service, VERA, { store, locks });
    await until('live', () => vera.state.status === 'live');
    vera.send('stored');
    const clientId = vera.doc.clientID;
    await until('stored', () => (marks.get(markKey(clientId)) ?? 0) > 0);
    const written = marks.get(markKey(clientId))!;
    await vera.destroy();
    marks.set(markKey(clientId), written + 1); // a later write whose bytes were lost

    const again = await openSession(service, VERA, { store, locks });
    open.push(again);
    expect(again.view.messages.at(-1)?.body).toBe('stored'); // the database is the first test's too
    expect(again.doc.clientID).not.toBe(clientId);
  });

  it('CH-C11 without a usable localStorage nothing counts as held', () => {
    const denied = storageWriteMarks(() => {
      throw new DOMException('denied', 'SecurityError');
    });
    expect(denied.available).toBe(false);
    const kept = new Map<string, string>();
    const marks = storageWriteMarks(() => ({
      getItem: (key: string) => kept.get(key) ?? null,
      setItem: (key: string, value: string) => void kept.set(key, value),
    }));
    marks.set('k', 42);
    expect(marks.get('k')).toBe(42);
    kept.set('k', 'not a number');
    expect(marks.get('k')).toBeNull();
  });
});

function markKey(clientId: number): string {
  return `peerdesk.wrote.${chatStoreName(CHAT, VERA.id)}.${clientId}`;
}

describe('CH-C11 the staff notes store', () => {
  it('a staff notes store that lost a note written under the reused id moves the session to a fresh one', async () => {
    const service = serviceWith(VERA, ALICE);
    const stores = new MemoryStores();
    const locks = new FakeLocks();
    const first = await openSession(service, ALICE, { stores, locks, staffNotesStore: true });
    await until('live', () => first.state.status === 'live');
    const reused = first.doc.clientID;
    await first.destroy();

    // The chat's store kept everything; the notes' store did not (a lost commit).
    const notesLost: ChatStoreFactory = (name, doc) => ({
      ...stores.factory(name, doc),
      holdsAllWrittenBy: () => !name.endsWith('-staff-notes'),
    });
    const again = await openSession(service, ALICE, {
      stores,
      store: notesLost,
      locks,
      staffNotesStore: true,
    });
    open.push(again);
    await until(
      'a fresh id, bound',
      () => again.state.status === 'live' && again.doc.clientID !== reused,
    );
    expect(again.doc.clientID).not.toBe(reused);
  });
});
