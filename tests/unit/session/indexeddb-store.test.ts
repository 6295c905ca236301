/**
 * Persistence through the real y-indexeddb 9 on fake-indexeddb (Node has no
 * IndexedDB; Chromium's real one is tested in tests/e2e/session-reload.spec.ts): a
 * session reopened on the same database shows the transcript before any peer or
 * the service answers, with its notes (names, the reusable client id).
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatSession } from '../../../app/lib/session/chat-session.ts';
import { indexeddbChatStore } from '../../../app/lib/session/chat-store.ts';
import { FakeLocks, FakeService, openSession, until, ALICE, VERA } from './fake-world.ts';

const open: ChatSession[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.destroy();
});

describe('y-indexeddb chat store', () => {
  it('a reopened session shows the stored transcript at once and writes on with the same client id', async () => {
    const service = new FakeService();
    service.join(VERA);
    service.join(ALICE);
    const locks = new FakeLocks();
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
});
