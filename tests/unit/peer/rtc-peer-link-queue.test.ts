/**
 * The send queue of rtc-peer-link.ts over a fake RTCPeerConnection whose channel's
 * bufferedAmount the test sets: when `send` says "slow down", when `drain` comes,
 * what stays queued in JS, and the hard limit. Real WebRTC cannot pin these (its
 * bufferedAmount moves on its own thread); the integration tests cover the wire.
 */
import { describe, expect, it } from 'vitest';
import type { PeerLinkEvent } from '../../../app/lib/peer/peer-link.ts';
import { RTC_PEER_LINK_DEFAULTS, rtcPeerLinkFactory } from '../../../app/lib/peer/rtc-peer-link.ts';

class FakeChannel {
  readyState: RTCDataChannelState = 'connecting';
  bufferedAmount = 0;
  // An own property, as a browser's accessor would answer `in`: the low event exists.
  bufferedAmountLowThreshold = 0;
  binaryType = 'blob';
  readonly sent: Uint8Array[] = [];
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: (() => void) | null = null;
  onbufferedamountlow: (() => void) | null = null;
  send(data: Uint8Array): void {
    this.sent.push(data);
    this.bufferedAmount += data.byteLength;
  }
  close(): void {
    this.readyState = 'closed';
  }
  open(): void {
    this.readyState = 'open';
    this.onopen?.();
  }
  /** The network took everything: the buffer empties and the low event fires. */
  empty(): void {
    this.bufferedAmount = 0;
    this.onbufferedamountlow?.();
  }
}

let channel = new FakeChannel();

class FakeConnection {
  onicecandidate = null;
  oniceconnectionstatechange = null;
  onconnectionstatechange = null;
  ondatachannel = null;
  createDataChannel(): FakeChannel {
    return channel;
  }
  async createOffer() {
    return { type: 'offer', sdp: 'v=0' };
  }
  async setLocalDescription() {}
  close(): void {}
}

function openLink(options: { highWaterMark: number; hardLimit: number }) {
  channel = new FakeChannel();
  const link = rtcPeerLinkFactory({
    iceServers: [],
    relayOnly: false,
    RTCPeerConnection: FakeConnection as unknown as typeof RTCPeerConnection,
    ...options,
  })({ initiator: true });
  const events: PeerLinkEvent['type'][] = [];
  link.subscribe((event) => events.push(event.type));
  channel.open();
  return { link, events, channel };
}

const kib = (n: number) => new Uint8Array(n * 1024);

describe('rtc-peer-link send queue', () => {
  it('says "slow down" at the high-water mark, then drain once the buffer empties', () => {
    const { link, events, channel } = openLink({ highWaterMark: 64 * 1024, hardLimit: 1 << 24 });
    expect(channel.binaryType).toBe('arraybuffer');
    expect(link.send(kib(32))).toBe(true);
    expect(link.send(kib(31))).toBe(true);
    expect(link.send(kib(1))).toBe(false); // 64 KiB buffered: at the mark
    expect(link.bufferedAmount).toBe(64 * 1024);
    expect(events).toEqual(['open']);
    channel.empty();
    expect(events).toEqual(['open', 'drain']);
    expect(link.bufferedAmount).toBe(0);
  });

  it('keeps frames in JS while the channel holds its limit, and feeds them in order', () => {
    const { link, channel } = openLink({ highWaterMark: 64 * 1024, hardLimit: 1 << 24 });
    const frames = Array.from({ length: 150 }, (_, i) => kib(16).fill(i));
    for (const frame of frames) link.send(frame);
    const limitFrames = RTC_PEER_LINK_DEFAULTS.channelLimit / (16 * 1024);
    expect(channel.sent).toHaveLength(limitFrames);
    expect(link.bufferedAmount).toBe(150 * 16 * 1024);
    channel.empty();
    expect(channel.sent).toHaveLength(2 * limitFrames);
    channel.empty();
    expect(channel.sent.map((f) => f[0])).toEqual(frames.map((_, i) => i));
  });

  it('past the hard limit the link closes with overflow instead of buffering on', () => {
    const { link, events } = openLink({ highWaterMark: 64 * 1024, hardLimit: 2 * 1024 * 1024 });
    let i = 0;
    while (link.state.status === 'open' && i++ < 1000) link.send(kib(64));
    expect(link.state).toMatchObject({ status: 'closed', reason: 'overflow' });
    expect(events.at(-1)).toBe('close');
    expect(link.bufferedAmount).toBe(0);
    expect(link.send(kib(1))).toBe(false);
  });

  it('frames sent before open are refused, not queued', () => {
    channel = new FakeChannel();
    const link = rtcPeerLinkFactory({
      iceServers: [],
      relayOnly: false,
      RTCPeerConnection: FakeConnection as unknown as typeof RTCPeerConnection,
    })({ initiator: true });
    expect(link.send(kib(1))).toBe(false);
    channel.open();
    expect(channel.sent).toHaveLength(0);
  });
});
