/**
 * The browser's clients of tickets and follow-ups (SPEC.md SP-TK1–SP-TK9): the console's
 * (a staff session's Bearer token) and the visitor's (a follow-up token in the
 * `Authorization: FollowUp` header, never in a URL, SP-TK3; or the widget's visitor
 * token to ask for a link, SP-TK8). Every answer is decoded with the protocol's schemas
 * before it is shown, and every outcome is a value (`ApiResult`), never a throw.
 *
 * Exports: `createTicketClient(token)`, `createFollowUpClient(token)`,
 * `startFollowUp(body)`, `TicketClient`, `FollowUpClient`.
 */
import * as v from 'valibot';
import {
  FollowUpStarted,
  FollowUpView,
  TicketAlerts,
  TicketDetail,
  TicketList,
  VisitorDataExport,
  type StartFollowUpBody,
  type TicketStatus,
  type UpdateTicketBody,
} from '$protocol';
import type { ApiResult } from '../api/session-client.ts';

const ErrorBody = v.object({ error: v.object({ code: v.string(), message: v.string() }) });

type Fetch = typeof fetch;
const browserFetch: Fetch = (input, init) => fetch(input, init);

async function call<T>(
  doFetch: Fetch,
  path: string,
  init: { method?: string; authorization?: string; body?: unknown },
  schema: v.GenericSchema<unknown, T>,
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.authorization !== undefined) headers['authorization'] = init.authorization;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await doFetch(path, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  } catch {
    return fail(null, 'network', 'Peerdesk could not be reached. Check your connection.');
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = v.safeParse(ErrorBody, body);
    return error.success
      ? fail(response.status, error.output.error.code, error.output.error.message)
      : fail(response.status, 'http', `The request failed (HTTP ${response.status}).`);
  }
  const parsed = v.safeParse(schema, body);
  return parsed.success
    ? { ok: true, value: parsed.output }
    : fail(response.status, 'bad_response', 'Peerdesk sent an answer that could not be read.');
}

function fail(status: number | null, code: string, message: string): ApiResult<never> {
  return { ok: false, status, code, message };
}

export type TicketClient = ReturnType<typeof createTicketClient>;

/** The console's side: list, read, answer, change and revoke (SP-TK1, SP-TK2, SP-TK4, SP-TK7). */
export function createTicketClient(token: string, doFetch: Fetch = browserFetch) {
  const authorization = `Bearer ${token}`;
  const ticketPath = (id: string) => `/api/tickets/${encodeURIComponent(id)}`;
  return {
    list(status: TicketStatus | 'all', mine: boolean): Promise<ApiResult<TicketListAnswer>> {
      const params = new URLSearchParams({ status });
      if (mine) params.set('mine', '1');
      return call(doFetch, `/api/tickets?${params.toString()}`, { authorization }, TicketList);
    },
    /** SP-TK1: a ticket linked to a chat (400 `email_required` when nobody has the
     * visitor's address yet). */
    create: (chatId: string, email: string | undefined) =>
      call(
        doFetch,
        '/api/tickets',
        {
          method: 'POST',
          authorization,
          body: email === undefined ? { chatId } : { chatId, email },
        },
        TicketDetail,
      ),
    detail: (id: string) => call(doFetch, ticketPath(id), { authorization }, TicketDetail),
    answer: (id: string, body: string) =>
      call(
        doFetch,
        `${ticketPath(id)}/answers`,
        { method: 'POST', authorization, body: { body } },
        TicketDetail,
      ),
    update: (id: string, patch: UpdateTicketBody) =>
      call(doFetch, ticketPath(id), { method: 'PATCH', authorization, body: patch }, TicketDetail),
    revokeLinks: (id: string) =>
      call(
        doFetch,
        `${ticketPath(id)}/revoke-links`,
        { method: 'POST', authorization },
        TicketDetail,
      ),
    alerts: () => call(doFetch, '/api/ticket-alerts', { authorization }, TicketAlerts),
  };
}

type TicketListAnswer = v.InferOutput<typeof TicketList>;

export type FollowUpClient = ReturnType<typeof createFollowUpClient>;

/** The visitor's follow-up page: read the ticket, reply (SP-TK3, SP-TK6, SP-TK9) and download
 * what is stored about them (SP-PV8). */
export function createFollowUpClient(token: string, doFetch: Fetch = browserFetch) {
  const authorization = `FollowUp ${token}`;
  return {
    read: () => call(doFetch, '/api/follow-up', { authorization }, FollowUpView),
    reply: (body: string) =>
      call(
        doFetch,
        '/api/follow-up/replies',
        { method: 'POST', authorization, body: { body } },
        FollowUpView,
      ),
    exportData: () => call(doFetch, '/api/follow-up/export', { authorization }, VisitorDataExport),
  };
}

/** The widget asks for a follow-up link for its own left message or ended chat (SP-TK8). */
export function startFollowUp(
  body: StartFollowUpBody,
  doFetch: Fetch = browserFetch,
): Promise<ApiResult<FollowUpStarted>> {
  return call(doFetch, '/api/follow-up/start', { method: 'POST', body }, FollowUpStarted);
}
