/**
 * The fallback transport on node:http and `ws`, for machines where the native
 * uWebSockets.js binary cannot load. Same interface, same limits, same contract
 * suite: frames over the limit close with 1009, send reports backpressure, idle
 * sockets are pinged and closed if silent, every open gets exactly one close.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { closeReason, plainResponse, statusLine } from './http-status.ts';
import { normalizeIp } from './remote-address.ts';
import {
  DEFAULT_HTTP_REQUEST_TIMEOUT_MS,
  type HttpRequest,
  type HttpResponse,
  type SocketConnection,
  type Transport,
  type TransportFactory,
  type TransportHandlers,
  type TransportOptions,
  type UpgradeDecision,
  REFUSED_BODY_LINGER_MS,
} from './transport.ts';

/** How long a graceful close waits for clients to answer the close frame. */
const CLOSE_GRACE_MS = 1000;

type OpenSocket = { ws: WebSocket; conn: SocketConnection; lastSeen: number; closed: boolean };

export const createWsTransport: TransportFactory = (handlers, options) =>
  new WsTransport(handlers, options);

class WsTransport implements Transport {
  readonly name = 'ws' as const;
  private readonly server;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<OpenSocket>();
  private nextId = 0;
  private closing = false;
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly handlers: TransportHandlers,
    private readonly options: TransportOptions,
  ) {
    // Slow clients (slow-loris): node:http answers 408 and closes a request whose
    // headers or body are not whole in time; it checks its connections once a second.
    const timeout = options.httpRequestTimeoutMs ?? DEFAULT_HTTP_REQUEST_TIMEOUT_MS;
    this.server = createServer(
      {
        headersTimeout: timeout,
        requestTimeout: timeout,
        connectionsCheckingInterval: Math.min(1000, timeout),
      },
      (req, res) => this.onRequest(req, res),
    );
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.onUpgrade(req, socket, head),
    );
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayloadBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        if (address === null || typeof address === 'string') {
          reject(new Error('node:http did not report a TCP port'));
          return;
        }
        this.startIdleSweep();
        resolve(address.port);
      });
    });
  }

  async close(code: number, reason: string): Promise<void> {
    this.closing = true;
    if (this.sweepTimer !== null) clearInterval(this.sweepTimer);
    const serverClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const open = [...this.sockets];
    for (const socket of open) socket.ws.close(code, closeReason(reason));
    // Wait for the close handshakes, then drop whoever did not answer.
    const deadline = Date.now() + CLOSE_GRACE_MS;
    while (this.sockets.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const socket of [...this.sockets]) socket.ws.terminate();
    // Idle keep-alive HTTP connections would otherwise keep the port busy.
    this.server.closeAllConnections();
    await serverClosed;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (this.closing) {
      this.writeResponse(res, 'GET', plainResponse(503, 'shutting down'), true);
      return;
    }
    const url = splitUrl(req.url ?? '/');
    const request: Omit<HttpRequest, 'body'> = {
      method: (req.method ?? 'GET').toUpperCase(),
      path: url.path,
      query: url.query,
      headers: readHeaders(req),
      remoteAddress: normalizeIp(req.socket.remoteAddress ?? ''),
    };
    const limit = this.options.httpBodyLimit(request.path);
    if (Number(request.headers['content-length'] ?? '0') > limit) {
      this.writeResponse(res, request.method, plainResponse(413, 'request body too large'), true);
      return;
    }
    const chunks: Buffer[] = [];
    let received = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      received += chunk.byteLength;
      if (received > limit) {
        refused = true;
        // A lingering close: the 413 goes out now, and what the client still sends is
        // read and dropped for a moment before the connection is destroyed. Closing
        // at once (`connection: close`) would leave its bytes unread, and a socket
        // closed with unread bytes sends a reset that can discard the answer.
        this.writeResponse(
          res,
          request.method,
          plainResponse(413, 'request body too large'),
          false,
        );
        setTimeout(() => req.socket.destroy(), REFUSED_BODY_LINGER_MS).unref();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (refused) return;
      const body = Buffer.concat(chunks);
      Promise.resolve()
        .then(() => this.handlers.http({ ...request, body }))
        .then(
          (response) => this.writeResponse(res, request.method, response, false),
          (error: unknown) => {
            warn(error);
            this.writeResponse(res, request.method, plainResponse(500, 'internal error'), false);
          },
        );
    });
  }

  private writeResponse(
    res: ServerResponse,
    method: string,
    response: HttpResponse,
    closeConnection: boolean,
  ): void {
    // The client went away while the handler ran: nothing to write to.
    if (res.writableEnded || res.destroyed) return;
    const body = typeof response.body === 'string' ? Buffer.from(response.body) : response.body;
    res.statusCode = response.status;
    for (const [key, value] of Object.entries(response.headers ?? {})) res.setHeader(key, value);
    res.setHeader('content-length', body?.byteLength ?? 0);
    if (closeConnection) res.setHeader('connection', 'close');
    res.end(method === 'HEAD' ? undefined : body);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = splitUrl(req.url ?? '/');
    const remoteAddress = normalizeIp(req.socket.remoteAddress ?? '');
    let decision: UpgradeDecision;
    if (this.closing) {
      decision = { accept: false, status: 503, reason: 'shutting down' };
    } else if (!url.path.startsWith(this.options.wsPathPrefix)) {
      decision = { accept: false, status: 404, reason: 'not found' };
    } else {
      try {
        decision = this.handlers.upgrade({
          path: url.path,
          query: url.query,
          headers: readHeaders(req),
          remoteAddress,
        });
      } catch (error) {
        warn(error);
        decision = { accept: false, status: 500, reason: 'internal error' };
      }
    }
    if (!decision.accept) {
      const body = Buffer.from(decision.reason);
      const headers = Object.entries(plainResponse(decision.status, '').headers ?? {})
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('');
      socket.end(
        `HTTP/1.1 ${statusLine(decision.status)}\r\nConnection: close\r\n${headers}` +
          `Content-Length: ${body.byteLength}\r\n\r\n${decision.reason}`,
      );
      return;
    }
    const data = decision.data;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onOpen(ws, data));
  }

  private onOpen(ws: WebSocket, data: unknown): void {
    const maxBackpressure = this.options.maxBackpressureBytes;
    const socket: OpenSocket = {
      ws,
      lastSeen: Date.now(),
      closed: false,
      conn: {
        id: ++this.nextId,
        data,
        send(text) {
          if (socket.closed || ws.readyState !== ws.OPEN) return 'dropped';
          // Like uWS: over the limit, the message is dropped, not queued.
          if (ws.bufferedAmount > maxBackpressure) return 'dropped';
          ws.send(text);
          return ws.bufferedAmount > 0 ? 'backpressure' : 'sent';
        },
        bufferedAmount: () => (socket.closed ? 0 : ws.bufferedAmount),
        close(code, reason) {
          if (socket.closed || ws.readyState !== ws.OPEN) return;
          ws.close(code, closeReason(reason));
        },
      },
    };
    this.sockets.add(socket);
    // `ws` reports protocol errors (oversized frame, bad UTF-8) here and then closes
    // with the matching code; without a listener they would be thrown.
    ws.on('error', () => undefined);
    ws.on('pong', () => {
      socket.lastSeen = Date.now();
    });
    ws.on('message', (raw: Buffer, isBinary: boolean) => {
      if (socket.closed) return;
      socket.lastSeen = Date.now();
      const text = isBinary ? null : raw.toString('utf8');
      this.guard(socket, () => this.handlers.message(socket.conn, text, raw.byteLength));
    });
    ws.on('close', (code: number) => {
      if (socket.closed) return;
      socket.closed = true;
      this.sockets.delete(socket);
      try {
        this.handlers.close(socket.conn, code);
      } catch (error) {
        warn(error);
      }
    });
    this.guard(socket, () => this.handlers.open(socket.conn));
  }

  /** A throwing handler closes its own socket with 1011, never the process. */
  private guard(socket: OpenSocket, run: () => void): void {
    try {
      run();
    } catch (error) {
      warn(error);
      socket.conn.close(1011, 'internal error');
    }
  }

  /** uWS pings a socket that has been quiet and drops one that stays quiet for the
   * idle timeout; here one interval does the same for every socket. */
  private startIdleSweep(): void {
    const idleMs = this.options.idleTimeoutSeconds * 1000;
    if (idleMs === 0) return;
    this.sweepTimer = setInterval(
      () => {
        const now = Date.now();
        for (const socket of this.sockets) {
          const quiet = now - socket.lastSeen;
          if (quiet >= idleMs) socket.ws.terminate();
          else if (quiet >= idleMs / 2) socket.ws.ping();
        }
      },
      Math.max(250, idleMs / 4),
    );
  }
}

function splitUrl(url: string): { path: string; query: string } {
  const mark = url.indexOf('?');
  return mark === -1
    ? { path: url, query: '' }
    : { path: url.slice(0, mark), query: url.slice(mark + 1) };
}

function readHeaders(req: IncomingMessage): Record<string, string> {
  const entries: [string, string][] = [];
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    entries.push([key, Array.isArray(value) ? value.join(', ') : value]);
  }
  // fromEntries defines own properties, so a `__proto__` header is just a key.
  return Object.fromEntries(entries);
}

function warn(error: unknown): void {
  process.emitWarning(
    error instanceof Error ? error : new Error(String(error)),
    'TransportWarning',
  );
}
