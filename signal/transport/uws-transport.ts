/**
 * The transport on uWebSockets.js (native binary only, see uws-native.ts), kept to
 * its lifetime rules (STYLE.md 8): a message ArrayBuffer is copied before the
 * handler returns, per-socket state lives in user data, sends are corked, every
 * open gets exactly one close, and every HTTP response used after the handler
 * returns has `onAborted`.
 */
import type * as Uws from 'uWebSockets.js';
import { closeReason, plainResponse, statusLine } from './http-status.ts';
import { normalizeIp } from './remote-address.ts';
import {
  DEFAULT_HTTP_REQUEST_TIMEOUT_MS,
  type HttpRequest,
  type HttpResponse,
  type SendResult,
  type SocketConnection,
  type Transport,
  type TransportFactory,
  type TransportHandlers,
  type TransportOptions,
} from './transport.ts';
import { loadUwsNative, type UwsModule } from './uws-native.ts';

/** What uWS keeps for us on each socket (`getUserData()`, which in this build is the
 * uWS socket object itself, with these properties copied onto it at upgrade). One
 * property: everything else is on the connection. */
type UserData = { conn: UwsConnection };

/**
 * One socket as the handlers see it, from open until its close is delivered. One
 * object per socket with its methods on the class prototype: no closures per socket
 * (benchmark S1 measures memory per idle connection against bare uWS). The open
 * connections are chained through `prev`/`next` for graceful shutdown, since uWS
 * cannot enumerate its sockets: two fields on this object rather than a Set entry.
 * (This build's own `app.close()` drops every socket without a close frame, 1006,
 * not the 1012 a shutdown owes each client: tests/integration/uws-app-close.test.ts.)
 *
 * Sends are held until the end of the current I/O batch (the transport's `Outbox`)
 * and then written corked, one write per socket: a relayed signal is sent to
 * another socket than the one whose message is being handled, and corking a second
 * socket inside a uWS callback flushes the first, so without holding every relayed
 * frame cost a system call of its own (SP-S2). Order per socket is kept; a close
 * writes what is held first.
 */
class UwsConnection implements SocketConnection {
  /** Set in `open`. */
  ws: Uws.WebSocket<UserData> | null = null;
  /** Set in `close`; the uWS socket must not be touched after it. */
  closed = false;
  prev: UwsConnection | null = null;
  next: UwsConnection | null = null;
  /** Texts sent since the last flush, in order; null when none (no array kept). */
  held: string[] | null = null;
  /** Their size in UTF-16 code units (bytes, for the ASCII JSON most frames are). */
  heldBytes = 0;

  constructor(
    readonly id: number,
    readonly remoteAddress: string,
    readonly data: unknown,
    readonly outbox: Outbox,
  ) {}

  send(text: string): SendResult {
    const ws = this.ws;
    if (this.closed || ws === null) return 'dropped';
    // A big frame is written now, as uWS would, after what is held: holding is for
    // the many small frames of signalling, and the kernel takes big ones best.
    if (this.heldBytes + text.length > HOLD_LIMIT_BYTES) {
      this.flush();
      if (this.closed) return 'dropped';
      let status = 2;
      ws.cork(() => {
        status = ws.send(text, false, false);
      });
      return SEND_STATUS[status] ?? 'dropped';
    }
    const buffered = ws.getBufferedAmount();
    // uWS's own rule (it drops a frame once the socket's buffer is over the limit),
    // applied now so that the caller knows.
    if (buffered > this.outbox.maxBackpressureBytes) return 'dropped';
    // 'backpressure' as uWS means it: this frame waits behind others for the socket.
    const result: SendResult = buffered + this.heldBytes > 0 ? 'backpressure' : 'sent';
    if (this.held === null) {
      this.held = [text];
      this.outbox.hold(this);
    } else {
      this.held.push(text);
    }
    this.heldBytes += text.length;
    return result;
  }

