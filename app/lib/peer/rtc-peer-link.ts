/**
 * PeerLink straight on RTCPeerConnection: one negotiated-once data channel,
 * trickle ICE, a JS send queue with a high-water mark.
 *
 * Why not simple-peer (DESIGN.md 5 suggests it), checked with Vite 7.3 and Node 20
 * on the target machine:
 * - `simple-peer` 9.11 builds with Vite, but the bundle throws `process is not
 *   defined` in Chromium: readable-stream needs Node's `process`, `buffer` and
 *   `events` polyfilled.
 * - `@thaunknown/simple-peer` 10.x dropped the `wrtc` option and imports
 *   `webrtc-polyfill`, which in Node loads `node-datachannel`, a native addon whose
 *   install downloads or builds libdatachannel from GitHub: it cannot install here,
 *   so 10.x cannot even be imported in Node.
 * - `@thaunknown/simple-peer` 9.12 bundles (with the `events` polyfill) and runs
 *   with @roamhq/wrtc, but when the other side closes it never emits `close`: its
 *   internal `__destroy` calls the streamx `_destroy` hook directly, so the stream's
 *   `close` event never fires (seen with DEBUG=simple-peer: "on channel close",
 *   "destroying", then silence). Noticing a dead link is what re-signalling hangs
 *   on, and it offers no public signal for the channel's bufferedamountlow either.
 * What we need from it is small (one data channel, no media, no renegotiation: a
 * dead link is replaced, never renegotiated), so this file does it in the open,
 * with one explicit state (STYLE.md 4) and one teardown path (STYLE.md 9). The
 * browser's RTCPeerConnection is used as is; Node passes @roamhq/wrtc's.
 */
import type { IceServer } from '../../../protocol/index.ts';
import { isRelayRefusal, type RelayError } from './relay-refusal.ts';
import { connectionConfig } from './warm-connection.ts';
import type { LinkTrace } from './link-trace.ts';
import type {
  LinkSignal,
  PeerLink,
  PeerLinkCloseReason,
  PeerLinkEvent,
  PeerLinkFactory,
  PeerLinkInit,
  PeerLinkState,
} from './peer-link.ts';

export type RtcPeerLinkOptions = {
  /** From the service's welcome. Never defaulted: no public STUN behind anyone's back. */
  iceServers: readonly IceServer[];
  /** B5: only TURN-relayed candidates, so the other side never learns our address. */
  relayOnly: boolean;
  /** The browser's by default; Node passes @roamhq/wrtc's. */
  RTCPeerConnection?: typeof RTCPeerConnection;
  /** `send` returns false at or over this many buffered bytes (JS queue + channel). */
  highWaterMark?: number;
  /** Past this many bytes buffered the link closes (`overflow`) instead of growing. */
  hardLimit?: number;
  /** ICE `disconnected` for this long counts as failed (it may recover before). */
  disconnectedGraceMs?: number;
  /** No local candidate this long after the local description: the link is dead. */
  gatheringTimeoutMs?: number;
  /** B5: a TURN server refused this side's credentials (relay-refusal.ts). */
  onRelayRefused?: (error: RelayError) => void;
  /** The page's DTLS certificate (page-certificate.ts); the connection makes one if none. */
  certificate?: () => RTCCertificate | undefined;
  /** A connection made ahead for these same ICE settings (warm-connection.ts), if any. */
  warm?: () => RTCPeerConnection | undefined;
  /** ICE and channel states, one line each (link-trace.ts); numbered per page. */
  trace?: LinkTrace;
};

let made = 0;

export const RTC_PEER_LINK_DEFAULTS = {
  highWaterMark: 256 * 1024,
  hardLimit: 16 * 1024 * 1024,
  /** What we let the channel hold: browsers close a channel whose own buffer overflows
   * (Chromium at 16 MiB), so the rest waits in our queue. */
  channelLimit: 1024 * 1024,
  disconnectedGraceMs: 10_000,
  /**
   * A host candidate is gathered within milliseconds of the local description. An
   * answering link made on the page's warm connection (warm-connection.ts) was seen in
   * e2e runs at load 15 to gather nothing at all, and start no ICE check, while its
   * answer went out: both sides then waited the whole 30 s open timeout. Relay-only links
   * are not watched (a TURN allocation can take longer, and a refused one is B5's).
   */
  gatheringTimeoutMs: 3_000,
  /** Candidates that arrive before the remote description wait, up to this many. */
  maxEarlyCandidates: 64,
  channelLabel: 'peerdesk',
  /** Where the runtime has no bufferedamountlow event (see #pollIfNeeded). */
  bufferPollMs: 50,
} as const;

