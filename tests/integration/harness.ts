/**
 * Integration harness: the real service on port 0 in a temporary DATA_DIR, on a
 * chosen transport, with typed WebSocket clients (the `ws` package) and sign-in
 * through the HTTP API. Clients validate every message they receive against the
 * service's outgoing schemas, so a malformed message from the service fails the
 * test. Waits are for conditions (`next(type)`), never sleeps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import WebSocket from 'ws';
import {
  PROTOCOL_VERSION,
  ServiceToStaff,
  ServiceToVisitor,
  type StaffToService,
  type VisitorToService,
} from '../../protocol/index.ts';
import { FAST_SCRYPT_PARAMS } from '../../signal/auth/passwords.ts';
import { loadConfig } from '../../signal/config.ts';
import { createLogger } from '../../signal/log.ts';
import { startServer, type RunningServer } from '../../signal/server.ts';

export const ADMIN_NICKNAME = 'admin';
export const ADMIN_PASSWORD = 'admin-password-1';
const DEFAULT_TIMEOUT_MS = 5000;

export type TransportName = 'uws' | 'ws';

export type Service = {
  port: number;
  transport: TransportName;
  baseUrl: string;
  dataDir: string;
  server: RunningServer;
  visitor(options?: ClientOptions): Promise<VisitorClient>;
  staff(options?: ClientOptions): Promise<StaffClient>;
  /** Signs in through `POST /api/session`; returns the session token. */
  signIn(nickname: string, password: string): Promise<string>;
  /** Stops the service; `keepData` leaves DATA_DIR for a restart test. */
  close(options?: { keepData?: boolean }): Promise<void>;
};

export type ServiceOptions = {
  transport: TransportName;
  /** Environment variables on top of the harness defaults. */
  env?: Record<string, string>;
  demo?: boolean;
  /** Reuse a DATA_DIR (restart tests). */
  dataDir?: string;
  /** The built app to serve; build/ at the repository root by default. */
  staticDir?: string;
};

export type ClientOptions = { headers?: Record<string, string> };

