/**
 * SPEC.md SP-W5 (issue 16, load and abuse): past MAX_CONNECTIONS open sockets a new
 * socket is told `server_full` and closed with 1013 at once, on both transports,
 * while the chat already open carries on (signals still go both ways); when a
 * socket goes, a new one gets in again.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { SignalData } from '../../../protocol/index.ts';
import { DEMO_PASSWORD } from '../../../signal/auth/accounts.ts';
import type { Service } from '../harness.ts';
import { requestChat, startPrivacyService } from '../privacy/privacy-service.ts';

const SDP: SignalData = { kind: 'description', type: 'offer', sdp: 'v=0\r\n' };

describe.each(['uws', 'ws'] as const)('connection limit on %s (SP-W5)', (transport) => {
  let service: Service;

  beforeEach(async () => {
    service = await startPrivacyService({ transport, env: { MAX_CONNECTIONS: '3' } });
  });
  afterEach(async () => {
    await service.close();
  });

  it('SP-W5 the socket past the limit gets server_full and 1013; the open chat carries on', async () => {
    const token = await service.signIn('alice', DEMO_PASSWORD);
    const alice = await service.staff();
    await alice.hello(token, { available: true });
    const { visitor: vera } = await requestChat(service, {
      name: 'Vera',
      email: 'vera@example.org',
      question: 'Is it full?',
      ip: '198.51.100.7',
    });
    const offer = await alice.next('offer');
    alice.send({ type: 'accept', chatId: offer.chatId });
    await alice.next('chat');
    const list = await vera.next('participants');
    const aliceId = list.participants.find((p) => p.role === 'helper')!.id;
    // A third socket that has not even said hello counts too.
    const idle = await service.visitor();

    // A raw socket, listening before it opens: the error comes right after the upgrade.
    const refused = new WebSocket(`ws://127.0.0.1:${service.port}/ws/visitor`);
    const frames: unknown[] = [];
    refused.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8'))));
    const code = await new Promise<number>((resolve) => refused.on('close', resolve));
    expect(code).toBe(1013);
    expect(frames).toEqual([expect.objectContaining({ type: 'error', code: 'server_full' })]);

    // The chat goes on both ways.
    vera.send({ type: 'signal', chatId: offer.chatId, to: aliceId, link: 'L1', data: SDP });
    expect((await alice.next('signal')).data).toEqual(SDP);
    alice.send({ type: 'signal', chatId: offer.chatId, to: list.self, link: 'L1', data: SDP });
    expect((await vera.next('signal')).from).toBe(aliceId);

    // One goes, one gets in.
    idle.ws.close();
    await idle.closed;
    const next = await service.visitor();
    await next.hello({ landingPage: 'https://help.example/' });
    expect(next.received.some((m) => m.type === 'error')).toBe(false);
  });
});
