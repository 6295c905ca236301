/**
 * The transport interface (STYLE.md point 6): uWebSockets.js (`uws-transport.ts`)
 * and `ws` on node:http (`ws-transport.ts`) implement it and pass the same contract
 * suite (tests/integration/transport-contract.ts). A transport only translates: it
 * hands HTTP requests and socket events to the handlers and carries out sends.
 */

export type HttpRequest = {
  method: string;
  /** Path without the query string. */
  path: string;
  query: string;
  /** Lower-cased header names. */
  headers: Readonly<Record<string, string>>;
  /** The peer address of the socket (the gateway decides about forwarded headers). */
  remoteAddress: string;
  body: Uint8Array;
};

export type HttpResponse = {
  status: number;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
};

export type UpgradeRequest = {
  path: string;
  query: string;
  headers: Readonly<Record<string, string>>;
  remoteAddress: string;
};

export type SendResult = 'sent' | 'backpressure' | 'dropped';

/** One open WebSocket. Valid from `open` until `close` is delivered, once. */
export interface SocketConnection {
  readonly id: number;
  /** What `upgrade` accepted with (the gateway's per-socket state lives here, and
   * what it needs of the upgrade request, such as the client's address). */
  readonly data: unknown;
  send(text: string): SendResult;
  /** Bytes queued but not yet written. */
  bufferedAmount(): number;
  close(code: number, reason: string): void;
}

export type UpgradeDecision =
  { accept: true; data: unknown } | { accept: false; status: number; reason: string };

export interface TransportHandlers {
  http(req: HttpRequest): Promise<HttpResponse> | HttpResponse;
  upgrade(req: UpgradeRequest): UpgradeDecision;
  open(conn: SocketConnection): void;
  /** `text` is a copy, safe to keep after the call; binary frames arrive as `null`. */
  message(conn: SocketConnection, text: string | null, byteLength: number): void;
  /** Called once per opened connection, whoever closed it. */
  close(conn: SocketConnection, code: number): void;
}

/** `TransportOptions.httpRequestTimeoutMs` when not given. */
export const DEFAULT_HTTP_REQUEST_TIMEOUT_MS = 10_000;

/** A lingering close: after a 413 sent mid-body, what the client still sends is read and
 * dropped this long, then the connection is closed. Closing at once would leave its bytes
 * unread, and a socket closed so sends a reset that can discard the answer; never closing
 * would let a client that keeps sending hold the connection for good. */
export const REFUSED_BODY_LINGER_MS = 2000;

export type TransportOptions = {
  /** Frames larger than this close the socket (close code 1009). */
  maxPayloadBytes: number;
  /** Bytes queued on one socket before it is closed as too slow. */
  maxBackpressureBytes: number;
  /** Seconds without traffic before a ping; a socket that does not answer is closed. */
  idleTimeoutSeconds: number;
  /** The largest request body a path takes: a larger one gets 413 as soon as its declared
   * length or its bytes so far pass it, and its connection is closed (after
   * REFUSED_BODY_LINGER_MS at most when the body was under way). */
  httpBodyLimit(path: string): number;
  /** A request whose headers and body have not all arrived by then gets 408 and its
   * connection is closed (slow clients, slow-loris); 10 s when not given. */
  httpRequestTimeoutMs?: number;
  /** Path of the WebSocket endpoint prefix, e.g. `/ws/` (ws/visitor, ws/staff). */
  wsPathPrefix: string;
};

export interface Transport {
  readonly name: 'uws' | 'ws';
  /** Resolves with the bound port (pass 0 for any free port). */
  listen(host: string, port: number): Promise<number>;
  /** Stops accepting, closes every socket with `code`, and frees the port. */
  close(code: number, reason: string): Promise<void>;
}

export type TransportFactory = (
  handlers: TransportHandlers,
  options: TransportOptions,
) => Transport;