export function rtcPeerLinkFactory(options: RtcPeerLinkOptions): PeerLinkFactory {
  return (init) => new RtcPeerLink(init, options);
}

class RtcPeerLink implements PeerLink {
  #state: PeerLinkState = { status: 'connecting' };
  readonly #listeners = new Set<(event: PeerLinkEvent) => void>();
  readonly #pc: RTCPeerConnection;
  #channel: RTCDataChannel | null = null;
  readonly #initiator: boolean;
  readonly #highWaterMark: number;
  readonly #hardLimit: number;
  readonly #disconnectedGraceMs: number;
  /** Frames waiting for room in the channel's buffer, in order. */
  readonly #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  /** `send` said "slow down"; `drain` is owed once the buffer is under the mark. */
  #owesDrain = false;
  /** Signalling steps run one after another (a candidate waits for its description). */
  #steps: Promise<void> = Promise.resolve();
  #haveRemoteDescription = false;
  readonly #earlyCandidates: RTCIceCandidateInit[] = [];
  #disconnectedTimer: ReturnType<typeof setTimeout> | null = null;
  #gatheringTimer: ReturnType<typeof setTimeout> | null = null;
  #localCandidates = 0;
  readonly #gatheringTimeoutMs: number | null;
  #pollTimer: ReturnType<typeof setInterval> | null = null;
  #hasLowEvent = false;
  readonly #trace: LinkTrace | null;

