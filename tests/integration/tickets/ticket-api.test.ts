/**
 * Tickets and follow-ups through the real service (SPEC.md SP-TK1–SP-TK9, SP-ML6): a chat
 * becomes a ticket, the visitor reads it and replies through the private link the
 * email carries, the chat's helper is alerted and answers, and the answer is emailed
 * with a fresh link. No SMTP is configured, so every email is an `.eml` file in
 * DATA_DIR/mail (SP-ML6), read back with mailparser. Role checks, bad bodies, revoked
 * links, closed tickets and the per-IP limit each get their error code.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VisitorToService } from '../../../protocol/index.ts';
import { DEMO_PASSWORD } from '../../../signal/auth/accounts.ts';
import { call } from '../admin/admin-client.ts';
import { startService, type Service, type VisitorClient } from '../harness.ts';
import { until } from '../../fixtures/service-process.ts';

let service: Service;
const tokens = new Map<string, string>();
let ip = 20;

function request(name: string, email: string): Extract<VisitorToService, { type: 'request' }> {
  return {
    type: 'request',
    name,
    email,
    department: 'general',
    question: 'My bookmarks are gone',
    page: { url: 'https://help.example/bookmarks', title: 'Bookmarks' },
    browser: { userAgent: 'Mozilla/5.0 Test', language: 'en-GB' },
    sessionStartedAt: Date.now() - 60_000,
    landingPage: 'https://help.example/',
  };
}

async function visitor(): Promise<{ client: VisitorClient; token: string }> {
  const client = await service.visitor({ headers: { 'x-forwarded-for': `198.51.100.${ip++}` } });
  const welcome = await client.hello({ landingPage: 'https://help.example/' });
  return { client, token: welcome.token };
}

/** A chat between a new visitor and alice, ended by the visitor. */
async function endedChat(name: string, email: string): Promise<{ chatId: string; token: string }> {
  const alice = await service.staff();
  await alice.hello(tokens.get('alice')!, { available: true });
  const { client, token } = await visitor();
  client.send(request(name, email));
  const offer = await alice.next('offer');
  alice.send({ type: 'accept', chatId: offer.chatId });
  await client.next('chat');
  client.send({ type: 'end', chatId: offer.chatId });
  await alice.next('ended');
  alice.close();
  await alice.closed;
  return { chatId: offer.chatId, token };
}

/** The emails written so far (SP-ML6), parsed, oldest first. */
async function emails() {
  const dir = join(service.dataDir, 'mail');
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
  const parsed = await Promise.all(files.map((f) => simpleParser(readFileSync(join(dir, f)))));
  return parsed.sort((a, b) => (a.date?.getTime() ?? 0) - (b.date?.getTime() ?? 0));
}

async function emailTo(address: string, subject: RegExp) {
  return until(`an email to ${address} (${subject})`, async () =>
    (await emails()).find(
      (m) =>
        m.to !== undefined &&
        JSON.stringify(m.to).includes(address) &&
        subject.test(m.subject ?? ''),
    ),
  );
}

function linkIn(text: string | undefined): string {
  const match = /\/follow-up#([A-Za-z0-9_-]{43})/.exec(text ?? '');
  if (match?.[1] === undefined) throw new Error(`no follow-up link in ${text}`);
  return match[1];
}

async function followUp(token: string, method = 'GET', body?: unknown) {
  const res = await fetch(
    `${service.baseUrl}/api/follow-up${method === 'POST' ? '/replies' : ''}`,
    {
      method,
      headers: {
        authorization: `FollowUp ${token}`,
        'x-forwarded-for': '203.0.113.9',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    },
  );
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  service = await startService({
    transport: 'ws',
    demo: true,
    env: { TRUSTED_PROXIES: '127.0.0.1' },
  });
  for (const nickname of ['alice', 'bob', 'tina', 'molly']) {
    tokens.set(nickname, await service.signIn(nickname, DEMO_PASSWORD));
  }
});
afterAll(async () => {
  await service.close();
});

