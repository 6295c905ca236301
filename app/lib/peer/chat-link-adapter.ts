/**
 * An open PeerLink as the chat replica's ChatLink (app/lib/session/chat-link.ts):
 * the replica gets frames and one close, and its `close(reason)` becomes the link's
 * one teardown. When the replica drops a peer for what it sent, the link closes as
 * `refused`; the link manager then re-signals after its (slower) backoff, and the
 * replica judges the new link afresh.
 */
import type { ChatLink, LinkCloseReason } from '../session/chat-link.ts';
import type { PeerLink, PeerLinkCloseReason } from './peer-link.ts';

export function toChatLink(peer: string, link: PeerLink): ChatLink {
  return {
    peer,
    send(frame) {
      // The replica sends at most 16 KiB a frame and has no flow control of its own;
      // the link queues past its high-water mark and closes at its hard limit.
      link.send(frame);
    },
    onFrame(handler) {
      link.subscribe((event) => {
        if (event.type === 'frame') handler(event.frame);
      });
    },
    onClose(handler) {
      if (link.state.status === 'closed') {
        handler();
        return;
      }
      link.subscribe((event) => {
        if (event.type === 'close') handler();
      });
    },
    close(reason) {
      link.destroy(peerReason(reason), reason);
    },
  };
}

function peerReason(reason: LinkCloseReason): PeerLinkCloseReason {
  if (reason === 'left' || reason === 'replaced') return reason;
  return 'refused';
}