  /** Writes what is held, corked into one write. */
  flush(): void {
    const held = this.held;
    if (held === null) return;
    this.held = null;
    this.heldBytes = 0;
    const ws = this.ws;
    if (this.closed || ws === null) return;
    let dropped = false;
    ws.cork(() => {
      for (const text of held) if (ws.send(text, false, false) === 2) dropped = true;
    });
    // The buffer filled between the send and the flush: the frame must not vanish
    // silently, so the socket goes (the gateway closes it first when it sees it).
    if (dropped) ws.end(1011, 'send buffer full');
  }

  bufferedAmount(): number {
    return this.closed || this.ws === null ? 0 : this.ws.getBufferedAmount() + this.heldBytes;
  }

  close(code: number, reason: string): void {
    if (this.closed || this.ws === null) return;
    this.flush();
    this.ws.end(code, closeReason(reason));
  }
}

/** Held sends to one socket are written at once when they would pass this size. */
const HOLD_LIMIT_BYTES = 16 * 1024;

const SEND_STATUS: Record<number, SendResult> = { 0: 'backpressure', 1: 'sent', 2: 'dropped' };

/**
 * The connections holding sends, written out once the I/O batch that made them is
 * done: `setImmediate` runs after libuv's poll phase, where uWS delivers a whole
 * batch of messages, so one flush serves every message of the batch.
 */
class Outbox {
  constructor(readonly maxBackpressureBytes: number) {}

  #holding: UwsConnection[] = [];
  #scheduled = false;
  readonly #flushAll = (): void => {
    this.#scheduled = false;
    const holding = this.#holding;
    this.#holding = [];
    for (const conn of holding) conn.flush();
  };

  hold(conn: UwsConnection): void {
    this.#holding.push(conn);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#flushAll);
  }

  /** Writes everything held now (shutdown). */
  flushNow(): void {
    this.#flushAll();
  }
}

/** The open connections, newest first, linked through the connections themselves. */
class OpenConnections {
  #head: UwsConnection | null = null;

