/**
 * rtc-peer-link.ts ends a link whose local description brings no ICE candidate in time
 * (RTC_PEER_LINK_DEFAULTS.gatheringTimeoutMs): e2e runs met a warm answering connection
 * that gathered nothing and started no check, and both sides waited 30 s. A fake
 * RTCPeerConnection whose candidates the test emits, and fake timers.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RTC_PEER_LINK_DEFAULTS, rtcPeerLinkFactory } from '../../../app/lib/peer/rtc-peer-link.ts';

class FakeChannel {
  readyState: RTCDataChannelState = 'connecting';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  binaryType = 'blob';
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: (() => void) | null = null;
  onbufferedamountlow: (() => void) | null = null;
  close(): void {
    this.readyState = 'closed';
  }
}

let made: FakeConnection[] = [];

class FakeConnection {
  onicecandidate: ((event: { candidate: { candidate: string } | null }) => void) | null = null;
  oniceconnectionstatechange = null;
  onicegatheringstatechange = null;
  onconnectionstatechange = null;
  ondatachannel = null;
  iceGatheringState: RTCIceGatheringState = 'new';
  constructor() {
    made.push(this);
  }
  createDataChannel(): FakeChannel {
    return new FakeChannel();
  }
  async createOffer() {
    return { type: 'offer', sdp: 'v=0 offer' };
  }
  async createAnswer() {
    return { type: 'answer', sdp: 'v=0 answer' };
  }
  async setLocalDescription() {}
  async setRemoteDescription() {}
  close(): void {}
  /** The browser found a host candidate. */
  gather(): void {
    this.onicecandidate?.({
      candidate: { candidate: 'candidate:1 1 udp 1 10.0.0.2 5000 typ host' },
    });
  }
}

function link(initiator: boolean, relayOnly = false) {
  return rtcPeerLinkFactory({
    iceServers: [],
    relayOnly,
    RTCPeerConnection: FakeConnection as unknown as typeof RTCPeerConnection,
  })({ initiator });
}

const LIMIT = RTC_PEER_LINK_DEFAULTS.gatheringTimeoutMs;

describe('rtc-peer-link: a local description that gathers nothing', () => {
  beforeEach(() => {
    made = [];
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends an answering link with no local candidate after the gathering timeout', async () => {
    const answering = link(false);
    answering.signal({ kind: 'description', type: 'offer', sdp: 'v=0 offer' });
    await vi.advanceTimersByTimeAsync(LIMIT - 1);
    expect(answering.state.status).toBe('connecting');
    await vi.advanceTimersByTimeAsync(1);
    expect(answering.state).toEqual({
      status: 'closed',
      reason: 'ice_failed',
      detail: `no local candidate ${LIMIT} ms after the answer`,
    });
  });

  it('ends an offering link the same way, and keeps one that gathered a candidate', async () => {
    const silent = link(true);
    const gathering = link(true);
    await vi.advanceTimersByTimeAsync(0);
    made[1]!.gather();
    await vi.advanceTimersByTimeAsync(LIMIT);
    expect(silent.state).toMatchObject({ status: 'closed', reason: 'ice_failed' });
    expect(gathering.state.status).toBe('connecting');
  });

  it('leaves relay-only links alone: a TURN allocation may take longer (B5 has its own words)', async () => {
    const relayed = link(true, true);
    await vi.advanceTimersByTimeAsync(10 * LIMIT);
    expect(relayed.state.status).toBe('connecting');
  });
});
