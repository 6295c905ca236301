/**
 * Two PeerLinks joined back to back for the attachment tests: frames wait in the
 * sender's buffer until the test delivers them, `send` returns false at the
 * high-water mark and `drain` fires when delivery brings the buffer back under it,
 * as the RTC link does with the channel's bufferedamountlow.
 */
import type {
  PeerLink,
  PeerLinkCloseReason,
  PeerLinkEvent,
  PeerLinkState,
} from '../../../app/lib/peer/peer-link.ts';

export class PipeLink implements PeerLink {
  state: PeerLinkState = { status: 'open' };
  other: PipeLink | null = null;
  readonly queue: Uint8Array[] = [];
  /** Every frame this side sent, in order. */
  readonly sent: Uint8Array[] = [];
  #buffered = 0;
  #full = false;
  /** The most bytes ever waiting in this side's buffer. */
  peakBuffered = 0;
  readonly #listeners = new Set<(event: PeerLinkEvent) => void>();

  constructor(readonly highWaterMark: number) {}

  get bufferedAmount(): number {
    return this.#buffered;
  }

  subscribe(listener: (event: PeerLinkEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  signal(): void {}

  send(frame: Uint8Array): boolean {
    if (this.state.status !== 'open') return false;
    this.queue.push(frame);
    this.sent.push(frame);
    this.#buffered += frame.byteLength;
    this.peakBuffered = Math.max(this.peakBuffered, this.#buffered);
    this.#full = this.#buffered >= this.highWaterMark;
    return !this.#full;
  }

  /** Hands every waiting frame to the other side; returns how many moved. */
  deliver(): number {
    let moved = 0;
    while (this.queue.length > 0 && this.state.status === 'open') {
      const frame = this.queue.shift()!;
      this.#buffered -= frame.byteLength;
      moved++;
      this.other?.emit({ type: 'frame', frame });
      if (this.#full && this.#buffered < this.highWaterMark) {
        this.#full = false;
        this.emit({ type: 'drain' });
      }
    }
    return moved;
  }

  destroy(reason: PeerLinkCloseReason = 'closed', detail = ''): void {
    if (this.state.status === 'closed') return;
    this.state = { status: 'closed', reason, detail };
    this.queue.length = 0;
    this.emit({ type: 'close', reason, detail });
    this.other?.destroy('remote_closed');
  }

  emit(event: PeerLinkEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}

export function pipePair(highWaterMark = 64 * 1024): [PipeLink, PipeLink] {
  const a = new PipeLink(highWaterMark);
  const b = new PipeLink(highWaterMark);
  a.other = b;
  b.other = a;
  return [a, b];
}

/**
 * Delivers frames both ways and lets promises run until `done()` holds. Yields to the
 * event loop (setImmediate: WebCrypto and the store answer there), never for a time.
 */
export async function pumpUntil(
  links: readonly PipeLink[],
  done: () => boolean,
  maxRounds = 20_000,
): Promise<void> {
  for (let round = 0; round < maxRounds; round++) {
    if (done()) return;
    for (const link of links) link.deliver();
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`not done after ${maxRounds} rounds`);
}
