/**
 * Accounts (SPEC.md SP-A1–SP-A4): list, create with a first password or a one-time
 * set-password link, change role / chat limit / departments / name, disable and
 * re-enable (a disabled account's sessions end and its sockets close at once), reset
 * a password, promote a trainee (monitors too, F4), and the public route a link's
 * holder uses to set their password. The last enabled admin cannot be disabled or
 * demoted (SP-A4).
 */
import { randomBytes } from 'node:crypto';
import type { AdminAccount, PasswordChoice } from '../../../protocol/index.ts';
import {
  CreateAccountBody,
  PromoteBody,
  ResetPasswordBody,
  SetPasswordBody,
  UpdateAccountBody,
} from '../../../protocol/index.ts';
import { createAccount, MIN_PASSWORD_LENGTH } from '../../auth/accounts.ts';
import { hashPassword } from '../../auth/passwords.ts';
import { hashSessionToken, newSessionToken } from '../../auth/sessions.ts';
import { toAccountRecord, type StoredAccount } from '../../storage/storage.ts';
import type { HttpResponse } from '../../transport/transport.ts';
import { json, jsonError } from '../json-response.ts';
import { decodeJsonBody } from '../request-body.ts';
import type { AdminContext, AdminDeps, AdminRoute } from './admin-route.ts';

const DEFAULT_LINK_TTL_MS = 72 * 60 * 60 * 1000;

export function adminAccount(deps: AdminDeps, account: StoredAccount, now: number): AdminAccount {
  return {
    id: account.id,
    nickname: account.nickname,
    name: account.name,
    role: account.role,
    chatLimit: account.chatLimit,
    departments: deps.admin.helperDepartments().get(account.id) ?? [],
    disabled: account.disabled,
    createdAt: account.createdAt,
    lockedUntil: deps.lockout.lockedUntil(account.id, now),
  };
}

function unknownDepartments(deps: AdminDeps, ids: readonly string[]): string[] {
  const known = new Set(deps.storage.listDepartments().map((d) => d.id));
  return ids.filter((id) => !known.has(id));
}

/** Checks shared by create and update; null when the values are fine. */
function checkLimits(
  deps: AdminDeps,
  body: { chatLimit?: number | undefined; departments?: readonly string[] | undefined },
): HttpResponse | null {
  if (body.chatLimit !== undefined && body.chatLimit > deps.maxChatLimit) {
    return jsonError(400, 'chat_limit_out_of_range', {
      detail: `at most ${deps.maxChatLimit} (MAX_CHAT_LIMIT)`,
    });
  }
  const unknown = unknownDepartments(deps, body.departments ?? []);
  if (unknown.length > 0) {
    return jsonError(400, 'unknown_department', { detail: unknown.join(', ') });
  }
  return null;
}

function weakPassword(choice: PasswordChoice): HttpResponse | null {
  return choice.kind === 'password' && choice.password.length < MIN_PASSWORD_LENGTH
    ? jsonError(400, 'weak_password', { detail: `at least ${MIN_PASSWORD_LENGTH} characters` })
    : null;
}

/** Makes a one-time link for the account; the token is in the fragment, so it never
 * reaches a server log. */
function newLink(deps: AdminDeps, accountId: string, now: number) {
  const token = newSessionToken();
  const expiresAt = now + (deps.linkTtlMs ?? DEFAULT_LINK_TTL_MS);
  deps.admin.createPasswordLink(hashSessionToken(token), accountId, now, expiresAt);
  return { setPasswordPath: `/console/set-password#token=${token}`, linkExpiresAt: expiresAt };
}

function enabledAdmins(deps: AdminDeps): number {
  return deps.storage.listAccounts().filter((a) => a.role === 'admin' && !a.disabled).length;
}

function findAccount(deps: AdminDeps, ctx: AdminContext): StoredAccount | HttpResponse {
  const account = deps.storage.findAccountById(ctx.params['id'] ?? '');
  return account ?? jsonError(404, 'unknown_account');
}

