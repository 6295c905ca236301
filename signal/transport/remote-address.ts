/**
 * Peer addresses in one normal text form, whichever transport produced them, so
 * that blocks, rate limits and trusted-proxy checks compare like with like.
 * uWebSockets.js reports IPv6 as eight zero-padded groups
 * (`0000:0000:0000:0000:0000:ffff:7f00:0001`); node:net reports `::ffff:127.0.0.1`
 * for IPv4 clients of a dual-stack socket. Both become `127.0.0.1`.
 */
import { isIP } from 'node:net';

/** Canonical text of an IP address: IPv4-mapped IPv6 becomes plain IPv4, other IPv6
 * is compressed and lower-cased. Anything that is not an IP comes back unchanged. */
export function normalizeIp(text: string): string {
  const trimmed = text.trim();
  const family = isIP(trimmed);
  if (family === 4) return trimmed;
  if (family !== 6) return trimmed;
  // The WHATWG URL parser prints IPv6 hosts in RFC 5952 form (`[::ffff:7f00:1]`).
  const canonical = new URL(`http://[${trimmed}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped?.[1] !== undefined && mapped[2] !== undefined) {
    const high = parseInt(mapped[1], 16);
    const low = parseInt(mapped[2], 16);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return canonical;
}
