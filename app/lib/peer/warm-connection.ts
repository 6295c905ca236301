/**
 * One RTCPeerConnection made ahead per page (benchmark S5 accept → open): made when a
 * chat is offered to a helper (or given to anyone), with `iceCandidatePoolSize`, so its
 * candidates are gathered while the helper decides and the documents load; the chat's
 * first link takes it instead of making one. It is made with exactly the ICE settings a
 * link would use now (the same servers, the same `iceTransportPolicy`); a link made with
 * other settings gets none, and the warm one is closed.
 *
 * Not with TURN credentials (B5): a refusal of expired credentials met while pooling
 * reaches no link (Chromium reported no `icecandidateerror` to the link that took such a
 * connection, tests/e2e/turn-relay.spec.ts), and the console must say why it cannot
 * link. So relay-only helpers and any server with a username make their own, as before.
 */
import type { IceServer } from '../../../protocol/index.ts';

export type WarmIce = { iceServers: readonly IceServer[]; relayOnly: boolean };

/** Candidates gathered ahead: one is enough for one data channel. */
export const WARM_POOL_SIZE = 1;

let warm: { key: string; pc: RTCPeerConnection } | null = null;

function keyOf(ice: WarmIce): string {
  return JSON.stringify([ice.relayOnly, ice.iceServers]);
}

/** Whether these settings may be warmed: no relay, no credentials (see above). */
export function mayWarm(ice: WarmIce): boolean {
  return !ice.relayOnly && ice.iceServers.every((s) => s.username === undefined);
}

/** The connection options a link uses for these settings (rtc-peer-link.ts too). */
export function connectionConfig(ice: WarmIce, certificate?: RTCCertificate): RTCConfiguration {
  return {
    iceServers: ice.iceServers.map((server) => ({ ...server })),
    iceTransportPolicy: ice.relayOnly ? 'relay' : 'all',
    ...(certificate === undefined ? {} : { certificates: [certificate] }),
  };
}

/** Makes the page's warm connection for `ice`, unless one for the same settings is there. */
export function warmConnection(
  ice: WarmIce,
  certificate?: RTCCertificate,
  Connection: typeof RTCPeerConnection | undefined = globalThis.RTCPeerConnection,
): void {
  const key = keyOf(ice);
  if (warm !== null && warm.key === key && warm.pc.signalingState !== 'closed') return;
  discardWarmConnection();
  if (Connection === undefined || !mayWarm(ice)) return;
  try {
    const config = { ...connectionConfig(ice, certificate), iceCandidatePoolSize: WARM_POOL_SIZE };
    warm = { key, pc: new Connection(config) };
  } catch {
    // A link makes its own, as it would without this.
    warm = null;
  }
}

/** The warm connection, if it was made for exactly these settings; it is the caller's now. */
export function takeWarmConnection(ice: WarmIce): RTCPeerConnection | undefined {
  const taken = warm;
  warm = null;
  if (taken === null) return undefined;
  if (taken.key !== keyOf(ice) || taken.pc.signalingState === 'closed') {
    taken.pc.close();
    return undefined;
  }
  return taken.pc;
}

/** Closes the warm connection (the ICE settings changed, or the page is done). */
export function discardWarmConnection(): void {
  warm?.pc.close();
  warm = null;
}