  add(conn: UwsConnection): void {
    conn.next = this.#head;
    if (this.#head !== null) this.#head.prev = conn;
    this.#head = conn;
  }

  delete(conn: UwsConnection): void {
    if (conn.prev !== null) conn.prev.next = conn.next;
    else if (this.#head === conn) this.#head = conn.next;
    else return; // not in the list
    if (conn.next !== null) conn.next.prev = conn.prev;
    conn.prev = null;
    conn.next = null;
  }

  /** A copy, so that closing one while walking is safe. */
  toArray(): UwsConnection[] {
    const all: UwsConnection[] = [];
    for (let c = this.#head; c !== null; c = c.next) all.push(c);
    return all;
  }
}

/** uWS closes a frame over `maxPayloadLength` by dropping the TCP connection (1006,
 * no close frame). To give the client a clean 1009 (SPEC.md SP-W2) uWS is allowed this
 * many times our limit, and frames between the two are closed by us with 1009. */
const HARD_PAYLOAD_FACTOR = 4;

/** uWS rejects an idle timeout between 1 and 7 s; its timer resolution is 4 s. */
const MIN_IDLE_TIMEOUT_SECONDS = 8;

/** The factory, for when the native binary is required: throws with the reason when
 * it cannot load (server.ts then chooses the `ws` transport instead). */
export const createUwsTransport: TransportFactory = (handlers, options) => {
  const load = loadUwsNative();
  if (!load.ok) throw new Error(`uWebSockets.js native binary did not load: ${load.reason}`);
  return createUwsTransportWith(load.uws, handlers, options);
};

export function createUwsTransportWith(
  uws: UwsModule,
  handlers: TransportHandlers,
  options: TransportOptions,
): Transport {
  const app = uws.App();
  let nextId = 0;
  let listenSocket: Uws.us_listen_socket | null = null;
  let closing = false;
  // uWS cannot enumerate its sockets; graceful shutdown needs them.
  const sockets = new OpenConnections();
  const outbox = new Outbox(options.maxBackpressureBytes);
  const pendingResponses = new Set<Uws.HttpResponse>();

  app.ws<UserData>(`${options.wsPathPrefix}*`, {
    maxPayloadLength: options.maxPayloadBytes * HARD_PAYLOAD_FACTOR,
    maxBackpressure: options.maxBackpressureBytes,
    // We close slow sockets ourselves (the gateway, with a coded reason).
    closeOnBackpressureLimit: 0,
    idleTimeout:
      options.idleTimeoutSeconds === 0
        ? 0
        : Math.max(MIN_IDLE_TIMEOUT_SECONDS, options.idleTimeoutSeconds),
    sendPingsAutomatically: true,
    compression: uws.DISABLED,

    // Synchronous: the decision needs nothing asynchronous, so `req` (valid only
    // during this call) is read here and no onAborted is needed.
    upgrade: (res, req, context) => {
      const headers = readHeaders(req);
      const remoteAddress = remoteAddressOf(res);
      let decision: ReturnType<TransportHandlers['upgrade']>;
      try {
        decision = handlers.upgrade({
          path: req.getUrl(),
          query: req.getQuery() ?? '',
          headers,
          remoteAddress,
        });
      } catch (error) {
        warn(error);
        decision = { accept: false, status: 500, reason: 'internal error' };
      }
      if (closing) decision = { accept: false, status: 503, reason: 'shutting down' };
      if (!decision.accept) {
        writeResponse(res, 'GET', plainResponse(decision.status, decision.reason), true);
        return;
      }
      const userData: UserData = {
        conn: new UwsConnection(++nextId, remoteAddress, decision.data, outbox),
      };
      res.upgrade(
        userData,
        headers['sec-websocket-key'] ?? '',
        headers['sec-websocket-protocol'] ?? '',
        headers['sec-websocket-extensions'] ?? '',
        context,
      );
    },

    open: (ws) => {
      const conn = ws.getUserData().conn;
      conn.ws = ws;
      sockets.add(conn);
      guard(conn, () => handlers.open(conn));
    },

    message: (ws, message, isBinary) => {
      const conn = ws.getUserData().conn;
      if (conn.closed) return;
      const byteLength = message.byteLength;
      if (byteLength > options.maxPayloadBytes) {
        ws.end(1009, 'message too big');
        return;
      }
      // toString() copies into a JS string: nothing keeps the ArrayBuffer, which
      // uWS neuters when this handler returns.
      const text = isBinary ? null : Buffer.from(message).toString('utf8');
      guard(conn, () => handlers.message(conn, text, byteLength));
    },

    close: (ws, code) => {
      const conn = ws.getUserData().conn;
      conn.closed = true;
      sockets.delete(conn);
      // uWS calls close once per socket; a socket that never opened was never seen.
      if (conn.ws === null) return;
      try {
        handlers.close(conn, code);
      } catch (error) {
        warn(error);
      }
      // The handlers may keep the connection; the dead uWS socket need not stay with it.
      conn.ws = null;
    },
  });

  app.any('/*', (res, req) => {
    if (closing) {
      writeResponse(res, 'GET', plainResponse(503, 'shutting down'), true);
      return;
    }
    const request: Omit<HttpRequest, 'body'> = {
      method: req.getMethod().toUpperCase(),
      path: req.getUrl(),
      query: req.getQuery() ?? '',
      headers: readHeaders(req),
      remoteAddress: remoteAddressOf(res),
    };
    const declared = Number(request.headers['content-length'] ?? '0');
    if (declared > options.maxHttpBodyBytes) {
      writeResponse(res, request.method, plainResponse(413, 'request body too large'), true);
      return;
    }
    pendingResponses.add(res);
    let finished = false;
    // A body that trickles in (slow-loris) is cut off with 408. uWS itself closes a
    // connection whose headers are not whole after about 10 s, before we see it.
    const slowBody = setTimeout(
      () => respond(plainResponse(408, 'request timed out'), true),
      options.httpRequestTimeoutMs ?? DEFAULT_HTTP_REQUEST_TIMEOUT_MS,
    );
    res.onAborted(() => {
      finished = true;
      clearTimeout(slowBody);
      pendingResponses.delete(res);
    });
    const respond = (response: HttpResponse, closeConnection = false): void => {
      clearTimeout(slowBody);
      if (finished) return;
      finished = true;
      pendingResponses.delete(res);
      res.cork(() => writeResponse(res, request.method, response, closeConnection));
    };
    const chunks: Uint8Array[] = [];
    let received = 0;
    // uWS calls onData once with isLast even for a request without a body.
    res.onData((chunk, isLast) => {
      if (finished) return;
      received += chunk.byteLength;
      if (received > options.maxHttpBodyBytes) {
        respond(plainResponse(413, 'request body too large'), true);
        return;
      }
      // The chunk is neutered when this callback returns: copy it.
      chunks.push(new Uint8Array(chunk.slice(0)));
      if (!isLast) return;
      // Whole: the time the handler takes is not the client's.
      clearTimeout(slowBody);
      const body = Buffer.concat(chunks);
      Promise.resolve()
        .then(() => handlers.http({ ...request, body }))
        .then(
          (response) => respond(response),
          (error: unknown) => {
            warn(error);
            respond(plainResponse(500, 'internal error'));
          },
        );
    });
  });

  return {
    name: 'uws',
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        app.listen(host, port, (socket) => {
          if (socket === false) {
            reject(new Error(`uWebSockets.js could not listen on ${host}:${port}`));
            return;
          }
          listenSocket = socket;
          resolve(uws.us_socket_local_port(socket as unknown as Uws.us_socket));
        });
      }),
    close: async (code, reason) => {
      closing = true;
      if (listenSocket !== null) {
        uws.us_listen_socket_close(listenSocket);
        listenSocket = null;
      }
      outbox.flushNow();
      // end() calls the close handler at once, which removes the socket from the set.
      for (const conn of sockets.toArray()) conn.close(code, reason);
      for (const res of [...pendingResponses]) res.close();
      // Let the close frames go out before the sockets are dropped.
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Not in the typings of this build, but the addon has it: it force-closes what
      // is left (idle keep-alive HTTP connections) so nothing holds the loop.
      const closeApp = (app as unknown as { close?: () => void }).close;
      if (typeof closeApp === 'function') closeApp.call(app);
    },
  };
}

/** A handler that throws must not unwind into uWS (that would end the process):
 * the socket that caused it is closed with 1011 and others carry on. */
function guard(conn: UwsConnection, run: () => void): void {
  try {
    run();
  } catch (error) {
    warn(error);
    conn.close(1011, 'internal error');
  }
}

function readHeaders(req: Uws.HttpRequest): Record<string, string> {
  const merged = new Map<string, string>();
  req.forEach((key, value) => {
    const before = merged.get(key);
    merged.set(key, before === undefined ? value : `${before}, ${value}`);
  });
  // fromEntries defines own properties, so a `__proto__` header is just a key.
  return Object.fromEntries(merged);
}

function remoteAddressOf(res: Uws.HttpResponse): string {
  return normalizeIp(Buffer.from(res.getRemoteAddressAsText()).toString('utf8'));
}

function writeResponse(
  res: Uws.HttpResponse,
  method: string,
  response: HttpResponse,
  closeConnection: boolean,
): void {
  res.writeStatus(statusLine(response.status));
  for (const [key, value] of Object.entries(response.headers ?? {})) {
    // uWS writes content-length itself; a second one would corrupt the response.
    if (key.toLowerCase() === 'content-length') continue;
    res.writeHeader(key, value);
  }
  const body = response.body ?? '';
  if (method === 'HEAD') {
    res.endWithoutBody(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    return;
  }
  res.end(body, closeConnection);
}

/** The transport has no logger (the handlers do); errors that escape a handler
 * are a bug, reported as a process warning rather than swallowed. */
function warn(error: unknown): void {
  process.emitWarning(
    error instanceof Error ? error : new Error(String(error)),
    'TransportWarning',
  );
}
