/** The replica's view of a PeerLink: frames through, one close, reasons mapped. */
import { describe, expect, it } from 'vitest';
import { toChatLink } from '../../../app/lib/peer/chat-link-adapter.ts';
import { FakePeerLink } from './fake-peer-link.ts';

describe('PeerLink as ChatLink', () => {
  it('passes frames both ways and reports the close once', () => {
    const link = new FakePeerLink(true);
    link.open();
    const chat = toChatLink('p1', link);
    const frames: number[][] = [];
    let closes = 0;
    chat.onFrame((frame) => frames.push([...frame]));
    chat.onClose(() => closes++);
    chat.send(new Uint8Array([1, 2]));
    expect(link.sent.map((f) => [...f])).toEqual([[1, 2]]);
    link.receive(new Uint8Array([3]));
    expect(frames).toEqual([[3]]);
    link.die('remote_closed');
    expect(closes).toBe(1);
    expect(chat.peer).toBe('p1');
  });

  it("maps the replica's reasons: a refusal closes the link as refused", () => {
    const refused = new FakePeerLink(true);
    toChatLink('p', refused).close('unknown_sender');
    expect(refused.destroyedWith).toBe('refused');
    const left = new FakePeerLink(true);
    toChatLink('p', left).close('left');
    expect(left.destroyedWith).toBe('left');
    const replaced = new FakePeerLink(true);
    toChatLink('p', replaced).close('replaced');
    expect(replaced.destroyedWith).toBe('replaced');
  });

  it('a close handler set on an already closed link runs at once', () => {
    const link = new FakePeerLink(false);
    link.die('ice_failed');
    let closes = 0;
    toChatLink('p', link).onClose(() => closes++);
    expect(closes).toBe(1);
  });
});
