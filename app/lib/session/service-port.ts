/**
 * What a chat session needs from the signal service connection, and a hub that
 * shares one SignalClient among the sessions of one page (a helper holds several
 * chats on one socket). The session never sees a socket: it sends through `send`
 * and hears messages and the connection's ups and downs through `subscribe`.
 */
import type {
  ChatErrorCode,
  IceServer,
  ServiceToStaff,
  ServiceToVisitor,
  SignalData,
  SigningKey,
} from '../../../protocol/index.ts';

/** What a session sends: relay signals, client-id bindings (SP-P2) and the end of the chat. */
export type SessionRequest =
  | { type: 'signal'; chatId: string; to: string; link: string; data: SignalData }
  | { type: 'bind'; chatId: string; clientId: number; key?: SigningKey }
  | { type: 'peer_refused'; chatId: string; peer: string; code: ChatErrorCode }
  | { type: 'end'; chatId: string };

export type ServiceMessage = ServiceToStaff | ServiceToVisitor;

export type ServiceEvent =
  | { type: 'message'; msg: ServiceMessage }
  /** Whether the service has welcomed the current connection. */
  | { type: 'status'; online: boolean }
  /** SPEC.md SP-IR1: fresh ICE servers (renewed TURN credentials) for the links made from now on. */
  | { type: 'ice'; iceServers: IceServer[]; relayOnly: boolean };

export interface ServicePort {
  /** False when the service is not there to take it (nothing is queued). */
  send(msg: SessionRequest): boolean;
  /** Adds a listener; it first hears the current status and the last welcome, if any. */
  subscribe(listener: (event: ServiceEvent) => void): () => void;
}

/** Chat messages kept per chat for sessions that subscribe later. */
const BACKLOG_PER_CHAT = 64;

/**
 * Fan-out of one SignalClient: pass `deliver` as its `onMessage` and `setOnline` from
 * its `onState`, and `connect` its `send` once the client exists.
 *
 * A session is made after its chat's first messages arrive (the page hears `chat`,
 * then loads the stored document), and a helper's offer can come in that gap; lost,
 * the link would wait for the answerer's open timeout. So the hub keeps each chat's
 * recent `participants` and `signal` messages and replays them to a new subscriber;
 * stale signals are ignored by the link manager (their link id is not current).
 */
export class ServiceHub implements ServicePort {
  readonly #listeners = new Set<(event: ServiceEvent) => void>();
  #online = false;
  #welcome: ServiceMessage | null = null;
  #sender: ((msg: SessionRequest) => boolean) | null = null;
  readonly #backlog = new Map<string, ServiceMessage[]>();

  /** The SignalClient's `send` (typed for its direction by the caller). */
  connect(sender: (msg: SessionRequest) => boolean): void {
    this.#sender = sender;
  }

  get online(): boolean {
    return this.#online;
  }

  readonly deliver = (msg: ServiceMessage): void => {
    if (msg.type === 'welcome') {
      this.#welcome = msg;
      this.setOnline(true);
    }
    if (msg.type === 'participants' || msg.type === 'signal') {
      const kept = this.#backlog.get(msg.chatId) ?? [];
      kept.push(msg);
      if (kept.length > BACKLOG_PER_CHAT) kept.shift();
      this.#backlog.set(msg.chatId, kept);
    } else if (msg.type === 'ended' || msg.type === 'left') {
      this.#backlog.delete(msg.chatId);
    }
    this.#emit({ type: 'message', msg });
  };

  readonly setOnline = (online: boolean): void => {
    if (online === this.#online) return;
    this.#online = online;
    this.#emit({ type: 'status', online });
  };

  /** SPEC.md SP-IR1: fresh ICE servers for a staff member: the kept welcome (replayed to sessions
   * that subscribe later) carries them, and the sessions there now hear them. */
  readonly renewIce = (ice: { iceServers: IceServer[]; relayOnly: boolean }): void => {
    const welcome = this.#welcome;
    if (welcome === null || welcome.type !== 'welcome' || !('relayOnly' in welcome)) return;
    this.#welcome = { ...welcome, iceServers: ice.iceServers, relayOnly: ice.relayOnly };
    this.#emit({ type: 'ice', iceServers: ice.iceServers, relayOnly: ice.relayOnly });
  };

  send(msg: SessionRequest): boolean {
    return this.#online && (this.#sender?.(msg) ?? false);
  }

  subscribe(listener: (event: ServiceEvent) => void): () => void {
    this.#listeners.add(listener);
    listener({ type: 'status', online: this.#online });
    if (this.#welcome !== null && this.#online) listener({ type: 'message', msg: this.#welcome });
    for (const kept of this.#backlog.values()) {
      for (const msg of kept) listener({ type: 'message', msg });
    }
    return () => this.#listeners.delete(listener);
  }

  #emit(event: ServiceEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}
