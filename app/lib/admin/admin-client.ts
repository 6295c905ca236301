/**
 * The console's client of the HTTP admin API (protocol/SPEC.md SP-A1–SP-A9). Requests are
 * built from the protocol's request types; every answer is decoded with the
 * protocol's view schemas before it is shown (STYLE.md point 3), and every outcome is
 * a value (`ApiResult`), never a throw.
 */
import * as v from 'valibot';
import {
  AccountCreated,
  AccountsView,
  AdminAccount,
  AdminDepartment,
  AuditPage,
  BlocksView,
  DepartmentsView,
  EmbeddingView,
  OriginCheck,
  SettingsView,
  TagStatsView,
  UsedTagsView,
  type CreateAccountBody,
  type TagStatsQuery,
  type PasswordChoice,
  type UpdateAccountBody,
} from '$protocol';
import { authorizedCall, errorAnswer, jsonOf, unreachable } from '../api/authorized-call.ts';
import type { ApiResult } from '../api/session-client.ts';

export type AdminClient = ReturnType<typeof createAdminClient>;

export function createAdminClient(token: string, doFetch: typeof fetch = (i, o) => fetch(i, o)) {
  const call = authorizedCall(token, doFetch);

  /** SP-K6: the CSV the service makes of the same statistics, as text to download. */
  async function csv(path: string): Promise<ApiResult<string>> {
    try {
      const response = await doFetch(path, { headers: { authorization: `Bearer ${token}` } });
      if (response.ok) return { ok: true, value: await response.text() };
      return errorAnswer(response.status, await jsonOf(response));
    } catch {
      return unreachable();
    }
  }

  const id = encodeURIComponent;
  const statsPath = (q: TagStatsQuery) =>
    `/api/admin/tag-stats?${new URLSearchParams({ from: q.from, to: q.to, bucket: q.bucket })}`;
  return {
    accounts: () => call('GET', '/api/admin/accounts', AccountsView),
    createAccount: (body: CreateAccountBody) =>
      call('POST', '/api/admin/accounts', AccountCreated, body),
    updateAccount: (accountId: string, body: UpdateAccountBody) =>
      call('PATCH', `/api/admin/accounts/${id(accountId)}`, AdminAccount, body),
    resetPassword: (accountId: string, password: PasswordChoice) =>
      call('POST', `/api/admin/accounts/${id(accountId)}/password`, AccountCreated, { password }),
    promote: (accountId: string) =>
      call('POST', `/api/admin/accounts/${id(accountId)}/promote`, AdminAccount, {}),
    departments: () => call('GET', '/api/admin/departments', DepartmentsView),
    createDepartment: (name: string) =>
      call('POST', '/api/admin/departments', AdminDepartment, { name }),
    renameDepartment: (departmentId: string, name: string) =>
      call('PATCH', `/api/admin/departments/${id(departmentId)}`, AdminDepartment, { name }),
    orderDepartments: (order: string[]) =>
      call('PUT', '/api/admin/departments/order', DepartmentsView, { order }),
    retireDepartment: (departmentId: string, moveTo: string) =>
      call('POST', `/api/admin/departments/${id(departmentId)}/retire`, DepartmentsView, {
        moveTo,
      }),
    blocks: () => call('GET', '/api/admin/blocks', BlocksView),
    liftBlock: (blockId: string) =>
      call('POST', `/api/admin/blocks/${id(blockId)}/lift`, BlocksView, {}),
    settings: () => call('GET', '/api/admin/settings', SettingsView),
    updateSettings: (settings: Record<string, string | null>) =>
      call('PUT', '/api/admin/settings', SettingsView, { settings }),
    embedding: () => call('GET', '/api/admin/embedding', EmbeddingView),
    checkOrigin: (origin: string) =>
      call('POST', '/api/admin/embedding/check', OriginCheck, { origin }),
    audit: () => call('GET', '/api/admin/audit?limit=100', AuditPage),
    tagStats: (query: TagStatsQuery) => call('GET', statsPath(query), TagStatsView),
    tagStatsCsv: (query: TagStatsQuery) => csv(`${statsPath(query)}&format=csv`),
    usedTags: () => call('GET', '/api/admin/tags', UsedTagsView),
  };
}

/** Sets a password through a one-time link (no session). */
export async function setPasswordWithLink(
  token: string,
  password: string,
): Promise<ApiResult<{ nickname: string }>> {
  try {
    const response = await fetch('/api/password-link', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ token, password }),
    });
    const json = await jsonOf(response);
    if (response.ok) {
      const parsed = v.safeParse(v.object({ nickname: v.string() }), json);
      if (parsed.success) return { ok: true, value: parsed.output };
    }
    return errorAnswer(response.status, json);
  } catch {
    return unreachable();
  }
}
