/**
 * One chat participant in Node, wired as a page will wire it: the app's
 * SignalClient (over `ws`) feeding a ServiceHub, and a ChatSession per chat the
 * service announces, whose links are real WebRTC (@roamhq/wrtc, rtc-peer-link.ts).
 * Storage is in memory (MemoryStores), so a "reload" is a new participant on the
 * same stores. Tests wait for conditions on the sessions' views, never for time.
 *
 * ICE stays on loopback, as in tests/integration/peer/chat-peer.ts: no STUN/TURN
 * (none is reachable here) and only 127.0.0.1 candidates are relayed.
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
import type { PeerLink } from '../../../app/lib/peer/peer-link.ts';
import { rtcPeerLinkFactory } from '../../../app/lib/peer/rtc-peer-link.ts';
import { ChatSession } from '../../../app/lib/session/chat-session.ts';
import { ServiceHub, type ServiceMessage } from '../../../app/lib/session/service-port.ts';
import { FakeLocks, MemoryStores } from '../../unit/session/fake-world.ts';
import { until } from '../../fixtures/service-process.ts';

export const WAIT_MS = 60_000;

export { until };

const NodeRTCPeerConnection = wrtc.RTCPeerConnection as unknown as typeof RTCPeerConnection;

/** Polls until `check` holds; the poll interval is not a wait for the result. */

type Kind = { kind: 'visitor' } | { kind: 'staff'; session: string; available: boolean };

export class SessionParticipant {
  readonly hub = new ServiceHub();
  readonly client: SignalClient<ServiceMessage, StaffToService | VisitorToService>;
  readonly sessions = new Map<string, ChatSession>();
  readonly received: ServiceMessage[] = [];
  self: string | null = null;
  /** Every WebRTC link made, for tests that cut them. */
  readonly peerLinks: PeerLink[] = [];
  #opening = new Map<string, Promise<ChatSession>>();

  constructor(
    port: number,
    readonly kind: Kind,
    readonly stores = new MemoryStores(),
    readonly locks = new FakeLocks(),
  ) {
    let token: string | undefined;
    const held = new Set<string>();
    this.client = new SignalClient<ServiceMessage, StaffToService | VisitorToService>({
      url: `ws://127.0.0.1:${port}/ws/${kind.kind}`,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      schema: (kind.kind === 'visitor' ? ServiceToVisitor : ServiceToStaff) as never,
      hello: () =>
        kind.kind === 'visitor'
          ? { type: 'hello', v: PROTOCOL_VERSION, ...(token === undefined ? {} : { token }) }
          : {
              type: 'hello',
              v: PROTOCOL_VERSION,
              session: kind.session,
              chats: [...held],
              available: kind.available,
            },
      onMessage: (msg) => {
        this.received.push(msg);
        if (msg.type === 'welcome') {
          this.self = 'visitorId' in msg ? msg.visitorId : msg.account.id;
          if ('token' in msg) token = msg.token;
        }
        this.hub.deliver(msg);
        if (msg.type === 'chat') {
          held.add(msg.chatId);
          void this.#open(msg.chatId);
        }
      },
      onState: (state) => this.hub.setOnline(state.status === 'open'),
    });
    this.hub.connect((msg) => {
      // Only loopback candidates: the machine's other interfaces are not for tests.
      if (msg.type === 'signal' && msg.data.kind === 'candidate') {
        if (!/ 127\.0\.0\.1 /.test(msg.data.candidate)) return true;
      }
      return this.client.send(msg as StaffToService);
    });
  }

  static visitor(port: number, stores?: MemoryStores, locks?: FakeLocks): SessionParticipant {
    return new SessionParticipant(port, { kind: 'visitor' }, stores, locks);
  }

  static staff(port: number, session: string, available = true): SessionParticipant {
    return new SessionParticipant(port, { kind: 'staff', session, available });
  }

  send(msg: StaffToService | VisitorToService): boolean {
    return this.client.send(msg as StaffToService);
  }

  /** The session of `chatId` once it is open. */
  session(chatId: string): Promise<ChatSession> {
    return until(`the session of ${chatId}`, () => this.sessions.get(chatId));
  }

  /** The first message of `type` received (after `since` messages). */
  message<T extends ServiceMessage['type']>(
    type: T,
    since = 0,
  ): Promise<Extract<ServiceMessage, { type: T }>> {
    return until(
      `a ${type} message`,
      () =>
        this.received.slice(since).find((m) => m.type === type) as
          Extract<ServiceMessage, { type: T }> | undefined,
    );
  }

  /** Kills every open link here, as a dead network path would (`ice_failed`). */
  cutLinks(): number {
    const open = this.peerLinks.filter((l) => l.state.status === 'open');
    for (const link of open) link.destroy('ice_failed', 'cut by the test');
    return open.length;
  }

  async close(): Promise<void> {
    this.client.close();
    await Promise.all([...this.#opening.values()]);
    for (const session of this.sessions.values()) await session.destroy();
    this.sessions.clear();
  }

  #open(chatId: string): Promise<ChatSession> {
    const opening = this.#opening.get(chatId);
    if (opening !== undefined) return opening;
    const self = this.self;
    if (self === null) throw new Error('a chat before the welcome');
    const promise = ChatSession.open({
      chatId,
      self,
      service: this.hub,
      links: (ice) => {
        const create = rtcPeerLinkFactory({ ...ice, RTCPeerConnection: NodeRTCPeerConnection });
        return (init) => {
          const link = create(init);
          this.peerLinks.push(link);
          return link;
        };
      },
      store: this.stores.factory,
      locks: this.locks,
    }).then((session) => {
      this.sessions.set(chatId, session);
      return session;
    });
    this.#opening.set(chatId, promise);
    return promise;
  }
}

export const REQUEST: VisitorToService = {
  type: 'request',
  name: 'Vera',
  department: 'general',
  question: 'Can we talk peer to peer?',
  page: { url: 'https://help.example/', title: 'Help' },
  browser: { userAgent: 'Node test', language: 'en' },
  sessionStartedAt: Date.now(),
  landingPage: 'https://help.example/',
};

/** The bodies of a session's messages, in order. */
export const bodies = (session: ChatSession): string[] => session.view.messages.map((m) => m.body);
