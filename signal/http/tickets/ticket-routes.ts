/**
 * The HTTP side of tickets and follow-ups (SPEC.md SP-TK1–SP-TK9) as `ExtraRoutes`:
 *
 * Staff (Authorization: Bearer session; 401 `unauthorized`, 403 `forbidden`):
 * - `GET /api/tickets?status=open|answered|closed|all&mine=1` → `TicketList`
 * - `POST /api/tickets` {chatId, email?} → 201 `TicketDetail` | 400 `email_required`
 * - `GET /api/tickets/:id` → `TicketDetail` (marks its alerts seen)
 * - `PATCH /api/tickets/:id` {status?, assignee?: 'me' | null} → `TicketDetail`
 * - `POST /api/tickets/:id/answers` {body} → `TicketDetail` (the answer is emailed)
 * - `POST /api/tickets/:id/revoke-links` → `TicketDetail`
 * - `GET /api/ticket-alerts` → `TicketAlerts`
 *
 * Visitors (no account):
 * - `POST /api/follow-up/start` {visitorToken, messageId | chatId, email?} → `FollowUpStarted`
 * - `GET /api/follow-up` (Authorization: FollowUp <token>) → `FollowUpView` | 404 | 410
 * - `POST /api/follow-up/replies` {body} (same header) → `FollowUpView` | 409 `ticket_closed`
 * - `GET /api/follow-up/export` (same header) → `VisitorDataExport` as an attachment
 *   (SP-PV8–SP-PV10), with the refusals of `GET /api/follow-up`
 *
 * Every body is decoded with the protocol's strict schemas (400 `bad_frame`); the
 * visitor routes are rate-limited per client IP (429 `rate_limited`).
 *
 * Exports: `createTicketRoutes(deps)` → `ExtraRoutes`, `TicketRouteDeps`.
 */
import * as v from 'valibot';
import {
  AnswerTicketBody,
  CreateTicketBody,
  FollowUpReplyBody,
  FollowUpToken,
  StartFollowUpBody,
  TicketListQuery,
  UpdateTicketBody,
} from '../../../protocol/index.ts';
import type { Sessions } from '../../auth/sessions.ts';
import type { ClientIpResolver } from '../../gateway/client-ip.ts';
import type { FollowUps, Outcome, StaffActor } from '../../tickets/follow-ups.ts';
import type { HttpRequest, HttpResponse } from '../../transport/transport.ts';
import type { ExtraRoutes } from '../http-handler.ts';
import { json, jsonError } from '../json-response.ts';
import { createRateLimiter } from '../rate-limiter.ts';
import { bearerToken, decodeJsonBody } from '../request-body.ts';

export type TicketRouteDeps = {
  followUps: FollowUps;
  sessions: Sessions;
  /** The visitor id a signed visitor token names, or null (SPEC.md SP-V1). */
  verifyVisitor(token: string): string | null;
  clientIp: ClientIpResolver;
  now(): number;
  /** SP-PV8: everything stored about a visitor (signal/privacy/visitor-export.ts). */
  exportVisitor?(visitorId: string): unknown;
  /** Visitor requests per client IP per minute (reads, replies and link requests):
   * FOLLOW_UP_REQUESTS_PER_MINUTE. */
  visitorPerIpPerMinute: number;
};

type Method = 'GET' | 'POST' | 'PATCH';
type Route = {
  method: Method;
  pattern: RegExp;
  /** 'visitor': no session, rate-limited per IP. */
  who: 'staff' | 'lister' | 'visitor';
  handle(req: HttpRequest, params: string[], actor: StaffActor | null): HttpResponse;
};

const TICKET_ID = '([A-Za-z0-9_-]{1,64})';

function answer<T>(outcome: Outcome<T>, status = 200): HttpResponse {
  return outcome.ok ? json(status, outcome.value) : jsonError(outcome.status, outcome.code);
}

/** SP-TK3: the follow-up secret travels in a header, never in a URL a log could keep. */
function followUpToken(req: HttpRequest): string | null {
  const header = req.headers['authorization'];
  const match = header === undefined ? null : /^FollowUp +(\S+)$/.exec(header.trim());
  const token = match?.[1];
  return token !== undefined && v.is(FollowUpToken, token) ? token : null;
}

