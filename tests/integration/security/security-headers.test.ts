/**
 * Issue 16, pages hardened: every response of the real service, on both transports,
 * carries the security headers, and each page its Content-Security-Policy with the
 * right frame-ancestors: the widget may be framed by the service and the allowed
 * embedding origins (PUBLIC_ORIGIN, ALLOWED_ORIGINS), the console and every other
 * page by nobody. The app is a small fixture shaped like SvelteKit's build (a
 * hashed <meta> policy in 200.html), so this runs before `npm run build`; the
 * Playwright test tests/e2e/security-headers.spec.ts runs the real build under it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_CSP_DIRECTIVES, renderPolicy } from '../../../signal/http/page-policy.mjs';
import { PERMISSIONS_POLICY } from '../../../signal/http/security-headers.ts';
import {
  ADMIN_NICKNAME,
  ADMIN_PASSWORD,
  startService,
  type Service,
  type TransportName,
} from '../harness.ts';

const BOOT_HASH = "'sha256-u8eyMsNOQwUzKihSo8NT8Kwc52lUs0XLXwL/8Hjzyqc='";
// What SvelteKit writes: its directives with the boot script's hash in script-src.
const KIT_POLICY = renderPolicy(PAGE_CSP_DIRECTIVES).replace(
  "script-src 'self'",
  `script-src 'self' ${BOOT_HASH}`,
);
const HOST_SITE = 'https://shop.example';
const PUBLIC = 'https://chat.example.org';

function writeApp(root: string): void {
  const files: Record<string, string> = {
    '200.html': `<!doctype html><html><head><meta http-equiv="content-security-policy" content="${KIT_POLICY}"></head><body><script>boot()</script></body></html>`,
    'demo/index.html': '<!doctype html><title>Demo</title><script src="/embed.js" async></script>',
    'embed.js': '(() => {})();',
    '_app/immutable/entry/start.js': 'export {};',
    'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg"></svg>',
  };
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), text);
  }
}

type Case = { method?: string; path: string; status: number; frame: 'widget' | 'none' | 'api' };

// Every kind of response: app pages (the SPA fallback), the widget, the demo site,
// assets, the API, health and metrics, and errors (404, 405, 413).
const CASES: Case[] = [
  { path: '/', status: 200, frame: 'none' },
  { path: '/console', status: 200, frame: 'none' },
  { path: '/console/settings', status: 200, frame: 'none' },
  { path: '/lab/chat', status: 200, frame: 'none' },
  { path: '/widget', status: 200, frame: 'widget' },
  { path: '/widget/', status: 200, frame: 'widget' },
  { path: '/widgetx', status: 200, frame: 'none' },
  { path: '/demo/', status: 200, frame: 'none' },
  { path: '/embed.js', status: 200, frame: 'api' },
  { path: '/favicon.svg', status: 200, frame: 'api' },
  { path: '/_app/immutable/entry/start.js', status: 200, frame: 'api' },
  { path: '/_app/immutable/missing.js', status: 404, frame: 'api' },
  { path: '/api/me', status: 401, frame: 'api' },
  { path: '/api/demo', status: 200, frame: 'api' },
  { path: '/api/nothing', status: 404, frame: 'api' },
  { path: '/healthz', status: 200, frame: 'api' },
  { path: '/metrics', status: 200, frame: 'api' },
  { method: 'POST', path: '/console', status: 405, frame: 'api' },
  { method: 'PUT', path: '/api/session', status: 405, frame: 'api' },
];

describe.each<TransportName>(['uws', 'ws'])('security headers over %s (issue 16)', (transport) => {
  let service: Service;
  let appDir: string;

  beforeAll(async () => {
    appDir = mkdtempSync(join(tmpdir(), 'peerdesk-app-'));
    writeApp(appDir);
    service = await startService({
      transport,
      staticDir: appDir,
      env: { PUBLIC_ORIGIN: PUBLIC, ALLOWED_ORIGINS: `${HOST_SITE}, http://localhost:3000` },
    });
  });
  afterAll(async () => {
    await service.close();
    rmSync(appDir, { recursive: true, force: true });
  });

  it.each(CASES)(
    '$method $path: $status with the headers',
    async ({ method, path, status, frame }) => {
      const response = await fetch(`${service.baseUrl}${path}`, { method: method ?? 'GET' });
      expect(response.status).toBe(status);
      const h = response.headers;
      expect(h.get('x-content-type-options')).toBe('nosniff');
      expect(h.get('referrer-policy')).toBe('same-origin');
      expect(h.get('permissions-policy')).toBe(PERMISSIONS_POLICY);
      const csp = h.get('content-security-policy') ?? '';
      if (frame === 'api') {
        expect(csp).toBe("default-src 'none'; frame-ancestors 'none'");
        return;
      }
      expect(h.get('content-type')).toMatch(/^text\/html/);
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      // The SvelteKit pages keep their boot script's hash; the demo pages have no inline script.
      if (path.startsWith('/demo/')) expect(csp).toContain("script-src 'self';");
      else expect(csp).toContain(`script-src 'self' ${BOOT_HASH};`);
      expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
      if (frame === 'widget') {
        expect(csp).toMatch(
          new RegExp(`; frame-ancestors 'self' ${PUBLIC} ${HOST_SITE} http://localhost:3000$`),
        );
        expect(h.get('x-frame-options')).toBeNull();
      } else {
        expect(csp).toMatch(/; frame-ancestors 'none'$/);
        expect(h.get('x-frame-options')).toBe('DENY');
      }
    },
  );

  it('a revalidated page (304) keeps its policy', async () => {
    const first = await fetch(`${service.baseUrl}/widget`);
    const etag = first.headers.get('etag') ?? '';
    const again = await fetch(`${service.baseUrl}/widget`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('content-security-policy')).toBe(
      first.headers.get('content-security-policy'),
    );
  });

  it('a body too large (413) still carries the headers', async () => {
    const response = await fetch(`${service.baseUrl}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(17 * 1024),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('the widget follows the allowed origins an admin sets (SPEC.md SP-A7)', () => {
  it('SP-A7 none listed: only the service frames it; listed live: those too, no restart', async () => {
    const appDir = mkdtempSync(join(tmpdir(), 'peerdesk-app-'));
    writeApp(appDir);
    const service = await startService({ transport: 'ws', staticDir: appDir });
    const ancestors = async () =>
      /frame-ancestors [^;]*$/.exec(
        (await fetch(`${service.baseUrl}/widget`)).headers.get('content-security-policy') ?? '',
      )?.[0];
    try {
      expect(await ancestors()).toBe("frame-ancestors 'self'");
      const token = await service.signIn(ADMIN_NICKNAME, ADMIN_PASSWORD);
      const changed = await fetch(`${service.baseUrl}/api/admin/settings`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ settings: { ALLOWED_ORIGINS: HOST_SITE } }),
      });
      expect(changed.status).toBe(200);
      expect(await ancestors()).toBe(`frame-ancestors 'self' ${HOST_SITE}`);
      // The console stays unframeable whatever the list says.
      const console = await fetch(`${service.baseUrl}/console`);
      expect(console.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'$/);
    } finally {
      await service.close();
      rmSync(appDir, { recursive: true, force: true });
    }
  });
});
