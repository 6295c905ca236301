import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAccount, DEMO_ACCOUNTS } from '../../../signal/auth/accounts.ts';
import { FAST_SCRYPT_PARAMS } from '../../../signal/auth/passwords.ts';
import { createSessions } from '../../../signal/auth/sessions.ts';
import { loadConfig, type Config } from '../../../signal/config.ts';
import { createHttpHandler, type HttpDeps } from '../../../signal/http/http-handler.ts';
import { createMetrics } from '../../../signal/http/metrics.ts';
import { loadStaticFiles } from '../../../signal/http/static-files.ts';
import { createLogger } from '../../../signal/log.ts';
import {
  databaseFile,
  openSqliteStorage,
  type SqliteStorage,
} from '../../../signal/storage/sqlite-storage.ts';
import type { HttpRequest, HttpResponse } from '../../../signal/transport/transport.ts';

let dir: string;
let storage: SqliteStorage;
let clock: number;
let logLines: string[];

function config(env: Record<string, string> = {}, argv: string[] = []): Config {
  const result = loadConfig({ HTTP_SIGNIN_PER_IP_PER_MINUTE: '100', ...env }, argv);
  if (!result.ok) throw new Error(result.errors.join('\n'));
  return result.config;
}

function handler(over: Partial<HttpDeps> = {}, cfg: Config = config()) {
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  return createHttpHandler({
    storage,
    sessions: createSessions(storage, { ttlMs: cfg.sessionTtlHours * 3_600_000 }),
    config: cfg,
    metrics: createMetrics(),
    transportName: () => 'ws',
    startedAt: 0,
    staticFiles: loadStaticFiles(join(dir, 'build')),
    log: createLogger({ level: 'trace', destination }),
    now: () => clock,
    ...over,
  });
}

function request(
  method: string,
  path: string,
  options: {
    body?: unknown;
    raw?: string | Uint8Array;
    headers?: Record<string, string>;
    ip?: string;
  } = {},
): HttpRequest {
  const raw = options.raw ?? (options.body === undefined ? '' : JSON.stringify(options.body));
  return {
    method,
    path,
    query: '',
    headers: {
      ...(options.body !== undefined || options.raw !== undefined
        ? { 'content-type': 'application/json' }
        : {}),
      ...options.headers,
    },
    remoteAddress: options.ip ?? '127.0.0.1',
    body: typeof raw === 'string' ? new TextEncoder().encode(raw) : raw,
  };
}

function bodyOf(response: HttpResponse): unknown {
  const body = response.body;
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body ?? new Uint8Array());
  return JSON.parse(text);
}

function text(response: HttpResponse): string {
  const body = response.body;
  return typeof body === 'string' ? body : new TextDecoder().decode(body ?? new Uint8Array());
}

async function signIn(handle: ReturnType<typeof handler>, nickname = 'alice'): Promise<string> {
  const response = await handle(
    request('POST', '/api/session', { body: { nickname, password: 'password1' } }),
  );
  expect(response.status).toBe(200);
  return (bodyOf(response) as { token: string }).token;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'peerdesk-http-'));
  storage = openSqliteStorage(databaseFile(join(dir, 'data')));
  clock = 1_000_000;
  logLines = [];
  const options = { now: 0, defaultChatLimit: 3, scrypt: FAST_SCRYPT_PARAMS };
  await createAccount(
    storage,
    { nickname: 'alice', password: 'password1', role: 'helper' },
    options,
  );
});

