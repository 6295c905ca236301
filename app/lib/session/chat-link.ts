/**
 * A link to one other participant of a chat, as the replica sees it: ordered,
 * reliable delivery of binary frames (an RTCDataChannel, or the in-memory fake of
 * the tests). The WebRTC PeerLink implements this; the replica never knows which.
 */
import type { ChatErrorCode } from '../../../protocol/index.ts';

export type LinkCloseReason = ChatErrorCode | 'left' | 'replaced';

export interface ChatLink {
  /** The participant id (as the service names it) at the other end. */
  readonly peer: string;
  /** Sends one frame of at most LIMITS.maxChatFrameBytes. Dropped once closed. */
  send(frame: Uint8Array): void;
  /** Sets the one handler of incoming frames. */
  onFrame(handler: (frame: Uint8Array) => void): void;
  /** Sets the one handler called once when the link ends, from either side. */
  onClose(handler: () => void): void;
  /** Ends the link; the close handler runs once, here and at the other end. */
  close(reason: LinkCloseReason): void;
}
