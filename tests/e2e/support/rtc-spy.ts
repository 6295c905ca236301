/**
 * Watches the RTCPeerConnections of every frame of a browser context: each one is
 * kept in `window.peerdeskRtc.connections`, and every ICE candidate the page is
 * given from the other side (by `addIceCandidate` or inside a remote description)
 * is written down. `rtcReport(frame)` reads them with `getStats()`: the local and
 * remote candidates and the candidate pair in use.
 */
import type { BrowserContext, Frame } from '@playwright/test';

declare global {
  interface Window {
    peerdeskRtc: { connections: RTCPeerConnection[]; received: string[] };
  }
}

export async function spyOnRtc(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const spy = { connections: [] as RTCPeerConnection[], received: [] as string[] };
    window.peerdeskRtc = spy;
    const Real = window.RTCPeerConnection;
    if (Real === undefined) return;
    class Watched extends Real {
      constructor(config?: RTCConfiguration) {
        super(config);
        spy.connections.push(this);
      }
      override addIceCandidate(candidate?: RTCIceCandidateInit | null): Promise<void> {
        if (candidate?.candidate) spy.received.push(candidate.candidate);
        return super.addIceCandidate(candidate ?? undefined);
      }
      override setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
        for (const line of (description.sdp ?? '').split(/\r?\n/)) {
          if (line.startsWith('a=candidate:')) spy.received.push(line.slice(2));
        }
        return super.setRemoteDescription(description);
      }
    }
    window.RTCPeerConnection = Watched;
  });
}

export type CandidateInfo = { type: string; address: string; port: number; url?: string };
export type RtcReport = {
  /** The candidate lines the page was given by the other side. */
  received: string[];
  iceTransportPolicies: string[];
  local: CandidateInfo[];
  remote: CandidateInfo[];
  /** The pair each connection uses now (its transport's selected pair). */
  selected: { local: CandidateInfo; remote: CandidateInfo }[];
};

export async function rtcReport(frame: Frame): Promise<RtcReport> {
  return frame.evaluate(async () => {
    const spy = window.peerdeskRtc;
    const info = (s: Record<string, unknown>) => ({
      type: String(s['candidateType']),
      address: String(s['address'] ?? s['ip']),
      port: Number(s['port']),
      ...(s['url'] === undefined ? {} : { url: String(s['url']) }),
    });
    const report = {
      received: [...spy.received],
      iceTransportPolicies: spy.connections.map(
        (pc) => pc.getConfiguration().iceTransportPolicy ?? 'all',
      ),
      local: [] as ReturnType<typeof info>[],
      remote: [] as ReturnType<typeof info>[],
      selected: [] as { local: ReturnType<typeof info>; remote: ReturnType<typeof info> }[],
    };
    for (const pc of spy.connections) {
      const stats = new Map<string, Record<string, unknown>>();
      (await pc.getStats()).forEach((s: Record<string, unknown>) => stats.set(String(s['id']), s));
      for (const s of stats.values()) {
        if (s['type'] === 'local-candidate') report.local.push(info(s));
        if (s['type'] === 'remote-candidate') report.remote.push(info(s));
        if (s['type'] === 'transport' && typeof s['selectedCandidatePairId'] === 'string') {
          const pair = stats.get(s['selectedCandidatePairId']);
          const local = stats.get(String(pair?.['localCandidateId']));
          const remote = stats.get(String(pair?.['remoteCandidateId']));
          if (local && remote) report.selected.push({ local: info(local), remote: info(remote) });
        }
      }
    }
    return report;
  });
}
