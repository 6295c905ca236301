/** Small pieces of HTTP and WebSocket framing both transports write by hand. */
import { STATUS_CODES } from 'node:http';
import type { HttpResponse } from './transport.ts';

/** `404 Not Found`: uWS writes the status line verbatim, and a raw refused upgrade
 * on node:http needs one too. */
export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? 'Unknown'}`;
}

/** A WebSocket close reason must fit in 123 bytes of UTF-8 (RFC 6455 5.5). */
export function closeReason(reason: string): string {
  const bytes = Buffer.from(reason, 'utf8');
  if (bytes.byteLength <= 123) return reason;
  // Cut on a character boundary: decoding a cut sequence would add U+FFFD (3 bytes).
  let cut = reason.slice(0, 123);
  while (Buffer.byteLength(cut, 'utf8') > 123) cut = cut.slice(0, -1);
  return cut;
}

/** The Permissions-Policy of every response: powerful features nothing here uses, off. */
export const PERMISSIONS_POLICY = [
  'camera=()',
  'microphone=()',
  'geolocation=()',
  'payment=()',
  'usb=()',
  'display-capture=()',
].join(', ');

/** Headers every response carries (issue 16; signal/http/security-headers.ts). */
export const BASELINE_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'permissions-policy': PERMISSIONS_POLICY,
});

/** The policy of anything that is not a page: it runs nothing and nobody frames it. */
export const NON_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** A short text response the transports write themselves (413, 503, a refused
 * upgrade), with the same security headers as the handler's responses. */
export function plainResponse(status: number, text: string): HttpResponse {
  return {
    status,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'content-security-policy': NON_PAGE_POLICY,
      ...BASELINE_SECURITY_HEADERS,
    },
    body: text,
  };
}
