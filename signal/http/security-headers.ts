/**
 * Security headers on every HTTP response the service sends (issue 16), added in one
 * place after routing, so no route can forget them:
 *
 * - HTML pages: the page's Content-Security-Policy (SvelteKit's hashed <meta> policy
 *   that static-files.ts read from the page, or page-policy.mjs for pages SvelteKit
 *   does not build) plus `frame-ancestors`: the widget (`/widget`) may be framed by
 *   the service itself and the allowed embedding origins (PUBLIC_ORIGIN and
 *   ALLOWED_ORIGINS, or the list an admin set, SPEC.md SP-A7) and by nobody else, also
 *   when none is listed; every other page, the console first, by nobody (also
 *   `X-Frame-Options: DENY` for old browsers).
 * - Everything else (API JSON, scripts, images, 404s): `default-src 'none';
 *   frame-ancestors 'none'`, so a response opened as a document (an SVG, a JSON
 *   body) can run nothing and be framed by nobody.
 * - Always: `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin` (links
 *   out of a chat do not tell other sites which console or widget page they came
 *   from), and a `Permissions-Policy` turning off powerful features nothing uses.
 *
 * The responses the transports write themselves (413, 503) get the same through
 * `plainResponse` of signal/transport/http-status.ts.
 *
 * Exports: `createSecurityHeaders({ frameOrigins })` → `(path, response) → response`;
 * `PERMISSIONS_POLICY`; `isWidgetPath(path)`.
 */
import { BASELINE_SECURITY_HEADERS, NON_PAGE_POLICY } from '../transport/http-status.ts';
import type { HttpResponse } from '../transport/transport.ts';
import { PAGE_CSP_DIRECTIVES, renderPolicy } from './page-policy.mjs';

export { PERMISSIONS_POLICY } from '../transport/http-status.ts';

const DEFAULT_PAGE_POLICY = renderPolicy(PAGE_CSP_DIRECTIVES);

/** The widget's page and anything under it: the only page another site may frame. */
export function isWidgetPath(path: string): boolean {
  return path === '/widget' || path === '/widget/' || path.startsWith('/widget/');
}

export type SecurityHeaderOptions = {
  /** Origins (`https://host.example`) allowed to frame the widget, besides the service;
   * asked per response, as an admin may change them while the service runs (SP-A7). */
  frameOrigins: () => readonly string[];
};

export function createSecurityHeaders(
  options: SecurityHeaderOptions,
): (path: string, response: HttpResponse) => HttpResponse {
  return (path, response) => {
    const headers: Record<string, string> = { ...response.headers };
    const isPage = /^text\/html\b/i.test(headers['content-type'] ?? '');
    const widget = isPage && isWidgetPath(path);
    if (isPage) {
      const pagePolicy = headers['content-security-policy'] ?? DEFAULT_PAGE_POLICY;
      const ancestors = widget
        ? ["'self'", ...new Set(options.frameOrigins())].join(' ')
        : "'none'";
      headers['content-security-policy'] = `${pagePolicy}; frame-ancestors ${ancestors}`;
      if (!widget) headers['x-frame-options'] = 'DENY';
    } else {
      headers['content-security-policy'] = NON_PAGE_POLICY;
    }
    return { ...response, headers: { ...headers, ...BASELINE_SECURITY_HEADERS } };
  };
}
