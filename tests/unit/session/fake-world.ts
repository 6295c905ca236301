/**
 * A small fake world for chat-session tests: a fake switchboard for one chat (binds
 * client ids and echoes the participant list, relays signals, ends the chat, can go
 * offline), loopback PeerLinks that pair up through the relayed signals and deliver
 * frames in order on the microtask queue, and an in-memory chat store that outlives
 * a session (a "reload"). The real LinkManager, ChatReplica and ChatSession run on
 * top; nothing here sleeps.
 */
import * as Y from 'yjs';
import type { ChatRole, Participant } from '../../../protocol/index.ts';
import type {
  LinkSignal,
  PeerLink,
  PeerLinkCloseReason,
  PeerLinkEvent,
  PeerLinkFactory,
  PeerLinkState,
} from '../../../app/lib/peer/peer-link.ts';
import type { ChatStore, ChatStoreFactory } from '../../../app/lib/session/chat-store.ts';
import type { ClientIdLocks } from '../../../app/lib/session/client-id-claim.ts';
import {
  ChatSession,
  type ChatSessionOptions,
  type IceConfig,
} from '../../../app/lib/session/chat-session.ts';
import type {
  ServiceEvent,
  ServiceMessage,
  ServicePort,
  SessionRequest,
} from '../../../app/lib/session/service-port.ts';

export const CHAT = 'c1';

/** Loopback links: the offer's sdp names the initiator's link; the answerer pairs with it. */
class LoopLink implements PeerLink {
  static registry = new Map<string, LoopLink>();
  static next = 0;
  state: PeerLinkState = { status: 'connecting' };
  other: LoopLink | null = null;
  readonly #listeners = new Set<(event: PeerLinkEvent) => void>();
  readonly name = `loop-${LoopLink.next++}`;

