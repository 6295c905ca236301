/**
 * The page's warm connection (warm-connection.ts, benchmark S5 accept → open): made with
 * exactly the ICE settings a link would use, taken once by a link with the same
 * settings, closed when the settings change (SPEC.md SP-IR1); never made for relay-only
 * or credentialed servers (B5: a refusal met while pooling would reach no link). A fake
 * RTCPeerConnection records what it was made with.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { rtcPeerLinkFactory } from '../../../app/lib/peer/rtc-peer-link.ts';
import {
  discardWarmConnection,
  takeWarmConnection,
  warmConnection,
  WARM_POOL_SIZE,
} from '../../../app/lib/peer/warm-connection.ts';

const made: FakeConnection[] = [];

class FakeConnection {
  signalingState: RTCSignalingState = 'stable';
  onicecandidate = null;
  oniceconnectionstatechange = null;
  onconnectionstatechange = null;
  ondatachannel = null;
  constructor(readonly config: RTCConfiguration) {
    made.push(this);
  }
  createDataChannel() {
    return { bufferedAmountLowThreshold: 0, close() {} };
  }
  async createOffer() {
    return { type: 'offer', sdp: 'v=0' };
  }
  async setLocalDescription() {}
  close(): void {
    this.signalingState = 'closed';
  }
}
const Connection = FakeConnection as unknown as typeof RTCPeerConnection;

const STUN = { iceServers: [{ urls: 'stun:stun.example:3478' }], relayOnly: false };
const OTHER = { iceServers: [{ urls: 'stun:other.example:3478' }], relayOnly: false };
const TURN = {
  iceServers: [{ urls: 'turn:turn.example:3478', username: '1700:a1', credential: 'c' }],
  relayOnly: false,
};

afterEach(() => {
  discardWarmConnection();
  made.length = 0;
});

describe('warm connection', () => {
  it('is made with the link’s servers and transport policy, candidates pooled, and taken once', () => {
    warmConnection(STUN, undefined, Connection);
    warmConnection(STUN, undefined, Connection);
    expect(made).toHaveLength(1);
    expect(made[0]!.config).toEqual({
      iceServers: STUN.iceServers,
      iceTransportPolicy: 'all',
      iceCandidatePoolSize: WARM_POOL_SIZE,
    });
    expect(takeWarmConnection(STUN)).toBe(made[0]);
    expect(takeWarmConnection(STUN)).toBeUndefined();
    expect(made[0]!.signalingState).toBe('stable');
  });

  it('B5 none for relay-only helpers or servers with credentials', () => {
    warmConnection({ ...STUN, relayOnly: true }, undefined, Connection);
    warmConnection(TURN, undefined, Connection);
    expect(made).toHaveLength(0);
    expect(takeWarmConnection(TURN)).toBeUndefined();
  });

  it('SP-IR1 other settings: a link gets no warm connection made for the old ones, which is closed', () => {
    warmConnection(STUN, undefined, Connection);
    expect(takeWarmConnection(OTHER)).toBeUndefined();
    expect(made[0]!.signalingState).toBe('closed');
    // Warming for new settings replaces one made for the old.
    warmConnection(STUN, undefined, Connection);
    warmConnection(OTHER, undefined, Connection);
    expect(made.map((c) => c.signalingState)).toEqual(['closed', 'closed', 'stable']);
    expect(takeWarmConnection(OTHER)).toBe(made[2]);
  });

  it('a link takes the warm connection instead of making one, and makes its own without it', () => {
    warmConnection(STUN, undefined, Connection);
    const factory = rtcPeerLinkFactory({
      ...STUN,
      RTCPeerConnection: Connection,
      warm: () => takeWarmConnection(STUN),
    });
    factory({ initiator: true });
    expect(made).toHaveLength(1);
    factory({ initiator: true });
    expect(made).toHaveLength(2);
    expect(made[1]!.config).toEqual({ iceServers: STUN.iceServers, iceTransportPolicy: 'all' });
  });
});
