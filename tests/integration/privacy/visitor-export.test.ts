/**
 * F32 "download my data" (SPEC.md SP-PV8–SP-PV10) through the real service. Two visitors
 * chat (archived, tagged, rated, with a ticket the helper answers and the visitor
 * replies to); the first also leaves a message and is blocked on a later visit with
 * the same visitor token. Each downloads with their own follow-up link: the first's
 * file holds all of theirs (transcript lines, details, rating, tags, ticket
 * messages, left message, block, the transcript email) and nothing of the second's;
 * the answer is an attachment never cached. A wrong or withdrawn link gets its code.
 */
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, VisitorDataExport } from '../../../protocol/index.ts';
import { DEMO_PASSWORD } from '../../../signal/auth/accounts.ts';
import {
  api,
  endedChat,
  errorCode,
  staffClient,
  upload,
  type EndedChat,
} from '../archive/archive-chat.ts';
import type { Service, StaffClient } from '../harness.ts';
import { requestChat, startPrivacyService } from './privacy-service.ts';

let service: Service;
let alice: StaffClient;
let aliceToken: string;

beforeAll(async () => {
  service = await startPrivacyService();
  alice = await staffClient(service, 'alice');
  aliceToken = await service.signIn('alice', DEMO_PASSWORD);
});
afterAll(async () => {
  alice.close();
  await service.close();
});

