/**
 * B1 / SP-S1–SP-S3: the service is killed (SIGKILL, no goodbye) with a chat active and
 * visitors queued, then started again on the same port and data folder. The
 * clients are the app's own reconnecting SignalClient over `ws`: they come back
 * by themselves with jittered backoff, and nothing is lost — the chat is
 * re-attached on both sides and the queue keeps its order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  PROTOCOL_VERSION,
  ServiceToStaff,
  ServiceToVisitor,
  type StaffToService,
  type VisitorToService,
} from '../../protocol/index.ts';
import { SignalClient, type WebSocketConstructor } from '../../app/lib/signal/signal-client.ts';
import { freePort, ServiceProcess, until } from '../fixtures/service-process.ts';

type Inbox<T> = T[];

function visitorClient(port: number, inbox: Inbox<ServiceToVisitor>) {
  let token: string | undefined;
  const client = new SignalClient<ServiceToVisitor, VisitorToService>({
    url: `ws://127.0.0.1:${port}/ws/visitor`,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    schema: ServiceToVisitor,
    hello: () => ({
      type: 'hello',
      v: PROTOCOL_VERSION,
      ...(token === undefined ? {} : { token }),
    }),
    onMessage: (msg) => {
      if (msg.type === 'welcome') token = msg.token;
      inbox.push(msg);
    },
  });
  return client;
}

function staffClient(port: number, session: string, inbox: Inbox<ServiceToStaff>) {
  const held = new Set<string>();
  return new SignalClient<ServiceToStaff, StaffToService>({
    url: `ws://127.0.0.1:${port}/ws/staff`,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    schema: ServiceToStaff,
    // SP-S2: the chats this console holds are re-announced in every hello.
    hello: () => ({
      type: 'hello',
      v: PROTOCOL_VERSION,
      session,
      chats: [...held],
      available: false,
    }),
    onMessage: (msg) => {
      if (msg.type === 'chat') held.add(msg.chatId);
      if (msg.type === 'left' || msg.type === 'ended') held.delete(msg.chatId);
      inbox.push(msg);
    },
  });
}

const request = (name: string): VisitorToService => ({
  type: 'request',
  name,
  department: 'general',
  question: 'Still there after a restart?',
  page: { url: 'https://help.example/', title: 'Help' },
  browser: { userAgent: 'Test', language: 'en' },
  sessionStartedAt: Date.now(),
  landingPage: 'https://help.example/',
});

describe('restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'peerdesk-restart-'));
  let service: ServiceProcess | undefined;
  const clients: { close(): void }[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    await service?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('SP-S1 SP-S2 SP-S3 B1 a killed service comes back with the chat re-attached and the queue in order', async () => {
    service = new ServiceProcess(await freePort(), dataDir);
    await service.start();
    const port = service.port;

    const aliceInbox: ServiceToStaff[] = [];
    const alice = staffClient(port, await service.signIn('alice'), aliceInbox);
    clients.push(alice);
    await until('alice welcomed', () => alice.state.status === 'open');
    alice.send({ type: 'set_available', available: true });

    const inboxes = [[], [], []] as ServiceToVisitor[][];
    const visitors = inboxes.map((inbox) => visitorClient(port, inbox));
    clients.push(...visitors);
    await until('visitors welcomed', () => visitors.every((v) => v.state.status === 'open'));

    visitors[0]!.send(request('First'));
    const offer = await until('an offer to alice', () =>
      aliceInbox.find((m) => m.type === 'offer'),
    );
    alice.send({ type: 'accept', chatId: offer.chatId });
    await until('the chat at the visitor', () => inboxes[0]!.find((m) => m.type === 'chat'));
    alice.send({ type: 'set_available', available: false });
    await until('alice unavailable', () =>
      aliceInbox.some((m) => m.type === 'status' && !m.available),
    );
    visitors[1]!.send(request('Second'));
    await until('second queued', () => inboxes[1]!.some((m) => m.type === 'queued'));
    visitors[2]!.send(request('Third'));
    await until('third queued at 2', () =>
      inboxes[2]!.some((m) => m.type === 'queued' && m.position === 2),
    );
    const secondChat = inboxes[1]!.find((m) => m.type === 'queued')!.chatId;

    await service.kill();
    await until('every client to notice', () =>
      [alice, ...visitors].every((c) => c.state.status === 'reconnecting'),
    );
    for (const inbox of [aliceInbox, ...inboxes]) inbox.length = 0;
    await service.start();

    // The clients come back by themselves; the service rebuilt its view.
    await until('alice gets her chat back', () =>
      aliceInbox.find((m) => m.type === 'chat' && m.chatId === offer.chatId),
    );
    expect(aliceInbox.some((m) => m.type === 'left')).toBe(false);
    await until('the first visitor gets its chat back', () =>
      inboxes[0]!.find((m) => m.type === 'chat' && m.chatId === offer.chatId),
    );
    const second = await until('second back at 1', () =>
      inboxes[1]!.findLast((m) => m.type === 'queued' && m.position === 1),
    );
    expect(second.type === 'queued' && second.chatId).toBe(secondChat);
    await until('third back at 2', () =>
      inboxes[2]!.findLast((m) => m.type === 'queued' && m.position === 2),
    );

    // The queue kept its order: the next helper is offered the second visitor first.
    const bobInbox: ServiceToStaff[] = [];
    const bob = staffClient(port, await service.signIn('bob'), bobInbox);
    clients.push(bob);
    await until('bob welcomed', () => bob.state.status === 'open');
    bob.send({ type: 'set_available', available: true });
    const bobOffer = await until('an offer to bob', () => bobInbox.find((m) => m.type === 'offer'));
    expect(bobOffer.type === 'offer' && bobOffer.chatId).toBe(secondChat);
  }, 90_000);
});
