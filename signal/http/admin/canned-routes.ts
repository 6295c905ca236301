/**
 * Canned responses over HTTP (F18, SPEC.md SP-CN1–SP-CN6). Every staff member reads the
 * Global responses and their own Personal ones and manages the Personal ones; helpers,
 * monitors and admins suggest Global ones; admins curate Global responses and accept
 * (possibly edited) or decline suggestions. Bodies are decoded strictly (SP-A1), roles
 * checked by the route table (SP-A2), admins' changes audited (SP-A8).
 */
import { randomBytes } from 'node:crypto';
import {
  AcceptSuggestionBody,
  CannedBody,
  LIMITS,
  type CannedResponse,
  type CannedSuggestion,
} from '../../../protocol/index.ts';
import type { StoredResponse, StoredSuggestion } from '../../storage/canned-store.ts';
import { json, jsonError } from '../json-response.ts';
import { decodeJsonBody } from '../request-body.ts';
import type { AdminContext, AdminRoute } from './admin-route.ts';

const STAFF = ['trainee', 'helper', 'monitor', 'admin'] as const;
const SUGGESTERS = ['helper', 'monitor', 'admin'] as const;
const ADMINS = ['admin'] as const;

type Deps = Parameters<AdminRoute['handle']>[1];

const newId = (prefix: string) => `${prefix}${randomBytes(9).toString('base64url')}`;

function view(r: StoredResponse): CannedResponse {
  return {
    id: r.id,
    scope: r.ownerId === null ? 'global' : 'personal',
    category: r.category,
    title: r.title,
    body: r.body,
    updatedAt: r.updatedAt,
  };
}

function suggestionView(s: StoredSuggestion): CannedSuggestion {
  return {
    id: s.id,
    by: s.by,
    category: s.category,
    title: s.title,
    body: s.body,
    createdAt: s.createdAt,
    status: s.status,
  };
}

const actorId = (ctx: AdminContext): string => ctx.actor?.id ?? '';

/** SP-CN1: the Global responses and the caller's Personal ones. */
const list: AdminRoute = {
  method: 'GET',
  path: '/api/canned',
  roles: STAFF,
  handle: (ctx, deps) => json(200, { responses: deps.canned.visibleTo(actorId(ctx)).map(view) }),
};

/** SP-CN2: a Personal response of the caller's own. */
const createPersonal: AdminRoute = {
  method: 'POST',
  path: '/api/canned/personal',
  roles: STAFF,
  handle(ctx, deps) {
    const body = decodeJsonBody(ctx.req, CannedBody);
    if (!body.ok) return body.response;
    if (deps.canned.countOwned(actorId(ctx)) >= LIMITS.maxPersonalCanned) {
      return jsonError(409, 'too_many_responses');
    }
    const created = deps.canned.create(newId('r'), actorId(ctx), body.value, ctx.now);
    return json(201, { response: view(created) });
  },
};

/** SP-CN2: only the owner changes a Personal response; anyone else is told it does not exist. */
function ownResponse(ctx: AdminContext, deps: Deps): StoredResponse | null {
  const found = deps.canned.find(ctx.params['id'] ?? '');
  return found !== null && found.ownerId === actorId(ctx) ? found : null;
}

/** SP-CN4: a suggestion of a new Global response, for the admins to decide. */
const suggest: AdminRoute = {
  method: 'POST',
  path: '/api/canned/suggestions',
  roles: SUGGESTERS,
  handle(ctx, deps) {
    const body = decodeJsonBody(ctx.req, CannedBody);
    if (!body.ok) return body.response;
    if (deps.canned.pendingOf(actorId(ctx)) >= LIMITS.maxPendingSuggestions) {
      return jsonError(409, 'too_many_responses');
    }
    const id = newId('s');
    deps.canned.suggest(id, actorId(ctx), body.value, ctx.now);
    return json(201, { id });
  },
};

const pending: AdminRoute = {
  method: 'GET',
  path: '/api/admin/canned/suggestions',
  roles: ADMINS,
  handle: (_ctx, deps) => json(200, { suggestions: deps.canned.pending().map(suggestionView) }),
};

