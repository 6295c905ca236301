/**
 * One chat participant as the app will wire it, in Node: the app's SignalClient
 * (over the `ws` package) feeding the app's LinkManager, whose links are real
 * WebRTC (@roamhq/wrtc) through rtc-peer-link.ts. Everything it sees is kept as
 * events, and tests wait for the event they need (`waitFor`), never for time.
 *
 * ICE stays on loopback: no STUN/TURN servers (none is reachable here), and only
 * candidates on 127.0.0.1 are passed to the relay, so the peers never try the
 * machine's other interfaces.
 */
import wrtc from '@roamhq/wrtc';
import WebSocket from 'ws';
import {
  PROTOCOL_VERSION,
  ServiceToStaff,
  ServiceToVisitor,
  type StaffToService,
  type VisitorToService,
} from '../../../protocol/index.ts';
import { SignalClient, type WebSocketConstructor } from '../../../app/lib/signal/signal-client.ts';
import {
  LinkManager,
  type LinkManagerEvent,
  type OutgoingSignal,
} from '../../../app/lib/peer/link-manager.ts';
import type { PeerLink } from '../../../app/lib/peer/peer-link.ts';
import { rtcPeerLinkFactory } from '../../../app/lib/peer/rtc-peer-link.ts';

export const WAIT_MS = 20_000;

export type PeerEvent =
  | { type: 'service'; msg: ServiceToStaff | ServiceToVisitor }
  | { type: 'state'; status: string }
  | LinkManagerEvent
  | { type: 'frame'; peer: string; linkId: string; frame: Uint8Array };

/** @roamhq/wrtc implements the browser API; its types differ in details we do not use. */
const NodeRTCPeerConnection = wrtc.RTCPeerConnection as unknown as typeof RTCPeerConnection;

function onLoopback(msg: OutgoingSignal): boolean {
  return msg.data.kind !== 'candidate' || / 127\.0\.0\.1 /.test(msg.data.candidate);
}

/** A finder for `waitFor`: the first event that `match` accepts, mapped. */
export function first<T>(match: (event: PeerEvent) => T | undefined) {
  return (events: readonly PeerEvent[]): T | undefined => {
    for (const event of events) {
      const found = match(event);
      if (found !== undefined) return found;
    }
    return undefined;
  };
}

export class ChatPeer {
  readonly events: PeerEvent[] = [];
  readonly #waiters = new Set<() => void>();
  readonly #links = new Map<string, { linkId: string; link: PeerLink }>();
  manager: LinkManager | null = null;
  chatId: string | null = null;
  /** Typed as the staff client; a visitor's differs only in the schema and hello. */
  readonly client: SignalClient<ServiceToStaff, StaffToService>;
  #lastParticipants: Extract<ServiceToStaff, { type: 'participants' }> | null = null;

  private constructor(
    url: string,
    schema: typeof ServiceToStaff | typeof ServiceToVisitor,
    hello: () => StaffToService | VisitorToService,
  ) {
    this.client = new SignalClient({
      url,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      schema: schema as typeof ServiceToStaff,
      hello: hello as () => StaffToService,
      onMessage: (msg) => this.#onMessage(msg),
      onState: (state) => this.#record({ type: 'state', status: state.status }),
    });
  }

  static visitor(port: number): ChatPeer {
    let token: string | undefined;
    const peer: ChatPeer = new ChatPeer(
      `ws://127.0.0.1:${port}/ws/visitor`,
      ServiceToVisitor,
      () => ({
        type: 'hello',
        v: PROTOCOL_VERSION,
        ...(token === undefined ? {} : { token }),
      }),
    );
    peer.subscribeService((msg) => {
      if (msg.type === 'welcome' && 'token' in msg) token = msg.token;
    });
    return peer;
  }

  static staff(port: number, session: string): ChatPeer {
    const held = new Set<string>();
    const peer: ChatPeer = new ChatPeer(`ws://127.0.0.1:${port}/ws/staff`, ServiceToStaff, () => ({
      type: 'hello',
      v: PROTOCOL_VERSION,
      session,
      // SP-S2: the chats this console holds are re-announced in every hello.
      chats: [...held],
      available: true,
    }));
    peer.subscribeService((msg) => {
      if (msg.type === 'chat') held.add(msg.chatId);
    });
    return peer;
  }

  #serviceListeners: ((msg: ServiceToStaff | ServiceToVisitor) => void)[] = [];
  subscribeService(listener: (msg: ServiceToStaff | ServiceToVisitor) => void): void {
    this.#serviceListeners.push(listener);
  }

  send(msg: StaffToService | VisitorToService): boolean {
    return this.client.send(msg as StaffToService);
  }

  /** The open link to `peer`, if any. */
  link(peer: string): { linkId: string; link: PeerLink } | undefined {
    return this.#links.get(peer);
  }

  /** Sends one binary frame to `peer` over its open link. */
  sendFrame(peer: string, frame: Uint8Array): void {
    const open = this.#links.get(peer);
    if (open === undefined) throw new Error(`no open link to ${peer}`);
    open.link.send(frame);
  }

  /** Resolves with what `find` finds in the events so far, re-asked on every new event. */
  waitFor<T>(
    what: string,
    find: (events: readonly PeerEvent[]) => T | undefined,
    timeoutMs = WAIT_MS,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const found = find(this.events);
        if (found === undefined) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        const seen = this.events.map((e) => ('msg' in e ? e.msg.type : e.type)).join(', ');
        reject(new Error(`timed out waiting for ${what}; saw: ${seen}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
      };
      const waiter = () => void check();
      if (!check()) this.#waiters.add(waiter);
    });
  }

  close(): void {
    this.manager?.destroy();
    this.client.close();
  }

  #onMessage(msg: ServiceToStaff | ServiceToVisitor): void {
    for (const listener of this.#serviceListeners) listener(msg);
    if (msg.type === 'chat' && this.manager === null) this.#startLinks(msg.chatId);
    if (msg.type === 'welcome') this.manager?.resume();
    if (msg.type === 'participants') {
      this.#lastParticipants = msg;
      this.manager?.setParticipants(msg);
    }
    if (msg.type === 'signal') this.manager?.handleSignal(msg);
    this.#record({ type: 'service', msg });
  }

  #startLinks(chatId: string): void {
    this.chatId = chatId;
    const manager = new LinkManager({
      chatId,
      createLink: rtcPeerLinkFactory({
        iceServers: [],
        relayOnly: false,
        RTCPeerConnection: NodeRTCPeerConnection,
      }),
      sendSignal: (msg) => !onLoopback(msg) || this.client.send(msg as StaffToService),
    });
    manager.subscribe((event) => {
      if (event.type === 'link-open') {
        this.#links.set(event.peer, { linkId: event.linkId, link: event.link });
        event.link.subscribe((linkEvent) => {
          if (linkEvent.type !== 'frame') return;
          this.#record({
            type: 'frame',
            peer: event.peer,
            linkId: event.linkId,
            frame: linkEvent.frame,
          });
        });
      } else if (this.#links.get(event.peer)?.linkId === event.linkId) {
        this.#links.delete(event.peer);
      }
      this.#record(event);
    });
    this.manager = manager;
    if (this.#lastParticipants !== null) manager.setParticipants(this.#lastParticipants);
  }

  #record(event: PeerEvent): void {
    this.events.push(event);
    for (const waiter of [...this.#waiters]) waiter();
  }
}
