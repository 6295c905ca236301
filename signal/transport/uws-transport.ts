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
  REFUSED_BODY_LINGER_MS,
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

/**
 * What uWS keeps for us on each socket (`getUserData()`; in this build the uWS socket
 * object itself, onto which these properties are copied at upgrade, into one
 * out-of-object property array of three slots, which they fill). `conn` is what the
 * handlers see; `prev` and `next` chain the open sockets for graceful shutdown, since
 * uWS cannot enumerate its sockets. (This build's own `app.close()` drops every
 * socket without a close frame, 1006, not the 1012 a shutdown owes each client:
 * tests/integration/uws-app-close.test.ts.)
 */
type UserData = { conn: UwsConnection; prev: UserData | null; next: UserData | null };

/**
 * One socket as the handlers see it, from open until its close is delivered: four
 * plain fields, the methods on the prototype, no closures and nothing else per socket
 * (benchmark S1 measures memory per idle connection against bare uWS). `ws` is null
 * before open and from the close on, which is also what "closed" means here.
 *
 * Sends are held until the end of the current I/O batch (the transport's `Outbox`)
 * and then written corked, one write per socket: a relayed signal is sent to
 * another socket than the one whose message is being handled, and corking a second
 * socket inside a uWS callback flushes the first, so without holding every relayed
 * frame cost a system call of its own (SP-S2). Order per socket is kept; a close
 * writes what is held first. What is held lives in a `Held` from the outbox's pool,
 * on the socket only while it holds something, so an idle socket carries one null.
 * A reply to the socket being handled is not held: uWS corks that one for us.
 */
abstract class UwsConnection implements SocketConnection {
  /** Set in `open`, cleared in `close`; the uWS socket must not be touched after it. */
  ws: Uws.WebSocket<UserData> | null = null;
  /** Texts sent since the last flush; null when none. */
  held: Held | null = null;

  constructor(
    readonly id: number,
    readonly data: unknown,
  ) {}

  /** The transport's outbox: one per transport, so on its subclass's prototype. */
  protected abstract get outbox(): Outbox;

  send(text: string): SendResult {
    const ws = this.ws;
    if (ws === null) return 'dropped';
    const heldBytes = this.held === null ? 0 : this.held.bytes;
    // A big frame is written now, as uWS would, after what is held: holding is for
    // the many small frames of signalling, and the kernel takes big ones best.
    if (heldBytes + text.length > HOLD_LIMIT_BYTES) {
      this.flush();
      if (this.ws === null) return 'dropped';
      let status = 2;
      ws.cork(() => {
        status = ws.send(text, false, false);
      });
      return SEND_STATUS[status] ?? 'dropped';
    }
    const outbox = this.outbox;
    const buffered = ws.getBufferedAmount();
    // uWS's own rule (it drops a frame once the socket's buffer is over the limit),
    // applied now so that the caller knows.
    if (buffered > outbox.maxBackpressureBytes) return 'dropped';
    // 'backpressure' as uWS means it: this frame waits behind others for the socket.
    const result: SendResult = buffered + heldBytes > 0 ? 'backpressure' : 'sent';
    // A reply to the socket whose frame is being handled is written now: uWS has
    // corked that socket for the handler, so it joins the handler's one write
    // (an echo waited a loop turn for the flush). Only with nothing held, which
    // would have to go first.
    if (outbox.handling === this && heldBytes === 0) {
      return ws.send(text, false, false) === 2 ? 'dropped' : result;
    }
    let held = this.held;
    if (held === null) {
      held = outbox.hold(this);
      this.held = held;
    }
    held.texts.push(text);
    held.bytes += text.length;
    return result;
  }

  /** Writes what is held, corked into one write. */
  flush(): void {
    const held = this.held;
    if (held === null) return;
    this.held = null;
    const ws = this.ws;
    let dropped = false;
    if (ws !== null) {
      const texts = held.texts;
      ws.cork(() => {
        for (const text of texts) if (ws.send(text, false, false) === 2) dropped = true;
      });
    }
    this.outbox.release(held);
    // The buffer filled between the send and the flush: the frame must not vanish
    // silently, so the socket goes (the gateway closes it first when it sees it).
    if (dropped) ws?.end(1011, 'send buffer full');
  }

  bufferedAmount(): number {
    const ws = this.ws;
    return ws === null ? 0 : ws.getBufferedAmount() + (this.held?.bytes ?? 0);
  }

  close(code: number, reason: string): void {
    if (this.ws === null) return;
    this.flush();
    // flush() may have closed the socket (its buffer was full).
    this.ws?.end(code, closeReason(reason));
  }
}

/** Held sends to one socket are written at once when they would pass this size. */
const HOLD_LIMIT_BYTES = 16 * 1024;

const SEND_STATUS: Record<number, SendResult> = { 0: 'backpressure', 1: 'sent', 2: 'dropped' };

/** The texts one socket holds until the flush, and their size in UTF-16 code units
 * (bytes, for the ASCII JSON most frames are). */
class Held {
  readonly texts: string[] = [];
  bytes = 0;
}

/** Held buffers kept for reuse: enough for every socket of a busy batch; a burst
 * beyond it is left to the garbage collector. */
const HELD_POOL_LIMIT = 1024;

/**
 * The connections holding sends, written out once the I/O batch that made them is
 * done: `setImmediate` runs after libuv's poll phase, where uWS delivers a whole
 * batch of messages, so one flush serves every message of the batch.
 */
class Outbox {
  constructor(readonly maxBackpressureBytes: number) {}

  /** The connection whose message handler is running (uWS corks it meanwhile). */
  handling: UwsConnection | null = null;