/** SP-CN5: accepted (with the admin's edits, if any) it becomes a Global response at once. */
const accept: AdminRoute = {
  method: 'POST',
  path: '/api/admin/canned/suggestions/:id/accept',
  roles: ADMINS,
  handle(ctx, deps) {
    const body = decodeJsonBody(ctx.req, AcceptSuggestionBody);
    if (!body.ok) return body.response;
    const found = deps.canned.suggestion(ctx.params['id'] ?? '');
    if (found === null || found.status !== 'pending') return jsonError(404, 'unknown_suggestion');
    const final = {
      category: body.value.category ?? found.category,
      title: body.value.title ?? found.title,
      body: body.value.body ?? found.body,
    };
    const responseId = newId('r');
    if (!deps.canned.decide(found.id, 'accepted', actorId(ctx), ctx.now, responseId)) {
      return jsonError(404, 'unknown_suggestion');
    }
    const created = deps.canned.create(responseId, null, final, ctx.now);
    ctx.audit('canned.accept', found.id, { by: found.by.nickname, title: final.title });
    return json(200, { response: view(created) });
  },
};

const decline: AdminRoute = {
  method: 'POST',
  path: '/api/admin/canned/suggestions/:id/decline',
  roles: ADMINS,
  handle(ctx, deps) {
    const found = deps.canned.suggestion(ctx.params['id'] ?? '');
    if (found === null || !deps.canned.decide(found.id, 'declined', actorId(ctx), ctx.now, null)) {
      return jsonError(404, 'unknown_suggestion');
    }
    ctx.audit('canned.decline', found.id, { by: found.by.nickname, title: found.title });
    return json(200, { ok: true });
  },
};

/** SP-CN1: admins curate the Global responses directly too. */
const createGlobal: AdminRoute = {
  method: 'POST',
  path: '/api/admin/canned/global',
  roles: ADMINS,
  handle(ctx, deps) {
    const body = decodeJsonBody(ctx.req, CannedBody);
    if (!body.ok) return body.response;
    const created = deps.canned.create(newId('r'), null, body.value, ctx.now);
    ctx.audit('canned.create', created.id, { title: created.title });
    return json(201, { response: view(created) });
  },
};

function globalResponse(ctx: AdminContext, deps: Deps): StoredResponse | null {
  const found = deps.canned.find(ctx.params['id'] ?? '');
  return found !== null && found.ownerId === null ? found : null;
}

/** Who may change responses of a scope, how one is found for them, and whether the
 * change is audited (admins' changes to Global responses are, SP-A8). */
type Scope = {
  roles: AdminRoute['roles'];
  find: (ctx: AdminContext, deps: Deps) => StoredResponse | null;
  audited: boolean;
};
const PERSONAL: Scope = { roles: STAFF, find: ownResponse, audited: false };
const GLOBAL: Scope = { roles: ADMINS, find: globalResponse, audited: true };

/** Changing or deleting one response: the same steps for a Personal one (its owner's,
 * SP-CN2) and a Global one (admins'), with the scope's finder. */
function updateRoute(path: string, scope: Scope): AdminRoute {
  return {
    method: 'PUT',
    path,
    roles: scope.roles,
    handle(ctx, deps) {
      const body = decodeJsonBody(ctx.req, CannedBody);
      if (!body.ok) return body.response;
      const found = scope.find(ctx, deps);
      if (found === null) return jsonError(404, 'unknown_response');
      deps.canned.update(found.id, body.value, ctx.now);
      if (scope.audited) ctx.audit('canned.update', found.id, { title: body.value.title });
      return json(200, { response: view({ ...found, ...body.value, updatedAt: ctx.now }) });
    },
  };
}

function deleteRoute(path: string, scope: Scope): AdminRoute {
  return {
    method: 'POST',
    path,
    roles: scope.roles,
    handle(ctx, deps) {
      const found = scope.find(ctx, deps);
      if (found === null) return jsonError(404, 'unknown_response');
      deps.canned.remove(found.id);
      if (scope.audited) ctx.audit('canned.delete', found.id, { title: found.title });
      return json(200, { ok: true });
    },
  };
}

const updatePersonal = updateRoute('/api/canned/personal/:id', PERSONAL);
const deletePersonal = deleteRoute('/api/canned/personal/:id/delete', PERSONAL);
const updateGlobal = updateRoute('/api/admin/canned/global/:id', GLOBAL);
const deleteGlobal = deleteRoute('/api/admin/canned/global/:id/delete', GLOBAL);

export const cannedRoutes: readonly AdminRoute[] = [
  list,
  createPersonal,
  updatePersonal,
  deletePersonal,
  suggest,
  pending,
  accept,
  decline,
  createGlobal,
  updateGlobal,
  deleteGlobal,
];
