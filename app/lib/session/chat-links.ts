/**
 * A chat's WebRTC links, started beside the document's load (benchmark S5 accept →
 * open): `ChatSession.open` makes them first, so the helper's offer goes out and the
 * visitor answers it while IndexedDB, the notes, the histories, the signer and the
 * client-id lock are still loading, instead of after all of them.
 *
 * They listen to the service on their own subscription: the ICE servers (`welcome`,
 * `ice`), `participants` and `signal` of this chat, and `resume` on a welcome. The
 * session, once made, must not pass these to the links again: the hub replays its
 * backlog to each new subscriber, and an offer handed to a link twice ends it
 * (`signal_failed`). Links that open before the session exists are kept and handed
 * over when it adopts them (`adopt`), if still open then, with the frames that came
 * on them meanwhile (the peer's sync step 1, its presence, a history: nothing else
 * is listening yet); a TURN refusal too.
 */
import type { ServicePort, ServiceEvent } from './service-port.ts';
import {
  LinkManager,
  type LinkManagerEvent,
  type LinkManagerOptions,
} from '../peer/link-manager.ts';
import type { RelayError } from '../peer/relay-refusal.ts';
import type { PeerLink, PeerLinkEvent, PeerLinkFactory } from '../peer/peer-link.ts';
import type { IceServer } from '../../../protocol/index.ts';
import { shortId, type LinkTrace } from '../peer/link-trace.ts';

export type IceConfig = {
  iceServers: readonly IceServer[];
  relayOnly: boolean;
  /** B5: the TURN server refused the credentials (set by the session for its links). */
  onRelayRefused?: (error: RelayError) => void;
};

export type ChatLinksOptions = {
  chatId: string;
  self: string;
  service: ServicePort;
  /** Makes the PeerLink factory for the current ICE configuration (rtcPeerLinkFactory). */
  links: (ice: IceConfig) => PeerLinkFactory;
  linkOptions?: Partial<
    Pick<LinkManagerOptions, 'policy' | 'random' | 'newLinkId' | 'timers' | 'openTimeoutMs'>
  >;
  /** The link manager's decisions, one line each (link-trace.ts). */
  trace?: LinkTrace;
};

type LinkOpen = Extract<LinkManagerEvent, { type: 'link-open' }>;

/** What a link that opened before the session may hold for it; past this it closes
 * (`overflow`), as its own send buffer would. */
export const MAX_HELD_BYTES = 16 * 1024 * 1024;

export type LinkHandlers = {
  onOpen: (event: LinkOpen) => void;
  onRelayRefused: (error: RelayError) => void;
};

export class ChatLinks {
  readonly manager: LinkManager;
  #ice: Pick<IceConfig, 'iceServers' | 'relayOnly'> = { iceServers: [], relayOnly: false };
  readonly #chatId: string;
  readonly #self: string;
  /** Until adopted: the links that opened, and the last TURN refusal. */
  #early: { opened: { event: LinkOpen; held: HeldLink }[]; refused: RelayError | null } | null = {
    opened: [],
    refused: null,
  };
  #handlers: LinkHandlers | null = null;
  readonly #off: (() => void)[] = [];

  constructor(options: ChatLinksOptions) {
    this.#chatId = options.chatId;
    this.#self = options.self;
    this.manager = new LinkManager({
      chatId: options.chatId,
      createLink: (init) =>
        options.links({ ...this.#ice, onRelayRefused: (error) => this.#refused(error) })(init),
      sendSignal: (msg) => options.service.send(msg),
      trace: (line) => options.trace?.(`${shortId(options.chatId)} ${line}`),
      ...options.linkOptions,
    });
    this.#off.push(
      this.manager.subscribe((event) => {
        if (event.type !== 'link-open') return;
        if (this.#handlers !== null) this.#handlers.onOpen(event);
        else this.#early?.opened.push({ event, held: holdFrames(event.link) });
      }),
      options.service.subscribe((event) => this.#onService(event)),
    );
  }

  /** The ICE servers the links are made with now (SPEC.md SP-IR1: renewed ones included). */
  get iceServers(): readonly IceServer[] {
    return this.#ice.iceServers;
  }

  /** The session takes the links over: it hears of every link that opens from now on, and
   * now of those that opened before and are open still, in order; and of a TURN refusal. */
  adopt(handlers: LinkHandlers): void {
    const early = this.#early;
    this.#early = null;
    this.#handlers = handlers;
    if (early === null) return;
    if (early.refused !== null) handlers.onRelayRefused(early.refused);
    for (const { event, held } of early.opened) {
      if (event.link.state.status !== 'open') {
        held.drop();
        continue;
      }
      handlers.onOpen({ ...event, link: held.link });
      held.release();
    }
  }

  /** Ends every link and stops listening (the chat ended, or the session is destroyed). */
  destroy(): void {
    for (const off of this.#off.splice(0)) off();
    for (const { held } of this.#early?.opened ?? []) held.drop();
    this.#early = null;
    this.#handlers = null;
    this.manager.destroy();
  }

  #refused(error: RelayError): void {
    if (this.#handlers !== null) this.#handlers.onRelayRefused(error);
    else if (this.#early !== null) this.#early.refused = error;
  }

  #onService(event: ServiceEvent): void {
    if (event.type === 'ice') {
      // SPEC.md SP-IR1: renewed TURN credentials; the links made from now on use them,
      // and a link waiting to retry (the old ones refused) tries again now.
      this.#ice = { iceServers: event.iceServers, relayOnly: event.relayOnly };
      this.manager.retryNow();
      return;
    }
    if (event.type !== 'message') return;
    const msg = event.msg;
    switch (msg.type) {
      case 'welcome':
        this.#ice = {
          iceServers: msg.iceServers,
          // B5: the service decides whether staff use relay-only ICE; visitors never do.
          relayOnly: 'relayOnly' in msg ? msg.relayOnly : false,
        };
        this.manager.resume();
        return;
      case 'participants':
        if (msg.chatId === this.#chatId && msg.self === this.#self) {
          this.manager.setParticipants(msg);
        }
        return;
      case 'signal':
        if (msg.chatId === this.#chatId) this.manager.handleSignal(msg);
        return;
      default:
        return;
    }
  }
}

type HeldLink = {
  /** The link as the session sees it: its frames so far come on `release`. */
  link: PeerLink;
  /** Hands the frames held so far to the listeners the session added, then the rest live. */
  release(): void;
  drop(): void;
};

/** Holds a link's frames until someone listens (`release`); everything else passes. */
function holdFrames(link: PeerLink): HeldLink {
  const frames: Uint8Array[] = [];
  let bytes = 0;
  let live = false;
  const listeners = new Set<(event: PeerLinkEvent) => void>();
  const off = link.subscribe((event) => {
    if (event.type === 'frame' && !live) {
      bytes += event.frame.byteLength;
      if (bytes > MAX_HELD_BYTES) link.destroy('overflow', `${bytes} bytes before the session`);
      else frames.push(event.frame);
      return;
    }
    for (const listener of [...listeners]) listener(event);
  });
  return {
    link: {
      get state() {
        return link.state;
      },
      get bufferedAmount() {
        return link.bufferedAmount;
      },
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      signal: (data) => link.signal(data),
      send: (frame) => link.send(frame),
      destroy: (reason, detail) => link.destroy(reason, detail),
    },
    release() {
      live = true;
      for (const frame of frames.splice(0)) {
        if (link.state.status === 'closed') break;
        for (const listener of [...listeners]) listener({ type: 'frame', frame });
      }
    },
    drop() {
      off();
      frames.length = 0;
      listeners.clear();
    },
  };
}
