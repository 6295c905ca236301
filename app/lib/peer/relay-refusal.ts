/**
 * B5: when the TURN server refuses a console's credentials (coturn answers an
 * Allocate with a 4xx, which the browser reports as an `icecandidateerror`), a
 * relay-only helper cannot link to anyone, and the console must say so rather than
 * show "Connecting…" for ever. The service mints credentials with the TURN REST
 * API's username `<expiry seconds>:<participant>`, so whether they had expired when
 * the relay refused them can be told from the username alone.
 *
 * Exports: `RelayError` (what rtc-peer-link.ts reports), `RelayRefusal` (what the
 * session view carries), `relayRefusal(error, iceServers, now)`.
 */
import type { IceServer } from '../../../protocol/index.ts';

/** An ICE candidate error from a TURN server: its URL and STUN error code and text. */
export type RelayError = { url: string; code: number; text: string };

export type RelayRefusal = RelayError & {
  /** When the refused credentials expired (epoch ms), if they had; null otherwise. */
  expiredAt: number | null;
};

/** Refusals are 4xx STUN errors (RFC 8489 14.8); 701 and the like are network trouble. */
export function isRelayRefusal(error: RelayError): boolean {
  return /^turns?:/i.test(error.url) && error.code >= 400 && error.code < 500;
}

export function relayRefusal(
  error: RelayError,
  iceServers: readonly IceServer[],
  now: number,
): RelayRefusal {
  const server = iceServers.find((s) =>
    (typeof s.urls === 'string' ? [s.urls] : s.urls).some((url) => sameUrl(url, error.url)),
  );
  const expiry = /^(\d{9,11}):/.exec(server?.username ?? '');
  const expiresAt = expiry === null ? null : Number(expiry[1]) * 1000;
  return { ...error, expiredAt: expiresAt !== null && expiresAt <= now ? expiresAt : null };
}

/** Browsers may report a URL without the `?transport=` the configuration had. */
function sameUrl(configured: string, reported: string): boolean {
  const base = (url: string) => url.toLowerCase().split('?')[0];
  return base(configured) === base(reported);
}