  constructor(readonly initiator: boolean) {
    if (initiator) {
      LoopLink.registry.set(this.name, this);
      queueMicrotask(() =>
        this.#emit({
          type: 'signal',
          data: { kind: 'description', type: 'offer', sdp: this.name },
        }),
      );
    }
  }

  get bufferedAmount(): number {
    return 0;
  }

  subscribe(listener: (event: PeerLinkEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  signal(data: LinkSignal): void {
    if (this.state.status === 'closed' || data.kind !== 'description') return;
    if (data.type === 'offer') {
      const other = LoopLink.registry.get(data.sdp);
      if (other === undefined || other.state.status !== 'connecting') return;
      this.other = other;
      other.other = this;
      queueMicrotask(() =>
        this.#emit({ type: 'signal', data: { kind: 'description', type: 'answer', sdp: 'ok' } }),
      );
    } else if (this.other !== null) {
      this.open();
      this.other.open();
    }
  }

  open(): void {
    if (this.state.status !== 'connecting') return;
    this.state = { status: 'open' };
    this.#emit({ type: 'open' });
  }

  send(frame: Uint8Array): boolean {
    const other = this.other;
    if (this.state.status !== 'open' || other === null) return false;
    const copy = frame.slice();
    queueMicrotask(() => {
      if (other.state.status === 'open' && this.state.status === 'open') {
        other.#emit({ type: 'frame', frame: copy });
      }
    });
    return true;
  }

  destroy(reason: PeerLinkCloseReason, detail = ''): void {
    if (this.state.status === 'closed') return;
    this.state = { status: 'closed', reason, detail };
    LoopLink.registry.delete(this.name);
    this.#emit({ type: 'close', reason, detail });
    this.#listeners.clear();
    const other = this.other;
    if (other !== null) queueMicrotask(() => other.destroy('remote_closed'));
  }

  #emit(event: PeerLinkEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}

export type Member = { id: string; role: ChatRole; name: string };

/** The visitor and the helper most session tests chat between. */
export const VERA: Member = { id: 'v1', role: 'visitor', name: 'Vera' };
export const ALICE: Member = { id: 'a1', role: 'helper', name: 'Alice' };

/** The switchboard of one chat, as far as sessions see it. */
export class FakeService {
  online = true;
  typingPreview = true;
  relayOnly = false;
  readonly participants = new Map<string, Participant>();
  /** Who left, with the client ids that stay theirs (SPEC.md SP-P4). */
  readonly former = new Map<string, Participant>();
  readonly ports = new Map<string, FakePort>();
  /** Every request sessions made, in order. */
  readonly requests: { from: string; msg: SessionRequest }[] = [];
  readonly iceSeen: { who: string; ice: IceConfig }[] = [];

  join(member: Member): void {
    const before = this.former.get(member.id);
    this.former.delete(member.id);
    this.participants.set(member.id, {
      ...member,
      clientIds: [...(before?.clientIds ?? [])],
      ...(before?.keys ? { keys: before.keys } : {}),
      online: true,
    });
    // The member's connection exists before its session does (it heard `chat` first).
    this.port(member);
    this.broadcast();
  }

  leave(id: string): void {
    const p = this.participants.get(id);
    this.participants.delete(id);
    if (p !== undefined) this.former.set(id, p);
    this.broadcast();
  }

  port(member: Member): FakePort {
    let port = this.ports.get(member.id);
    if (port === undefined) {
      port = new FakePort(this, member);
      this.ports.set(member.id, port);
    }
    return port;
  }

  setOnline(online: boolean): void {
    this.online = online;
    for (const port of this.ports.values()) {
      port.emit({ type: 'status', online });
      if (online) port.welcome();
    }
    if (online) this.broadcast();
  }

  handle(from: string, msg: SessionRequest): boolean {
    if (!this.online) return false;
    this.requests.push({ from, msg });
    if (msg.type === 'bind') {
      const me = this.participants.get(from);
      if (me === undefined) return true;
      const taken = [...this.participants.values(), ...this.former.values()].some(
        (p) => p.id !== from && p.clientIds.includes(msg.clientId),
      );
      if (taken) {
        const port = this.ports.get(from);
        queueMicrotask(() =>
          port?.deliver({
            type: 'error',
            code: 'client_id_taken',
            message: 'taken',
            ref: 'bind',
            chatId: CHAT,
          }),
        );
        return true;
      }
      if (!me.clientIds.includes(msg.clientId)) me.clientIds.push(msg.clientId);
      // SP-P6: a staff member's first key for a client id is kept.
      const keys = me.keys ?? [];
      if (msg.key && me.role !== 'visitor' && !keys.some((k) => k.clientId === msg.clientId)) {
        me.keys = [...keys, { clientId: msg.clientId, ...msg.key }];
      }
      queueMicrotask(() => this.broadcast());
    } else if (msg.type === 'signal') {
      const to = this.ports.get(msg.to);
      queueMicrotask(() =>
        to?.deliver({
          type: 'signal',
          chatId: msg.chatId,
          from,
          link: msg.link,
          data: msg.data,
        }),
      );
    } else {
      queueMicrotask(() => {
        for (const port of this.ports.values()) {
          port.deliver({ type: 'ended', chatId: CHAT, by: 'helper', at: 1 });
        }
      });
    }
    return true;
  }

  broadcast(): void {
    if (!this.online) return;
    const all = [...this.participants.values()].map((p) => ({ ...p, clientIds: [...p.clientIds] }));
    const former = [...this.former.values()]
      .filter((p) => p.clientIds.length > 0)
      .map(({ online: _online, ...p }) => ({ ...p, clientIds: [...p.clientIds] }));
    for (const [id, port] of this.ports) {
      if (!this.participants.has(id)) continue;
      // SP-M2: the visitor is not told about monitors.
      const visitor = this.participants.get(id)?.role === 'visitor';
      port.deliver({
        type: 'participants',
        chatId: CHAT,
        self: id,
        participants: visitor ? all.filter((p) => p.role !== 'monitor') : all,
        former: visitor ? former.filter((p) => p.role !== 'monitor') : former,
      });
    }
  }
}

/** A switchboard with `members` in the chat, joined in this order. */
export function serviceWith(...members: Member[]): FakeService {
  const service = new FakeService();
  for (const member of members) service.join(member);
  return service;
}

/** One participant's connection; like ServiceHub it replays the chat's signals to late
 * subscribers. */
export class FakePort implements ServicePort {
  readonly #listeners = new Set<(event: ServiceEvent) => void>();
  readonly #signals: ServiceMessage[] = [];

  constructor(
    readonly service: FakeService,
    readonly member: Member,
  ) {}

  send(msg: SessionRequest): boolean {
    return this.service.handle(this.member.id, msg);
  }

  subscribe(listener: (event: ServiceEvent) => void): () => void {
    this.#listeners.add(listener);
    listener({ type: 'status', online: this.service.online });
    // Like the service after a hello: a welcome, then the chat's participants (SP-V2, SP-S2).
    if (this.service.online) {
      queueMicrotask(() => {
        this.welcome(listener);
        this.service.broadcast();
        for (const msg of this.#signals) listener({ type: 'message', msg });
      });
    }
    return () => this.#listeners.delete(listener);
  }

  welcome(only?: (event: ServiceEvent) => void): void {
    const msg: ServiceMessage =
      this.member.role === 'visitor'
        ? {
            type: 'welcome',
            v: 1,
            visitorId: this.member.id,
            token: 'token',
            firstVisitAt: 1,
            firstLandingPage: 'https://help.example/',
            departments: [],
            iceServers: [],
            typingPreview: this.service.typingPreview,
          }
        : {
            type: 'welcome',
            v: 1,
            account: {
              id: this.member.id,
              nickname: this.member.id,
              name: this.member.name,
              role: 'helper',
              chatLimit: 3,
            },
            maxChatLimit: 10,
            available: true,
            departments: [],
            iceServers: [{ urls: 'turn:turn.example:3478' }],
            relayOnly: this.service.relayOnly,
          };
    if (only) only({ type: 'message', msg });
    else this.deliver(msg);
  }

  deliver(msg: ServiceMessage): void {
    if (msg.type === 'signal') this.#signals.push(msg);
    this.emit({ type: 'message', msg });
  }

  emit(event: ServiceEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}

/** Stored documents and notes that outlive a session, keyed by store name. */
export class MemoryStores {
  readonly docs = new Map<string, Uint8Array[]>();
  readonly notes = new Map<string, string>();
  readonly histories = new Map<string, unknown>();
  readonly signingKeys = new Map<string, unknown>();

  readonly factory: ChatStoreFactory = (name, doc) => {
    const updates = this.docs.get(name) ?? [];
    this.docs.set(name, updates);
    const store = (update: Uint8Array, origin: unknown) => {
      if (origin !== this) updates.push(update);
    };
    const loaded = Promise.resolve().then(() => {
      Y.transact(doc, () => updates.forEach((u) => Y.applyUpdate(doc, u)), this, false);
      doc.on('update', store);
    });
    const result: ChatStore = {
      whenLoaded: loaded,
      loadNotes: () => Promise.resolve(this.notes.get(name)),
      saveNotes: (notes) => {
        this.notes.set(name, notes);
        return Promise.resolve();
      },
      loadHistory: (from) => Promise.resolve(this.histories.get(`${name}/${from}`)),
      loadSigningKeys: () => Promise.resolve(this.signingKeys.get(name)),
      saveSigningKeys: (keys) => {
        this.signingKeys.set(name, keys);
        return Promise.resolve();
      },
      saveHistory: (from, copy) => {
        this.histories.set(`${name}/${from}`, copy);
        return Promise.resolve();
      },
      // Every update is kept as it happens.
      holdsAllWrittenBy: () => true,
      destroy: () => {
        doc.off('update', store);
        return Promise.resolve();
      },
    };
    return result;
  };
}

/** Web Locks in one process: a name is claimable while nobody holds it. */
export class FakeLocks implements ClientIdLocks {
  readonly held = new Set<string>();
  claim(name: string): Promise<{ release(): void } | null> {
    if (this.held.has(name)) return Promise.resolve(null);
    this.held.add(name);
    return Promise.resolve({ release: () => this.held.delete(name) });
  }
}

export const loopLinks =
  (service: FakeService, who: string) =>
  (ice: IceConfig): PeerLinkFactory => {
    service.iceSeen.push({ who, ice });
    return (init) => new LoopLink(init.initiator);
  };

let clientIdCounter = 1000;

export function openSession(
  service: FakeService,
  member: Member,
  extra: Partial<ChatSessionOptions> & { stores?: MemoryStores } = {},
): Promise<ChatSession> {
  const stores = extra.stores ?? new MemoryStores();
  return ChatSession.open({
    chatId: CHAT,
    self: member.id,
    service: service.port(member),
    links: loopLinks(service, member.id),
    store: stores.factory,
    freshClientId: () => clientIdCounter++,
    // Relink at once: the fake has no peer going offline and back to trigger it.
    linkOptions: { policy: () => 0 },
    ...extra,
  });
}

/** Lets queued microtasks and timers run until `check` holds: at least `rounds` turns of
 * the event loop and at least `ms` (a session's presence waits PRESENCE_COALESCE_MS). */
export async function until(
  what: string,
  check: () => boolean,
  rounds = 2000,
  ms = 2000,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (let i = 0; i < rounds || Date.now() < deadline; i++) {
    if (check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never happened: ${what}`);
}
