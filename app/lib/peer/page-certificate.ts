/**
 * One DTLS certificate per page, made once and given to every RTCPeerConnection the
 * page opens: otherwise each new connection generates its own key pair before it can
 * offer or answer, on the path from Accept to an open link (benchmark S5). The links
 * of one page then share a fingerprint; they are all the same person's (one visitor's
 * chat, or one staff member's chats), who is named to the peers anyway.
 */

/** Renewed this long before it expires, so a link never starts with one about to lapse. */
const EXPIRY_MARGIN_MS = 60 * 60 * 1000;

let ready: RTCCertificate | null = null;
let making: Promise<void> | null = null;

/** Starts making the page's certificate (at page start), once. */
export function warmPageCertificate(): void {
  const Connection = globalThis.RTCPeerConnection as typeof RTCPeerConnection | undefined;
  if (making !== null || typeof Connection?.generateCertificate !== 'function') return;
  making = Connection.generateCertificate({ name: 'ECDSA', namedCurve: 'P-256' } as never)
    .then((certificate) => {
      ready = certificate;
    })
    .catch(() => {
      // The connection makes its own, as it would without this.
    })
    .finally(() => {
      making = null;
    });
}

/** The page's certificate when it is made and not near expiry; otherwise none (and a
 * fresh one is started for the next link). */
export function pageCertificate(now: number = Date.now()): RTCCertificate | undefined {
  if (ready !== null && ready.expires - EXPIRY_MARGIN_MS > now) return ready;
  ready = null;
  warmPageCertificate();
  return undefined;
}
