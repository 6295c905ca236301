/**
 * A PeerLink the test drives by hand (open, close, emit a signal), and a fake clock
 * whose timers run only when the test advances it: the link manager's decisions,
 * without WebRTC and without sleeping.
 */
import type {
  LinkSignal,
  PeerLink,
  PeerLinkCloseReason,
  PeerLinkEvent,
  PeerLinkFactory,
  PeerLinkState,
} from '../../../app/lib/peer/peer-link.ts';
import type { Timers } from '../../../app/lib/peer/link-manager.ts';

export class FakePeerLink implements PeerLink {
  state: PeerLinkState = { status: 'connecting' };
  readonly received: LinkSignal[] = [];
  readonly sent: Uint8Array[] = [];
  destroyedWith: PeerLinkCloseReason | null = null;
  readonly #listeners = new Set<(event: PeerLinkEvent) => void>();

  constructor(readonly initiator: boolean) {}

  get bufferedAmount(): number {
    return 0;
  }

  subscribe(listener: (event: PeerLinkEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  signal(data: LinkSignal): void {
    if (this.state.status !== 'closed') this.received.push(data);
  }

  send(frame: Uint8Array): boolean {
    if (this.state.status !== 'open') return false;
    this.sent.push(frame);
    return true;
  }

  destroy(reason: PeerLinkCloseReason, detail = ''): void {
    if (this.state.status === 'closed') return;
    this.destroyedWith = reason;
    this.state = { status: 'closed', reason, detail };
    this.#emit({ type: 'close', reason, detail });
  }

  /** The library produced a signal for the other side. */
  emitSignal(data: LinkSignal): void {
    this.#emit({ type: 'signal', data });
  }

  /** A frame arrived from the other side. */
  receive(frame: Uint8Array): void {
    this.#emit({ type: 'frame', frame });
  }

  open(): void {
    this.state = { status: 'open' };
    this.#emit({ type: 'open' });
  }

  /** The link died by itself (ICE failure, the other side closed). */
  die(reason: PeerLinkCloseReason): void {
    this.state = { status: 'closed', reason, detail: '' };
    this.#emit({ type: 'close', reason, detail: '' });
  }

  #emit(event: PeerLinkEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}

export function fakeLinkFactory(): { create: PeerLinkFactory; links: FakePeerLink[] } {
  const links: FakePeerLink[] = [];
  return {
    links,
    create: ({ initiator }) => {
      const link = new FakePeerLink(initiator);
      links.push(link);
      return link;
    },
  };
}

export class FakeClock implements Timers {
  now = 0;
  #next = 1;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#timers.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  get pending(): number {
    return this.#timers.size;
  }

  /** Runs every timer due within `ms`, in time order, including ones they set. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].at <= until && (due === undefined || entry[1].at < due[1].at)) due = entry;
      }
      if (due === undefined) break;
      this.#timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = until;
  }
}
