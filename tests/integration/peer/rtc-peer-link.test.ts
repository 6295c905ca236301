/**
 * rtc-peer-link.ts against real WebRTC (@roamhq/wrtc), two links wired to each
 * other directly (no service): what the PeerLink interface promises — binary
 * frames in order, one close per link with its reason, a burst delivered whole,
 * refused signals — and B5's relay-only ICE. The send queue's decisions (high-water
 * mark, drain, hard limit) are pinned with a fake channel in the unit tests.
 */
import wrtc from '@roamhq/wrtc';
import { describe, expect, it } from 'vitest';
import type { PeerLink, PeerLinkEvent } from '../../../app/lib/peer/peer-link.ts';
import {
  rtcPeerLinkFactory,
  type RtcPeerLinkOptions,
} from '../../../app/lib/peer/rtc-peer-link.ts';

const WAIT_MS = 20_000;
const NodeRTCPeerConnection = wrtc.RTCPeerConnection as unknown as typeof RTCPeerConnection;

/** A link and everything it emitted, with a wait for the event a test needs. */
class Recorded {
  readonly events: PeerLinkEvent[] = [];
  readonly #waiters = new Set<() => void>();
  constructor(readonly link: PeerLink) {
    link.subscribe((event) => {
      this.events.push(event);
      for (const waiter of [...this.#waiters]) waiter();
    });
  }

  frames(): number[][] {
    return this.events.flatMap((e) => (e.type === 'frame' ? [[...e.frame]] : []));
  }

  until(what: string, done: (events: PeerLinkEvent[]) => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!done(this.events)) return false;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
        return true;
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; saw ${this.events.map((e) => e.type)}`));
      }, WAIT_MS);
      if (!check()) this.#waiters.add(check);
    });
  }

  opened(): Promise<void> {
    return this.until('open', (events) => events.some((e) => e.type === 'open'));
  }

  closed(): Promise<void> {
    return this.until('close', (events) => events.some((e) => e.type === 'close'));
  }
}

/** Two links wired signal to signal, loopback candidates only. */
function pair(
  options: Partial<RtcPeerLinkOptions> = {},
  answerer: Partial<RtcPeerLinkOptions> = {},
) {
  const base = { iceServers: [], relayOnly: false, RTCPeerConnection: NodeRTCPeerConnection };
  const a = new Recorded(rtcPeerLinkFactory({ ...base, ...options })({ initiator: true }));
  const b = new Recorded(
    rtcPeerLinkFactory({ ...base, ...options, ...answerer })({ initiator: false }),
  );
  const wire = (from: Recorded, to: Recorded) =>
    from.link.subscribe((event) => {
      if (event.type !== 'signal') return;
      if (event.data.kind === 'candidate' && !event.data.candidate.includes(' 127.0.0.1 ')) return;
      to.link.signal(event.data);
    });
  wire(a, b);
  wire(b, a);
  return { a, b };
}

describe('RTCPeerConnection PeerLink', () => {
  it('opens and carries binary frames both ways, in order, views included', async () => {
    const { a, b } = pair();
    expect(a.link.send(new Uint8Array([1]))).toBe(false); // not open yet: dropped
    await Promise.all([a.opened(), b.opened()]);
    const backing = new Uint8Array([0, 0, 7, 8, 9, 0]);
    a.link.send(backing.subarray(2, 5));
    for (let i = 0; i < 50; i++) b.link.send(new Uint8Array([i]));
    await b.until('the view', (events) => events.some((e) => e.type === 'frame'));
    await a.until('50 frames', (events) => events.filter((e) => e.type === 'frame').length === 50);
    expect(b.frames()).toEqual([[7, 8, 9]]);
    expect(a.frames()).toEqual(Array.from({ length: 50 }, (_, i) => [i]));
    a.link.destroy('closed');
    await b.closed();
  });

  it('destroy(reason) closes once with that reason here, and as remote_closed there', async () => {
    const { a, b } = pair();
    await Promise.all([a.opened(), b.opened()]);
    b.link.destroy('left', 'bye');
    b.link.destroy('error'); // a second teardown is a no-op
    await a.closed();
    expect(b.events.filter((e) => e.type === 'close')).toEqual([
      { type: 'close', reason: 'left', detail: 'bye' },
    ]);
    expect(a.events.filter((e) => e.type === 'close')).toEqual([
      { type: 'close', reason: 'remote_closed', detail: 'the data channel closed' },
    ]);
    expect(a.link.state).toMatchObject({ status: 'closed', reason: 'remote_closed' });
    expect(b.link.send(new Uint8Array([1]))).toBe(false);
  });

  // Whether `send` says "slow down" here depends on @roamhq/wrtc's bufferedAmount,
  // which leaves out what SCTP already took and is updated from its own thread; the
  // queue's decisions are pinned in tests/unit/peer/rtc-peer-link-queue.test.ts.
  it('a burst of several megabytes arrives whole and in order', async () => {
    const { a, b } = pair({ highWaterMark: 64 * 1024 });
    await Promise.all([a.opened(), b.opened()]);
    const count = 400;
    for (let i = 0; i < count; i++) a.link.send(new Uint8Array(16 * 1024).fill(i % 256));
    await b.until(
      'all frames',
      (events) => events.filter((e) => e.type === 'frame').length === count,
    );
    expect(b.frames().map((f) => [f.length, f[0]])).toEqual(
      Array.from({ length: count }, (_, i) => [16 * 1024, i % 256]),
    );
    a.link.destroy('closed');
  });

  it('a signal that cannot be applied closes the link with signal_failed', async () => {
    const b = new Recorded(
      rtcPeerLinkFactory({
        iceServers: [],
        relayOnly: false,
        RTCPeerConnection: NodeRTCPeerConnection,
      })({ initiator: false }),
    );
    b.link.signal({ kind: 'description', type: 'offer', sdp: 'not an sdp' });
    await b.closed();
    expect(b.link.state).toMatchObject({ status: 'closed', reason: 'signal_failed' });

    const c = new Recorded(
      rtcPeerLinkFactory({
        iceServers: [],
        relayOnly: false,
        RTCPeerConnection: NodeRTCPeerConnection,
      })({ initiator: false }),
    );
    c.link.signal({ kind: 'description', type: 'answer', sdp: 'v=0' }); // answerers take offers
    expect(c.link.state).toMatchObject({ status: 'closed', reason: 'signal_failed' });
  });

  it('B5 relay-only ICE offers no host candidate, where the default offers loopback', async () => {
    const gathered = async (relayOnly: boolean) => {
      const connections: RTCPeerConnection[] = [];
      // Observes the connection the link makes, to know when gathering is complete.
      class Observed extends NodeRTCPeerConnection {
        constructor(config?: RTCConfiguration) {
          super(config);
          connections.push(this);
        }
      }
      const link = new Recorded(
        rtcPeerLinkFactory({ iceServers: [], relayOnly, RTCPeerConnection: Observed })({
          initiator: true,
        }),
      );
      const pc = connections[0]!;
      await new Promise<void>((resolve) => {
        const check = () => pc.iceGatheringState === 'complete' && resolve();
        pc.addEventListener('icegatheringstatechange', check);
        check();
      });
      await link.until('the offer', (events) =>
        events.some((e) => e.type === 'signal' && e.data.kind === 'description'),
      );
      link.link.destroy('closed');
      const candidates = link.events.flatMap((e) =>
        e.type === 'signal' && e.data.kind === 'candidate' ? [e.data.candidate] : [],
      );
      const sdp = link.events.flatMap((e) =>
        e.type === 'signal' && e.data.kind === 'description' ? [e.data.sdp] : [],
      );
      return { candidates, sdpCandidates: sdp.join('').match(/a=candidate/g) ?? [] };
    };
    const relay = await gathered(true);
    expect(relay.candidates).toEqual([]);
    expect(relay.sdpCandidates).toEqual([]);
    const normal = await gathered(false);
    expect(normal.candidates.some((c) => c.includes(' 127.0.0.1 ') && c.includes('typ host'))).toBe(
      true,
    );
  });
});