export function createTicketRoutes(deps: TicketRouteDeps): ExtraRoutes {
  const limiter = createRateLimiter({
    limit: deps.visitorPerIpPerMinute,
    windowMs: 60_000,
  });
  const f = deps.followUps;

  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/api\/tickets$/,
      who: 'lister',
      handle(req, _params, actor) {
        const query = v.safeParse(
          TicketListQuery,
          Object.fromEntries(new URLSearchParams(req.query)),
        );
        if (!query.success) return jsonError(400, 'bad_frame', { detail: 'status or mine' });
        const mine = query.output.mine === '1' && actor !== null ? actor.id : null;
        return json(200, { tickets: f.list(query.output.status ?? 'open', mine) });
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/tickets$/,
      who: 'staff',
      handle(req, _params, actor) {
        const body = decodeJsonBody(req, CreateTicketBody);
        if (!body.ok) return body.response;
        return answer(f.createFromChat(actor!, body.value.chatId, body.value.email), 201);
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/api/tickets/${TICKET_ID}$`),
      who: 'staff',
      handle: (_req, [id], actor) => answer(f.detail(actor!, id!)),
    },
    {
      method: 'PATCH',
      pattern: new RegExp(`^/api/tickets/${TICKET_ID}$`),
      who: 'staff',
      handle(req, [id], actor) {
        const body = decodeJsonBody(req, UpdateTicketBody);
        return body.ok ? answer(f.update(actor!, id!, body.value)) : body.response;
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/api/tickets/${TICKET_ID}/answers$`),
      who: 'staff',
      handle(req, [id], actor) {
        const body = decodeJsonBody(req, AnswerTicketBody);
        return body.ok ? answer(f.answer(actor!, id!, body.value.body)) : body.response;
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/api/tickets/${TICKET_ID}/revoke-links$`),
      who: 'staff',
      handle: (_req, [id], actor) => answer(f.revokeLinks(actor!, id!)),
    },
    {
      method: 'GET',
      pattern: /^\/api\/ticket-alerts$/,
      who: 'staff',
      handle: (_req, _params, actor) => json(200, { alerts: f.alerts(actor!) }),
    },
    {
      method: 'POST',
      pattern: /^\/api\/follow-up\/start$/,
      who: 'visitor',
      handle(req) {
        const body = decodeJsonBody(req, StartFollowUpBody);
        if (!body.ok) return body.response;
        const visitorId = deps.verifyVisitor(body.value.visitorToken);
        if (visitorId === null) return jsonError(401, 'unauthorized');
        const target =
          body.value.messageId !== undefined
            ? { messageId: body.value.messageId }
            : { chatId: body.value.chatId ?? '' };
        return answer(f.visitorStart(visitorId, target, body.value.email));
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/follow-up$/,
      who: 'visitor',
      handle(req) {
        const token = followUpToken(req);
        return token === null ? jsonError(404, 'unknown_ticket') : answer(f.read(token));
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/follow-up\/replies$/,
      who: 'visitor',
      handle(req) {
        const token = followUpToken(req);
        if (token === null) return jsonError(404, 'unknown_ticket');
        const body = decodeJsonBody(req, FollowUpReplyBody);
        return body.ok ? answer(f.reply(token, body.value.body)) : body.response;
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/follow-up\/export$/,
      who: 'visitor',
      handle(req) {
        const token = followUpToken(req);
        if (token === null) return jsonError(404, 'unknown_ticket');
        const owner = f.visitorOf(token);
        if (!owner.ok) return answer(owner);
        if (deps.exportVisitor === undefined) return jsonError(404, 'not_found');
        // SP-PV10: a download, never kept by a browser or a proxy.
        const day = new Date(deps.now()).toISOString().slice(0, 10);
        const response = json(200, null, {
          'content-disposition': `attachment; filename="peerdesk-my-data-${day}.json"`,
          'cache-control': 'no-store, private',
        });
        // SP-PV9: pretty, for a person who opens the file.
        return {
          ...response,
          body: `${JSON.stringify(deps.exportVisitor(owner.value), null, 2)}\n`,
        };
      },
    },
  ];

  function handle(req: HttpRequest): Promise<HttpResponse> {
    const method = req.method.toUpperCase();
    const matching = routes
      .map((route) => ({ route, match: route.pattern.exec(req.path) }))
      .filter((m) => m.match !== null);
    if (matching.length === 0) return Promise.resolve(jsonError(404, 'not_found'));
    const found = matching.find((m) => m.route.method === method);
    if (found === undefined || found.match === null) {
      const allow = [...new Set(matching.map((m) => m.route.method))].join(', ');
      return Promise.resolve(jsonError(405, 'method_not_allowed', { headers: { allow } }));
    }
    const { route, match } = found;
    const now = deps.now();
    let actor: StaffActor | null = null;
    if (route.who === 'visitor') {
      const ip = deps.clientIp(req.remoteAddress, req.headers['x-forwarded-for']);
      const decision = limiter.take(ip, now);
      if (!decision.allowed) {
        return Promise.resolve(
          jsonError(429, 'rate_limited', {
            headers: { 'retry-after': String(Math.ceil(decision.retryAfterMs / 1000)) },
          }),
        );
      }
    } else {
      const token = bearerToken(req);
      const session = token === null ? null : deps.sessions.resolve(token, now);
      if (session === null) return Promise.resolve(jsonError(401, 'unauthorized'));
      const account = session.account;
      // SP-TK2: listing every ticket is for helpers, monitors and admins.
      if (route.who === 'lister' && account.role === 'trainee') {
        return Promise.resolve(jsonError(403, 'forbidden'));
      }
      actor = { id: account.id, name: account.name, role: account.role };
    }
    return Promise.resolve(route.handle(req, match.slice(1), actor));
  }

  return {
    handles: (path) =>
      path === '/api/tickets' ||
      path.startsWith('/api/tickets/') ||
      path === '/api/ticket-alerts' ||
      path === '/api/follow-up' ||
      path.startsWith('/api/follow-up/'),
    handle,
  };
}
