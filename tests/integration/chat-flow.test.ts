/**
 * The whole switchboard flow against the real service on both transports, with
 * real WebSocket clients: offer, reject, expiry, accept, limits, trainees,
 * invitations, monitors, relay, grace, blocks. Timeouts are shortened through
 * the service's own configuration; every wait is for a message, never a sleep.
 * Visitors get distinct IPs through X-Forwarded-For from a trusted proxy (B3).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SignalData, VisitorToService } from '../../protocol/index.ts';
import { DEMO_PASSWORD } from '../../signal/auth/accounts.ts';
import { startService, type Service, type StaffClient, type VisitorClient } from './harness.ts';

const SDP: SignalData = {
  kind: 'description',
  type: 'offer',
  sdp: 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n',
};
let ipCounter = 10;

function request(
  name: string,
  department = 'general',
): Extract<VisitorToService, { type: 'request' }> {
  return {
    type: 'request',
    name,
    email: `${name.toLowerCase()}@example.org`,
    department,
    question: 'My bookmarks are gone',
    page: { url: 'https://help.example/bookmarks', title: 'Bookmarks' },
    browser: { userAgent: 'Mozilla/5.0 Test', language: 'en-GB' },
    sessionStartedAt: Date.now() - 60_000,
    landingPage: 'https://help.example/',
  };
}

describe.each(['uws', 'ws'] as const)('chat flow on %s', (transport) => {
  let service: Service;
  const tokens = new Map<string, string>();

  // A fresh service per test: no chat or limit leaks from one test into the next.
  beforeEach(async () => {
    service = await startService({
      transport,
      demo: true,
      env: {
        OFFER_TIMEOUT_MS: '400',
        HELPER_GRACE_MS: '300',
        INVITE_TIMEOUT_MS: '5000',
        TRUSTED_PROXIES: '127.0.0.1',
      },
    });
    for (const nickname of ['alice', 'bob', 'tina', 'molly']) {
      tokens.set(nickname, await service.signIn(nickname, DEMO_PASSWORD));
    }
  });
  afterEach(async () => {
    await service.close();
  });

  async function visitor(name: string, ip = `198.51.100.${ipCounter++}`): Promise<VisitorClient> {
    const client = await service.visitor({ headers: { 'x-forwarded-for': ip } });
    await client.hello({ landingPage: 'https://help.example/' });
    client.send(request(name));
    return client;
  }

  async function staff(nickname: string, available = true): Promise<StaffClient> {
    const client = await service.staff();
    await client.hello(tokens.get(nickname)!, { available });
    return client;
  }

  it('SP-O1 SP-O4 SP-O5 SP-R1 SP-R2 request → offer → reject → the other helper → accept → signals both ways', async () => {
    const alice = await staff('alice');
    const vera = await visitor('Vera', '198.51.100.200');
    expect((await vera.next('queued')).position).toBe(1);
    const offer = await alice.next('offer');
    expect(offer.visitor).toMatchObject({
      name: 'Vera',
      ip: '198.51.100.200',
      department: 'general',
    });
    const bob = await staff('bob');
    alice.send({ type: 'reject', chatId: offer.chatId });
    expect(await alice.next('offer_closed')).toMatchObject({
      chatId: offer.chatId,
      reason: 'rejected',
    });
    const second = await bob.next('offer');
    expect(second.chatId).toBe(offer.chatId);
    bob.send({ type: 'accept', chatId: offer.chatId });
    expect((await bob.next('chat')).visitor.name).toBe('Vera');
    expect((await vera.next('chat')).chatId).toBe(offer.chatId);
    const list = await vera.next('participants');
    expect(list.participants.map((p) => p.role)).toEqual(['visitor', 'helper']);
    const bobId = list.participants.find((p) => p.role === 'helper')!.id;

    vera.send({ type: 'signal', chatId: offer.chatId, to: bobId, link: 'L1', data: SDP });
    const atBob = await bob.next('signal');
    expect(atBob).toEqual({
      type: 'signal',
      chatId: offer.chatId,
      from: list.self,
      link: 'L1',
      data: SDP,
    });
    bob.send({
      type: 'signal',
      chatId: offer.chatId,
      to: list.self,
      link: 'L1',
      data: {
        kind: 'candidate',
        candidate: 'candidate:0 1 UDP 1 127.0.0.1 9 typ host',
        sdpMid: '0',
        sdpMLineIndex: 0,
      },
    });
    expect((await vera.next('signal')).from).toBe(bobId);

    // SP-R1: alice is not in this chat, so she can neither send nor receive its signals.
    alice.send({ type: 'signal', chatId: offer.chatId, to: list.self, link: 'X', data: SDP });
    expect((await alice.next('error')).code).toBe('relay_refused');
    bob.send({ type: 'end', chatId: offer.chatId });
    expect((await vera.next('ended')).by).toBe('helper');

    // The flow shows in /metrics, as an operator would see it.
    const metrics = await (await fetch(`${service.baseUrl}/metrics`)).text();
    const value = (line: string) => Number(metrics.match(new RegExp(`^${line} (\\S+)$`, 'm'))?.[1]);
    expect(value('peerdesk_requests_total{department="general"}')).toBe(1);
    expect(value('peerdesk_offers_total{department="general"}')).toBe(2);
    expect(value('peerdesk_rejects_total{department="general"}')).toBe(1);
    expect(value('peerdesk_accepts_total{department="general"}')).toBe(1);
    expect(value('peerdesk_wait_seconds_count{department="general"}')).toBe(1);
    expect(value('peerdesk_relay_total')).toBe(2);
    expect(value('peerdesk_relay_refused_total')).toBe(1);
    expect(value('peerdesk_connections{role="helper"}')).toBe(2);
    for (const c of [alice, bob, vera]) c.close();
  });

  it('SP-O4 an unanswered offer expires and goes to the next helper', async () => {
    const alice = await staff('alice');
    const wendy = await visitor('Wendy');
    const offer = await alice.next('offer');
    const bob = await staff('bob');
    expect(await alice.next('offer_closed', 3000)).toMatchObject({
      chatId: offer.chatId,
      reason: 'expired',
    });
    expect((await bob.next('offer', 3000)).chatId).toBe(offer.chatId);
    wendy.send({ type: 'cancel' });
    expect(await bob.next('offer_closed')).toMatchObject({ reason: 'cancelled' });
    for (const c of [alice, bob, wendy]) c.close();
  });

  it('SP-L1 SP-T1 with a limit of 3 the fourth visitor waits; a trainee gets no offer', async () => {
    const tina = await staff('tina');
    const alice = await staff('alice');
    const visitors: VisitorClient[] = [];
    for (let i = 0; i < 3; i++) {
      visitors.push(await visitor(`V${i}`));
      const offer = await alice.next('offer');
      alice.send({ type: 'accept', chatId: offer.chatId });
      await alice.next('chat');
    }
    const fourth = await visitor('Fourth');
    expect((await fourth.next('queued')).position).toBe(1);
    // A round trip through the service: by now any offer would have arrived.
    alice.send({ type: 'set_chat_limit', limit: 11 });
    expect((await alice.next('error')).code).toBe('chat_limit_out_of_range');
    expect(alice.received.filter((m) => m.type === 'offer')).toHaveLength(3);
    // Her status names exactly her three chats, and never named more.
    const statuses = alice.received.flatMap((m) => (m.type === 'status' ? [m] : []));
    expect(statuses.at(-1)?.activeChats.toSorted()).toEqual(
      alice.received.flatMap((m) => (m.type === 'chat' ? [m.chatId] : [])).toSorted(),
    );
    expect(statuses.at(-1)?.activeChats).toHaveLength(3);
    for (const status of statuses) expect(status.activeChats.length).toBeLessThanOrEqual(3);
    expect(tina.received.filter((m) => m.type === 'offer')).toHaveLength(0);
    for (const c of [alice, tina, fourth, ...visitors]) c.close();
  });

  it('SP-I1 SP-I2 SP-I3 /invite brings a trainee in; the inviter leaves and the chat stays', async () => {
    const alice = await staff('alice');
    const tina = await staff('tina');
    const vic = await visitor('Vic');
    const offer = await alice.next('offer');
    alice.send({ type: 'accept', chatId: offer.chatId });
    await alice.next('chat');
    alice.send({ type: 'invite', chatId: offer.chatId, nickname: 'tina' });
    const invitation = await tina.next('invitation');
    expect(invitation).toMatchObject({
      chatId: offer.chatId,
      from: 'alice',
      visitor: { name: 'Vic' },
    });
    tina.send({ type: 'invite_accept', chatId: offer.chatId });
    expect((await tina.next('chat')).role).toBe('helper');
    alice.send({ type: 'leave', chatId: offer.chatId });
    expect((await alice.next('left')).chatId).toBe(offer.chatId);
    // Vic's list goes visitor+alice → visitor+alice+tina → visitor+tina.
    await vic.next('participants');
    await vic.next('participants');
    const last = await vic.next('participants');
    expect(last.participants.map((p) => p.name)).toEqual(['Vic', 'Tina']);
    tina.send({ type: 'end', chatId: offer.chatId });
    await vic.next('ended');
    for (const c of [alice, tina, vic]) c.close();
  });

  it('SP-M1 SP-M2 a monitor watches unseen by the visitor, and may not signal the visitor', async () => {
    const alice = await staff('alice');
    const molly = await staff('molly', false);
    const mona = await visitor('Mona');
    const offer = await alice.next('offer');
    alice.send({ type: 'accept', chatId: offer.chatId });
    await alice.next('chat');
    const visitorView = await mona.next('participants');
    molly.send({ type: 'list_chats' });
    const live = await molly.next('live_chats');
    expect(live.chats.find((c) => c.chatId === offer.chatId)).toMatchObject({
      visitorName: 'Mona',
      helpers: ['alice'],
    });
    molly.send({ type: 'watch', chatId: offer.chatId });
    expect((await molly.next('chat')).role).toBe('monitor');
    await alice.next('participants');
    const withMolly = await alice.next('participants');
    expect(withMolly.participants.map((p) => p.role)).toEqual(['visitor', 'helper', 'monitor']);
    molly.send({
      type: 'signal',
      chatId: offer.chatId,
      to: visitorView.self,
      link: 'M',
      data: SDP,
    });
    expect((await molly.next('error')).code).toBe('relay_refused');
    // The visitor's socket saw nothing of the monitor: the next thing it gets is the end.
    alice.send({ type: 'end', chatId: offer.chatId });
    await mona.next('ended');
    expect(mona.received.filter((m) => m.type === 'participants')).toHaveLength(1);
    for (const c of [alice, molly, mona]) c.close();
  });

  it('SP-G2 a helper who does not come back within the grace period: the chat returns to the queue', async () => {
    const alice = await staff('alice');
    const gus = await visitor('Gus');
    const offer = await alice.next('offer');
    alice.send({ type: 'accept', chatId: offer.chatId });
    await gus.next('chat');
    alice.terminate();
    expect(await gus.next('queued', 3000)).toMatchObject({ chatId: offer.chatId, position: 1 });
    const bob = await staff('bob');
    expect((await bob.next('offer')).chatId).toBe(offer.chatId);
    bob.send({ type: 'accept', chatId: offer.chatId });
    await gus.next('chat');
    bob.send({ type: 'end', chatId: offer.chatId });
    await gus.next('ended');
    for (const c of [bob, gus]) c.close();
  });

  it('SP-B1 SP-B2 SP-B3 a blocked visitor is told when the block ends; their IP is refused at hello', async () => {
    const alice = await staff('alice');
    const troll = await visitor('Troll', '203.0.113.66');
    const offer = await alice.next('offer');
    alice.send({ type: 'accept', chatId: offer.chatId });
    await troll.next('chat');
    alice.send({ type: 'block', chatId: offer.chatId, reason: 'abusive language', ip: true });
    const ack = await alice.next('blocked_visitor');
    const blocked = await troll.next('blocked');
    expect(blocked.until).toBe(ack.until);
    expect(blocked.until - Date.now()).toBeGreaterThan(23 * 3600_000);
    expect((await troll.closedWithin()).code).toBe(4005);
    const sameIp = await service.visitor({ headers: { 'x-forwarded-for': '203.0.113.66' } });
    sameIp.send({ type: 'hello', v: 1 });
    expect((await sameIp.next('blocked')).until).toBe(ack.until);
    expect((await sameIp.closedWithin()).code).toBe(4005);
    alice.close();
  });
});