const list: AdminRoute = {
  method: 'GET',
  path: '/api/admin/accounts',
  roles: ['admin', 'monitor'],
  handle: (ctx, deps) =>
    json(200, {
      accounts: deps.storage.listAccounts().map((a) => adminAccount(deps, a, ctx.now)),
      maxChatLimit: deps.maxChatLimit,
    }),
};

const create: AdminRoute = {
  method: 'POST',
  path: '/api/admin/accounts',
  roles: ['admin'],
  async handle(ctx, deps) {
    const body = decodeJsonBody(ctx.req, CreateAccountBody);
    if (!body.ok) return body.response;
    const input = body.value;
    const refused = checkLimits(deps, input) ?? weakPassword(input.password);
    if (refused !== null) return refused;
    const password =
      input.password.kind === 'password'
        ? input.password.password
        : // Nobody knows this password: the link's holder sets the real one.
          randomBytes(24).toString('base64url');
    const result = await createAccount(
      deps.storage,
      {
        nickname: input.nickname,
        password,
        role: input.role,
        ...(input.name === undefined ? {} : { name: input.name }),
        ...(input.chatLimit === undefined ? {} : { chatLimit: input.chatLimit }),
      },
      {
        now: ctx.now,
        defaultChatLimit: Math.min(deps.defaultChatLimit, deps.maxChatLimit),
        ...(deps.scrypt === undefined ? {} : { scrypt: deps.scrypt }),
      },
    );
    if (!result.ok) {
      return result.error === 'nickname_taken'
        ? jsonError(409, 'nickname_taken')
        : jsonError(400, result.error === 'weak_password' ? 'weak_password' : 'bad_frame');
    }
    const account = result.account;
    const departments = input.departments ?? [];
    if (departments.length > 0) deps.admin.setHelperDepartments(account.id, departments);
    deps.notify({ type: 'account_changed', account: toAccountRecord(account) });
    if (departments.length > 0) {
      deps.notify({ type: 'helper_departments', accountId: account.id, departments });
    }
    const link = input.password.kind === 'link' ? newLink(deps, account.id, ctx.now) : null;
    ctx.audit('account.create', account.nickname, {
      role: account.role,
      chatLimit: account.chatLimit,
      departments,
      password: input.password.kind,
    });
    return json(201, {
      account: adminAccount(deps, account, ctx.now),
      setPasswordPath: link?.setPasswordPath ?? null,
      linkExpiresAt: link?.linkExpiresAt ?? null,
    });
  },
};

const update: AdminRoute = {
  method: 'PATCH',
  path: '/api/admin/accounts/:id',
  roles: ['admin'],
  handle(ctx, deps) {
    const body = decodeJsonBody(ctx.req, UpdateAccountBody);
    if (!body.ok) return body.response;
    const found = findAccount(deps, ctx);
    if (!('nickname' in found)) return found;
    const change = body.value;
    const refused = checkLimits(deps, change);
    if (refused !== null) return refused;
    const losesAdmin =
      found.role === 'admin' &&
      !found.disabled &&
      ((change.role !== undefined && change.role !== 'admin') || change.disabled === true);
    if (losesAdmin && enabledAdmins(deps) <= 1) return jsonError(409, 'last_admin');

    const record = {
      ...toAccountRecord(found),
      ...(change.name === undefined ? {} : { name: change.name }),
      ...(change.role === undefined ? {} : { role: change.role }),
      ...(change.chatLimit === undefined ? {} : { chatLimit: change.chatLimit }),
    };
    deps.storage.updateAccount(record);
    if (change.departments !== undefined) {
      deps.admin.setHelperDepartments(found.id, change.departments);
      deps.notify({
        type: 'helper_departments',
        accountId: found.id,
        departments: change.departments,
      });
    }
    const disabled = change.disabled ?? found.disabled;
    if (disabled !== found.disabled) deps.admin.setDisabled(found.id, disabled);
    if (disabled && !found.disabled) {
      // SP-A2: sessions end, the switchboard lets go of the account (its chats go back
      // to the queue), and any socket still open closes now.
      deps.sessions.revokeAll(found.id, ctx.now);
      deps.notify({ type: 'account_removed', accountId: found.id });
      deps.endAccount(found.id);
    } else if (!disabled) {
      deps.notify({ type: 'account_changed', account: record });
    }
    ctx.audit('account.update', found.nickname, change);
    const after = deps.storage.findAccountById(found.id) ?? found;
    return json(200, adminAccount(deps, after, ctx.now));
  },
};

