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
import { IceRenewal } from '../peer/ice-renewal.ts';
import { pageCertificate, warmPageCertificate } from '../peer/page-certificate.ts';
import { rtcPeerLinkFactory } from '../peer/rtc-peer-link.ts';
import { shortId, traceLink } from '../peer/link-trace.ts';
import {
  discardWarmConnection,
  takeWarmConnection,
  warmConnection,
  type WarmIce,
} from '../peer/warm-connection.ts';
import { SignalClient, type WebSocketConstructor } from '../signal/signal-client.ts';
import { ChatSession } from './chat-session.ts';
import { indexeddbChatStore, type ChatStoreFactory } from './chat-store.ts';
import { openFileStore, type FileStore } from '../files/file-store.ts';
import { webClientIdLocks } from './client-id-claim.ts';
import { countResource, exposeResourceCounts, setResourceCount } from './resource-counts.ts';
import { ServiceHub, type ServiceMessage } from './service-port.ts';

export type ParticipantKind =
  /** `token`: the signed visitor token from an earlier page load (SPEC.md SP-V1). */
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
  /** A chat ended (or this participant left it) and its session was let go. */
  onSessionClosed?: (chatId: string) => void;
  /** Where chats are kept; IndexedDB by default (the widget falls back to memory where
   * a third-party iframe is denied IndexedDB). */
  store?: ChatStoreFactory;
};

export class BrowserParticipant {
  readonly hub = new ServiceHub();
  readonly sessions = new Map<string, ChatSession>();
  readonly #client: SignalClient<ServiceMessage, StaffToService | VisitorToService>;
  readonly #opening = new Set<string>();
  /** Chats the service gave us that have not ended: re-announced in each staff hello. */
  readonly #held = new Set<string>();
  #self: string | null = null;
  #closed = false;
  readonly #iceRenewal: IceRenewal | null;
  /** The ICE settings links are made with now: the welcome's, then renewed ones (SP-IR1). */
  #ice: WarmIce | null = null;

