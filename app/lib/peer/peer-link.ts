/**
 * A WebRTC link to one other participant of a chat, as the rest of the app sees
 * it (STYLE.md 6): one ordered, reliable data channel of binary frames, with its
 * signalling exposed as SignalData values for the relay. The implementation is
 * rtc-peer-link.ts (straight on RTCPeerConnection; it says why not simple-peer);
 * the link manager's unit tests use a fake.
 *
 * A link is used once: it goes connecting → open → closed, or connecting →
 * closed, and never comes back. A dead link is replaced by a new one with a new
 * link id (link-manager.ts), never renegotiated.
 */
import type { SignalData } from '../../../protocol/index.ts';

/** Why a link closed (STYLE.md 9): one table, mapped from whatever the library says. */
export const PEER_LINK_CLOSE_REASONS = {
  closed: 'closed by this side',
  remote_closed: 'the other side closed the link',
  ice_failed: 'no network path to the peer (ICE failed)',
  signal_failed: 'a signal from the peer could not be applied',
  open_timeout: 'the link did not open in time',
  overflow: 'the peer reads too slowly: the send buffer passed its hard limit',
  replaced: 'a newer link to the same peer replaced this one',
  left: 'the peer left the chat',
  refused: 'the chat replica refused what the peer sent',
  error: 'the WebRTC stack reported an error',
} as const;
export type PeerLinkCloseReason = keyof typeof PEER_LINK_CLOSE_REASONS;

/** The link's lifecycle, one explicit state (STYLE.md 4). */
export type PeerLinkState =
  | { status: 'connecting' }
  | { status: 'open' }
  | { status: 'closed'; reason: PeerLinkCloseReason; detail: string };

/** Signals a link produces and consumes: descriptions and candidates (`restart` is the
 * link manager's, between links). */
export type LinkSignal = Exclude<SignalData, { kind: 'restart' }>;

export type PeerLinkEvent =
  /** A signal to pass to the other side through the relay. */
  | { type: 'signal'; data: LinkSignal }
  | { type: 'open' }
  | { type: 'frame'; frame: Uint8Array }
  /** The send buffer fell back under the high-water mark after `send` returned false. */
  | { type: 'drain' }
  /** Exactly once, whichever side or cause ended the link. */
  | { type: 'close'; reason: PeerLinkCloseReason; detail: string };

export interface PeerLink {
  readonly state: PeerLinkState;
  /** Bytes accepted by `send` and not yet handed to the network. */
  readonly bufferedAmount: number;
  /** Adds a listener; returns its removal. */
  subscribe(listener: (event: PeerLinkEvent) => void): () => void;
  /** Applies a signal from the other side. A signal that cannot be applied closes the
   * link (`signal_failed`). Ignored once closed. */
  signal(data: LinkSignal): void;
  /**
   * Queues one binary frame, in order. Returns false when the buffer is at or over the
   * high-water mark: the caller should wait for `drain` before sending more. Past a
   * hard limit the link closes (`overflow`) rather than buffer without bound. Frames
   * sent before `open` or after `close` are dropped (returns false).
   */
  send(frame: Uint8Array): boolean;
  /** The one teardown path: closes the channel and the connection, emits `close` once. */
  destroy(reason: PeerLinkCloseReason, detail?: string): void;
}

/** What the link manager asks of a factory for each attempt. */
export type PeerLinkInit = {
  /** The side that creates the data channel and sends the offer. */
  initiator: boolean;
};

export type PeerLinkFactory = (init: PeerLinkInit) => PeerLink;