  #holding: UwsConnection[] = [];
  #free: Held[] = [];
  #scheduled = false;
  readonly #flushAll = (): void => {
    this.#scheduled = false;
    const holding = this.#holding;
    this.#holding = [];
    for (const conn of holding) conn.flush();
  };

  /** A held buffer for `conn`, which is flushed at the end of the batch. */
  hold(conn: UwsConnection): Held {
    this.#holding.push(conn);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(this.#flushAll);
    }
    return this.#free.pop() ?? new Held();
  }

  /** A flushed buffer back to the pool. */
  release(held: Held): void {
    held.texts.length = 0;
    held.bytes = 0;
    if (this.#free.length < HELD_POOL_LIMIT) this.#free.push(held);
  }

  /** Writes everything held now (shutdown). */
  flushNow(): void {
    this.#flushAll();
  }
}

/** The open sockets, newest first, linked through their user data. */
class OpenSockets {
  #head: UserData | null = null;

  add(socket: UserData): void {
    socket.next = this.#head;
    if (this.#head !== null) this.#head.prev = socket;
    this.#head = socket;
  }

  delete(socket: UserData): void {
    if (socket.prev !== null) socket.prev.next = socket.next;
    else if (this.#head === socket) this.#head = socket.next;
    else return; // not in the list
    if (socket.next !== null) socket.next.prev = socket.prev;
    socket.prev = null;
    socket.next = null;
  }

  /** Their connections, copied, so that closing one while walking is safe. */
  connections(): UwsConnection[] {
    const all: UwsConnection[] = [];
    for (let s = this.#head; s !== null; s = s.next) all.push(s.conn);
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
  const sockets = new OpenSockets();
  const outbox = new Outbox(options.maxBackpressureBytes);
  class Connection extends UwsConnection {
    protected get outbox(): Outbox {
      return outbox;
    }
  }
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
        conn: new Connection(++nextId, decision.data),
        prev: null,
        next: null,
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
      const socket = ws.getUserData();
      const conn = socket.conn;
      conn.ws = ws;
      sockets.add(socket);
      guard(conn, () => handlers.open(conn));
    },

    message: (ws, message, isBinary) => {
      const conn = ws.getUserData().conn;
      if (conn.ws === null) return;
      const byteLength = message.byteLength;
      if (byteLength > options.maxPayloadBytes) {
        ws.end(1009, 'message too big');
        return;
      }
      // toString() copies into a JS string: nothing keeps the ArrayBuffer, which
      // uWS neuters when this handler returns.
      const text = isBinary ? null : Buffer.from(message).toString('utf8');
      outbox.handling = conn;
      try {
        guard(conn, () => handlers.message(conn, text, byteLength));
      } finally {
        outbox.handling = null;
      }
    },

    close: (ws, code) => {
      const socket = ws.getUserData();
      const conn = socket.conn;
      sockets.delete(socket);
      // uWS calls close once per socket; a socket that never opened was never seen.
      if (conn.ws === null) return;
      // From here the connection is closed: sends are dropped, the uWS socket (dead
      // once this returns) is no longer reachable from what the handlers may keep.
      conn.ws = null;
      try {
        handlers.close(conn, code);
      } catch (error) {
        warn(error);
      }
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
    const bodyLimit = options.httpBodyLimit(request.path);
    const declared = Number(request.headers['content-length'] ?? '0');
    if (declared > bodyLimit) {
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
    // Set while a refused body is read and dropped (after its 413, before the close).
    let linger: ReturnType<typeof setTimeout> | null = null;
    res.onAborted(() => {
      finished = true;
      clearTimeout(slowBody);
      if (linger !== null) clearTimeout(linger);
      linger = null;
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
    /** The linger of a refused body ends: the body is all read, or its time is up. */
    const endLinger = (): void => {
      if (linger === null) return;
      clearTimeout(linger);
      linger = null;
      pendingResponses.delete(res);
      res.cork(() => res.end('', true));
    };
    // uWS calls onData once with isLast even for a request without a body.
    res.onData((chunk, isLast) => {
      if (finished) {
        if (isLast) endLinger();
        return;
      }
      received += chunk.byteLength;
      if (received > bodyLimit) {
        // A lingering close (REFUSED_BODY_LINGER_MS): the 413 goes out now, and the rest
        // of the body is read and dropped until it ends or the linger is up, then the
        // connection closes. The answer is written but not ended (a chunked body): an
        // ended uWS response can no longer close its connection.
        clearTimeout(slowBody);
        finished = true;
        const refusal = plainResponse(413, 'request body too large');
        res.cork(() => {
          writeHead(res, refusal);
          res.writeHeader('connection', 'close');
          res.write(refusal.body ?? '');
        });
        linger = setTimeout(endLinger, REFUSED_BODY_LINGER_MS);
        if (isLast) endLinger();
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
      for (const conn of sockets.connections()) conn.close(code, reason);
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
  writeHead(res, response);
  const body = response.body ?? '';
  if (method === 'HEAD') {
    res.endWithoutBody(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
    return;
  }
  res.end(body, closeConnection);
}

/** A response's status line and headers. */
function writeHead(res: Uws.HttpResponse, response: HttpResponse): void {
  res.writeStatus(statusLine(response.status));
  for (const [key, value] of Object.entries(response.headers ?? {})) {
    // uWS writes content-length itself; a second one would corrupt the response.
    if (key.toLowerCase() === 'content-length') continue;
    res.writeHeader(key, value);
  }
}

/** The transport has no logger (the handlers do); errors that escape a handler
 * are a bug, reported as a process warning rather than swallowed. */
function warn(error: unknown): void {
  process.emitWarning(
    error instanceof Error ? error : new Error(String(error)),
    'TransportWarning',
  );
}
