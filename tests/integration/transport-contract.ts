/**
 * The shared contract every signal transport passes (STYLE.md 6, like
 * automerge-repo's runNetworkAdapterTests): real sockets on port 0, the `ws`
 * package as the client, global fetch for HTTP. No mocks, no sleeps: every wait
 * is for a condition.
 */
import { connect, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type {
  HttpRequest,
  HttpResponse,
  SendResult,
  SocketConnection,
  Transport,
  TransportFactory,
  TransportHandlers,
  TransportOptions,
  UpgradeRequest,
} from '../../signal/transport/transport.ts';
import { REFUSED_BODY_LINGER_MS } from '../../signal/transport/transport.ts';

const BASE_OPTIONS: TransportOptions = {
  maxPayloadBytes: 1024,
  maxBackpressureBytes: 256 * 1024,
  idleTimeoutSeconds: 60,
  httpBodyLimit: () => 1024,
  wsPathPrefix: '/ws/',
};

type Recorded = {
  http: HttpRequest[];
  upgrades: UpgradeRequest[];
  opened: SocketConnection[];
  messages: { conn: SocketConnection; text: string | null; byteLength: number }[];
  closed: { conn: SocketConnection; code: number }[];
};

type Started = { transport: Transport; port: number; events: Recorded; url(path: string): string };

/** Polls a condition on the event loop (never a fixed sleep) until it holds. */
export async function until(
  condition: () => boolean,
  what: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

type ClientClose = { code: number; reason: string };

/** A `ws` client with its received texts and its close, as promises to wait on. */
function client(url: string): {
  ws: WebSocket;
  opened: Promise<void>;
  closed: Promise<ClientClose>;
  received: string[];
} {
  const ws = new WebSocket(url);
  const received: string[] = [];
  ws.on('message', (data: Buffer) => received.push(data.toString('utf8')));
  ws.on('error', () => undefined);
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`status ${res.statusCode}`)));
    ws.once('close', () => reject(new Error('closed before open')));
  });
  opened.catch(() => undefined);
  const closed = new Promise<ClientClose>((resolve) =>
    ws.once('close', (code: number, reason: Buffer) =>
      resolve({ code, reason: reason.toString() }),
    ),
  );
  return { ws, opened, closed, received };
}

function refusedStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.on('error', () => undefined);
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('open', () => reject(new Error('upgrade was accepted')));
  });
}

