/**
 * Real WebRTC (@roamhq/wrtc) in Node, signalled through the real service with the
 * app's own SignalClient and LinkManager: a visitor asks, alice accepts, and the
 * two open a data channel and exchange binary frames; a link destroyed on one side
 * comes back through re-signalling; and with the service stopped mid-chat the open
 * channel keeps carrying frames (B1) until the service is back on the same port and
 * data folder and both clients re-register (SP-S2, SP-S3).
 *
 * Waits are for events (ChatPeer.waitFor), never sleeps; no assertion is about time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../../signal/auth/accounts.ts';
import type { VisitorToService } from '../../../protocol/index.ts';
import { freePort } from '../../fixtures/service-process.ts';
import { startService, type Service } from '../harness.ts';
import { ChatPeer, first, type PeerEvent } from './chat-peer.ts';

const TEST_TIMEOUT_MS = 120_000;

const request: VisitorToService = {
  type: 'request',
  name: 'Vera',
  department: 'general',
  question: 'Can we talk peer to peer?',
  page: { url: 'https://help.example/', title: 'Help' },
  browser: { userAgent: 'Node test', language: 'en' },
  sessionStartedAt: Date.now(),
  landingPage: 'https://help.example/',
};

const bytes = (...values: number[]) => new Uint8Array(values);

/** The `n`th frame received from `from` (0-based), as plain numbers. */
const frameFrom =
  (from: string, n = 0) =>
  (events: readonly PeerEvent[]): number[] | undefined => {
    const frames = events.filter(
      (e): e is Extract<PeerEvent, { type: 'frame' }> => e.type === 'frame' && e.peer === from,
    );
    const frame = frames[n];
    return frame === undefined ? undefined : [...frame.frame];
  };

/** True once `n` welcomes have arrived (the nth connection was accepted). */
const welcomes = (n: number) => (events: readonly PeerEvent[]) =>
  events.filter((e) => e.type === 'service' && e.msg.type === 'welcome').length >= n
    ? true
    : undefined;

const linkOpen = (peer: string, notLinkId?: string) =>
  first((event) =>
    event.type === 'link-open' && event.peer === peer && event.linkId !== notLinkId
      ? event
      : undefined,
  );

