/** Small pieces of HTTP and WebSocket framing both transports write by hand. */
import { STATUS_CODES } from 'node:http';

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
