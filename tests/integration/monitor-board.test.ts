/**
 * The monitors' live board, join and promotion against the real service on both
 * transports, with real WebSocket clients (SPEC.md SP-M4–SP-M7, SP-T3). Every wait is for
 * a message, never a sleep.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServiceToStaff, VisitorToService } from '../../protocol/index.ts';
import { DEMO_PASSWORD } from '../../signal/auth/accounts.ts';
import { startService, type Service, type StaffClient, type VisitorClient } from './harness.ts';

type BoardChat = Extract<ServiceToStaff, { type: 'board' }>['chats'][number];
let ipCounter = 10;

function request(name: string): Extract<VisitorToService, { type: 'request' }> {
  return {
    type: 'request',
    name,
    department: 'general',
    question: 'Where is my invoice?',
    page: { url: 'https://help.example/billing', title: 'Billing' },
    browser: { userAgent: 'Mozilla/5.0 Test', language: 'en-GB' },
    sessionStartedAt: Date.now() - 60_000,
    landingPage: 'https://help.example/',
  };
}

/** What the board shows after applying every board frame received so far. */
function boardOf(client: StaffClient): Map<string, BoardChat> {
  const rows = new Map<string, BoardChat>();
  for (const msg of client.received) {
    if (msg.type === 'board') {
      rows.clear();
      for (const c of msg.chats) rows.set(c.chatId, c);
    } else if (msg.type === 'board_changes') {
      for (const c of msg.chats) rows.set(c.chatId, c);
      for (const id of msg.removed) rows.delete(id);
    }
  }
  return rows;
}

describe.each(['uws', 'ws'] as const)('monitor board on %s', (transport) => {
  let service: Service;
  const tokens = new Map<string, string>();

  beforeEach(async () => {
    service = await startService({
      transport,
      demo: true,
      env: { TRUSTED_PROXIES: '127.0.0.1' },
    });
    for (const nickname of ['alice', 'bob', 'tina', 'molly']) {
      tokens.set(nickname, await service.signIn(nickname, DEMO_PASSWORD));
    }
  });
  afterEach(async () => {
    await service.close();
  });

  async function visitor(name: string): Promise<VisitorClient> {
    const client = await service.visitor({
      headers: { 'x-forwarded-for': `198.51.100.${ipCounter++}` },
    });
    await client.hello({ landingPage: 'https://help.example/' });
    client.send(request(name));
    return client;
  }

  async function staff(nickname: string, available = true): Promise<StaffClient> {
    const client = await service.staff();
    await client.hello(tokens.get(nickname)!, { available });
    return client;
  }

  it('SP-M4 SP-M6 the board shows a queued visitor, then the accepted chat with its helper; join', async () => {
    const molly = await staff('molly', false);
    molly.send({ type: 'board_subscribe' });
    const snapshot = await molly.next('board');
    expect(snapshot.chats).toEqual([]);
    expect(snapshot.staff.map((s) => s.nickname).sort()).toEqual([
      'admin',
      'alice',
      'bob',
      'molly',
      'tina',
    ]);
    const vera = await visitor('Vera');
    await vera.next('queued');
    const queued = await molly.next('board_changes');
    expect(queued.chats).toMatchObject([{ visitorName: 'Vera', status: 'queued', helpers: [] }]);
    const chatId = queued.chats[0]!.chatId;

    const alice = await staff('alice');
    const offer = await alice.next('offer');
    alice.send({ type: 'accept', chatId: offer.chatId });
    await alice.next('chat');
    for (;;) {
      const row = boardOf(molly).get(chatId);
      if (row?.status === 'active') {
        expect(row).toMatchObject({ helpers: ['Alice'], startedAt: expect.any(Number) });
        break;
      }
      await molly.next('board_changes');
    }

    molly.send({ type: 'watch', chatId });
    expect((await molly.next('chat')).role).toBe('monitor');
    molly.send({ type: 'join', chatId });
    const joined = await molly.next('chat');
    expect(joined.role).toBe('helper');
    let list = await vera.next('participants');
    while (!list.participants.some((p) => p.name === 'Molly'))
      list = await vera.next('participants');
    expect(list.participants.map((p) => [p.name, p.role])).toEqual([
      ['Vera', 'visitor'],
      ['Alice', 'helper'],
      ['Molly', 'helper'],
    ]);
    for (const c of [alice, molly, vera]) c.close();
  });

  it('SP-M4 SP-E2 the board frames are refused to helpers and strictly decoded', async () => {
    const bob = await staff('bob');
    bob.send({ type: 'board_subscribe' });
    expect(await bob.nextError()).toMatchObject({ code: 'forbidden', ref: 'board_subscribe' });
    const molly = await staff('molly', false);
    molly.sendRaw(JSON.stringify({ type: 'board_subscribe', all: true }));
    expect(await molly.nextError()).toMatchObject({ code: 'bad_frame', ref: 'board_subscribe' });
    molly.sendRaw(JSON.stringify({ type: 'unanswered', chatId: 'c1', since: -1 }));
    expect(await molly.nextError()).toMatchObject({ code: 'bad_frame', ref: 'unanswered' });
    for (const c of [bob, molly]) c.close();
  });

  it('SP-M7 SP-T3 a monitor promotes a trainee seen on the board; the trainee is offered the next chat', async () => {
    const molly = await staff('molly', false);
    molly.send({ type: 'board_subscribe' });
    const snapshot = await molly.next('board');
    expect(snapshot.staff.find((s) => s.nickname === 'tina')?.role).toBe('trainee');
    const tina = await staff('tina');
    const vic = await visitor('Vic');
    await vic.next('queued');
    molly.send({ type: 'promote', nickname: 'tina' });
    expect((await molly.next('promoted')).nickname).toBe('tina');
    expect((await tina.next('offer')).visitor.name).toBe('Vic');
    let change = await molly.next('board_changes');
    while (!change.staff.some((s) => s.nickname === 'tina' && s.role === 'helper')) {
      change = await molly.next('board_changes');
    }
    for (const c of [tina, molly, vic]) c.close();
  });
});