/** A port that was free a moment ago, for the test that restarts on a fixed port. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

export function runTransportContract(name: string, factory: TransportFactory): void {
  describe(`transport contract: ${name}`, () => {
    const running: Transport[] = [];

    afterEach(async () => {
      await Promise.all(running.splice(0).map((t) => t.close(1001, 'test over')));
    });

    async function start(
      overrides: Partial<TransportHandlers> = {},
      options: Partial<TransportOptions> = {},
      listenPort = 0,
    ): Promise<Started> {
      const events: Recorded = { http: [], upgrades: [], opened: [], messages: [], closed: [] };
      const handlers: TransportHandlers = {
        http: (req) => {
          events.http.push(req);
          return overrides.http ? overrides.http(req) : { status: 204 };
        },
        upgrade: (req) => {
          events.upgrades.push(req);
          return overrides.upgrade ? overrides.upgrade(req) : { accept: true, data: req.path };
        },
        open: (conn) => {
          events.opened.push(conn);
          overrides.open?.(conn);
        },
        message: (conn, text, byteLength) => {
          events.messages.push({ conn, text, byteLength });
          overrides.message?.(conn, text, byteLength);
        },
        close: (conn, code) => {
          events.closed.push({ conn, code });
          overrides.close?.(conn, code);
        },
      };
      const transport = factory(handlers, { ...BASE_OPTIONS, ...options });
      running.push(transport);
      const port = await transport.listen('127.0.0.1', listenPort);
      return {
        transport,
        port,
        events,
        url: (path) => `${path.startsWith('/ws') ? 'ws' : 'http'}://127.0.0.1:${port}${path}`,
      };
    }

    it('answers HTTP with the handler response, given method, path, query, headers and body', async () => {
      const s = await start({
        http: (req): HttpResponse => ({
          status: 201,
          headers: { 'content-type': 'application/json', 'x-reply': 'yes' },
          body: JSON.stringify({
            method: req.method,
            path: req.path,
            query: req.query,
            header: req.headers['x-test'],
            body: Buffer.from(req.body).toString('utf8'),
            remoteAddress: req.remoteAddress,
          }),
        }),
      });
      const res = await fetch(s.url('/echo/path?x=1&y=%20'), {
        method: 'POST',
        headers: { 'X-Test': 'abc' },
        body: 'hello body',
      });
      expect(res.status).toBe(201);
      expect(res.headers.get('x-reply')).toBe('yes');
      expect(await res.json()).toEqual({
        method: 'POST',
        path: '/echo/path',
        query: 'x=1&y=%20',
        header: 'abc',
        body: 'hello body',
        remoteAddress: '127.0.0.1',
      });
    });

    it('waits for an asynchronous handler and sends binary bodies intact', async () => {
      const s = await start({
        http: async () => {
          await new Promise((resolve) => setTimeout(resolve, 20));
          return { status: 200, body: new Uint8Array([0, 1, 2, 255]) };
        },
      });
      const res = await fetch(s.url('/bytes'));
      expect(res.status).toBe(200);
      expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([0, 1, 2, 255]);
      expect(s.events.http[0]?.body.byteLength).toBe(0);
    });

    it('refuses an HTTP body over the limit with 413 without calling the handler', async () => {
      const s = await start();
      const res = await fetch(s.url('/upload'), { method: 'POST', body: 'x'.repeat(4096) });
      expect(res.status).toBe(413);
      expect(s.events.http).toHaveLength(0);
      const ok = await fetch(s.url('/upload'), { method: 'POST', body: 'x'.repeat(1024) });
      expect(ok.status).toBe(204);
      expect(s.events.http[0]?.body.byteLength).toBe(1024);
    });

    it("takes each path's own body limit, and refuses a chunked body as soon as it passes it", async () => {
      const s = await start({}, { httpBodyLimit: (path) => (path === '/big' ? 64 * 1024 : 1024) });
      const big = await fetch(s.url('/big'), { method: 'POST', body: 'x'.repeat(60 * 1024) });
      expect(big.status).toBe(204);
      const small = await fetch(s.url('/small'), { method: 'POST', body: 'x'.repeat(2048) });
      expect(small.status).toBe(413);
      // A body of unknown length (chunked) that never ends: the 413 comes with its first
      // bytes past the limit, not at the end of the body or of the request's time.
      const endless = new ReadableStream<Uint8Array>({
        pull: (controller) => controller.enqueue(new Uint8Array(4096)),
      });
      const chunked = await fetch(s.url('/small'), {
        method: 'POST',
        body: endless,
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(413);
      expect(s.events.http.map((r) => r.path)).toEqual(['/big']);
    });

    it('a client that keeps sending after its 413 is cut off once the linger is up', async () => {
      const s = await start({}, { httpBodyLimit: () => 1024 });
      const socket = connect(s.port, '127.0.0.1');
      let answer = '';
      socket.on('data', (bytes: Buffer) => (answer += bytes.toString('latin1')));
      const closed = new Promise<number>((resolve) => {
        socket.on('close', () => resolve(Date.now()));
        socket.on('error', () => undefined);
      });
      socket.write('POST /small HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n');
      // 4 KiB every 20 ms, for good: past the limit with the first chunk.
      const chunk = `1000\r\n${'x'.repeat(4096)}\r\n`;
      const sending = setInterval(() => socket.writable && socket.write(chunk), 20);
      try {
        await until(() => answer.startsWith('HTTP/1.1 413'), 'the 413');
        const refusedAt = Date.now();
        const closedAt = await closed;
        // Read and dropped for the linger, then closed: not held while the bytes flow.
        expect(closedAt - refusedAt).toBeLessThan(REFUSED_BODY_LINGER_MS + 3000);
        expect(answer).toContain('request body too large');
        expect(s.events.http).toHaveLength(0);
      } finally {
        clearInterval(sending);
        socket.destroy();
      }
    });

    it('answers 500 when the HTTP handler throws and keeps serving', async () => {
      let calls = 0;
      const s = await start({
        http: () => {
          calls += 1;
          if (calls === 1) throw new Error('handler bug (expected in this test)');
          return { status: 200, body: 'fine' };
        },
      });
      expect((await fetch(s.url('/a'))).status).toBe(500);
      const second = await fetch(s.url('/a'));
      expect(second.status).toBe(200);
      expect(await second.text()).toBe('fine');
    });

    it('accepts an upgrade with the data the handler chose, and refuses with its status', async () => {
      const s = await start({
        upgrade: (req) =>
          req.path === '/ws/staff'
            ? { accept: false, status: 403, reason: 'not allowed' }
            : { accept: true, data: { endpoint: req.path } },
      });
      const c = client(s.url('/ws/visitor?v=1'));
      c.ws.on('upgrade', () => undefined);
      await c.opened;
      await until(() => s.events.opened.length === 1, 'open');
      expect(s.events.opened[0]?.data).toEqual({ endpoint: '/ws/visitor' });
      const upgrade = s.events.upgrades[0];
      expect(upgrade?.path).toBe('/ws/visitor');
      expect(upgrade?.query).toBe('v=1');
      expect(upgrade?.remoteAddress).toBe('127.0.0.1');
      expect(upgrade?.headers['sec-websocket-version']).toBe('13');
      expect(await refusedStatus(s.url('/ws/staff'))).toBe(403);
      expect(s.events.opened).toHaveLength(1);
    });

    it('delivers open, each message and close exactly once, and sends text back', async () => {
      const s = await start({ message: (conn, text) => conn.send(`echo:${text ?? ''}`) });
      const c = client(s.url('/ws/visitor'));
      await c.opened;
      c.ws.send('hi');
      c.ws.send('ünïcode');
      await until(() => c.received.length === 2, 'echoes');
      expect(c.received).toEqual(['echo:hi', 'echo:ünïcode']);
      expect(s.events.messages.map((m) => [m.text, m.byteLength])).toEqual([
        ['hi', 2],
        ['ünïcode', Buffer.byteLength('ünïcode')],
      ]);
      c.ws.close(1000, 'bye');
      await c.closed;
      await until(() => s.events.closed.length === 1, 'close');
      expect(s.events.opened).toHaveLength(1);
      expect(s.events.closed[0]?.conn).toBe(s.events.opened[0]);
      expect(s.events.closed[0]?.code).toBe(1000);
    });

    it('closes from the server with the given code and reason, once, and drops later sends', async () => {
      const s = await start();
      const c = client(s.url('/ws/visitor'));
      await c.opened;
      await until(() => s.events.opened.length === 1, 'open');
      const conn = s.events.opened[0];
      if (conn === undefined) throw new Error('no connection');
      conn.close(4008, 'flood');
      conn.close(4008, 'flood');
      expect(await c.closed).toEqual({ code: 4008, reason: 'flood' });
      await until(() => s.events.closed.length === 1, 'close');
      expect(conn.send('late')).toBe('dropped');
      expect(s.events.closed).toHaveLength(1);
    });

    const BIG = 'z'.repeat(40 * 1024);

    it('SP-W4 delivers, in order, what was sent to a socket before it is closed, and sends made outside any handler', async () => {
      // One client's message makes the server write to another socket (as a relay
      // does), then close it: the writes arrive before the close.
      const s = await start({
        message: (_conn, text) => {
          const target = s.events.opened[0];
          if (target === undefined || text === null) return;
          // Small frames, with one big one among them (uWS writes big ones at once).
          for (let i = 0; i < 50; i += 1) target.send(i === 25 ? BIG : `${text}:${i}`);
          target.close(4000, 'done');
        },
      });
      const receiver = client(s.url('/ws/a'));
      await receiver.opened;
      await until(() => s.events.opened.length === 1, 'receiver open');
      const sender = client(s.url('/ws/b'));
      await sender.opened;
      // From a timer, as the core's deadlines send.
      const first = s.events.opened[0];
      if (first === undefined) throw new Error('no connection');
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          first.send('from a timer');
          resolve();
        }, 0),
      );
      sender.ws.send('relay');
      expect(await receiver.closed).toEqual({ code: 4000, reason: 'done' });
      expect(receiver.received).toEqual([
        'from a timer',
        ...Array.from({ length: 50 }, (_, i) => (i === 25 ? BIG : `relay:${i}`)),
      ]);
    });

    it('keeps per-socket order between relayed sends and replies to the socket being handled', async () => {
      // B's frames are relayed to A (held until the batch ends), A's are answered to A
      // itself (written at once on uWS when nothing is held for A). Whatever batches the
      // frames fall into, A must receive exactly what the server sent it, in that order.
      const sentToA: string[] = [];
      const s = await start({
        message: (conn, text) => {
          const a = s.events.opened[0];
          if (a === undefined || text === null) return;
          const out = conn === a ? `echo:${text}` : `relay:${text}`;
          sentToA.push(out);
          a.send(out);
        },
      });
      const a = client(s.url('/ws/a'));
      await a.opened;
      await until(() => s.events.opened.length === 1, 'a open');
      const b = client(s.url('/ws/b'));
      await b.opened;
      const rounds = 300;
      for (let i = 0; i < rounds; i += 1) {
        b.ws.send(String(i));
        a.ws.send(String(i));
      }
      await until(() => a.received.length === 2 * rounds, 'every frame at A');
      expect(sentToA).toHaveLength(2 * rounds);
      expect(a.received).toEqual(sentToA);
    });

    it('closes a socket that sends a frame over maxPayloadBytes with 1009, delivering nothing', async () => {
      const s = await start();
      const c = client(s.url('/ws/visitor'));
      await c.opened;
      c.ws.send('x'.repeat(BASE_OPTIONS.maxPayloadBytes + 1));
      expect((await c.closed).code).toBe(1009);
      await until(() => s.events.closed.length === 1, 'close');
      expect(s.events.messages).toHaveLength(0);
    });

    it('closes a socket that sends a huge frame, once, delivering nothing', async () => {
      const s = await start();
      const c = client(s.url('/ws/visitor'));
      await c.opened;
      c.ws.send('x'.repeat(BASE_OPTIONS.maxPayloadBytes * 64));
      // uWS drops the TCP connection (1006) beyond its hard limit; `ws` sends 1009.
      expect([1006, 1009]).toContain((await c.closed).code);
      await until(() => s.events.closed.length === 1, 'close');
      expect(s.events.messages).toHaveLength(0);
    });

    it('delivers a binary frame as null with its byte length', async () => {
      const s = await start();
      const c = client(s.url('/ws/visitor'));
      await c.opened;
      c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
      await until(() => s.events.messages.length === 1, 'binary message');
      expect(s.events.messages[0]?.text).toBeNull();
      expect(s.events.messages[0]?.byteLength).toBe(3);
    });

    it('reports backpressure, then drops, when the client stops reading', async () => {
      const s = await start();
      const c = client(s.url('/ws/visitor'));
      await c.opened;
      await until(() => s.events.opened.length === 1, 'open');
      const conn = s.events.opened[0];
      if (conn === undefined) throw new Error('no connection');
      // The client stops reading; the kernel buffers fill, then the transport's.
      c.ws.pause();
      const big = 'y'.repeat(64 * 1024);
      const results = new Set<SendResult>();
      // Each round lets the event loop flush what it can, so the buffers really fill.
      for (let round = 0; round < 500 && !results.has('dropped'); round += 1) {
        for (let i = 0; i < 16; i += 1) results.add(conn.send(big));
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(results.has('backpressure')).toBe(true);
      expect(results.has('dropped')).toBe(true);
      expect(conn.bufferedAmount()).toBeGreaterThan(0);
      c.ws.terminate();
      await until(() => s.events.closed.length === 1, 'close');
    });

    it('on close, closes every socket with the code, refuses new work and frees the port', async () => {
      // A fixed port, as in production: a restart must be able to listen on it again
      // at once, even with the closed connections still in TIME_WAIT. (uSockets sets
      // SO_REUSEADDR only for a non-zero port, so port 0 would not show this.)
      const port = await freePort();
      const s = await start({}, {}, port);
      const clients = [client(s.url('/ws/a')), client(s.url('/ws/b')), client(s.url('/ws/c'))];
      await Promise.all(clients.map((c) => c.opened));
      await until(() => s.events.opened.length === 3, 'three opens');
      await s.transport.close(1012, 'shutting_down');
      running.splice(running.indexOf(s.transport), 1);
      const closes = await Promise.all(clients.map((c) => c.closed));
      expect(closes).toEqual(Array(3).fill({ code: 1012, reason: 'shutting_down' }));
      await until(() => s.events.closed.length === 3, 'closes');
      expect(s.events.closed).toHaveLength(3);
      await expect(fetch(s.url('/after'))).rejects.toThrow();
      const again = await start({}, {}, port);
      expect(again.port).toBe(port);
      expect((await fetch(again.url('/again'))).status).toBe(204);
    });

    it("is unaffected by one socket's garbage: others keep being served", async () => {
      const s = await start({
        message: (conn, text) => {
          if (text === 'throw') throw new Error('handler bug (expected in this test)');
          conn.send(`echo:${text ?? 'binary'}`);
        },
      });
      const good = client(s.url('/ws/good'));
      const bad = client(s.url('/ws/bad'));
      const thrower = client(s.url('/ws/thrower'));
      await Promise.all([good.opened, bad.opened, thrower.opened]);
      // Invalid UTF-8 in a text frame is a protocol error: `ws` closes with 1007,
      // uWS drops the connection (1006).
      bad.ws.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: false });
      thrower.ws.send('throw');
      expect([1006, 1007]).toContain((await bad.closed).code);
      expect((await thrower.closed).code).toBe(1011);
      good.ws.send('still here');
      await until(() => good.received.length === 1, 'echo to the good client');
      expect(good.received).toEqual(['echo:still here']);
      expect(good.ws.readyState).toBe(WebSocket.OPEN);
    });
  });
}
