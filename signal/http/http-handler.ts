/**
 * The HTTP side of the service as one function, `(req) => Promise<HttpResponse>`,
 * which the transports call (signal/transport/transport.ts). No sockets here, so
 * tests call it directly. It never throws: a bug becomes a 500 `internal`.
 *
 * Routes:
 * - `POST /api/session` {nickname, password} → 200 {token, expiresAt, account} | 401 |
 *   429 `rate_limited` (per client IP) | 429 `account_locked` {retryAt} (per account,
 *   SPEC.md SP-A9) | 400 bad body | 413 too large | 415 not JSON
 * - `/api/admin/…`, `/api/password-link` → `extraRoutes` (signal/http/admin)
 * - `DELETE /api/session` (Authorization: Bearer) → 204 | 401
 * - `GET /api/me` → 200 account | 401
 * - `GET /api/ice` → {iceServers, relayOnly} (TURN credentials for signed-in staff only)
 * - `GET /api/demo` → {demo, accounts} (accounts only in demo mode)
 * - `GET /healthz` → {status: 'ok', transport, uptimeSeconds}
 * - `GET /metrics` → Prometheus text
 * - other GET/HEAD → the built app (static-files.ts); other `/api/` → 404 JSON
 *
 * Every response gets the security headers of security-headers.ts (CSP,
 * frame-ancestors, nosniff, Referrer-Policy, Permissions-Policy).
 *
 * Exports: `createHttpHandler(deps)`, `HttpDeps`, `MAX_HTTP_BODY_BYTES`.
 */
import * as v from 'valibot';
import { LIMITS, Nickname, errorMessage } from '../../protocol/index.ts';
import { DEMO_ACCOUNTS, DEMO_PASSWORD, publicAccount } from '../auth/accounts.ts';
import { dummyHash, verifyPassword } from '../auth/passwords.ts';
import type { ResolvedSession, Sessions } from '../auth/sessions.ts';
import {
  createSignInLockout,
  memoryFailureStore,
  type SignInLockout,
} from '../auth/sign-in-lockout.ts';

/** How many unknown nicknames' wrong-password counts are kept (SP-A9). */
const UNKNOWN_NICKNAMES_KEPT = 10_000;
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { Storage } from '../storage/storage.ts';
import type { HttpRequest, HttpResponse } from '../transport/transport.ts';
import type { ClientIpResolver } from '../gateway/client-ip.ts';
import { createClientIpResolver } from '../gateway/client-ip.ts';
import { iceServersFor } from './ice-servers.ts';
import { json, jsonError } from './json-response.ts';
import { bearerToken, decodeJsonBody } from './request-body.ts';
import type { Metrics } from './metrics.ts';
import { createRateLimiter } from './rate-limiter.ts';
import { createSecurityHeaders } from './security-headers.ts';
import type { StaticFiles } from './static-files.ts';

/** The API's bodies are a nickname and a password: 16 KiB is generous. */
export const MAX_HTTP_BODY_BYTES = 16 * 1024;

export type HttpDeps = {
  storage: Storage;
  sessions: Sessions;
  config: Pick<
    Config,
    | 'iceServers'
    | 'turn'
    | 'relayOnlyHelpers'
    | 'demo'
    | 'httpSigninPerIpPerMinute'
    | 'trustedProxies'
    | 'publicOrigin'
    | 'allowedOrigins'
  >;
  metrics: Metrics;
  /** Which transport runs ('uws' or 'ws'); asked per request, as the transport is
   * created after the handler it is given. */
  transportName: () => string;
  /** When the service started (ms), for `uptimeSeconds`. */
  startedAt: number;
  /** The built app, or null when `build/` does not exist. */
  staticFiles: StaticFiles | null;
  log: Logger;
  now?: () => number;
  maxBodyBytes?: number;
  /** Defaults to the gateway's resolver (SPEC.md SP-B3) over `config.trustedProxies`. */
  clientIp?: ClientIpResolver;
  /** Called after a session is revoked by sign-out, so the gateway can close that
   * account's staff socket if it wants to. */
  onSignOut?: (session: ResolvedSession) => void;
  /** Per-account lockout after wrong passwords (SPEC.md SP-A9); none when absent. */
  lockout?: SignInLockout;
  /** More API routes by path prefix (the admin API, signal/http/admin). */
  extraRoutes?: ExtraRoutes;
};

