/**
 * A page's connection to Peerdesk as the visitor or a staff member: one
 * SignalClient to the service, shared through a ServiceHub, and a ChatSession for
 * each chat the service announces, with the browser's WebRTC, IndexedDB
 * (y-indexeddb) and Web Locks. The widget, the console and the lab page wire the
 * session this way; components only render what it exposes.
 */
import {
  PROTOCOL_VERSION,
  ServiceToStaff,
  ServiceToVisitor,
  type StaffToService,
  type VisitorToService,
} from '../../../protocol/index.ts';
import { rtcPeerLinkFactory } from '../peer/rtc-peer-link.ts';
import { SignalClient, type WebSocketConstructor } from '../signal/signal-client.ts';
import { ChatSession } from './chat-session.ts';
import { indexeddbChatStore, type ChatStoreFactory } from './chat-store.ts';
import { webClientIdLocks } from './client-id-claim.ts';
import { ServiceHub, type ServiceMessage } from './service-port.ts';

export type ParticipantKind =
  /** `token`: the signed visitor token from an earlier page load (SPEC.md V1). */
  | {
      kind: 'visitor';
      token: string | null;
      onToken: (token: string) => void;
      /** The host page the visitor landed on, kept as the first landing page on a first visit (F15). */
      landingPage?: string;
    }
  | { kind: 'staff'; session: string; available: boolean };

export type BrowserParticipantEvents = {
  /** Every message from the service (offers, queue position, …). */
  onMessage?: (msg: ServiceMessage) => void;
  /** A chat's session is open (its stored transcript already loaded). */
  onSession?: (session: ChatSession) => void;
  /** Where chats are kept; IndexedDB by default (the widget falls back to memory where
   * a third-party iframe is denied IndexedDB). */
  store?: ChatStoreFactory;
};

export class BrowserParticipant {
  readonly hub = new ServiceHub();
  readonly sessions = new Map<string, ChatSession>();
  readonly #client: SignalClient<ServiceMessage, StaffToService | VisitorToService>;
  readonly #opening = new Set<string>();
  #self: string | null = null;
  #closed = false;

  constructor(
    readonly kind: ParticipantKind,
    readonly events: BrowserParticipantEvents = {},
    origin: { host: string; secure: boolean } = {
      host: location.host,
      secure: location.protocol === 'https:',
    },
  ) {
    const held = new Set<string>();
    let token = kind.kind === 'visitor' ? kind.token : null;
    const scheme = origin.secure ? 'wss' : 'ws';
    this.#client = new SignalClient<ServiceMessage, StaffToService | VisitorToService>({
      url: `${scheme}://${origin.host}/ws/${kind.kind}`,
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      schema: (kind.kind === 'visitor' ? ServiceToVisitor : ServiceToStaff) as never,
      hello: () =>
        kind.kind === 'visitor'
          ? {
              type: 'hello',
              v: PROTOCOL_VERSION,
              ...(token === null ? {} : { token }),
              ...(kind.landingPage === undefined ? {} : { landingPage: kind.landingPage }),
            }
          : {
              type: 'hello',
              v: PROTOCOL_VERSION,
              session: kind.session,
              chats: [...held],
              available: kind.available,
            },
      onMessage: (msg) => {
        if (msg.type === 'welcome') {
          this.#self = 'visitorId' in msg ? msg.visitorId : msg.account.id;
          if ('token' in msg && kind.kind === 'visitor') {
            token = msg.token;
            kind.onToken(msg.token);
          }
        }
        this.hub.deliver(msg);
        if (msg.type === 'chat') {
          held.add(msg.chatId);
          void this.#open(msg.chatId);
        }
        this.events.onMessage?.(msg);
      },
      onState: (state) => this.hub.setOnline(state.status === 'open'),
    });
    this.hub.connect((msg) => this.#client.send(msg as StaffToService));
  }

  send(msg: StaffToService | VisitorToService): boolean {
    return this.#client.send(msg as StaffToService);
  }

  /** The one teardown path: every session, then the socket. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#client.close();
    for (const session of this.sessions.values()) await session.destroy();
    this.sessions.clear();
  }

  async #open(chatId: string): Promise<void> {
    const self = this.#self;
    if (self === null || this.#opening.has(chatId)) return;
    const earlier = this.sessions.get(chatId);
    if (earlier !== undefined && earlier.state.status !== 'ended') return;
    this.#opening.add(chatId);
    // A chat this participant left and is given again (taken back after a requeue): the
    // ended session never links again, so it gives way to a fresh one on the same store.
    if (earlier !== undefined) {
      this.sessions.delete(chatId);
      await earlier.destroy();
    }
    const session = await ChatSession.open({
      chatId,
      self,
      service: this.hub,
      links: (ice) => rtcPeerLinkFactory(ice),
      store: this.events.store ?? indexeddbChatStore,
      locks: webClientIdLocks(navigator.locks),
      staffNotesStore: this.kind.kind === 'staff',
    });
    this.#opening.delete(chatId);
    if (this.#closed) {
      await session.destroy();
      return;
    }
    this.sessions.set(chatId, session);
    this.events.onSession?.(session);
  }
}
