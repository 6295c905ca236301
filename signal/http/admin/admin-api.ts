/**
 * The HTTP admin API (SPEC.md SP-A1–SP-A9): one table of routes, each with the roles that
 * may call it and a handler. Every request goes the same way: match the path (404)
 * and method (405), resolve the session (401 `unauthorized`), check the role (403
 * `forbidden`), then the handler decodes its body with the protocol's schemas (400
 * `bad_frame`). Errors come from the one table (protocol/errors.ts). Every change an
 * admin makes is written to the audit log by `ctx.audit`.
 *
 * Exports: `createAdminApi(deps)` → `ExtraRoutes`, `AdminDeps`, `AdminRoute`,
 * `AdminContext`, `ADMIN_ROUTES` (method, path, roles: the permission matrix).
 */
import type { StoredAccount } from '../../storage/storage.ts';
import type { HttpRequest, HttpResponse } from '../../transport/transport.ts';
import type { ExtraRoutes } from '../http-handler.ts';
import { jsonError } from '../json-response.ts';
import { bearerToken } from '../request-body.ts';
import { accountRoutes } from './account-routes.ts';
import { blockRoutes } from './block-routes.ts';
import { departmentRoutes } from './department-routes.ts';
import { settingRoutes } from './setting-routes.ts';
import { tagRoutes } from './tag-routes.ts';
import { cannedRoutes } from './canned-routes.ts';
import { privacyRoutes } from './privacy-routes.ts';
import type { AdminContext, AdminDeps, AdminRoute } from './admin-route.ts';

export type { AdminContext, AdminDeps, AdminRoute };

export const ADMIN_ROUTES: readonly AdminRoute[] = [
  ...accountRoutes,
  ...departmentRoutes,
  ...blockRoutes,
  ...settingRoutes,
  ...tagRoutes,
  ...cannedRoutes,
  ...privacyRoutes,
];

type Compiled = AdminRoute & { pattern: RegExp; names: string[] };

function compile(route: AdminRoute): Compiled {
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([A-Za-z0-9_-]{1,64})';
    })
    .join('/');
  return { ...route, pattern: new RegExp(`^${source}$`), names };
}

export function createAdminApi(deps: AdminDeps): ExtraRoutes {
  const compiled = ADMIN_ROUTES.map(compile);

  async function handle(req: HttpRequest): Promise<HttpResponse> {
    const method = req.method.toUpperCase();
    const matching = compiled
      .map((route) => ({ route, match: route.pattern.exec(req.path) }))
      .filter((m) => m.match !== null);
    if (matching.length === 0) return jsonError(404, 'not_found');
    const found = matching.find((m) => m.route.method === method);
    if (found === undefined || found.match === null) {
      const allow = [...new Set(matching.map((m) => m.route.method))].join(', ');
      return jsonError(405, 'method_not_allowed', { headers: { allow } });
    }
    const { route, match } = found;
    const now = deps.now();
    let actor: StoredAccount | null = null;
    if (route.roles !== 'public') {
      const token = bearerToken(req);
      const session = token === null ? null : deps.sessions.resolve(token, now);
      if (session === null) return jsonError(401, 'unauthorized');
      if (!route.roles.includes(session.account.role)) return jsonError(403, 'forbidden');
      actor = session.account;
    }
    const params: Record<string, string> = {};
    route.names.forEach((name, index) => {
      params[name] = match[index + 1] ?? '';
    });
    const ctx: AdminContext = {
      req,
      actor,
      params,
      now,
      audit(action, target, detail) {
        deps.admin.audit({
          at: now,
          actorId: actor?.id ?? '',
          actor: actor?.nickname ?? '(link)',
          action,
          target,
          detail: detail === undefined ? '' : JSON.stringify(detail).slice(0, 2000),
        });
        deps.log.info({ actor: actor?.id, action, target }, 'admin action');
      },
    };
    return route.handle(ctx, deps);
  }

  return {
    handles: (path) =>
      path === '/api/admin' ||
      path.startsWith('/api/admin/') ||
      path === '/api/password-link' ||
      path === '/api/canned' ||
      path.startsWith('/api/canned/'),
    handle,
  };
}
