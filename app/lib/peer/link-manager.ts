/**
 * The WebRTC links of one chat: one PeerLink to each other participant this one
 * should talk to (link-pairs.ts), kept up through the relay.
 *
 * - Who starts: the lower participant id sends the offer (link-pairs.ts). The other
 *   side answers, and asks for a fresh offer with a `restart` signal when its link
 *   dies or no offer comes.
 * - Every attempt has a new `link` id; a signal for any other id than the current
 *   one is stale and ignored. An offer with a new id from the initiating side
 *   replaces the current link (the initiator reloaded or gave up on the old one).
 * - A page that answers and has never had a link to a peer (it just opened, or
 *   reloaded) asks for an offer at once, naming a link id of its own. The initiator
 *   honours a `restart` that names its current link, or comes while it has none under
 *   way, or names an id it never made while its link is open: such a request comes
 *   from a page that holds none of its links, so the open link goes to a page that has
 *   gone (a reload the link has not noticed yet) and is replaced. A request naming an
 *   earlier link of the initiator's is stale and ignored.
 * - A dead link (ICE failure, the peer's reload, a network change, an attempt that
 *   did not open in time) is destroyed and tried again after a delay from the pure
 *   relink policy (relink-policy.ts). An offer the other side has not answered (no
 *   signal of that link came back) within `answerTimeoutMs` counts as lost and is given
 *   up then, not after the whole open timeout: it went to a page that had not yet heard
 *   of us or had gone, and its owner waits for it as long as we do. Each further
 *   unanswered attempt waits once more that long, up to the open timeout.
 * - Signals go through the injected `sendSignal` (the SignalClient's `send`). While
 *   it refuses (the service is down) or the peer is offline (the relay would refuse,
 *   SPEC.md SP-R3), they wait in a small outbox and go out on `resume()` or when the
 *   peer is back online. Links that are open stay open meanwhile (B1): nothing here
 *   closes a link because the service went away.
 *
 * No socket, clock or randomness inside: all injected (STYLE.md 1, 5), so the unit
 * tests drive it with a fake PeerLink and fake timers.
 */
import type { ChatRole, Participant, SignalData } from '../../../protocol/index.ts';
import type { PeerLink, PeerLinkCloseReason, PeerLinkFactory } from './peer-link.ts';
import { initiates, shouldLink } from './link-pairs.ts';
import { nextRelinkDelayMs, type RelinkContext } from './relink-policy.ts';
import { shortId, type LinkTrace } from './link-trace.ts';

/** The `signal` message a client sends (SignalOut in protocol/shared-messages.ts). */
export type OutgoingSignal = {
  type: 'signal';
  chatId: string;
  to: string;
  link: string;
  data: SignalData;
};

/** The `signal` message the relay delivers, already decoded by the SignalClient. */
export type IncomingSignal = {
  type: 'signal';
  chatId: string;
  from: string;
  link: string;
  data: SignalData;
};

/** The `participants` message, as far as links care. */
export type ParticipantsUpdate = {
  chatId: string;
  self: string;
  participants: readonly Pick<Participant, 'id' | 'role' | 'online'>[];
};

export type LinkManagerEvent =
  | { type: 'link-open'; peer: string; linkId: string; link: PeerLink }
  | { type: 'link-closed'; peer: string; linkId: string; reason: PeerLinkCloseReason };

