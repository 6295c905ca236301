/**
 * Which sites may embed the widget (SPEC.md A7): the widget page (/widget, loaded in
 * the host page's iframe by embed.js) carries `Content-Security-Policy:
 * frame-ancestors 'self' <allowed origins>`, so the browser refuses to show it in a
 * page of any other origin. With no allowed origins listed the widget may be embedded
 * anywhere (the behaviour before admins could list them); once an admin lists one,
 * only those origins (and the service's own pages) may.
 *
 * Exports: `withWidgetFraming(path, response, allowedOrigins)`, `isWidgetPath(path)`.
 */
import type { HttpResponse } from '../../transport/transport.ts';

export function isWidgetPath(path: string): boolean {
  return path === '/widget' || path.startsWith('/widget/');
}

export function withWidgetFraming(
  path: string,
  response: HttpResponse,
  allowedOrigins: readonly string[],
): HttpResponse {
  if (!isWidgetPath(path) || allowedOrigins.length === 0) return response;
  const directive = `frame-ancestors 'self' ${allowedOrigins.join(' ')}`;
  const headers = { ...response.headers };
  const existing = headers['content-security-policy'];
  // Another part of the service may set a policy of its own: its frame-ancestors
  // (if any) gives way to this one, the rest of it stays.
  headers['content-security-policy'] =
    existing === undefined || existing.trim() === ''
      ? directive
      : [
          ...existing
            .split(';')
            .map((part) => part.trim())
            .filter((part) => part !== '' && !/^frame-ancestors\b/i.test(part)),
          directive,
        ].join('; ');
  return { ...response, headers };
}
