/**
 * Issue 16, load and abuse (DESIGN.md 7: bad input gets a clear error code, never a
 * crash or a hang), against the real service on both transports, with raw TCP
 * clients that misbehave as attackers do:
 * - slow-loris: headers or a body trickled a byte at a time are cut off: 408 and
 *   the connection closed after HTTP_REQUEST_TIMEOUT_MS (uWS closes a connection
 *   still sending its headers itself, after about 10 s and without an answer);
 *   meanwhile everyone else is served at once;
 * - huge headers: 431 (uWS resets the connection past its own limit, unanswered);
 *   a huge body: 413 at once when declared, and as soon as it passes the route's
 *   limit when it is not (chunked), with the connection kept to read the rest so
 *   that the answer is not lost to a reset;
 * - a WebSocket frame trickled and never finished: the socket is closed by the
 *   hello timeout (4003 `hello_required`); a frame over the limit: 1009 (SP-W2, with
 *   more cases in malformed-frames.test.ts), and the service carries on.
 * Every wait is for a condition (a close, an answer), never a fixed sleep.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startService, type Service } from '../harness.ts';

const TIMEOUT_MS = 1500;
const MAX_PAYLOAD_BYTES = 4096;

type RawClient = {
  write(text: string | Buffer): boolean;
  /** Everything the service sent so far, as latin1 text. */
  received(): string;
  /** Resolves with the milliseconds from connecting to the close. */
  closed: Promise<number>;
  isClosed(): boolean;
  /** Resolves when the socket can take more, or is closed. */
  drained(): Promise<unknown>;
  destroy(): void;
};

function rawClient(port: number): RawClient {
  const socket = connect(port, '127.0.0.1');
  const started = Date.now();
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.on('error', () => undefined);
  let isClosed = false;
  const closed = new Promise<number>((resolve) =>
    socket.on('close', () => {
      isClosed = true;
      resolve(Date.now() - started);
    }),
  );
  return {
    write: (data) => !socket.destroyed && socket.write(data),
    received: () => Buffer.concat(chunks).toString('latin1'),
    closed,
    isClosed: () => isClosed,
    drained: () => Promise.race([closed, new Promise((resolve) => socket.once('drain', resolve))]),
    destroy: () => socket.destroy(),
  };
}

/** Writes `next()` every `everyMs` until the client is closed (the attacker's pace). */
function trickle(client: RawClient, next: () => string, everyMs = 100): void {
  const timer = setInterval(() => client.write(next()), everyMs);
  void client.closed.then(() => clearInterval(timer));
}

async function healthy(service: Service): Promise<number> {
  const started = Date.now();
  const response = await fetch(`${service.baseUrl}/healthz`, {
    signal: AbortSignal.timeout(5000),
  });
  expect(response.status).toBe(200);
  return Date.now() - started;
}

describe.each(['uws', 'ws'] as const)('slow and huge requests on %s', (transport) => {
  let service: Service;
  beforeAll(async () => {
    service = await startService({
      transport,
      demo: true,
      env: {
        HTTP_REQUEST_TIMEOUT_MS: String(TIMEOUT_MS),
        HELLO_TIMEOUT_MS: '1000',
        MAX_PAYLOAD_BYTES: String(MAX_PAYLOAD_BYTES),
      },
    });
  });
  afterAll(async () => {
    await service.close();
  });

  it('a body trickled a byte at a time gets 408 after the timeout and is closed', async () => {
    const client = rawClient(service.port);
    client.write(
      'POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Content-Length: 10000\r\n\r\n{',
    );
    trickle(client, () => ' ');
    const after = await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(after).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
    expect(after).toBeLessThan(TIMEOUT_MS + 5000);
    await healthy(service);
  });

  it('headers trickled a line at a time are cut off, and 50 such clients slow nobody else down', async () => {
    const clients = Array.from({ length: 50 }, () => rawClient(service.port));
    for (const [i, client] of clients.entries()) {
      client.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      trickle(client, () => `X-Slow-${i}-${Date.now()}: a\r\n`);
    }
    // The others are served meanwhile, at once.
    for (let i = 0; i < 5; i++) expect(await healthy(service)).toBeLessThan(2000);
    const after = await Promise.all(clients.map((c) => c.closed));
    const answers = clients.map((c) => c.received());
    if (transport === 'ws') {
      // node:http answers 408 itself.
      for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(Math.max(...after)).toBeLessThan(TIMEOUT_MS + 5000);
    } else {
      // uWS closes a connection whose headers are not whole after about 10 s, unanswered.
      for (const answer of answers) expect(answer).toBe('');
      expect(Math.max(...after)).toBeLessThan(20_000);
    }
    await healthy(service);
  }, 40_000);

  it('huge headers are refused (431 on node:http; uWS drops the connection) and the service carries on', async () => {
    const client = rawClient(service.port);
    client.write(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Huge: ${'a'.repeat(1024 * 1024)}\r\n\r\n`);
    await client.closed;
    // uWS answers nothing past its own header limit: it resets the connection.
    expect(client.received()).toMatch(transport === 'ws' ? /^HTTP\/1\.1 431 / : /^$/);
    await healthy(service);
  });

  it('a huge body gets 413: at once when declared, past the limit when chunked', async () => {
    const declared = rawClient(service.port);
    declared.write(
      'POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${100 * 1024 * 1024}\r\n\r\n`,
    );
    await declared.closed;
    expect(declared.received()).toMatch(/^HTTP\/1\.1 413 /);

    const chunked = rawClient(service.port);
    chunked.write(
      'POST /api/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        'Transfer-Encoding: chunked\r\n\r\n',
    );
    const piece = Buffer.alloc(256 * 1024, 0x20);
    const chunk = Buffer.concat([Buffer.from(`${piece.byteLength.toString(16)}\r\n`), piece]);
    let sent = 0;
    // The attacker's loop: as fast as the socket takes it, until the service answers
    // or hangs up.
    while (!chunked.received().includes('\r\n\r\n') && !chunked.isClosed()) {
      const more = chunked.write(Buffer.concat([chunk, Buffer.from('\r\n')]));
      sent += piece.byteLength;
      await (more ? new Promise((resolve) => setImmediate(resolve)) : chunked.drained());
    }
    chunked.destroy();
    expect(chunked.received()).toMatch(/^HTTP\/1\.1 413 /);
    // The route takes 16 KiB (the transport cuts off at 32 KiB, whatever the archive's
    // limit): the answer came with the first chunks, not after megabytes.
    expect(sent).toBeLessThan(4 * 1024 * 1024);
    await healthy(service);
  }, 30_000);

  it('a WebSocket frame trickled and never finished: closed by the hello timeout (4003)', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${service.port}/ws/visitor`);
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.on('close', resolve));
    // A masked text frame header announcing 1000 bytes, then a byte now and then.
    const raw = (socket as unknown as { _socket: Socket })._socket;
    raw.write(Buffer.from([0x81, 0xfe, 0x03, 0xe8, 1, 2, 3, 4]));
    const timer = setInterval(() => raw.write(Buffer.from([0x61])), 100);
    expect(await closed).toBe(4003);
    clearInterval(timer);
    await healthy(service);
  });

  it('a frame over the limit closes that socket with 1009; a new one is served', async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${service.port}/ws/visitor`);
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.on('close', resolve));
    socket.send('x'.repeat(MAX_PAYLOAD_BYTES + 1));
    expect(await closed).toBe(1009);
    const visitor = await service.visitor();
    await visitor.hello({ landingPage: 'https://help.example/' });
    await healthy(service);
  });
});
