/**
 * The admin API's permission matrix and input checks (SPEC.md SP-A1, SP-A2): every route ×
 * every role (and signed out), each refusal with its code; bad bodies refused with a
 * clear error and nothing changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../../signal/auth/accounts.ts';
import { ADMIN_ROUTES } from '../../../signal/http/admin/admin-api.ts';
import { ADMIN_NICKNAME, ADMIN_PASSWORD, startService, type Service } from '../harness.ts';
import { call } from './admin-client.ts';

const ROLES = [
  { who: 'signed out', nickname: null, role: null },
  { who: 'trainee', nickname: 'tina', role: 'trainee' },
  { who: 'helper', nickname: 'alice', role: 'helper' },
  { who: 'monitor', nickname: 'molly', role: 'monitor' },
  { who: 'admin', nickname: ADMIN_NICKNAME, role: 'admin' },
] as const;

describe('admin API permissions and bodies', () => {
  let service: Service;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    service = await startService({ transport: 'uws', demo: true });
    for (const r of ROLES) {
      if (r.nickname === null) continue;
      const password = r.nickname === ADMIN_NICKNAME ? ADMIN_PASSWORD : DEMO_PASSWORD;
      tokens.set(r.nickname, await service.signIn(r.nickname, password));
    }
  });
  afterAll(async () => {
    await service.close();
  });

  const protectedRoutes = ADMIN_ROUTES.filter((route) => route.roles !== 'public');

  it('SP-A2 covers every admin route', () => {
    expect(protectedRoutes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/admin/accounts',
      'POST /api/admin/accounts',
      'PATCH /api/admin/accounts/:id',
      'POST /api/admin/accounts/:id/password',
      'POST /api/admin/accounts/:id/promote',
      'GET /api/admin/departments',
      'POST /api/admin/departments',
      'PUT /api/admin/departments/order',
      'PATCH /api/admin/departments/:id',
      'POST /api/admin/departments/:id/retire',
      'GET /api/admin/blocks',
      'POST /api/admin/blocks/:id/lift',
      'GET /api/admin/settings',
      'PUT /api/admin/settings',
      'GET /api/admin/embedding',
      'POST /api/admin/embedding/check',
      'GET /api/admin/audit',
      'GET /api/admin/tag-stats',
      'GET /api/admin/tags',
      'GET /api/canned',
      'POST /api/canned/personal',
      'PUT /api/canned/personal/:id',
      'POST /api/canned/personal/:id/delete',
      'POST /api/canned/suggestions',
      'GET /api/admin/canned/suggestions',
      'POST /api/admin/canned/suggestions/:id/accept',
      'POST /api/admin/canned/suggestions/:id/decline',
      'POST /api/admin/canned/global',
      'PUT /api/admin/canned/global/:id',
      'POST /api/admin/canned/global/:id/delete',
      'POST /api/admin/privacy/forget',
    ]);
  });

  for (const route of protectedRoutes) {
    for (const r of ROLES) {
      const allowed = r.role !== null && route.roles !== 'public' && route.roles.includes(r.role);
      const expected = r.role === null ? '401 unauthorized' : allowed ? 'allowed' : '403 forbidden';
      it(`SP-A2 ${route.method} ${route.path} as ${r.who}: ${expected}`, async () => {
        const path = route.path.replace(':id', 'no-such-id');
        // An empty object: allowed callers get past the role check and are answered
        // by the route itself (a decode error or "unknown"), refused ones never are.
        const body = route.method === 'GET' ? undefined : {};
        const answer = await call(
          service,
          r.nickname === null ? null : (tokens.get(r.nickname) ?? null),
          route.method,
          path,
          body,
        );
        if (r.role === null) {
          expect(answer).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
        } else if (!allowed) {
          expect(answer).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
        } else {
          expect([401, 403, 405, 500]).not.toContain(answer.status);
        }
      });
    }
  }

  it('SP-A1 wrong types, unknown fields, oversized and non-JSON bodies are refused; nothing changes', async () => {
    const admin = tokens.get(ADMIN_NICKNAME)!;
    const before = await call(service, admin, 'GET', '/api/admin/accounts');
    const attempts: {
      body?: unknown;
      raw?: string;
      status: number;
      code?: string;
      detail?: RegExp;
    }[] = [
      {
        body: { nickname: 42, role: 'helper', password: { kind: 'link' } },
        status: 400,
        code: 'bad_frame',
        detail: /^nickname:/,
      },
      {
        body: { nickname: 'zed', role: 'boss', password: { kind: 'link' } },
        status: 400,
        code: 'bad_frame',
        detail: /^role:/,
      },
      {
        body: { nickname: 'zed', role: 'helper', password: { kind: 'link' }, isRoot: true },
        status: 400,
        code: 'bad_frame',
        detail: /isRoot/,
      },
      {
        body: {
          nickname: 'zed',
          role: 'helper',
          password: { kind: 'password', password: 'short' },
        },
        status: 400,
        code: 'weak_password',
      },
      {
        body: { nickname: 'zed', role: 'helper', chatLimit: 9999, password: { kind: 'link' } },
        status: 400,
        code: 'bad_frame',
        detail: /^chatLimit:/,
      },
      {
        body: {
          nickname: 'zed',
          role: 'helper',
          name: 'x'.repeat(20_000),
          password: { kind: 'link' },
        },
        // The transport refuses it before it is read in full (413, plain text).
        status: 413,
      },
      { raw: '{"nickname": "zed",', status: 400, code: 'bad_frame', detail: /not JSON/ },
    ];
    for (const attempt of attempts) {
      const answer = await call(
        service,
        admin,
        'POST',
        '/api/admin/accounts',
        attempt.body,
        attempt.raw,
      );
      expect(answer.status, JSON.stringify(answer.body)).toBe(attempt.status);
      if (attempt.code !== undefined) expect(answer.body.error?.code).toBe(attempt.code);
      if (attempt.detail !== undefined) {
        expect((answer.body.error as { detail?: string }).detail).toMatch(attempt.detail);
      }
    }
    const notJson = await fetch(`${service.baseUrl}/api/admin/departments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/plain' },
      body: 'name=Sales',
    });
    expect(notJson.status).toBe(415);

    const badSetting = await call(service, admin, 'PUT', '/api/admin/settings', {
      settings: { OFFER_TIMEOUT_MS: '15000', TYPING_PREVIEW: 'perhaps' },
    });
    expect(badSetting).toMatchObject({ status: 400, body: { error: { code: 'invalid_setting' } } });
    const unknownSetting = await call(service, admin, 'PUT', '/api/admin/settings', {
      settings: { DATA_DIR: '/tmp' },
    });
    expect(unknownSetting.status).toBe(400);

    expect(await call(service, admin, 'GET', '/api/admin/accounts')).toEqual(before);
    const settings = await call(service, admin, 'GET', '/api/admin/settings');
    expect(settings.body['settings']).toContainEqual(
      expect.objectContaining({ name: 'OFFER_TIMEOUT_MS', value: '20000', overridden: false }),
    );
    const audit = await call(service, admin, 'GET', '/api/admin/audit');
    expect(audit.body['entries']).toEqual([]);
  });
});
