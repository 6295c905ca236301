/**
 * An ended chat to archive, driven over the real service's sockets with no browsers:
 * a visitor and a helper bind Yjs client ids (SPEC.md SP-P1), write their lines into
 * their own documents, the helper ends the chat, and the test holds the final
 * document as each side would. Plus small HTTP helpers for the archive routes.
 */
import * as Y from 'yjs';
import { ChatDocument, type VisitorToService } from '../../../protocol/index.ts';
import { DEMO_PASSWORD } from '../../../signal/auth/accounts.ts';
import type { Service, StaffClient, VisitorClient } from '../harness.ts';

let ipCounter = 20;

export type EndedChat = {
  chatId: string;
  visitorToken: string;
  visitorDoc: Y.Doc;
  helperDoc: Y.Doc;
  /** Every participant's lines merged: what an honest helper uploads. */
  final: Uint8Array;
  helperId: string;
  visitorId: string;
};

function request(name: string): Extract<VisitorToService, { type: 'request' }> {
  return {
    type: 'request',
    name,
    email: `${name.toLowerCase()}@example.org`,
    department: 'general',
    question: 'My bookmarks are gone',
    page: { url: 'https://help.example/bookmarks', title: 'Bookmarks' },
    browser: { userAgent: 'Mozilla/5.0 Test', language: 'en-GB' },
    sessionStartedAt: Date.now() - 60_000,
    landingPage: 'https://help.example/',
  };
}

export async function staffClient(service: Service, nickname: string): Promise<StaffClient> {
  const client = await service.staff();
  await client.hello(await service.signIn(nickname, DEMO_PASSWORD), { available: true });
  return client;
}

/** One chat from request to end; `helper` must be the only available helper. */
export async function endedChat(
  service: Service,
  helper: StaffClient,
  lines: { visitor: string[]; helper: string[] },
  visitorName = 'Vera',
  tags: string[] = [],
  /** More fields of the request (the privacy acknowledgement, SP-PN2). */
  extra: Partial<Extract<VisitorToService, { type: 'request' }>> = {},
): Promise<EndedChat> {
  const visitor: VisitorClient = await service.visitor({
    headers: { 'x-forwarded-for': `198.51.100.${ipCounter++}` },
  });
  const welcome = await visitor.hello({ landingPage: 'https://help.example/' });
  visitor.send({ ...request(visitorName), ...extra });
  const offer = await helper.next('offer');
  helper.send({ type: 'accept', chatId: offer.chatId });
  const atVisitor = await visitor.next('participants');
  const atHelper = await helper.next('participants');

  const visitorDoc = new Y.Doc();
  const helperDoc = new Y.Doc();
  visitor.send({ type: 'bind', chatId: offer.chatId, clientId: visitorDoc.clientID });
  helper.send({ type: 'bind', chatId: offer.chatId, clientId: helperDoc.clientID });
  // Each bind is announced to the chat; wait until both ids are known to both sides.
  await until(
    () =>
      [...visitor.received, ...helper.received].filter(
        (m) =>
          m.type === 'participants' &&
          m.participants.every((p) => p.clientIds.length > 0) &&
          m.participants.length === 2,
      ).length >= 1,
  );

  const now = Date.now();
  const visitorChat = new ChatDocument(visitorDoc);
  const helperChat = new ChatDocument(helperDoc);
  // Alternate lines so seq numbers interleave as in a real conversation.
  const rounds = Math.max(lines.visitor.length, lines.helper.length);
  for (let i = 0; i < rounds; i += 1) {
    const v = lines.visitor[i];
    if (v !== undefined) {
      visitorChat.postMessage({ kind: 'text', body: v }, now + i * 2);
      Y.applyUpdate(helperDoc, Y.encodeStateAsUpdate(visitorDoc, Y.encodeStateVector(helperDoc)));
    }
    const h = lines.helper[i];
    if (h !== undefined) {
      helperChat.postMessage({ kind: 'text', body: h }, now + i * 2 + 1);
      Y.applyUpdate(visitorDoc, Y.encodeStateAsUpdate(helperDoc, Y.encodeStateVector(visitorDoc)));
    }
  }
  // SP-K3: the helper tags the chat while it is active; each change comes back as chat_meta.
  for (const tag of tags) {
    helper.send({ type: 'tag_add', chatId: offer.chatId, tag });
    await helper.next('chat_meta');
  }
  helper.send({ type: 'end', chatId: offer.chatId });
  await visitor.next('ended');
  visitor.terminate();
  return {
    chatId: offer.chatId,
    visitorToken: welcome.token,
    visitorDoc,
    helperDoc,
    final: Y.encodeStateAsUpdate(helperDoc),
    helperId: atHelper.self,
    visitorId: atVisitor.self,
  };
}

export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export type ApiAnswer = { status: number; body: Record<string, unknown> };

export async function api(
  service: Service,
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<ApiAnswer> {
  const res = await fetch(`${service.baseUrl}${path}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

export function errorCode(answer: ApiAnswer): unknown {
  return (answer.body['error'] as { code?: unknown } | undefined)?.code;
}

export function upload(
  service: Service,
  token: string,
  chatId: string,
  update: Uint8Array,
): Promise<ApiAnswer> {
  return api(service, 'POST', `/api/archive/${chatId}`, token, {
    update: Buffer.from(update).toString('base64'),
  });
}