afterEach(() => {
  storage.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('HTTP API: sessions', () => {
  it('signs in with the right password and returns a token and the account', async () => {
    const response = await handler()(
      request('POST', '/api/session', { body: { nickname: 'ALICE', password: 'password1' } }),
    );
    expect(response.status).toBe(200);
    expect(response.headers?.['cache-control']).toBe('no-store');
    const body = bodyOf(response) as { token: string; expiresAt: number; account: unknown };
    expect(body.token).toMatch(/^[\w-]{43}$/);
    expect(body.expiresAt).toBe(clock + 720 * 3_600_000);
    expect(body.account).toMatchObject({ nickname: 'alice', role: 'helper', chatLimit: 3 });
    expect(JSON.stringify(body.account)).not.toMatch(/hash|scrypt/);
  });

  it('a wrong password or unknown nickname is 401 unauthorized, alike', async () => {
    const handle = handler();
    for (const body of [
      { nickname: 'alice', password: 'wrong' },
      { nickname: 'nobody', password: 'password1' },
    ]) {
      const response = await handle(request('POST', '/api/session', { body }));
      expect(response.status).toBe(401);
      expect(bodyOf(response)).toEqual({
        error: {
          code: 'unauthorized',
          message: 'Please sign in again.',
          detail: 'Wrong nickname or password.',
        },
      });
    }
  });

  it('sign-in is rate-limited per client IP (429 rate_limited)', async () => {
    const handle = handler({}, config({ HTTP_SIGNIN_PER_IP_PER_MINUTE: '2' }));
    const attempt = (ip: string) =>
      handle(request('POST', '/api/session', { body: { nickname: 'alice', password: 'x' }, ip }));
    expect((await attempt('198.51.100.1')).status).toBe(401);
    expect((await attempt('198.51.100.1')).status).toBe(401);
    const limited = await attempt('198.51.100.1');
    expect(limited.status).toBe(429);
    expect(limited.headers?.['retry-after']).toBe('60');
    expect((bodyOf(limited) as { error: { code: string } }).error.code).toBe('rate_limited');
    expect((await attempt('198.51.100.2')).status).toBe(401);
    clock += 60_000;
    expect((await attempt('198.51.100.1')).status).toBe(401);
  });

  it('B3 the limit follows X-Forwarded-For only from a trusted proxy', async () => {
    const handle = handler(
      {},
      config({ HTTP_SIGNIN_PER_IP_PER_MINUTE: '1', TRUSTED_PROXIES: '10.0.0.1' }),
    );
    const attempt = (ip: string, forwarded: string) =>
      handle(
        request('POST', '/api/session', {
          body: { nickname: 'alice', password: 'x' },
          ip,
          headers: { 'x-forwarded-for': forwarded },
        }),
      );
    expect((await attempt('10.0.0.1', '198.51.100.1')).status).toBe(401);
    expect((await attempt('10.0.0.1', '198.51.100.2')).status).toBe(401);
    expect((await attempt('10.0.0.1', '198.51.100.1')).status).toBe(429);
    expect((await attempt('203.0.113.5', '198.51.100.3')).status).toBe(401);
    expect((await attempt('203.0.113.5', '198.51.100.4')).status).toBe(429);
  });

  it('bad bodies: not JSON, wrong shape, extra keys → 400 bad_frame; wrong type → 415; too big → 413', async () => {
    const handle = handler();
    const cases: [HttpRequest, number, string][] = [
      [request('POST', '/api/session', { raw: '{nope' }), 400, 'bad_frame'],
      [request('POST', '/api/session', { raw: '[1]' }), 400, 'bad_frame'],
      [request('POST', '/api/session', { body: { nickname: 'alice' } }), 400, 'bad_frame'],
      [
        request('POST', '/api/session', { body: { nickname: 'alice', password: 1 } }),
        400,
        'bad_frame',
      ],
      [
        request('POST', '/api/session', {
          raw: '{"nickname":"alice","password":"p","__proto__":{}}',
        }),
        400,
        'bad_frame',
      ],
      [request('POST', '/api/session', { raw: new Uint8Array([0xff, 0xfe]) }), 400, 'bad_frame'],
      [
        request('POST', '/api/session', {
          raw: '{"nickname":"alice","password":"password1"}',
          headers: { 'content-type': 'text/plain' },
        }),
        415,
        'unsupported_media_type',
      ],
      [request('POST', '/api/session', { raw: 'x'.repeat(16 * 1024 + 1) }), 413, 'frame_too_large'],
    ];
    for (const [req, status, code] of cases) {
      const response = await handle(req);
      expect(response.status, code).toBe(status);
      expect((bodyOf(response) as { error: { code: string } }).error.code).toBe(code);
    }
  });

  it('GET /api/me needs a live session; DELETE /api/session revokes it', async () => {
    const signedOut: string[] = [];
    const handle = handler({ onSignOut: (live) => signedOut.push(live.account.nickname) });
    expect((await handle(request('GET', '/api/me'))).status).toBe(401);
    const token = await signIn(handle);
    const auth = { authorization: `Bearer ${token}` };
    const me = await handle(request('GET', '/api/me', { headers: auth }));
    expect(me.status).toBe(200);
    expect(bodyOf(me)).toMatchObject({ nickname: 'alice', role: 'helper' });
    expect(
      (await handle(request('GET', '/api/me', { headers: { authorization: token } }))).status,
    ).toBe(401);
    expect((await handle(request('DELETE', '/api/session', { headers: auth }))).status).toBe(204);
    expect(signedOut).toEqual(['alice']);
    expect((await handle(request('GET', '/api/me', { headers: auth }))).status).toBe(401);
    expect((await handle(request('DELETE', '/api/session', { headers: auth }))).status).toBe(401);
    expect((await handle(request('DELETE', '/api/session'))).status).toBe(401);
  });

  it('a session expires after SESSION_TTL_HOURS', async () => {
    const handle = handler({}, config({ SESSION_TTL_HOURS: '1' }));
    const token = await signIn(handle);
    clock += 3_600_000;
    expect(
      (await handle(request('GET', '/api/me', { headers: { authorization: `Bearer ${token}` } })))
        .status,
    ).toBe(401);
  });

  it('never logs the token or the password', async () => {
    const handle = handler();
    const token = await signIn(handle);
    await handle(
      request('DELETE', '/api/session', { headers: { authorization: `Bearer ${token}` } }),
    );
    const output = logLines.join('');
    expect(output).toContain('signed in');
    expect(output).not.toContain(token);
    expect(output).not.toContain('password1');
  });
});

describe('HTTP API: ice, demo, health, metrics', () => {
  const turnEnv = {
    ICE_SERVERS:
      '[{"urls":"stun:stun.test:3478"},{"urls":"turn:t.test","username":"u","credential":"c"}]',
    TURN_SECRET: 'secret',
    TURN_URLS: 'turn:turn.test:3478',
    RELAY_ONLY_HELPERS: 'true',
  };

  it('GET /api/ice: staff get minted TURN credentials, anyone else only STUN', async () => {
    const handle = handler({}, config(turnEnv));
    const anonymous = bodyOf(await handle(request('GET', '/api/ice')));
    expect(anonymous).toEqual({ iceServers: [{ urls: 'stun:stun.test:3478' }], relayOnly: false });
    const token = await signIn(handle);
    const staff = bodyOf(
      await handle(request('GET', '/api/ice', { headers: { authorization: `Bearer ${token}` } })),
    ) as { iceServers: { username?: string }[]; relayOnly: boolean };
    expect(staff.relayOnly).toBe(true);
    expect(staff.iceServers).toHaveLength(3);
    expect(staff.iceServers[2]?.username).toMatch(/^\d+:a[\w-]+$/);
  });

  it('GET /api/ice with no servers configured gives none', async () => {
    expect(bodyOf(await handler()(request('GET', '/api/ice')))).toEqual({
      iceServers: [],
      relayOnly: false,
    });
  });

  it('GET /api/demo lists the demo accounts in demo mode only', async () => {
    expect(bodyOf(await handler()(request('GET', '/api/demo')))).toEqual({
      demo: false,
      accounts: [],
    });
    const demo = bodyOf(await handler({}, config({}, ['--demo']))(request('GET', '/api/demo'))) as {
      demo: boolean;
      accounts: { nickname: string; password: string }[];
    };
    expect(demo.demo).toBe(true);
    expect(demo.accounts.map((a) => a.nickname)).toEqual(DEMO_ACCOUNTS.map((a) => a.nickname));
    expect(demo.accounts.every((a) => a.password === 'demo-pass')).toBe(true);
  });

  it('GET /healthz reports the transport and uptime; HEAD works too', async () => {
    const handle = handler({ startedAt: clock - 42_500 });
    const response = await handle(request('GET', '/healthz'));
    expect(response.status).toBe(200);
    expect(bodyOf(response)).toEqual({ status: 'ok', transport: 'ws', uptimeSeconds: 42 });
    const head = await handle(request('HEAD', '/healthz'));
    expect(head.status).toBe(200);
    expect(head.body).toBeUndefined();
  });

  it('GET /metrics renders Prometheus text from this instance', async () => {
    const metrics = createMetrics();
    metrics.record({ name: 'offer', department: 'general' });
    const response = await handler({ metrics })(request('GET', '/metrics'));
    expect(response.status).toBe(200);
    expect(response.headers?.['content-type']).toMatch(/^text\/plain/);
    expect(text(response)).toContain('peerdesk_offers_total{department="general"} 1');
  });

  it('unknown API routes are 404 JSON; wrong methods are 405 with Allow', async () => {
    const handle = handler();
    for (const path of ['/api/nope', '/api', '/api/session/x', '/ws/visitor', '/metricsx']) {
      const response = await handle(request('GET', path));
      expect(response.status, path).toBe(404);
      expect((bodyOf(response) as { error: { code: string } }).error.code).toBe('not_found');
    }
    const wrong = await handle(request('GET', '/api/session'));
    expect(wrong.status).toBe(405);
    expect(wrong.headers?.['allow']).toBe('POST, DELETE');
    expect((await handle(request('POST', '/some/page'))).status).toBe(405);
  });

  it('a failing dependency becomes a 500 internal, not a crash', async () => {
    const metrics = createMetrics();
    const broken = { ...metrics, render: () => Promise.reject(new Error('boom')) };
    const response = await handler({ metrics: broken })(request('GET', '/metrics'));
    expect(response.status).toBe(500);
    expect((bodyOf(response) as { error: { code: string } }).error.code).toBe('internal');
    expect(logLines.join('')).toContain('boom');
  });
});

describe('HTTP: the built app', () => {
  function build(): void {
    const root = join(dir, 'build');
    mkdirSync(join(root, '_app', 'immutable', 'entry'), { recursive: true });
    mkdirSync(join(root, 'console'), { recursive: true });
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>home</title>');
    writeFileSync(join(root, '200.html'), '<!doctype html><title>spa</title>');
    writeFileSync(join(root, 'console', 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(root, 'about.html'), '<!doctype html><title>about</title>');
    writeFileSync(join(root, '_app', 'immutable', 'entry', 'app.abc123.js'), 'export {};');
    writeFileSync(join(root, '_app', 'immutable', 'style.css'), 'body{}');
    writeFileSync(join(root, '_app', 'version.json'), '{"version":"1"}');
    writeFileSync(join(root, 'favicon.png'), new Uint8Array([0x89, 0x50, 0x4e, 0x47]));
    writeFileSync(join(dir, 'secret.txt'), 'do not serve');
  }

  it('serves files with content types and cache headers', async () => {
    build();
    const handle = handler();
    const cases: [string, number, string, string, string][] = [
      ['/', 200, 'text/html; charset=utf-8', 'no-cache', 'home'],
      ['/console', 200, 'text/html; charset=utf-8', 'no-cache', 'console'],
      ['/console/', 200, 'text/html; charset=utf-8', 'no-cache', 'console'],
      ['/about', 200, 'text/html; charset=utf-8', 'no-cache', 'about'],
      [
        '/_app/immutable/entry/app.abc123.js',
        200,
        'text/javascript; charset=utf-8',
        'public, max-age=31536000, immutable',
        'export',
      ],
      [
        '/_app/immutable/style.css',
        200,
        'text/css; charset=utf-8',
        'public, max-age=31536000, immutable',
        'body',
      ],
      ['/_app/version.json', 200, 'application/json; charset=utf-8', 'no-cache', 'version'],
      ['/favicon.png', 200, 'image/png', 'no-cache', 'PNG'],
    ];
    for (const [path, status, type, cache, contains] of cases) {
      const response = await handle(request('GET', path));
      expect(response.status, path).toBe(status);
      expect(response.headers?.['content-type'], path).toBe(type);
      expect(response.headers?.['cache-control'], path).toBe(cache);
      expect(text(response), path).toContain(contains);
    }
  });

  it('falls back to 200.html for unknown pages, but not for missing assets', async () => {
    build();
    const handle = handler();
    const page = await handle(request('GET', '/widget/some/deep/route'));
    expect(page.status).toBe(200);
    expect(text(page)).toContain('spa');
    expect((await handle(request('GET', '/_app/immutable/missing.js'))).status).toBe(404);
  });

  it('no path traversal, however it is spelled', async () => {
    build();
    const handle = handler();
    for (const path of [
      '/../secret.txt',
      '/..%2fsecret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/_app/../../secret.txt',
      '/_app/%2e%2e/%2e%2e/secret.txt',
      '/..\\secret.txt',
      '/%5c..%5csecret.txt',
      '/secret.txt%00.html',
      '/%',
      '//etc/passwd',
    ]) {
      const response = await handle(request('GET', path));
      expect(text(response), path).not.toContain('do not serve');
    }
  });

  it('answers a matching If-None-Match with 304, and HEAD without a body', async () => {
    build();
    const handle = handler();
    const first = await handle(request('GET', '/_app/version.json'));
    const etag = first.headers?.['etag'] ?? '';
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await handle(
      request('GET', '/_app/version.json', { headers: { 'if-none-match': etag } }),
    );
    expect(again.status).toBe(304);
    const head = await handle(request('HEAD', '/'));
    expect(head.status).toBe(200);
    expect(head.body).toBeUndefined();
    expect(Number(head.headers?.['content-length'])).toBeGreaterThan(0);
  });

  it('without a build, pages say how to build', async () => {
    const response = await handler()(request('GET', '/'));
    expect(response.status).toBe(404);
    expect(text(response)).toContain('npm run build');
  });
});
