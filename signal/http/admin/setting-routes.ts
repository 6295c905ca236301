/**
 * Settings, embedding and the audit log (SPEC.md SP-A7, SP-A8). Settings are validated
 * with the environment's schemas (live-settings.ts), stored in SQLite and applied
 * without a restart; one bad value changes nothing. The embedding page gets the
 * exact `<script>` line for this service, the allowed origins, and a live check of
 * one origin against the allowed origins, which the WebSocket upgrade and the
 * widget's `frame-ancestors` both follow.
 */
import * as v from 'valibot';
import {
  AuditQuery,
  CheckOriginBody,
  UpdateSettingsBody,
  type AuditEntry,
} from '../../../protocol/index.ts';
import { normalizeOrigin } from '../../gateway/origin-policy.ts';
import type { HttpRequest } from '../../transport/transport.ts';
import { json, jsonError } from '../json-response.ts';
import { decodeJsonBody } from '../request-body.ts';
import type { AdminDeps, AdminRoute } from './admin-route.ts';

/** The service's origin as pages reach it: PUBLIC_ORIGIN, else the request's Host. */
export function serviceOrigin(deps: Pick<AdminDeps, 'publicOrigin'>, req: HttpRequest): string {
  if (deps.publicOrigin !== null) return deps.publicOrigin;
  const host = req.headers['host'] ?? 'localhost';
  return normalizeOrigin(`http://${host}`) ?? 'http://localhost';
}

export function embedSnippet(origin: string): string {
  return `<script src="${origin}/embed.js" async></script>`;
}

const getSettings: AdminRoute = {
  method: 'GET',
  path: '/api/admin/settings',
  roles: ['admin'],
  handle: (_ctx, deps) => json(200, { settings: deps.settings.list() }),
};

const putSettings: AdminRoute = {
  method: 'PUT',
  path: '/api/admin/settings',
  roles: ['admin'],
  handle(ctx, deps) {
    const body = decodeJsonBody(ctx.req, UpdateSettingsBody);
    if (!body.ok) return body.response;
    const change = deps.settings.prepare(body.value.settings);
    if (!change.ok) return jsonError(400, 'invalid_setting', { detail: change.message });
    for (const [name, text] of change.stored) {
      if (text === null) deps.admin.deleteSettingOverride(name);
      else deps.storage.setSetting(`env:${name}`, text);
    }
    deps.settings.commit(change);
    ctx.audit('settings.update', [...change.stored.keys()].join(','), body.value.settings);
    return json(200, { settings: deps.settings.list() });
  },
};

const embedding: AdminRoute = {
  method: 'GET',
  path: '/api/admin/embedding',
  roles: ['admin'],
  handle(ctx, deps) {
    const origin = serviceOrigin(deps, ctx.req);
    return json(200, {
      serviceOrigin: origin,
      snippet: embedSnippet(origin),
      allowedOrigins: deps.settings.current().allowedOrigins,
    });
  },
};

const checkOrigin: AdminRoute = {
  method: 'POST',
  path: '/api/admin/embedding/check',
  roles: ['admin'],
  handle(ctx, deps) {
    const body = decodeJsonBody(ctx.req, CheckOriginBody);
    if (!body.ok) return body.response;
    const origin = normalizeOrigin(body.value.origin.trim());
    if (origin === null) {
      return json(200, {
        origin: null,
        allowed: false,
        reason: 'Not an origin: write it as https://help.example.org',
      });
    }
    const own = new URL(serviceOrigin(deps, ctx.req)).host;
    if (new URL(origin).host === own) {
      return json(200, { origin, allowed: true, reason: 'This is the service’s own origin.' });
    }
    // The same rule as the widget page's frame-ancestors (security-headers.ts): the
    // service's own pages and the listed origins.
    const decision = deps.originPolicy(origin, own);
    return json(200, {
      origin,
      allowed: decision.allowed,
      reason: decision.allowed
        ? 'Allowed: pages on this origin may embed the widget.'
        : 'Not allowed: add it to the allowed origins.',
    });
  },
};

const audit: AdminRoute = {
  method: 'GET',
  path: '/api/admin/audit',
  roles: ['admin'],
  handle(ctx, deps) {
    const query = v.safeParse(AuditQuery, Object.fromEntries(new URLSearchParams(ctx.req.query)));
    if (!query.success) {
      const issue = query.issues[0];
      return jsonError(400, 'bad_frame', {
        detail: issue ? `${v.getDotPath(issue) ?? '(query)'}: ${issue.message}` : 'bad query',
      });
    }
    const entries: AuditEntry[] = deps.admin
      .auditPage(query.output.before ?? Number.MAX_SAFE_INTEGER, query.output.limit ?? 50)
      .map((e) => ({
        id: e.id,
        at: e.at,
        actor: e.actor,
        action: e.action,
        target: e.target.slice(0, 200),
        detail: e.detail,
      }));
    return json(200, { entries });
  },
};

export const settingRoutes: readonly AdminRoute[] = [
  getSettings,
  putSettings,
  embedding,
  checkOrigin,
  audit,
];