  constructor(init: PeerLinkInit, options: RtcPeerLinkOptions) {
    this.#initiator = init.initiator;
    this.#highWaterMark = options.highWaterMark ?? RTC_PEER_LINK_DEFAULTS.highWaterMark;
    this.#hardLimit = options.hardLimit ?? RTC_PEER_LINK_DEFAULTS.hardLimit;
    this.#disconnectedGraceMs =
      options.disconnectedGraceMs ?? RTC_PEER_LINK_DEFAULTS.disconnectedGraceMs;
    this.#gatheringTimeoutMs = options.relayOnly
      ? null
      : (options.gatheringTimeoutMs ?? RTC_PEER_LINK_DEFAULTS.gatheringTimeoutMs);
    const Connection = options.RTCPeerConnection ?? globalThis.RTCPeerConnection;
    const warm = options.warm?.();
    this.#pc = warm ?? new Connection(connectionConfig(options, options.certificate?.()));
    made += 1;
    const number = made;
    const trace = options.trace;
    this.#trace = trace === undefined ? null : (line) => trace(`rtc ${number} ${line}`);
    this.#trace?.(
      `made ${warm === undefined ? 'cold' : 'warm'} as ${init.initiator ? 'offerer' : 'answerer'}`,
    );
    this.#pc.onicecandidate = (event) => {
      const candidate = event.candidate;
      // null ends gathering; an empty candidate is the end-of-candidates marker.
      if (candidate === null || candidate.candidate === '') return;
      this.#localCandidates += 1;
      this.#trace?.(`candidate out ${candidateType(candidate.candidate)}`);
      this.#emit({
        type: 'signal',
        data: {
          kind: 'candidate',
          candidate: candidate.candidate,
          sdpMid: candidate.sdpMid,
          sdpMLineIndex: candidate.sdpMLineIndex,
        },
      });
    };
    this.#pc.onicecandidateerror = (event) => {
      const { url, errorCode, errorText } = event as RTCPeerConnectionIceErrorEvent;
      const error = { url, code: errorCode, text: errorText };
      if (isRelayRefusal(error)) options.onRelayRefused?.(error);
    };
    this.#pc.oniceconnectionstatechange = () => this.#onIceState(this.#pc.iceConnectionState);
    this.#pc.onicegatheringstatechange = () =>
      this.#trace?.(`gathering ${this.#pc.iceGatheringState}`);
    this.#pc.onconnectionstatechange = () => {
      this.#trace?.(`connection ${this.#pc.connectionState}`);
      if (this.#pc.connectionState === 'failed') this.destroy('ice_failed', 'connection failed');
    };
    if (this.#initiator) {
      this.#useChannel(
        this.#pc.createDataChannel(RTC_PEER_LINK_DEFAULTS.channelLabel, { ordered: true }),
      );
      this.#step('create offer', async () => {
        const offer = await this.#pc.createOffer();
        await this.#pc.setLocalDescription(offer);
        this.#watchGathering('offer');
        this.#emitDescription('offer', offer.sdp);
      });
    } else {
      this.#pc.ondatachannel = (event) => {
        // One channel per link: a second one is not ours to read.
        if (this.#channel === null) this.#useChannel(event.channel);
        else event.channel.close();
      };
    }
  }

  get state(): PeerLinkState {
    return this.#state;
  }

  get bufferedAmount(): number {
    if (this.#state.status === 'closed') return 0;
    return this.#queuedBytes + (this.#channel?.bufferedAmount ?? 0);
  }

  subscribe(listener: (event: PeerLinkEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  signal(data: LinkSignal): void {
    if (this.#state.status === 'closed') return;
    if (data.kind === 'candidate') {
      const candidate: RTCIceCandidateInit = {
        candidate: data.candidate,
        sdpMid: data.sdpMid,
        sdpMLineIndex: data.sdpMLineIndex,
      };
      if (!this.#haveRemoteDescription) {
        if (this.#earlyCandidates.length < RTC_PEER_LINK_DEFAULTS.maxEarlyCandidates) {
          this.#earlyCandidates.push(candidate);
        }
        return;
      }
      this.#addCandidate(candidate);
      return;
    }
    // The offerer takes an answer; the answerer takes an offer. Anything else (a second
    // offer, a stray answer) is a peer not following the protocol.
    const expected = this.#initiator ? 'answer' : 'offer';
    if (data.type !== expected || this.#haveRemoteDescription) {
      this.destroy('signal_failed', `unexpected ${data.type}`);
      return;
    }
    this.#haveRemoteDescription = true;
    this.#step(`apply ${data.type}`, async () => {
      await this.#pc.setRemoteDescription({ type: data.type, sdp: data.sdp });
      for (const early of this.#earlyCandidates.splice(0)) this.#addCandidate(early);
      if (!this.#initiator) {
        const answer = await this.#pc.createAnswer();
        await this.#pc.setLocalDescription(answer);
        this.#watchGathering('answer');
        this.#emitDescription('answer', answer.sdp);
      }
    });
  }

  send(frame: Uint8Array): boolean {
    if (this.#state.status !== 'open' || this.#channel === null) return false;
    if (this.bufferedAmount + frame.byteLength > this.#hardLimit) {
      this.destroy('overflow', `${this.bufferedAmount + frame.byteLength} bytes buffered`);
      return false;
    }
    this.#queue.push(frame);
    this.#queuedBytes += frame.byteLength;
    this.#flush();
    if (this.#state.status !== 'open') return false;
    const below = this.bufferedAmount < this.#highWaterMark;
    if (!below) {
      this.#owesDrain = true;
      this.#pollIfNeeded();
    }
    return below;
  }

  destroy(reason: PeerLinkCloseReason, detail: string = ''): void {
    if (this.#state.status === 'closed') return;
    this.#state = { status: 'closed', reason, detail };
    if (this.#disconnectedTimer !== null) clearTimeout(this.#disconnectedTimer);
    if (this.#gatheringTimer !== null) clearTimeout(this.#gatheringTimer);
    if (this.#pollTimer !== null) clearInterval(this.#pollTimer);
    this.#queue.length = 0;
    this.#queuedBytes = 0;
    const channel = this.#channel;
    if (channel !== null) {
      channel.onopen = channel.onclose = channel.onmessage = channel.onerror = null;
      channel.onbufferedamountlow = null;
      channel.close();
    }
    const pc = this.#pc;
    pc.onicecandidate = pc.oniceconnectionstatechange = pc.onconnectionstatechange = null;
    pc.onicegatheringstatechange = null;
    pc.onicecandidateerror = null;
    pc.ondatachannel = null;
    pc.close();
    this.#emit({ type: 'close', reason, detail });
    this.#listeners.clear();
  }

  #useChannel(channel: RTCDataChannel): void {
    this.#channel = channel;
    channel.binaryType = 'arraybuffer';
    // Asked before setting it: assigning would create a plain property where the
    // runtime has none (see #pollIfNeeded).
    this.#hasLowEvent = 'bufferedAmountLowThreshold' in channel;
    channel.bufferedAmountLowThreshold = this.#highWaterMark / 2;
    channel.onopen = () => this.#opened();
    channel.onmessage = (event: MessageEvent<unknown>) => {
      // The answerer's first frames can be dispatched before its `open` event (seen
      // with @roamhq/wrtc): a frame proves the channel is open.
      this.#opened();
      const data = event.data;
      // Frames are binary (protocol/CHAT.md); a text frame is nobody's message.
      if (data instanceof ArrayBuffer) {
        this.#emit({ type: 'frame', frame: new Uint8Array(data) });
      } else if (ArrayBuffer.isView(data)) {
        this.#emit({
          type: 'frame',
          frame: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
        });
      }
    };
    channel.onbufferedamountlow = () => this.#onRoom();
    channel.onclose = () => this.destroy('remote_closed', 'the data channel closed');
    channel.onerror = (event) => {
      const error = (event as { error?: { message?: string } }).error;
      this.destroy('error', error?.message ?? 'data channel error');
    };
  }

  #opened(): void {
    if (this.#state.status !== 'connecting') return;
    this.#state = { status: 'open' };
    this.#emit({ type: 'open' });
  }

  /** The channel's buffer went down: move more of the queue, and say `drain` when owed. */
  #onRoom(): void {
    this.#flush();
    if (this.#state.status !== 'open') return;
    if (this.#owesDrain && this.bufferedAmount < this.#highWaterMark) {
      this.#owesDrain = false;
      this.#emit({ type: 'drain' });
    }
    this.#pollIfNeeded();
  }

  /** Moves queued frames into the channel while it has room. */
  #flush(): void {
    const channel = this.#channel;
    if (channel === null || channel.readyState !== 'open') return;
    while (this.#queue.length > 0 && channel.bufferedAmount < RTC_PEER_LINK_DEFAULTS.channelLimit) {
      const frame = this.#queue.shift()!;
      this.#queuedBytes -= frame.byteLength;
      try {
        // RTCDataChannel.send takes no view of a SharedArrayBuffer; copy in that case.
        channel.send(
          frame.buffer instanceof ArrayBuffer
            ? (frame as Uint8Array<ArrayBuffer>)
            : new Uint8Array(frame),
        );
      } catch (error) {
        this.destroy('error', error instanceof Error ? error.message : String(error));
        return;
      }
    }
    this.#pollIfNeeded();
  }

  /**
   * @roamhq/wrtc 0.10 has no bufferedAmountLowThreshold and never fires
   * bufferedamountlow (checked: the property is undefined), so where the event is
   * missing the buffer is looked at on a short interval, only while something waits
   * on it. simple-peer falls back the same way.
   */
  #pollIfNeeded(): void {
    const waiting = this.#queue.length > 0 || this.#owesDrain;
    if (!waiting || this.#state.status === 'closed') {
      if (this.#pollTimer !== null) clearInterval(this.#pollTimer);
      this.#pollTimer = null;
      return;
    }
    if (this.#pollTimer !== null || this.#hasLowEvent) return;
    this.#pollTimer = setInterval(() => this.#onRoom(), RTC_PEER_LINK_DEFAULTS.bufferPollMs);
  }

  #onIceState(state: RTCIceConnectionState): void {
    this.#trace?.(`ice ${state}`);
    if (this.#disconnectedTimer !== null) {
      clearTimeout(this.#disconnectedTimer);
      this.#disconnectedTimer = null;
    }
    if (state === 'failed') this.destroy('ice_failed', 'ICE failed');
    else if (state === 'disconnected') {
      // Often a blip (a network change, a busy peer): give it a while to recover.
      this.#disconnectedTimer = setTimeout(
        () => this.destroy('ice_failed', 'ICE stayed disconnected'),
        this.#disconnectedGraceMs,
      );
    }
  }

  #addCandidate(candidate: RTCIceCandidateInit): void {
    this.#trace?.(`candidate in ${candidateType(candidate.candidate ?? '')}`);
    this.#step('add candidate', async () => {
      try {
        await this.#pc.addIceCandidate(candidate);
      } catch {
        // One unusable candidate (an address family we lack) must not end the link;
        // if none works, ICE fails and says so.
      }
    });
  }

  /** Ends the link if the local description brings no candidate in time (see the default). */
  #watchGathering(description: 'offer' | 'answer'): void {
    const ms = this.#gatheringTimeoutMs;
    if (ms === null) return;
    this.#gatheringTimer = setTimeout(() => {
      this.#gatheringTimer = null;
      if (this.#state.status !== 'connecting' || this.#localCandidates > 0) return;
      this.destroy('ice_failed', `no local candidate ${ms} ms after the ${description}`);
    }, ms);
  }

  #emitDescription(type: 'offer' | 'answer', sdp: string | undefined): void {
    if (sdp === undefined || sdp === '') {
      this.destroy('error', `empty ${type}`);
      return;
    }
    this.#emit({ type: 'signal', data: { kind: 'description', type, sdp } });
  }

  /** Runs signalling steps in order; a failed step ends the link. */
  #step(what: string, run: () => Promise<void>): void {
    this.#steps = this.#steps.then(async () => {
      if (this.#state.status === 'closed') return;
      try {
        await run();
      } catch (error) {
        const detail = `${what}: ${error instanceof Error ? error.message : String(error)}`;
        this.destroy(what.startsWith('apply') ? 'signal_failed' : 'error', detail);
      }
    });
  }

  #emit(event: PeerLinkEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}

/** The `typ` of an ICE candidate line (host, srflx, relay), for the trace. */
function candidateType(line: string): string {
  return /\btyp (\w+)/.exec(line)?.[1] ?? '?';
}
