/**
 * Chat sessions over real WebRTC (@roamhq/wrtc) through the real service: the
 * documents carry the chat both ways, a 2 MB transcript reaches a late-joining
 * monitor, a cut link comes back through re-signalling with nothing lost, and
 * after a requeue (B3) the new helper gets the visitor's messages in the chat
 * document and the earlier conversation apart. Waits are for conditions.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../../signal/auth/accounts.ts';
import { startService, type Service } from '../harness.ts';
import { bodies, REQUEST, SessionParticipant, until } from './session-participant.ts';

const TEST_TIMEOUT_MS = 180_000;

describe('chat sessions over WebRTC and the real service', () => {
  let service: Service | null = null;
  const people: SessionParticipant[] = [];

  afterEach(async () => {
    for (const p of people.splice(0)) await p.close();
    await service?.close();
    service = null;
  });

  async function start(env: Record<string, string> = {}): Promise<Service> {
    service = await startService({ transport: 'uws', demo: true, env });
    return service;
  }

  async function staff(nickname: string, available = true): Promise<SessionParticipant> {
    const token = await service!.signIn(nickname, DEMO_PASSWORD);
    const p = SessionParticipant.staff(service!.port, token, available);
    people.push(p);
    await p.message('welcome');
    return p;
  }

  /** A visitor asks and `helper` accepts; both sessions live and linked. */
  async function acceptedChat(helper: SessionParticipant) {
    const visitor = SessionParticipant.visitor(service!.port);
    people.push(visitor);
    await visitor.message('welcome');
    visitor.send(REQUEST);
    const offer = await helper.message('offer');
    const acceptedAt = performance.now();
    helper.send({ type: 'accept', chatId: offer.chatId });
    const [atVisitor, atHelper] = await Promise.all([
      visitor.session(offer.chatId),
      helper.session(offer.chatId),
    ]);
    await until(
      'both linked',
      () =>
        atVisitor.view.connection.status === 'connected' &&
        atHelper.view.connection.status === 'connected',
    );
    const openMs = Math.round(performance.now() - acceptedAt);
    await until(
      'both bound',
      () => atVisitor.state.status === 'live' && atHelper.state.status === 'live',
    );
    return { visitor, atVisitor, atHelper, chatId: offer.chatId, openMs };
  }

  it(
    'accept → data channel open → messages both ways through the documents',
    async () => {
      await start();
      const alice = await staff('alice');
      const { atVisitor, atHelper, openMs } = await acceptedChat(alice);
      console.log(`session: accept → linked (both sides connected): ${openMs} ms`);

      expect(atVisitor.send('My printer is on fire').ok).toBe(true);
      expect(atHelper.send('Please step away from it').ok).toBe(true);
      await until(
        'both have both',
        () => bodies(atVisitor).length === 2 && bodies(atHelper).length === 2,
      );
      await until(
        'nothing pending',
        () =>
          atVisitor.view.messages.every((m) => !m.pending) &&
          atHelper.view.messages.every((m) => !m.pending),
      );
      expect(atHelper.view.messages.map((m) => [m.author?.name, m.author?.role])).toEqual(
        atVisitor.view.messages.map((m) => [m.author?.name, m.author?.role]),
      );
      expect(
        atHelper.view.messages.find((m) => m.body === 'My printer is on fire')?.author,
      ).toMatchObject({
        name: 'Vera',
        role: 'visitor',
      });
      expect(atVisitor.view.lastRefusal).toBeNull();
      expect(atHelper.view.lastRefusal).toBeNull();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a 2 MB transcript syncs to a late-joining monitor',
    async () => {
      await start();
      const alice = await staff('alice');
      const { atHelper, atVisitor, chatId } = await acceptedChat(alice);
      const body = 'x'.repeat(4000);
      const count = 520; // 520 × 4000 characters: a little over 2 MB of text.
      for (let i = 0; i < count; i++) atHelper.send(`${i} ${body}`);
      await until('the visitor has them', () => bodies(atVisitor).length === count, 120_000);
      const size = (await import('yjs')).encodeStateAsUpdate(atHelper.doc).byteLength;
      expect(size).toBeGreaterThan(2_000_000);

      const molly = await staff('molly', false);
      const watchedAt = performance.now();
      molly.send({ type: 'watch', chatId });
      const atMolly = await molly.session(chatId);
      await until(
        'the monitor has the transcript',
        () => atMolly.view.messages.length === count,
        120_000,
      );
      const syncMs = Math.round(performance.now() - watchedAt);
      console.log(
        `session: ${(size / 1e6).toFixed(2)} MB transcript to a late monitor: ${syncMs} ms from watch`,
      );
      expect(atMolly.state.status).toBe('read-only');
      expect(bodies(atMolly)).toEqual(bodies(atHelper));
      expect(atMolly.view.lastRefusal).toBeNull();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a cut link comes back through re-signalling, and what was sent meanwhile arrives once',
    async () => {
      await start();
      const alice = await staff('alice');
      const { visitor, atVisitor, atHelper } = await acceptedChat(alice);
      atVisitor.send('before the cut');
      await until('delivered', () => bodies(atHelper).includes('before the cut'));

      // The visitor's side of the link dies (as on a network change).
      expect(visitor.cutLinks()).toBe(1);
      await until('cut', () => atVisitor.view.connection.status === 'connecting');
      atVisitor.send('during the cut');
      atHelper.send('helper during the cut');
      expect(atVisitor.view.messages.find((m) => m.body === 'during the cut')?.pending).toBe(true);
      await until(
        'back',
        () =>
          atVisitor.view.connection.status === 'connected' &&
          atHelper.view.connection.status === 'connected',
      );
      await until(
        'all delivered',
        () => bodies(atHelper).length === 3 && bodies(atVisitor).length === 3,
      );
      await until('nothing pending', () => atVisitor.view.messages.every((m) => !m.pending));
      expect(bodies(atVisitor).sort()).toEqual(bodies(atHelper).sort());
      expect(new Set(bodies(atVisitor)).size).toBe(3);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'B3 CH-K1–CH-K3 CH-K6 the helper disappears, the chat is requeued; the new helper gets the visitor’s messages and, apart, the earlier history',
    async () => {
      await start({ HELPER_GRACE_MS: '1000' });
      const alice = await staff('alice');
      const bob = await staff('bob', false);
      const { visitor, atVisitor, atHelper, chatId } = await acceptedChat(alice);
      atVisitor.send('my printer');
      // A reply after the question (CH-S5): concurrent first lines would tie on seq.
      await until('alice has it', () => bodies(atHelper).includes('my printer'));
      atHelper.send('turn it off and on');
      await until('synced', () => bodies(atVisitor).length === 2 && bodies(atHelper).length === 2);

      // Alice's console goes away for good: after the grace period the chat is requeued.
      await alice.close();
      people.splice(people.indexOf(alice), 1);
      await visitor.message('queued');
      bob.send({ type: 'set_available', available: true });
      const offer = await bob.message('offer');
      expect(offer.chatId).toBe(chatId);
      bob.send({ type: 'accept', chatId });
      const atBob = await bob.session(chatId);
      await until('bob has the earlier history', () => atBob.view.earlierHistory !== null);
      await until('bob has the visitor’s message', () => bodies(atBob).includes('my printer'));

      expect(bodies(atBob)).toEqual(['my printer']);
      const history = atBob.view.earlierHistory!;
      expect(history.helperLinesUnverified).toBe(true);
      expect(history.lines.map((l) => [l.body, l.claimedRole, l.verified])).toEqual([
        ['my printer', 'visitor', true],
        ['turn it off and on', 'helper', false],
      ]);
      atBob.send('Bob here. Did that help?');
      await until('the visitor has bob', () =>
        bodies(atVisitor).includes('Bob here. Did that help?'),
      );
      expect(atVisitor.view.messages.map((m) => m.author?.name)).toEqual(['Vera', 'Alice', 'Bob']);
      expect(atBob.view.lastRefusal).toBeNull();
      expect(atVisitor.view.lastRefusal).toBeNull();
    },
    TEST_TIMEOUT_MS,
  );
});