describe('tickets and follow-ups', () => {
  it('SP-TK1 SP-TK3 SP-TK6 SP-TK7 SP-ML6: chat → ticket → the visitor replies by link → alert → answer emailed', async () => {
    const { chatId, token: visitorToken } = await endedChat('Olga', 'olga@example.org');
    const alice = tokens.get('alice')!;

    // SP-TK1: only a helper of the chat (or a monitor or admin) may make the ticket.
    expect(
      (await call(service, tokens.get('bob')!, 'POST', '/api/tickets', { chatId })).body.error
        ?.code,
    ).toBe('forbidden');
    const created = await call(service, alice, 'POST', '/api/tickets', { chatId });
    expect(created.status).toBe(201);
    const ticket = created.body['ticket'] as { id: string; status: string; email: string };
    expect(ticket).toMatchObject({ status: 'open', email: 'olga@example.org' });
    const again = await call(service, alice, 'POST', '/api/tickets', { chatId });
    expect((again.body['ticket'] as { id: string }).id).toBe(ticket.id);

    // The visitor's email carries the private link (SP-ML6: written as an .eml file).
    const received = await emailTo('olga@example.org', /We have your message/);
    const link = linkIn(received.text);
    const read = await followUp(link);
    expect(read.status).toBe(200);
    expect(read.body['ticket']).toMatchObject({ status: 'open', visitorName: 'Olga' });

    // SP-TK6: a reply re-opens the ticket and alerts the chat's helper, in the
    // Contributors room too (naming alice, with the ticket page's path).
    const console = await service.staff();
    await console.hello(alice, { available: false });
    console.send({ type: 'room_join' });
    await console.next('room_joined');
    const reply = await followUp(link, 'POST', { body: 'Still **broken**, sorry' });
    expect(reply.status).toBe(200);
    const roomAlert = await console.next('room_message');
    expect(roomAlert.message).toMatchObject({
      kind: 'alert',
      text: 'Olga replied to the follow-up "My bookmarks are gone".',
      mentions: ['alice'],
      link: `/console/tickets/${ticket.id}`,
    });
    console.close();
    const alerts = await call(service, alice, 'GET', '/api/ticket-alerts');
    expect(alerts.body['alerts']).toMatchObject([{ ticketId: ticket.id, visitorName: 'Olga' }]);
    const detail = await call(service, alice, 'GET', `/api/tickets/${ticket.id}`);
    expect(detail.body['entries']).toMatchObject([
      { role: 'visitor', author: 'Olga', body: 'Still **broken**, sorry' },
    ]);
    expect((await call(service, alice, 'GET', '/api/ticket-alerts')).body['alerts']).toEqual([]);

    // SP-TK7: the answer is stored, the ticket answered, and the answer emailed with a new link.
    const answered = await call(service, alice, 'POST', `/api/tickets/${ticket.id}/answers`, {
      body: 'Try _Library_ → Restore',
    });
    expect(answered.body['ticket']).toMatchObject({
      status: 'answered',
      assignee: { name: 'Alice' },
    });
    const answerMail = await emailTo('olga@example.org', /^Re: /);
    expect(answerMail.html).toContain('Try <em>Library</em> → Restore');
    const second = linkIn(answerMail.text);
    expect(second).not.toBe(link);
    expect((await followUp(second)).body['entries']).toMatchObject([
      { role: 'visitor' },
      { role: 'helper', author: 'Alice', body: 'Try _Library_ → Restore' },
    ]);

    // SP-TK4: revoking ends every link so far.
    await call(service, alice, 'POST', `/api/tickets/${ticket.id}/revoke-links`);
    expect((await followUp(link)).status).toBe(410);
    expect((await followUp(second)).body['error']).toMatchObject({ code: 'follow_up_revoked' });

    // The visitor's widget asks for a new link (SP-TK8); SP-TK9: a closed ticket takes no reply.
    const started = await fetch(`${service.baseUrl}/api/follow-up/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ visitorToken, chatId }),
    });
    const fresh = ((await started.json()) as { path: string }).path.slice('/follow-up#'.length);
    expect((await followUp(fresh)).status).toBe(200);
    await call(service, alice, 'PATCH', `/api/tickets/${ticket.id}`, { status: 'closed' });
    expect((await followUp(fresh, 'POST', { body: 'One more thing' })).body['error']).toMatchObject(
      { code: 'ticket_closed' },
    );
  });

  it('SP-TK1: a chat without an email needs one first', async () => {
    const { chatId } = await endedChat('Ivan', '');
    const alice = tokens.get('alice')!;
    const refused = await call(service, alice, 'POST', '/api/tickets', { chatId });
    expect(refused).toMatchObject({ status: 400, body: { error: { code: 'email_required' } } });
    const made = await call(service, alice, 'POST', '/api/tickets', {
      chatId,
      email: 'ivan@example.org',
    });
    expect(made.status).toBe(201);
    await emailTo('ivan@example.org', /We have your message/);
  });

  it('SP-TK8: a left message becomes a ticket; the widget gets a link for its own message only', async () => {
    const { client, token } = await visitor();
    client.send({
      type: 'leave_message',
      name: 'Nina',
      email: '',
      department: 'general',
      message: 'Nobody was there. How do I export passwords?',
    });
    const left = await client.next('message_left');
    const list = await call(service, tokens.get('bob')!, 'GET', '/api/tickets?status=open');
    const tickets = list.body['tickets'] as {
      source: string;
      subject: string;
      assignee: unknown;
    }[];
    expect(tickets).toContainEqual(
      expect.objectContaining({
        source: 'left_message',
        subject: 'Nobody was there. How do I export passwords?',
        assignee: null,
        awaitingAnswer: true,
      }),
    );
    const start = (body: unknown) =>
      fetch(`${service.baseUrl}/api/follow-up/start`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then(async (r) => ({
        status: r.status,
        body: (await r.json()) as Record<string, unknown>,
      }));
    const other = await visitor();
    expect((await start({ visitorToken: other.token, messageId: left.id })).status).toBe(404);
    expect((await start({ visitorToken: 'forged.token', messageId: left.id })).status).toBe(401);
    const mine = await start({ visitorToken: token, messageId: left.id });
    expect(mine.status).toBe(200);
    const path = String(mine.body['path']);
    expect(path).toMatch(/^\/follow-up#[A-Za-z0-9_-]{43}$/);
    const view = await followUp(path.slice('/follow-up#'.length));
    expect(view.body['entries']).toMatchObject([
      { role: 'visitor', author: 'Nina', body: 'Nobody was there. How do I export passwords?' },
    ]);
  });

  it('SP-TK2 SP-TK3 SP-TK5: sessions, roles, strict bodies and unknown links', async () => {
    expect((await call(service, null, 'GET', '/api/tickets')).status).toBe(401);
    expect((await call(service, tokens.get('tina')!, 'GET', '/api/tickets')).status).toBe(403);
    expect(
      (await call(service, tokens.get('molly')!, 'GET', '/api/tickets?status=all')).status,
    ).toBe(200);
    expect(
      (await call(service, tokens.get('molly')!, 'GET', '/api/tickets?status=lost')).status,
    ).toBe(400);
    const alice = tokens.get('alice')!;
    expect((await call(service, alice, 'GET', '/api/tickets/tNOPE')).body.error?.code).toBe(
      'unknown_ticket',
    );
    expect(
      (await call(service, alice, 'POST', '/api/tickets', { chatId: 'c1', extra: 1 })).body.error
        ?.code,
    ).toBe('bad_frame');
    expect(
      (await call(service, alice, 'POST', '/api/tickets', { chatId: 'cNOPE' })).body.error?.code,
    ).toBe('unknown_chat');
    expect((await followUp('A'.repeat(43))).body['error']).toMatchObject({
      code: 'unknown_ticket',
    });
    expect((await followUp('short')).status).toBe(404);

    const { chatId } = await endedChat('Petra', 'petra@example.org');
    const made = await call(service, alice, 'POST', '/api/tickets', { chatId });
    const id = (made.body['ticket'] as { id: string }).id;
    const answer = (body: string) =>
      call(service, alice, 'POST', `/api/tickets/${id}/answers`, { body });
    expect((await answer('   ')).body.error?.code).toBe('bad_frame');
    expect((await answer('x'.repeat(5001))).body.error?.code).toBe('bad_frame');
    expect((await answer('x'.repeat(5000))).status).toBe(200);
    expect(
      (
        await call(
          service,
          alice,
          'POST',
          `/api/tickets/${id}/answers`,
          undefined,
          'x'.repeat(20_000),
        )
      ).status,
    ).toBe(413);
  });

  it('SP-TK9: visitor routes are limited per client IP', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++) {
      const res = await fetch(`${service.baseUrl}/api/follow-up`, {
        headers: { authorization: `FollowUp ${'B'.repeat(43)}`, 'x-forwarded-for': '203.0.113.77' },
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 60).every((s) => s === 404)).toBe(true);
    expect(statuses[60]).toBe(429);
  });
});