export type Timers = {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

export type LinkManagerOptions = {
  chatId: string;
  createLink: PeerLinkFactory;
  /** The SignalClient's `send`: false when the service is not there to take it. */
  sendSignal: (msg: OutgoingSignal) => boolean;
  policy?: (context: RelinkContext) => number;
  random?: () => number;
  newLinkId?: () => string;
  timers?: Timers;
  /** An attempt not open after this long is given up (`open_timeout`) and retried. */
  openTimeoutMs?: number;
  /** An offer nothing came back for after this long is given up (`open_timeout`). */
  answerTimeoutMs?: number;
  /** Each decision, one line (link-trace.ts); nothing by default. */
  trace?: LinkTrace;
};

export const LINK_MANAGER_DEFAULTS = {
  openTimeoutMs: 30_000,
  /** A signal round trip through the relay takes milliseconds; seconds mean it was lost. */
  answerTimeoutMs: 5_000,
  /** Signals waiting for the service or the peer, per peer; the oldest go first. */
  maxOutbox: 256,
} as const;

/** One peer's link, one explicit state (STYLE.md 4). */
export type LinkSlot =
  /** Nothing under way: the peer is offline, or we wait for its offer. */
  | { status: 'idle' }
  /** A timer runs: the next offer (initiator), or a `restart` request (answerer). */
  | { status: 'waiting'; timer: unknown }
  | {
      status: 'connecting';
      linkId: string;
      link: PeerLink;
      timer: unknown;
      release: () => void;
      /** Initiator: a signal of this link came back, so the offer reached the peer. */
      heard: boolean;
    }
  | { status: 'open'; linkId: string; link: PeerLink; release: () => void };

type PeerEntry = {
  readonly id: string;
  role: ChatRole;
  online: boolean;
  /** Attempts since the link was last open (the relink policy's `attempt`). */
  attempt: number;
  /** The id of the last link, kept after it died, for the `restart` that names it. */
  lastLinkId: string | null;
  slot: LinkSlot;
  outbox: { link: string; data: SignalData }[];
  /** The ids of the last links we offered to this peer (initiator side), newest last. */
  offered: string[];
};

/** How many of our link ids per peer are remembered to tell a stale `restart`. */
const OFFERED_KEPT = 16;

export class LinkManager {
  readonly #o: Required<LinkManagerOptions>;
  readonly #peers = new Map<string, PeerEntry>();
  readonly #listeners = new Set<(event: LinkManagerEvent) => void>();
  #self: { id: string; role: ChatRole } | null = null;
  #destroyed = false;

  constructor(options: LinkManagerOptions) {
    this.#o = {
      policy: nextRelinkDelayMs,
      random: Math.random,
      newLinkId: randomLinkId,
      timers: {
        setTimeout: (fn, ms) => setTimeout(fn, ms),
        clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
      },
      openTimeoutMs: LINK_MANAGER_DEFAULTS.openTimeoutMs,
      answerTimeoutMs: LINK_MANAGER_DEFAULTS.answerTimeoutMs,
      trace: () => undefined,
      ...options,
    };
  }

  subscribe(listener: (event: LinkManagerEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The slot of one peer (for tests and status displays). */
  slot(peer: string): LinkSlot['status'] | undefined {
    return this.#peers.get(peer)?.slot.status;
  }

  /** The peers whose link is open now. */
  openPeers(): string[] {
    return [...this.#peers.values()].filter((p) => p.slot.status === 'open').map((p) => p.id);
  }

  /** The service's `participants` message for this chat (SPEC.md SP-P1). */
  setParticipants(update: ParticipantsUpdate): void {
    if (this.#destroyed || update.chatId !== this.#o.chatId) return;
    const me = update.participants.find((p) => p.id === update.self);
    if (me === undefined) {
      // We are no longer a participant: every link ends.
      for (const id of [...this.#peers.keys()]) this.#forget(id, 'left');
      this.#self = null;
      return;
    }
    this.#self = { id: me.id, role: me.role };
    this.#trace(
      `participants self=${shortId(me.id)} ${update.participants
        .map((p) => `${shortId(p.id)}:${p.role}${p.online ? '' : ':off'}`)
        .join(' ')}`,
    );
    const wanted = update.participants.filter((p) => p.id !== me.id && shouldLink(me.role, p.role));
    const wantedIds = new Set(wanted.map((p) => p.id));
    for (const id of [...this.#peers.keys()]) if (!wantedIds.has(id)) this.#forget(id, 'left');
    for (const p of wanted) {
      const known = this.#peers.get(p.id);
      if (known === undefined) {
        const entry: PeerEntry = {
          id: p.id,
          role: p.role,
          online: p.online,
          attempt: 0,
          lastLinkId: null,
          slot: { status: 'idle' },
          outbox: [],
          offered: [],
        };
        this.#peers.set(p.id, entry);
        this.#ensure(entry);
        continue;
      }
      const cameBack = !known.online && p.online;
      known.role = p.role;
      known.online = p.online;
      if (cameBack) this.#onBackOnline(known);
    }
  }

  /** A relayed `signal` for this chat. */
  handleSignal(msg: IncomingSignal): void {
    if (this.#destroyed || msg.chatId !== this.#o.chatId) return;
    const peer = this.#peers.get(msg.from);
    const self = this.#self;
    // Not someone we link with (or not yet known): the sender retries on its timer.
    if (peer === undefined || self === null) {
      this.#trace(
        `ignored ${signalName(msg.data)} ${shortId(msg.link)} from unknown ${shortId(msg.from)}`,
      );
      return;
    }
    const weInitiate = initiates(self.id, peer.id);
    const slot = peer.slot;
    const current =
      slot.status === 'connecting' || slot.status === 'open' ? slot.linkId : undefined;
    const data = msg.data;
    this.#trace(
      `got ${signalName(data)} ${shortId(msg.link)} from ${shortId(peer.id)} (${slot.status}${current === undefined ? '' : ` ${shortId(current)}`})`,
    );

    if (data.kind === 'restart') {
      // Only the answering side asks; the initiator honours a request that names its
      // current link, or any request when it has no link under way.
      if (!weInitiate) return;
      const fromAnotherPage = slot.status === 'open' && !peer.offered.includes(msg.link);
      if (current !== undefined && current !== msg.link && !fromAnotherPage) {
        this.#trace(`restart ${shortId(msg.link)} judged stale`);
        return;
      }
      this.#drop(peer, 'remote_closed');
      peer.attempt = 0;
      this.#startOffer(peer);
      return;
    }
    if (data.kind === 'description' && data.type === 'offer') {
      if (weInitiate) return; // two initiators cannot happen with one rule; ignore.
      if (msg.link === current) {
        // The same offer again: the link decides (a second offer is a protocol error).
        if (slot.status === 'connecting' || slot.status === 'open') slot.link.signal(data);
        return;
      }
      // A new attempt from the initiating side replaces whatever we had.
      this.#drop(peer, 'replaced');
      const link = this.#attach(peer, msg.link, false);
      link.signal(data);
      return;
    }
    if (msg.link !== current) return; // stale: an earlier attempt's answer or candidate.
    if (slot.status === 'connecting') slot.heard = true;
    if (slot.status === 'connecting' || slot.status === 'open') slot.link.signal(data);
  }

  /** The service welcomed us again: send what waited. */
  resume(): void {
    for (const peer of this.#peers.values()) this.#flush(peer);
  }

  /**
   * SPEC.md SP-IR1: renewed ICE servers. Every link not open starts a new attempt now,
   * with them: one waiting out its back-off (grown to up to 30 s while expired TURN
   * credentials were refused), and one under way, made with the old servers (a relay
   * that refuses them gives it no path, and it would wait for its open timeout).
   * Renewals come once per credential lifetime (an hour by default).
   */
  retryNow(): void {
    const self = this.#self;
    if (self === null || this.#destroyed) return;
    for (const peer of this.#peers.values()) {
      if (peer.slot.status === 'open' || !peer.online) continue;
      peer.attempt = 0;
      this.#drop(peer, 'replaced');
      if (initiates(self.id, peer.id)) {
        this.#startOffer(peer);
      } else {
        this.#askForOffer(peer, peer.lastLinkId ?? this.#o.newLinkId());
      }
    }
  }

  /** Ends every link of this chat (the chat ended or we left). */
  destroy(): void {
    if (this.#destroyed) return;
    for (const id of [...this.#peers.keys()]) this.#forget(id, 'left');
    this.#destroyed = true;
    this.#listeners.clear();
  }

  #ensure(peer: PeerEntry): void {
    const self = this.#self;
    if (self === null || peer.slot.status !== 'idle' || !peer.online) return;
    if (initiates(self.id, peer.id)) return this.#startOffer(peer);
    // Never linked to this peer from this page: ask now, in case the initiator holds a
    // link to the page this one replaced (a reload) and would wait to notice it is gone.
    if (peer.lastLinkId === null) this.#send(peer, this.#o.newLinkId(), { kind: 'restart' });
    this.#awaitOffer(peer, this.#o.openTimeoutMs);
  }

  #onBackOnline(peer: PeerEntry): void {
    // An open link outlived the peer's socket (a service restart, B1): keep it. Any
    // other state was likely aimed at a page that has since reloaded: start afresh
    // (which also drops the old attempt's waiting signals).
    if (peer.slot.status !== 'open') {
      this.#drop(peer, 'replaced');
      peer.attempt = 0;
      this.#ensure(peer);
    }
    this.#flush(peer);
  }

  #startOffer(peer: PeerEntry): void {
    const linkId = this.#o.newLinkId();
    peer.offered.push(linkId);
    if (peer.offered.length > OFFERED_KEPT) peer.offered.shift();
    this.#attach(peer, linkId, true);
  }

  /** Answering side: a `restart` naming `linkId`, then the wait for the offer. */
  #askForOffer(peer: PeerEntry, linkId: string): void {
    this.#send(peer, linkId, { kind: 'restart' });
    this.#awaitOffer(peer, this.#o.openTimeoutMs);
  }

  /** Answering side: wait this long for an offer, then ask the initiator for one. */
  #awaitOffer(peer: PeerEntry, ms: number): void {
    const timer = this.#o.timers.setTimeout(() => {
      if (peer.slot.status !== 'waiting' || peer.slot.timer !== timer) return;
      peer.slot = { status: 'idle' };
      this.#send(peer, peer.lastLinkId ?? this.#o.newLinkId(), { kind: 'restart' });
      const delay = this.#delay(peer, 'open_timeout');
      this.#awaitOffer(peer, delay + this.#o.openTimeoutMs);
    }, ms);
    peer.slot = { status: 'waiting', timer };
  }

  /** A new link for `linkId`, in the connecting state with its open timeout. */
  #attach(peer: PeerEntry, linkId: string, initiator: boolean): PeerLink {
    const link = this.#o.createLink({ initiator });
    this.#trace(`${initiator ? 'offer' : 'answer'} ${shortId(linkId)} to ${shortId(peer.id)}`);
    peer.lastLinkId = linkId;
    // Only signals of the current link are kept; older ones would be ignored anyway.
    peer.outbox = peer.outbox.filter((item) => item.data.kind === 'restart');
    const release = link.subscribe((event) => {
      switch (event.type) {
        case 'signal':
          this.#send(peer, linkId, event.data);
          return;
        case 'open':
          if (peer.slot.status !== 'connecting' || peer.slot.link !== link) return;
          this.#o.timers.clearTimeout(peer.slot.timer);
          peer.slot = { status: 'open', linkId, link, release };
          peer.attempt = 0;
          this.#trace(`open ${shortId(linkId)} with ${shortId(peer.id)}`);
          this.#emit({ type: 'link-open', peer: peer.id, linkId, link });
          return;
        case 'close':
          this.#onLinkClosed(peer, link, linkId, event.reason);
          return;
        default:
          return;
      }
    });
    const open = this.#o.openTimeoutMs;
    const answer = Math.min(open, this.#o.answerTimeoutMs * (peer.attempt + 1));
    const current = () => peer.slot.status === 'connecting' && peer.slot.link === link;
    const expire = (ms: number) =>
      this.#o.timers.setTimeout(() => {
        if (current()) link.destroy('open_timeout', `not open after ${open} ms`);
      }, ms);
    // The answering side, or an answer timeout no shorter than the open one: one timer.
    const timer =
      !initiator || answer === open
        ? expire(open)
        : this.#o.timers.setTimeout(() => {
            const slot = peer.slot;
            if (slot.status !== 'connecting' || slot.link !== link) return;
            // The answer came: the rest of the open timeout.
            if (slot.heard) slot.timer = expire(open - answer);
            else link.destroy('open_timeout', `no answer after ${answer} ms`);
          }, answer);
    peer.slot = { status: 'connecting', linkId, link, timer, release, heard: false };
    return link;
  }

  /** The current link ended by itself (not through #drop): tell, then try again later. */
  #onLinkClosed(peer: PeerEntry, link: PeerLink, linkId: string, reason: PeerLinkCloseReason) {
    const slot = peer.slot;
    if ((slot.status !== 'connecting' && slot.status !== 'open') || slot.link !== link) return;
    if (slot.status === 'connecting') this.#o.timers.clearTimeout(slot.timer);
    slot.release();
    peer.slot = { status: 'idle' };
    this.#trace(
      `closed ${shortId(linkId)} with ${shortId(peer.id)}: ${reason} ${link.state.status === 'closed' ? link.state.detail : ''}`,
    );
    this.#emit({ type: 'link-closed', peer: peer.id, linkId, reason });
    const self = this.#self;
    if (self === null || this.#destroyed) return;
    const delay = this.#delay(peer, reason);
    if (initiates(self.id, peer.id)) {
      const timer = this.#o.timers.setTimeout(() => {
        if (peer.slot.status !== 'waiting' || peer.slot.timer !== timer) return;
        peer.slot = { status: 'idle' };
        if (peer.online) this.#startOffer(peer);
      }, delay);
      peer.slot = { status: 'waiting', timer };
    } else {
      // Tell the initiator soon, in case it has not noticed (a one-sided failure).
      const timer = this.#o.timers.setTimeout(() => {
        if (peer.slot.status !== 'waiting' || peer.slot.timer !== timer) return;
        peer.slot = { status: 'idle' };
        this.#askForOffer(peer, linkId);
      }, delay);
      peer.slot = { status: 'waiting', timer };
    }
  }

  /** Ends the current link or timer ourselves, without scheduling a retry. */
  #drop(peer: PeerEntry, reason: PeerLinkCloseReason): void {
    const slot = peer.slot;
    peer.slot = { status: 'idle' };
    if (slot.status === 'waiting') this.#o.timers.clearTimeout(slot.timer);
    if (slot.status !== 'connecting' && slot.status !== 'open') return;
    if (slot.status === 'connecting') this.#o.timers.clearTimeout(slot.timer);
    slot.release();
    slot.link.destroy(reason);
    this.#trace(`dropped ${shortId(slot.linkId)} with ${shortId(peer.id)}: ${reason}`);
    this.#emit({ type: 'link-closed', peer: peer.id, linkId: slot.linkId, reason });
  }

  #forget(id: string, reason: PeerLinkCloseReason): void {
    const peer = this.#peers.get(id);
    if (peer === undefined) return;
    this.#drop(peer, reason);
    this.#peers.delete(id);
  }

  #delay(peer: PeerEntry, reason: PeerLinkCloseReason): number {
    const delay = this.#o.policy({ attempt: peer.attempt, reason, random: this.#o.random() });
    peer.attempt += 1;
    return delay;
  }

  #send(peer: PeerEntry, link: string, data: SignalData): void {
    if (data.kind !== 'candidate') {
      this.#trace(`send ${signalName(data)} ${shortId(link)} to ${shortId(peer.id)}`);
    }
    peer.outbox.push({ link, data });
    if (peer.outbox.length > LINK_MANAGER_DEFAULTS.maxOutbox) peer.outbox.shift();
    this.#flush(peer);
    if (peer.outbox.length === 1) {
      this.#trace(`outbox waits for ${peer.online ? 'the service' : `${shortId(peer.id)} online`}`);
    }
  }

  /** Sends waiting signals in order while the service takes them and the peer is online. */
  #flush(peer: PeerEntry): void {
    if (!peer.online) return;
    while (peer.outbox.length > 0) {
      const item = peer.outbox[0]!;
      const msg: OutgoingSignal = {
        type: 'signal',
        chatId: this.#o.chatId,
        to: peer.id,
        link: item.link,
        data: item.data,
      };
      if (!this.#o.sendSignal(msg)) return;
      peer.outbox.shift();
    }
  }

  #emit(event: LinkManagerEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }

  #trace(line: string): void {
    this.#o.trace(line);
  }
}

function signalName(data: SignalData): string {
  return data.kind === 'description' ? data.type : data.kind;
}

/** 96 random bits as hex: a valid protocol Id, unguessable by other participants. */
function randomLinkId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