/** The export as the follow-up page asks for it: status, headers and raw text. */
async function download(token: string) {
  const res = await fetch(`${service.baseUrl}/api/follow-up/export`, {
    headers: { authorization: `FollowUp ${token}` },
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** A visitor's chat with a ticket: rated, archived, answered by Alice, replied to. */
async function visitorWithTicket(
  name: string,
  words: string,
): Promise<EndedChat & { token: string }> {
  const chat = await endedChat(
    service,
    alice,
    { visitor: [`my ${words} problem`], helper: [`let us fix the ${words}`] },
    name,
    [`${words}-tag`],
  );
  expect((await upload(service, aliceToken, chat.chatId, chat.final)).status).toBe(201);
  const rated = await api(service, 'POST', '/api/survey', null, {
    token: chat.visitorToken,
    chatId: chat.chatId,
    stars: 5,
    comment: `${words} rating comment`,
  });
  expect(rated.status).toBe(201);
  const started = await api(service, 'POST', '/api/follow-up/start', null, {
    visitorToken: chat.visitorToken,
    chatId: chat.chatId,
  });
  expect(started.status).toBe(200);
  const token = /#([A-Za-z0-9_-]{43})$/.exec(String(started.body['path']))![1]!;
  const list = await api(service, 'GET', '/api/tickets?status=all', aliceToken);
  const ticket = (list.body['tickets'] as { id: string; chatId: string }[]).find(
    (t) => t.chatId === chat.chatId,
  )!;
  const answered = await api(service, 'POST', `/api/tickets/${ticket.id}/answers`, aliceToken, {
    body: `${words} answer from alice`,
  });
  expect(answered.status).toBe(200);
  const replied = await fetch(`${service.baseUrl}/api/follow-up/replies`, {
    method: 'POST',
    headers: { authorization: `FollowUp ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ body: `${words} reply from the visitor` }),
  });
  expect(replied.status).toBe(200);
  return { ...chat, token };
}

/** The same visitor (by token) comes back and leaves a message. */
async function leaveMessage(visitorToken: string, message: string): Promise<void> {
  const visitor = await service.visitor();
  await visitor.hello({ token: visitorToken });
  visitor.send({
    type: 'leave_message',
    name: 'Zephyrine',
    email: '',
    department: 'general',
    message,
  });
  await visitor.next('message_left');
  visitor.terminate();
}

/** The same visitor comes back, asks for a chat, and Alice blocks them. */
async function blockedVisit(visitorToken: string): Promise<void> {
  const { visitor, welcome } = await requestChat(service, {
    name: 'Zephyrine',
    email: 'zephyrine@example.org',
    question: 'am I blocked?',
    token: visitorToken,
  });
  expect(welcome.v).toBe(PROTOCOL_VERSION);
  const offer = await alice.next('offer');
  alice.send({ type: 'accept', chatId: offer.chatId });
  await visitor.next('chat');
  alice.send({ type: 'block', chatId: offer.chatId, reason: 'quokka spam', ip: false });
  await alice.next('blocked_visitor');
  visitor.terminate();
}

describe('download my data from the follow-up link (F32, SP-PV8–SP-PV10)', () => {
  it('SP-PV8 SP-PV9 SP-PV10 gives one visitor everything stored about them and nothing of another', async () => {
    const zed = await visitorWithTicket('Zephyrine', 'quokka');
    await leaveMessage(zed.visitorToken, 'left quokka message');
    await blockedVisit(zed.visitorToken);
    const otto = await visitorWithTicket('Othello', 'otter');
    await leaveMessage(otto.visitorToken, 'left otter message');

    const answer = await download(zed.token);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-disposition')).toMatch(
      /^attachment; filename="peerdesk-my-data-\d{4}-\d{2}-\d{2}\.json"$/,
    );
    expect(answer.headers.get('cache-control')).toContain('no-store');
    expect(answer.headers.get('content-type')).toContain('application/json');
    // SP-PV9: pretty, for a person.
    expect(answer.text.split('\n').length).toBeGreaterThan(50);
    const data = v.parse(VisitorDataExport, JSON.parse(answer.text));
    expect(data.visitorId).toBe(zed.visitorId);

    const chat = data.chats.find((c) => c.chatId === zed.chatId)!;
    expect(chat).toMatchObject({
      outcome: 'ended',
      details: {
        name: 'Zephyrine',
        email: 'zephyrine@example.org',
        question: 'My bookmarks are gone',
      },
      tags: ['quokka-tag'],
      rating: { stars: 5, comment: 'quokka rating comment' },
    });
    expect(chat.ip).toMatch(/^198\.51\.100\./);
    expect(chat.transcript?.status).toBe('archived');
    expect(chat.transcript?.lines.map((l) => l.body)).toEqual(
      expect.arrayContaining(['my quokka problem', 'let us fix the quokka']),
    );
    expect(data.chats.map((c) => c.outcome).sort()).toEqual(['blocked', 'ended']);
    expect(data.tickets).toHaveLength(2); // the chat's follow-up, and the left message's
    expect(data.tickets.flatMap((t) => t.messages.map((m) => m.body))).toEqual(
      expect.arrayContaining([
        'quokka answer from alice',
        'quokka reply from the visitor',
        'left quokka message',
      ]),
    );
    expect(data.leftMessages.map((m) => m.message)).toEqual(['left quokka message']);
    expect(data.blocks).toEqual([expect.objectContaining({ reason: 'quokka spam', ip: null })]);
    expect(data.emails).toContainEqual(
      expect.objectContaining({ kind: 'transcript', to: 'zephyrine@example.org' }),
    );
    // The readable part says the same words.
    const readable = data.readable.join('\n');
    for (const words of [
      'my quokka problem',
      'quokka answer from alice',
      'left quokka message',
      'quokka spam',
    ]) {
      expect(readable).toContain(words);
    }

    // Nothing of the other visitor anywhere in the file.
    for (const needle of [otto.visitorId, otto.chatId, 'otter', 'Othello', 'othello@example.org']) {
      expect(answer.text.toLowerCase()).not.toContain(needle.toLowerCase());
    }
    // And theirs holds theirs only.
    const theirs = await download(otto.token);
    expect(theirs.status).toBe(200);
    expect(theirs.text).toContain('otter reply from the visitor');
    expect(theirs.text).not.toContain('quokka');
    expect(theirs.text).not.toContain(zed.visitorId);
  });

  it('SP-PV8 a wrong, malformed or withdrawn link gets its error code and no data', async () => {
    const wrong = await download('A'.repeat(43));
    expect(wrong.status).toBe(404);
    expect(JSON.parse(wrong.text)).toMatchObject({ error: { code: 'unknown_ticket' } });
    const malformed = await download('not-a-token');
    expect(malformed.status).toBe(404);
    expect(JSON.parse(malformed.text)).toMatchObject({ error: { code: 'unknown_ticket' } });
    const none = await fetch(`${service.baseUrl}/api/follow-up/export`);
    expect(none.status).toBe(404);

    const vera = await visitorWithTicket('Verity', 'walrus');
    const list = await api(service, 'GET', '/api/tickets?status=all', aliceToken);
    const ticket = (list.body['tickets'] as { id: string; chatId: string }[]).find(
      (t) => t.chatId === vera.chatId,
    )!;
    const revoked = await api(
      service,
      'POST',
      `/api/tickets/${ticket.id}/revoke-links`,
      aliceToken,
    );
    expect(revoked.status).toBe(200);
    const gone = await download(vera.token);
    expect(gone.status).toBe(410);
    expect(
      errorCode({ status: gone.status, body: JSON.parse(gone.text) as Record<string, unknown> }),
    ).toBe('follow_up_revoked');
    expect(gone.text).not.toContain('walrus');
  });
});
