/**
 * A LinkManager's PeerLink seen as the replica's ChatLink: binary frames in order,
 * one close. The PeerLink keeps its own send queue (up to its hard limit, past which
 * it closes with `overflow`), so a long initial sync is simply handed over.
 */
import { isFileFrame } from '../../../protocol/index.ts';
import type { PeerLink, PeerLinkCloseReason } from '../peer/peer-link.ts';
import type { ChatLink, LinkCloseReason } from './chat-link.ts';

export function peerChatLink(peer: string, link: PeerLink): ChatLink {
  let onFrame: ((frame: Uint8Array) => void) | null = null;
  let onClose: (() => void) | null = null;
  let closed = link.state.status === 'closed';
  const unsubscribe = link.subscribe((event) => {
    // CHAT.md CH-X4: file frames share the channel; they are FileTransfers', not the replica's.
    if (event.type === 'frame') {
      if (!isFileFrame(event.frame)) onFrame?.(event.frame);
    } else if (event.type === 'close') end();
  });
  function end(): void {
    if (closed) return;
    closed = true;
    unsubscribe();
    onClose?.();
  }
  return {
    peer,
    send(frame) {
      if (!closed) link.send(frame);
    },
    onFrame(handler) {
      onFrame = handler;
    },
    onClose(handler) {
      onClose = handler;
      // Closed before the replica attached: it still hears it, once.
      if (closed) queueMicrotask(handler);
    },
    close(reason) {
      link.destroy(peerCloseReason(reason), reason);
      end();
    },
  };
}

/** The replica's reasons, in the PeerLink's table: a refusal (CH-C9) closes as `refused`,
 * with the code as detail, so the link manager backs off before re-signalling. */
function peerCloseReason(reason: LinkCloseReason): PeerLinkCloseReason {
  return reason === 'left' || reason === 'replaced' ? reason : 'refused';
}