describe('peer links over the real service', () => {
  let dataDir = '';
  let service: Service | null = null;
  const peers: ChatPeer[] = [];

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'peerdesk-peer-'));
  });
  afterEach(async () => {
    for (const peer of peers.splice(0)) peer.close();
    await service?.close({ keepData: true });
    service = null;
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(port: number): Promise<Service> {
    service = await startService({
      transport: 'uws',
      demo: true,
      dataDir,
      env: { PORT: String(port) },
    });
    return service;
  }

  /** Alice signs in, a visitor asks, alice accepts; both hold the chat's participants. */
  async function acceptedChat(port: number) {
    const running = service!;
    const alice = ChatPeer.staff(port, await running.signIn('alice', DEMO_PASSWORD));
    const visitor = ChatPeer.visitor(port);
    peers.push(alice, visitor);
    await alice.waitFor('alice welcomed', welcomes(1));
    await visitor.waitFor('visitor welcomed', welcomes(1));
    visitor.send(request);
    const offer = await alice.waitFor(
      'an offer to alice',
      first((e) => (e.type === 'service' && e.msg.type === 'offer' ? e.msg : undefined)),
    );
    const acceptedAt = performance.now();
    alice.send({ type: 'accept', chatId: offer.chatId });
    const roster = await visitor.waitFor(
      'participants at the visitor',
      first((e) =>
        e.type === 'service' && e.msg.type === 'participants' && e.msg.participants.length === 2
          ? e.msg
          : undefined,
      ),
    );
    const visitorId = roster.self;
    const aliceId = roster.participants.find((p) => p.role === 'helper')!.id;
    return { alice, visitor, aliceId, visitorId, chatId: offer.chatId, acceptedAt };
  }

  it(
    'SP-R1 SP-R2 accept → data channel open → binary frames both ways',
    async () => {
      const port = await freePort();
      await start(port);
      const { alice, visitor, aliceId, visitorId, acceptedAt } = await acceptedChat(port);

      const [atAlice, atVisitor] = await Promise.all([
        alice.waitFor('alice’s link open', linkOpen(visitorId)),
        visitor.waitFor('the visitor’s link open', linkOpen(aliceId)),
      ]);
      const openMs = Math.round(performance.now() - acceptedAt);
      console.log(`accept → both data channels open: ${openMs} ms`);
      expect(atAlice.linkId).toBe(atVisitor.linkId);

      visitor.sendFrame(aliceId, bytes(1, 2, 3));
      alice.sendFrame(visitorId, bytes(250, 0, 7));
      expect(await alice.waitFor('a frame at alice', frameFrom(visitorId))).toEqual([1, 2, 3]);
      expect(await visitor.waitFor('a frame at the visitor', frameFrom(aliceId))).toEqual([
        250, 0, 7,
      ]);

      // A burst over the high-water mark arrives whole and in order.
      const burst = Array.from({ length: 200 }, (_, i) => new Uint8Array(16 * 1024).fill(i));
      for (const frame of burst) alice.sendFrame(visitorId, frame);
      const last = await visitor.waitFor('the whole burst', frameFrom(aliceId, burst.length));
      expect(last[0]).toBe(burst.length - 1);
      const received = visitor.events.filter(
        (e): e is Extract<PeerEvent, { type: 'frame' }> => e.type === 'frame',
      );
      expect(received.slice(1).map((e) => [e.frame.byteLength, e.frame[0]])).toEqual(
        burst.map((f, i) => [f.byteLength, i]),
      );
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'a link destroyed on one side comes back through re-signalling with a new link id',
    async () => {
      const port = await freePort();
      await start(port);
      const { alice, visitor, aliceId, visitorId } = await acceptedChat(port);
      const initial = await visitor.waitFor('the first link', linkOpen(aliceId));
      await alice.waitFor('the first link at alice', linkOpen(visitorId));

      // The visitor's side dies (as on a network change); alice sees the channel close.
      visitor.link(aliceId)!.link.destroy('ice_failed', 'test');
      await alice.waitFor(
        'alice notices',
        first((e) => (e.type === 'link-closed' && e.linkId === initial.linkId ? e : undefined)),
      );
      const [again, againAtAlice] = await Promise.all([
        visitor.waitFor('a new link at the visitor', linkOpen(aliceId, initial.linkId)),
        alice.waitFor('a new link at alice', linkOpen(visitorId, initial.linkId)),
      ]);
      expect(again.linkId).toBe(againAtAlice.linkId);

      visitor.sendFrame(aliceId, bytes(9));
      alice.sendFrame(visitorId, bytes(8));
      expect(await alice.waitFor('a frame on the new link', frameFrom(visitorId))).toEqual([9]);
      expect(await visitor.waitFor('a frame on the new link', frameFrom(aliceId))).toEqual([8]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'B1 SP-S2 SP-S3 the service stops mid-chat: the open channel carries on; back on the same port, both re-register',
    async () => {
      const port = await freePort();
      await start(port);
      const { alice, visitor, aliceId, visitorId, chatId } = await acceptedChat(port);
      const link = await visitor.waitFor('the link', linkOpen(aliceId));
      await alice.waitFor('the link at alice', linkOpen(visitorId));

      await service!.close({ keepData: true });
      service = null;
      await Promise.all(
        [alice, visitor].map((peer) =>
          peer.waitFor(
            'the socket lost',
            first((e) => (e.type === 'state' && e.status === 'reconnecting' ? true : undefined)),
          ),
        ),
      );

      // B1: no service, and the chat goes on over the data channel.
      visitor.sendFrame(aliceId, bytes(4, 2));
      alice.sendFrame(visitorId, bytes(2, 4));
      expect(await alice.waitFor('a frame without the service', frameFrom(visitorId))).toEqual([
        4, 2,
      ]);
      expect(await visitor.waitFor('a frame without the service', frameFrom(aliceId))).toEqual([
        2, 4,
      ]);

      await start(port);
      // SP-S3: both come back by themselves; SP-S2: alice re-announces the chat and is re-attached.
      await Promise.all(
        [alice, visitor].map((peer) => peer.waitFor('welcomed again', welcomes(2))),
      );
      await alice.waitFor('the chat back at alice, everyone online', (events) => {
        const welcomed = events.filter((e) => e.type === 'service' && e.msg.type === 'welcome');
        const since = events.indexOf(welcomed[1]!);
        return first((e) =>
          e.type === 'service' &&
          e.msg.type === 'participants' &&
          e.msg.chatId === chatId &&
          e.msg.participants.every((p) => p.online)
            ? true
            : undefined,
        )(events.slice(since));
      });

      // The link that stayed up is the same one: nothing was torn down by the restart.
      expect(visitor.link(aliceId)?.linkId).toBe(link.linkId);
      expect(visitor.events.some((e) => e.type === 'link-closed')).toBe(false);
      visitor.sendFrame(aliceId, bytes(5));
      expect(await alice.waitFor('a frame after the restart', frameFrom(visitorId, 1))).toEqual([
        5,
      ]);

      // And the restarted relay signals again: a dead link comes back through it.
      alice.link(visitorId)!.link.destroy('ice_failed', 'test');
      await visitor.waitFor(
        'a new link through the restarted service',
        linkOpen(aliceId, link.linkId),
      );
      await alice.waitFor('a new link at alice', linkOpen(visitorId, link.linkId));
    },
    TEST_TIMEOUT_MS,
  );
});
