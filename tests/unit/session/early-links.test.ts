/**
 * A chat's links start beside the document's load (chat-links.ts, benchmark S5 accept →
 * open): the helper's offer goes out, and the visitor answers it, while their stores
 * are still loading; what the peer sent on a link that opened before the session
 * existed reaches the session once it does; the session does not hand the links the
 * service's replayed signals again (a second offer would end the link).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatSession } from '../../../app/lib/session/chat-session.ts';
import type { ChatStoreFactory } from '../../../app/lib/session/chat-store.ts';
import type { IceConfig } from '../../../app/lib/session/chat-links.ts';
import type { PeerLink, PeerLinkFactory } from '../../../app/lib/peer/peer-link.ts';
import {
  loopLinks,
  MemoryStores,
  openSession,
  until,
  ALICE,
  VERA,
  serviceWith,
} from './fake-world.ts';

const sessions: ChatSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.destroy();
});

/** Memory stores whose documents finish loading only when `release` is called. */
function gatedStores(): { factory: ChatStoreFactory; release: () => void; loads: number } {
  const stores = new MemoryStores();
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const out = {
    loads: 0,
    release: () => open(),
    factory: ((name, doc) => {
      out.loads += 1;
      const store = stores.factory(name, doc);
      return { ...store, whenLoaded: gate.then(() => store.whenLoaded) };
    }) as ChatStoreFactory,
  };
  return out;
}

describe('links beside the document load', () => {
  it('the helper offers and the visitor answers while both stores load; what came early is read after', async () => {
    const service = serviceWith(VERA, ALICE);
    const veraStores = gatedStores();
    const aliceStores = gatedStores();
    const veraOpening = openSession(service, VERA, { store: veraStores.factory });
    const aliceOpening = openSession(service, ALICE, { store: aliceStores.factory });
    const signals = (from: string, kind: string) =>
      service.requests.filter(
        (r) =>
          r.from === from &&
          r.msg.type === 'signal' &&
          r.msg.data.kind === 'description' &&
          r.msg.data.type === kind,
      );
    // Alice initiates (the lower id, link-pairs.ts); neither store has loaded.
    await until('alice offered', () => signals(ALICE.id, 'offer').length === 1);
    await until('vera answered', () => signals(VERA.id, 'answer').length === 1);
    expect(veraStores.loads + aliceStores.loads).toBe(2);

    // Vera's document loads first; she writes while Alice's is still loading. Her sync
    // step 1 and update came on a link Alice's session did not exist for yet.
    veraStores.release();
    const vera = await veraOpening;
    sessions.push(vera);
    await until('vera live', () => vera.state.status === 'live');
    await until('vera linked', () => vera.view.connection.status === 'connected');
    vera.send('written before Alice had loaded');
    // Her presence goes out once, as an awareness update, also before Alice's session.
    vera.setVisibility({ pageVisible: true, chatOpen: true });
    await until('vera present', () => vera.replica.awareness.getLocalState() !== null);
    aliceStores.release();
    const alice = await aliceOpening;
    sessions.push(alice);
    await until('alice has it', () =>
      alice.view.messages.some((m) => m.body === 'written before Alice had loaded'),
    );
    await until('vera has the ack', () => vera.view.messages.every((m) => !m.pending));
    await until('alice sees vera present', () => alice.view.presence.some((p) => p.id === VERA.id));
    alice.send('and back');
    await until('vera has the reply', () => vera.view.messages.some((m) => m.body === 'and back'));
    // One offer for the one link: the replayed signals were not handed to it again.
    expect(signals(ALICE.id, 'offer')).toHaveLength(1);
    expect(vera.view.lastRefusal).toBeNull();
    expect(alice.view.lastRefusal).toBeNull();
  });

  it('a session whose store fails to load leaves no link behind', async () => {
    const service = serviceWith(VERA, ALICE);
    const vera = await openSession(service, VERA);
    sessions.push(vera);
    let failLoad!: (error: Error) => void;
    const broken: ChatStoreFactory = (name, doc) => ({
      ...new MemoryStores().factory(name, doc),
      whenLoaded: new Promise((_resolve, reject) => (failLoad = reject)),
    });
    const made: PeerLink[] = [];
    const links =
      (ice: IceConfig): PeerLinkFactory =>
      (init) => {
        const link = loopLinks(service, ALICE.id)(ice)(init);
        made.push(link);
        return link;
      };
    const opening = openSession(service, ALICE, { store: broken, links });
    await until('alice linked while loading', () => made.some((l) => l.state.status === 'open'));
    failLoad(new Error('quota'));
    await expect(opening).rejects.toThrow('quota');
    expect(made.map((l) => l.state.status)).toEqual(made.map(() => 'closed'));
    // And nothing listens on: the service coming back makes no new link.
    service.setOnline(false);
    service.setOnline(true);
    await until('vera waits for a peer', () => vera.view.connection.status === 'connecting');
    expect(made.every((l) => l.state.status === 'closed')).toBe(true);
  });
});