export async function startService(options: ServiceOptions): Promise<Service> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'peerdesk-it-'));
  const loaded = loadConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      TRANSPORT: options.transport,
      LOG_LEVEL: 'silent',
      ADMIN_NICKNAME,
      ADMIN_PASSWORD,
      ...options.env,
    },
    options.demo === true ? ['--demo'] : [],
  );
  if (!loaded.ok) throw new Error(`bad test config: ${loaded.errors.join('; ')}`);
  const server = await startServer(loaded.config, {
    logger: createLogger({ level: 'silent' }),
    scrypt: FAST_SCRYPT_PARAMS,
    ...(options.staticDir === undefined ? {} : { staticDir: options.staticDir }),
  });
  const baseUrl = `http://127.0.0.1:${server.port}`;
  const wsUrl = `ws://127.0.0.1:${server.port}`;
  const clients: { terminate(): void }[] = [];
  const track = <C extends { terminate(): void }>(client: C): C => {
    clients.push(client);
    return client;
  };
  return {
    port: server.port,
    transport: server.transport,
    baseUrl,
    dataDir,
    server,
    visitor: async (clientOptions = {}) =>
      track(await VisitorClient.open(`${wsUrl}/ws/visitor`, ServiceToVisitor, clientOptions)),
    staff: async (clientOptions = {}) =>
      track(await StaffClient.open(`${wsUrl}/ws/staff`, ServiceToStaff, clientOptions)),
    async signIn(nickname, password) {
      const res = await fetch(`${baseUrl}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ nickname, password }),
      });
      if (res.status !== 200) throw new Error(`sign-in of ${nickname} failed: ${res.status}`);
      const body: unknown = await res.json();
      const parsed = v.parse(v.object({ token: v.string() }), body);
      return parsed.token;
    },
    async close(closeOptions = {}) {
      for (const client of clients) client.terminate();
      await server.close();
      if (closeOptions.keepData !== true) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type CloseEvent = { code: number; reason: string };

/** A typed client of one endpoint: sends `Out` messages, receives validated `In`. */
export class ProtocolClient<Out extends { type: string }, In extends { type: string }> {
  /** Every message received, in order (including those `next` consumed). */
  readonly received: In[] = [];
  readonly closed: Promise<CloseEvent>;
  private readonly unread: In[] = [];
  private readonly waiters: { type: string; resolve: (msg: In) => void }[] = [];
  private closeEvent: CloseEvent | null = null;
  private failure: Error | null = null;

  protected constructor(
    readonly ws: WebSocket,
    schema: v.GenericSchema<unknown, In>,
  ) {
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) {
        this.failure = new Error('the service sent a binary frame');
        return;
      }
      const parsed = v.safeParse(schema, JSON.parse(data.toString('utf8')) as unknown);
      if (!parsed.success) {
        this.failure = new Error(
          `the service sent a message outside its schema: ${data.toString('utf8').slice(0, 300)}`,
        );
        return;
      }
      this.deliver(parsed.output);
    });
    this.closed = new Promise((resolve) =>
      ws.once('close', (code: number, reason: Buffer) => {
        this.closeEvent = { code, reason: reason.toString('utf8') };
        resolve(this.closeEvent);
      }),
    );
  }

  protected static connect(url: string, options: ClientOptions): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: options.headers ?? {} });
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => {
        reject(new Error(`upgrade refused with ${res.statusCode}`));
        res.resume();
      });
      ws.once('error', reject);
    });
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(msg: Out): void {
    this.ws.send(JSON.stringify(msg));
  }

  /** Anything at all, for the malformed-frame tests. */
  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary });
  }

  /** The next unread message of `type` (earlier unread ones of other types stay unread). */
  next<T extends In['type']>(
    type: T,
    timeoutMs = DEFAULT_TIMEOUT_MS,
  ): Promise<Extract<In, { type: T }>> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const index = this.unread.findIndex((msg) => msg.type === type);
    if (index !== -1) {
      const [msg] = this.unread.splice(index, 1);
      return Promise.resolve(msg as Extract<In, { type: T }>);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        type,
        resolve: (msg: In) => {
          clearTimeout(timer);
          resolve(msg as Extract<In, { type: T }>);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        const state = this.closeEvent === null ? 'open' : `closed ${this.closeEvent.code}`;
        const seen = this.received.map((msg) => msg.type).join(', ');
        reject(
          new Error(`no "${type}" within ${timeoutMs} ms (socket ${state}; received: ${seen})`),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Waits for the socket to close; fails if it stays open. */
  async closedWithin(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<CloseEvent> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error(`socket still open after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(code = 1000): void {
    this.ws.close(code);
  }

  terminate(): void {
    this.ws.terminate();
  }

  private deliver(msg: In): void {
    this.received.push(msg);
    const index = this.waiters.findIndex((waiter) => waiter.type === msg.type);
    const waiter = index === -1 ? undefined : this.waiters.splice(index, 1)[0];
    if (waiter === undefined) this.unread.push(msg);
    else waiter.resolve(msg);
  }
}

export class VisitorClient extends ProtocolClient<VisitorToService, ServiceToVisitor> {
  static async open(
    url: string,
    schema: typeof ServiceToVisitor,
    options: ClientOptions,
  ): Promise<VisitorClient> {
    return new VisitorClient(await ProtocolClient.connect(url, options), schema);
  }

  /** Says hello and waits for the welcome. */
  async hello(
    extra: { token?: string; landingPage?: string } = {},
  ): Promise<Extract<ServiceToVisitor, { type: 'welcome' }>> {
    this.send({ type: 'hello', v: PROTOCOL_VERSION, ...extra });
    return this.next('welcome');
  }

  nextError(timeoutMs?: number): Promise<ErrorReply> {
    return this.next('error', timeoutMs);
  }

  nextWelcome(timeoutMs?: number): Promise<{ type: 'welcome' }> {
    return this.next('welcome', timeoutMs);
  }
}

export class StaffClient extends ProtocolClient<StaffToService, ServiceToStaff> {
  static async open(
    url: string,
    schema: typeof ServiceToStaff,
    options: ClientOptions,
  ): Promise<StaffClient> {
    return new StaffClient(await ProtocolClient.connect(url, options), schema);
  }

  async hello(
    session: string,
    extra: { chats?: string[]; available?: boolean } = {},
  ): Promise<Extract<ServiceToStaff, { type: 'welcome' }>> {
    this.send({ type: 'hello', v: PROTOCOL_VERSION, session, ...extra });
    return this.next('welcome');
  }

  nextError(timeoutMs?: number): Promise<ErrorReply> {
    return this.next('error', timeoutMs);
  }

  nextWelcome(timeoutMs?: number): Promise<{ type: 'welcome' }> {
    return this.next('welcome', timeoutMs);
  }
}

/** The `error` message, the same shape on both endpoints. */
export type ErrorReply = Extract<ServiceToVisitor, { type: 'error' }>;