export type ExtraRoutes = {
  handles(path: string): boolean;
  handle(req: HttpRequest): Promise<HttpResponse>;
  /** A path whose routes check their own, larger, body limit (archive uploads, SP-R3). */
  bodyLimit?(path: string): number | undefined;
};

/** Several groups of extra routes as one; the first that handles a path takes it. */
export function combineRoutes(...groups: ExtraRoutes[]): ExtraRoutes {
  const find = (path: string) => groups.find((group) => group.handles(path));
  return {
    handles: (path) => find(path) !== undefined,
    handle: (req) => find(req.path)?.handle(req) ?? Promise.resolve(jsonError(404, 'not_found')),
    bodyLimit: (path) => find(path)?.bodyLimit?.(path),
  };
}

const SignInBody = v.strictObject({
  nickname: Nickname,
  password: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxPasswordLength)),
});

type Route = (req: HttpRequest) => Promise<HttpResponse> | HttpResponse;

export function createHttpHandler(deps: HttpDeps): (req: HttpRequest) => Promise<HttpResponse> {
  const now = deps.now ?? Date.now;
  const maxBodyBytes = deps.maxBodyBytes ?? MAX_HTTP_BODY_BYTES;
  const clientIp = deps.clientIp ?? createClientIpResolver(deps.config.trustedProxies);
  const signInLimiter = createRateLimiter({
    limit: deps.config.httpSigninPerIpPerMinute,
    windowMs: 60_000,
  });
  // Compared against when the nickname is unknown, so that case costs as much time
  // as a wrong password and does not reveal which nicknames exist.
  let dummy: Promise<string> | null = null;
  const dummyHashOnce = (): Promise<string> => (dummy ??= dummyHash());

  function session(req: HttpRequest): ResolvedSession | null {
    const token = bearerToken(req);
    return token === null ? null : deps.sessions.resolve(token, now());
  }

  /** Nicknames no account has, counted like accounts (SP-A9); bounded, in memory. */
  const unknownNicknames = createSignInLockout(memoryFailureStore(UNKNOWN_NICKNAMES_KEPT));

  const signIn: Route = async (req) => {
    const ip = clientIp(req.remoteAddress, req.headers['x-forwarded-for']);
    const decision = signInLimiter.take(ip, now());
    if (!decision.allowed) {
      return jsonError(429, 'rate_limited', {
        headers: { 'retry-after': String(Math.ceil(decision.retryAfterMs / 1000)) },
      });
    }
    const body = decodeJsonBody(req, SignInBody);
    if (!body.ok) return body.response;
    const account = deps.storage.findAccountByNickname(body.value.nickname);
    // SP-A9: a nickname no account has locks the same way, so a lock tells nothing.
    const lockout = account === null ? deps.lockout && unknownNicknames : deps.lockout;
    const lockKey = account?.id ?? `nickname:${body.value.nickname.toLowerCase()}`;
    // SP-A9: a locked account is not even asked for its password.
    const lockedUntil = lockout?.lockedUntil(lockKey, now()) ?? null;
    if (lockedUntil !== null) return accountLocked(lockedUntil);
    const hash = account?.passwordHash ?? (await dummyHashOnce());
    const matches = await verifyPassword(body.value.password, hash);
    if (account === null || account.disabled || !matches) {
      deps.log.info({ ip, nickname: body.value.nickname }, 'sign-in refused');
      const locks = account === null || !matches ? lockout?.failed(lockKey, now()) : null;
      if (locks !== null && locks !== undefined) return accountLocked(locks);
      return jsonError(401, 'unauthorized', { detail: 'Wrong nickname or password.' });
    }
    deps.lockout?.succeeded(account.id);
    const created = deps.sessions.create(account.id, now());
    deps.log.info({ ip, accountId: account.id }, 'signed in');
    return json(200, {
      token: created.token,
      expiresAt: created.expiresAt,
      account: publicAccount(account),
    });
  };

  function accountLocked(until: number): HttpResponse {
    const seconds = Math.max(1, Math.ceil((until - now()) / 1000));
    return json(
      429,
      {
        error: {
          code: 'account_locked',
          message: errorMessage('account_locked'),
          retryAt: until,
        },
      },
      { 'retry-after': String(seconds) },
    );
  }

  const signOut: Route = (req) => {
    const live = session(req);
    if (live === null) return jsonError(401, 'unauthorized');
    deps.sessions.revoke(bearerToken(req) ?? '', now());
    deps.log.info({ accountId: live.account.id }, 'signed out');
    deps.onSignOut?.(live);
    return { status: 204, headers: { 'cache-control': 'no-store' } };
  };

  const me: Route = (req) => {
    const live = session(req);
    return live === null ? jsonError(401, 'unauthorized') : json(200, publicAccount(live.account));
  };

  const ice: Route = (req) => {
    const live = session(req);
    return json(200, iceServersFor(deps.config, live?.account.id ?? null, now()));
  };

  const demo: Route = () =>
    json(200, {
      demo: deps.config.demo,
      accounts: deps.config.demo
        ? DEMO_ACCOUNTS.map((account) => ({ ...account, password: DEMO_PASSWORD }))
        : [],
    });

  const health: Route = () =>
    json(200, {
      status: 'ok',
      transport: deps.transportName(),
      uptimeSeconds: Math.max(0, Math.floor((now() - deps.startedAt) / 1000)),
    });

  const metrics: Route = async () => {
    const rendered = await deps.metrics.render();
    return {
      status: 200,
      headers: { 'content-type': rendered.contentType, 'cache-control': 'no-store' },
      body: rendered.body,
    };
  };

  const routes: Readonly<Record<string, Readonly<Record<string, Route>>>> = {
    '/api/session': { POST: signIn, DELETE: signOut },
    '/api/me': { GET: me },
    '/api/ice': { GET: ice },
    '/api/demo': { GET: demo },
    '/healthz': { GET: health },
    '/metrics': { GET: metrics },
  };

  function bodyTooLarge(req: HttpRequest): HttpResponse | null {
    if (deps.extraRoutes?.bodyLimit?.(req.path) !== undefined) return null;
    return req.body.byteLength > maxBodyBytes
      ? jsonError(413, 'frame_too_large', { detail: `at most ${maxBodyBytes} bytes` })
      : null;
  }

  async function route(req: HttpRequest): Promise<HttpResponse> {
    const method = req.method.toUpperCase();
    const tooLarge = bodyTooLarge(req);
    if (tooLarge !== null) return tooLarge;

    const methods = Object.hasOwn(routes, req.path) ? routes[req.path] : undefined;
    if (methods !== undefined) {
      // HEAD is GET without a body, for load balancers' health checks.
      const handler = Object.hasOwn(methods, method)
        ? methods[method]
        : method === 'HEAD' && Object.hasOwn(methods, 'GET')
          ? methods['GET']
          : undefined;
      if (handler === undefined) {
        const allow = Object.keys(methods).join(', ');
        return jsonError(405, 'method_not_allowed', { headers: { allow } });
      }
      const response = await handler(req);
      return method === 'HEAD' ? withoutBody(response) : response;
    }
    if (deps.extraRoutes?.handles(req.path) === true) return deps.extraRoutes.handle(req);
    if (isApiPath(req.path)) return jsonError(404, 'not_found');
    if (method !== 'GET' && method !== 'HEAD') {
      return jsonError(405, 'method_not_allowed', { headers: { allow: 'GET, HEAD' } });
    }
    if (deps.staticFiles === null) {
      return {
        status: 404,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: 'The app is not built yet: run `npm run build` (npm start does it for you).',
      };
    }
    return deps.staticFiles.serve(method, req.path, req.headers);
  }

  // The origins allowed to embed the widget are the ones allowed to open its sockets;
  // read per response, as the config object is the live one (an admin may change them).
  const secured = createSecurityHeaders({
    frameOrigins: () => [
      ...(deps.config.publicOrigin === null ? [] : [deps.config.publicOrigin]),
      ...deps.config.allowedOrigins,
    ],
  });

  return async (req) => {
    try {
      return secured(req.path, await route(req));
    } catch (error) {
      deps.log.error({ err: error, method: req.method, path: req.path }, 'HTTP handler failed');
      return secured(req.path, jsonError(500, 'internal'));
    }
  };
}

function isApiPath(path: string): boolean {
  return (
    path === '/api' ||
    path.startsWith('/api/') ||
    path === '/ws' ||
    path.startsWith('/ws/') ||
    path.startsWith('/healthz') ||
    path.startsWith('/metrics')
  );
}

function withoutBody(response: HttpResponse): HttpResponse {
  return response.headers === undefined
    ? { status: response.status }
    : { status: response.status, headers: response.headers };
}
