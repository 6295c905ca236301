/**
 * One connection to the signal service that survives the service going away:
 * it says hello on every (re)connect — the hello is built fresh, so it carries the
 * chats the caller holds now (SPEC.md SP-S2) — and reconnects with jittered backoff
 * (SP-S3) until a final close (blocked, signed out, replaced). Incoming frames are
 * decoded against the direction's schema before anyone sees them (STYLE.md 3).
 * Used by the widget, the console, and the integration tests (with `ws`).
 */
import type * as v from 'valibot';
import { decodeFrame, type ErrorCode } from '../../../protocol/index.ts';
import { nextRetryDelayMs, type ReconnectContext } from './reconnect-policy.ts';

/** The part of the browser WebSocket API we use; `ws`'s WebSocket has it too. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** The connection's lifecycle, one explicit state (STYLE.md point 4). */
export type SignalClientState =
  | { status: 'connecting'; attempt: number }
  | { status: 'open' }
  | { status: 'reconnecting'; attempt: number; retryInMs: number; closeCode: number }
  | { status: 'closed'; closeCode: number; error: ErrorCode | null };

type Timers = {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

export type SignalClientOptions<In extends { type: string }, Out> = {
  url: string;
  WebSocket: WebSocketConstructor;
  /** ServiceToVisitor or ServiceToStaff. */
  schema: v.GenericSchema<unknown, In>;
  /** Builds the hello for each connection attempt. */
  hello: () => Out;
  onMessage: (msg: In) => void;
  onState?: (state: SignalClientState) => void;
  /** Frames that failed to decode; the connection stays up. */
  onBadFrame?: (detail: string) => void;
  policy?: (context: ReconnectContext) => number | null;
  random?: () => number;
  timers?: Timers;
};

const OPEN = 1;

export class SignalClient<In extends { type: string }, Out> {
  #state: SignalClientState = { status: 'connecting', attempt: 0 };
  #socket: WebSocketLike | null = null;
  #retry: unknown = null;
  #lastError: ErrorCode | null = null;
  readonly #o: Required<Omit<SignalClientOptions<In, Out>, 'onState' | 'onBadFrame'>> &
    Pick<SignalClientOptions<In, Out>, 'onState' | 'onBadFrame'>;

  constructor(options: SignalClientOptions<In, Out>) {
    this.#o = {
      policy: nextRetryDelayMs,
      random: Math.random,
      timers: {
        setTimeout: (fn, ms) => setTimeout(fn, ms),
        clearTimeout: (h) => clearTimeout(h as number),
      },
      ...options,
    };
    this.#connect(0);
  }

  get state(): SignalClientState {
    return this.#state;
  }

  /** Sends when the service has welcomed us; returns false otherwise (nothing is queued:
   * callers re-send what matters in the next hello). */
  send(msg: Out): boolean {
    if (this.#state.status !== 'open' || this.#socket?.readyState !== OPEN) return false;
    this.#socket.send(JSON.stringify(msg));
    return true;
  }

  /** Closes for good: no reconnect. */
  close(): void {
    this.#o.timers.clearTimeout(this.#retry);
    const socket = this.#socket;
    this.#socket = null;
    this.#setState({ status: 'closed', closeCode: 1000, error: null });
    socket?.close(1000, 'bye');
  }

  #setState(state: SignalClientState): void {
    this.#state = state;
    this.#o.onState?.(state);
  }

  #connect(attempt: number): void {
    this.#setState({ status: 'connecting', attempt });
    this.#lastError = null;
    let socket: WebSocketLike;
    try {
      socket = new this.#o.WebSocket(this.#o.url);
    } catch {
      this.#lost(1006, attempt);
      return;
    }
    this.#socket = socket;
    socket.onopen = () => socket.send(JSON.stringify(this.#o.hello()));
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') return this.#o.onBadFrame?.('binary frame');
      const decoded = decodeFrame(this.#o.schema, event.data);
      if (!decoded.ok) return this.#o.onBadFrame?.(decoded.detail);
      const msg = decoded.value;
      if (msg.type === 'welcome') this.#setState({ status: 'open' });
      if (msg.type === 'error') this.#lastError = (msg as unknown as { code: ErrorCode }).code;
      this.#o.onMessage(msg);
    };
    socket.onerror = () => {
      // A close event always follows; reconnecting is decided there.
    };
    socket.onclose = (event) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      const wasOpen = this.#state.status === 'open';
      this.#lost(event.code, wasOpen ? 0 : attempt + 1);
    };
  }

  #lost(closeCode: number, attempt: number): void {
    const delay = this.#o.policy({ attempt, closeCode, random: this.#o.random() });
    if (delay === null) {
      this.#setState({ status: 'closed', closeCode, error: this.#lastError });
      return;
    }
    this.#setState({ status: 'reconnecting', attempt, retryInMs: delay, closeCode });
    this.#retry = this.#o.timers.setTimeout(() => this.#connect(attempt), delay);
  }
}