const resetPassword: AdminRoute = {
  method: 'POST',
  path: '/api/admin/accounts/:id/password',
  roles: ['admin'],
  async handle(ctx, deps) {
    const body = decodeJsonBody(ctx.req, ResetPasswordBody);
    if (!body.ok) return body.response;
    const found = findAccount(deps, ctx);
    if (!('nickname' in found)) return found;
    const refused = weakPassword(body.value.password);
    if (refused !== null) return refused;
    const choice = body.value.password;
    let link: ReturnType<typeof newLink> | null = null;
    if (choice.kind === 'password') {
      deps.admin.setPasswordHash(found.id, await hashPassword(choice.password, deps.scrypt));
    } else {
      deps.admin.setPasswordHash(
        found.id,
        await hashPassword(randomBytes(24).toString('base64url'), deps.scrypt),
      );
      link = newLink(deps, found.id, ctx.now);
    }
    // The old password is gone: so are the sessions signed in with it.
    deps.sessions.revokeAll(found.id, ctx.now);
    deps.endAccount(found.id);
    deps.lockout.reset(found.id);
    ctx.audit('account.reset_password', found.nickname, { password: choice.kind });
    return json(200, {
      account: adminAccount(deps, found, ctx.now),
      setPasswordPath: link?.setPasswordPath ?? null,
      linkExpiresAt: link?.linkExpiresAt ?? null,
    });
  },
};

const promote: AdminRoute = {
  method: 'POST',
  path: '/api/admin/accounts/:id/promote',
  roles: ['admin', 'monitor'],
  handle(ctx, deps) {
    const body = decodeJsonBody(ctx.req, PromoteBody);
    if (!body.ok) return body.response;
    const found = findAccount(deps, ctx);
    if (!('nickname' in found)) return found;
    if (found.role !== 'trainee') return jsonError(409, 'not_trainee');
    const record = { ...toAccountRecord(found), role: 'helper' as const };
    deps.storage.updateAccount(record);
    if (!found.disabled) deps.notify({ type: 'account_changed', account: record });
    ctx.audit('account.promote', found.nickname, { role: 'helper' });
    return json(200, adminAccount(deps, { ...found, role: 'helper' }, ctx.now));
  },
};

const setPassword: AdminRoute = {
  method: 'POST',
  path: '/api/password-link',
  roles: 'public',
  async handle(ctx, deps) {
    const body = decodeJsonBody(ctx.req, SetPasswordBody);
    if (!body.ok) return body.response;
    const refused = weakPassword({ kind: 'password', password: body.value.password });
    if (refused !== null) return refused;
    const hash = await hashPassword(body.value.password, deps.scrypt);
    const accountId = deps.admin.usePasswordLink(hashSessionToken(body.value.token), ctx.now);
    const account = accountId === null ? null : deps.storage.findAccountById(accountId);
    if (account === null) return jsonError(400, 'link_expired');
    deps.admin.setPasswordHash(account.id, hash);
    deps.lockout.reset(account.id);
    deps.admin.audit({
      at: ctx.now,
      actorId: account.id,
      actor: account.nickname,
      action: 'account.set_password',
      target: account.nickname,
      detail: '',
    });
    return json(200, { nickname: account.nickname });
  },
};

export const accountRoutes: readonly AdminRoute[] = [
  list,
  create,
  update,
  resetPassword,
  promote,
  setPassword,
];