  constructor(
    readonly kind: ParticipantKind,
    readonly events: BrowserParticipantEvents = {},
    origin: { host: string; secure: boolean } = {
      host: location.host,
      secure: location.protocol === 'https:',
    },
  ) {
    exposeResourceCounts(globalThis);
    warmPageCertificate();
    // Staff only (visitors get no TURN credentials): GET /api/ice before they lapse.
    this.#iceRenewal =
      kind.kind === 'staff'
        ? new IceRenewal({
            fetchIce: () => fetchIce(kind.session),
            apply: (ice) => {
              // A warm connection made with the old credentials is of no use now.
              this.#ice = ice;
              discardWarmConnection();
              this.hub.renewIce(ice);
            },
            now: () => Date.now(),
            timers: {
              setTimeout: (fn, ms) => setTimeout(fn, ms),
              clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
            },
          })
        : null;
    const held = this.#held;
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
          this.#ice = {
            iceServers: msg.iceServers,
            relayOnly: 'relayOnly' in msg ? msg.relayOnly : false,
          };
          // SPEC.md SP-IR1: a staff welcome's TURN credentials are renewed before they lapse.
          this.#iceRenewal?.track(msg.iceServers);
          this.#self = 'visitorId' in msg ? msg.visitorId : msg.account.id;
          if ('token' in msg && kind.kind === 'visitor') {
            token = msg.token;
            kind.onToken(msg.token);
          }
        }
        if (
          (msg.type === 'offer' || msg.type === 'invitation' || msg.type === 'chat') &&
          this.#ice !== null
        ) {
          // Benchmark S5: a chat offered (or given) will link soon; its candidates are
          // gathered meanwhile (warm-connection.ts).
          warmConnection(this.#ice, pageCertificate());
        }
        this.hub.deliver(msg);
        if (msg.type === 'chat') {
          // SPEC.md SP-IR2: a new chat is about to link; lapsing credentials are renewed now.
          void this.#iceRenewal?.freshen();
          held.add(msg.chatId);
          setResourceCount('heldChats', held.size);
          void this.#open(msg.chatId);
        } else if (msg.type === 'ended' || msg.type === 'left') {
          // Issue 11: an ended chat is not re-announced, and its session lets go of
          // its documents, stores and links, once it has shown the end (its view is
          // pushed in a microtask queued before this one).
          held.delete(msg.chatId);
          setResourceCount('heldChats', held.size);
          // Nothing left to link (the answering side of a chat that never linked left
          // its warm connection untaken): none is kept until the next offer.
          if (held.size === 0) discardWarmConnection();
          const chatId = msg.chatId;
          queueMicrotask(() => void this.release(chatId));
          // CH-X14: this chat's files are freed once the retention after its end passes.
          void this.#files().then((files) => files.chatEnded(chatId, Date.now()));
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

  /** Lets go of one chat's session (documents, stores, links); the page keeps its last view. */
  async release(chatId: string): Promise<void> {
    const session = this.sessions.get(chatId);
    if (session === undefined) return;
    this.sessions.delete(chatId);
    this.#held.delete(chatId);
    setResourceCount('heldChats', this.#held.size);
    traceLink(`${shortId(chatId)} session released`);
    await session.destroy();
    this.events.onSessionClosed?.(chatId);
  }

  /** The one teardown path: every session, then the socket. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#iceRenewal?.stop();
    discardWarmConnection();
    this.#client.close();
    for (const chatId of [...this.sessions.keys()]) await this.release(chatId);
  }

  #fileStore: Promise<FileStore> | null = null;

  /** An attachment's bytes this participant holds (sent or received), or null. */
  async loadFile(sha256: string): Promise<Uint8Array | null> {
    return (await this.#files()).loadFile(sha256);
  }

  /** F13: one store of attachments' bytes for all this participant's chats; opened, it
   * frees what chats that ended over FILE_RETENTION_MS ago left (CH-X14). */
  #files(): Promise<FileStore> {
    this.#fileStore ??= openFileStore().then(async (store) => {
      await store.sweep(Date.now());
      return store;
    });
    return this.#fileStore;
  }

  async #open(chatId: string): Promise<void> {
    const self = this.#self;
    if (self === null || this.#opening.has(chatId)) return;
    const earlier = this.sessions.get(chatId);
    if (earlier !== undefined && earlier.state.status !== 'ended') return;
    this.#opening.add(chatId);
    traceLink(`${shortId(chatId)} session opening as ${shortId(self)}`);
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
      links: (ice) =>
        rtcPeerLinkFactory({
          ...ice,
          certificate: pageCertificate,
          warm: () => takeWarmConnection(ice),
          trace: traceLink,
        }),
      trace: traceLink,
      store: countedStore(this.events.store ?? indexeddbChatStore),
      locks: webClientIdLocks(navigator.locks),
      staffNotesStore: this.kind.kind === 'staff',
      // CHAT.md CH-V1: every staff session signs what it writes, so a helper who takes the
      // chat over later can tell this member's lines from the visitor's claims.
      sign: this.kind.kind === 'staff',
      // Opened (and swept) beside the document's load: awaited first, it held a helper's
      // first chat back by the whole sweep (benchmark S5 accept → open).
      files: this.#files(),
    });
    this.#opening.delete(chatId);
    traceLink(`${shortId(chatId)} session open`);
    countResource('sessions', 1);
    countDocs(session);
    if (this.#closed || !this.#held.has(chatId)) {
      // Closed, or the chat ended while its document was loading.
      await session.destroy();
      return;
    }
    this.sessions.set(chatId, session);
    this.events.onSession?.(session);
  }
}

/** `GET /api/ice` with the staff session; the JSON answer, decoded by IceRenewal. */
async function fetchIce(session: string): Promise<unknown> {
  const response = await fetch('/api/ice', { headers: { authorization: `Bearer ${session}` } });
  if (!response.ok) throw new Error(`GET /api/ice: ${response.status}`);
  return response.json();
}

/** Counts the stores a factory opens until they are closed (resource-counts.ts). */
function countedStore(factory: ChatStoreFactory): ChatStoreFactory {
  return (name, doc) => {
    const store = factory(name, doc);
    countResource('stores', 1);
    let open = true;
    return {
      ...store,
      whenLoaded: store.whenLoaded,
      loadNotes: () => store.loadNotes(),
      saveNotes: (notes) => store.saveNotes(notes),
      destroy: async () => {
        if (open) countResource('stores', -1);
        open = false;
        await store.destroy();
      },
    };
  };
}

/** Counts a session and its documents until each is destroyed (Y.Doc's own event). */
function countDocs(session: ChatSession): void {
  const docs = [session.doc, session.replica.notesDoc];
  for (const doc of docs) {
    countResource('docs', 1);
    doc.once('destroy', () => countResource('docs', -1));
  }
  session.doc.once('destroy', () => countResource('sessions', -1));
}
