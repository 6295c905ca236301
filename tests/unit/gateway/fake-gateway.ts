/** A gateway wired to fakes: a scripted switchboard, recording sockets, a fake clock
 * and a fake one-timer scheduler. No sockets, no real time. */
import type { CoreEvent, Effect, Stat, Switchboard } from '../../../signal/core/events.ts';
import type {
  AccountRecord,
  PersistChange,
  VisitorIdentity,
} from '../../../signal/core/records.ts';
import {
  createGateway,
  type Gateway,
  type GatewayConfig,
} from '../../../signal/gateway/gateway.ts';
import type { SendResult, SocketConnection } from '../../../signal/transport/transport.ts';

/** How long the fake gateway waits for a hello. */
export const HELLO_TIMEOUT_MS = 10_000;

export const HELPER: AccountRecord = {
  id: 'a1',
  nickname: 'helen',
  name: 'Helen',
  role: 'helper',
  chatLimit: 3,
};

export type FakeSocket = SocketConnection & {
  sent: string[];
  closed: { code: number; reason: string } | null;
  nextSend: SendResult;
  buffered: number;
  /** Parsed frames sent to this socket. */
  frames(): Record<string, unknown>[];
};

export type Harness = {
  gateway: Gateway;
  clock: { now: number };
  events: CoreEvent[];
  /** Effects the fake core returns for the next events, in order. */
  script: ((event: CoreEvent) => Effect[])[];
  deadline: { at: number | null };
  /** The core's deadline timer, one armed at a time. */
  timers: { delayMs: number; fire: () => void; cancelled: boolean }[];
  /** One hello deadline per opened socket. */
  helloTimers: { delayMs: number; fire: () => void; cancelled: boolean }[];
  persisted: PersistChange[];
  stats: Stat[];
  errorsSent: string[];
  refusedUpgrades: string[];
  logs: { level: string; obj: object; msg?: string }[];
  connections: [string, number][];
  /** Upgrades and opens a socket; returns it (or the refusal status). */
  connect(path: string, headers?: Record<string, string>, remoteAddress?: string): FakeSocket;
  frame(socket: FakeSocket, value: unknown): void;
  /** The transport's close report, as the transport would make it. */
  transportClose(socket: FakeSocket, code: number): void;
};

export function fakeGateway(overrides: Partial<GatewayConfig> = {}): Harness {
  const clock = { now: 1_000_000 };
  const events: CoreEvent[] = [];
  const script: Harness['script'] = [];
  const deadline = { at: null as number | null };
  const timers: Harness['timers'] = [];
  const helloTimers: Harness['helloTimers'] = [];
  const persisted: PersistChange[] = [];
  const stats: Stat[] = [];
  const errorsSent: string[] = [];
  const refusedUpgrades: string[] = [];
  const logs: Harness['logs'] = [];
  const connections: Harness['connections'] = [];
  const log = (level: string) => (obj: object, msg?: string) => logs.push({ level, obj, msg });
  const switchboard: Pick<Switchboard, 'handle' | 'nextDeadline'> = {
    handle(event) {
      events.push(event);
      const next = script.shift();
      return next ? next(event) : [];
    },
    nextDeadline: () => deadline.at,
  };
  const tokens = new Map<string, VisitorIdentity>();
  let minted = 0;
  const gateway = createGateway({
    switchboard,
    storage: { apply: (change) => persisted.push(change) },
    now: () => clock.now,
    logger: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
    metrics: {
      connectionChanged: (role, delta) => connections.push([role, delta]),
      upgradeRefused: (reason) => refusedUpgrades.push(reason),
      errorSent: (code) => errorsSent.push(code),
      stat: (stat) => stats.push(stat),
    },
    verifySession: (token) =>
      token === 'good-session' ? { account: HELPER, sessionKey: 'session-1' } : null,
    visitorTokens: {
      sign: (identity) => {
        const token = `tok-${identity.visitorId}`;
        tokens.set(token, identity);
        return token;
      },
      verify: (token) => tokens.get(token) ?? null,
      mint: (now, landingPage) => ({
        visitorId: `v${++minted}`,
        firstVisitAt: now,
        firstLandingPage: landingPage,
      }),
    },
    iceServers: () => [],
    relayOnlyHelpers: false,
    config: {
      publicOrigin: 'https://chat.example.org',
      allowedOrigins: ['https://help.example.com'],
      trustedProxies: ['10.0.0.0/8'],
      wsMessagesPerSecond: 5,
      wsMessageBurst: 10,
      wsConnectionsPerIpPerMinute: 30,
      maxBackpressureBytes: 1000,
      helloTimeoutMs: HELLO_TIMEOUT_MS,
      maxConnections: 1000,
      ...overrides,
    },
    scheduler: (delayMs, fire, purpose) => {
      const timer = { delayMs, fire, cancelled: false };
      (purpose === 'deadline' ? timers : helloTimers).push(timer);
      return () => {
        timer.cancelled = true;
      };
    },
  });
  let nextId = 0;
  const harness: Harness = {
    gateway,
    clock,
    events,
    script,
    deadline,
    timers,
    helloTimers,
    persisted,
    stats,
    errorsSent,
    refusedUpgrades,
    logs,
    connections,
    connect(path, headers = {}, remoteAddress = '127.0.0.1') {
      const decision = gateway.upgrade({ path, query: '', headers, remoteAddress });
      if (!decision.accept) throw new Error(`refused ${decision.status}`);
      const socket: FakeSocket = {
        id: ++nextId,
        data: decision.data,
        sent: [],
        closed: null,
        nextSend: 'sent',
        buffered: 0,
        send(text) {
          if (socket.closed) return 'dropped';
          socket.sent.push(text);
          return socket.nextSend;
        },
        bufferedAmount: () => socket.buffered,
        close(code, reason) {
          if (socket.closed) return;
          socket.closed = { code, reason };
          // Like uWS: the close is reported at once, inside the call.
          gateway.close(socket, code);
        },
        frames: () => socket.sent.map((text) => JSON.parse(text) as Record<string, unknown>),
      };
      gateway.open(socket);
      return socket;
    },
    frame(socket, value) {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      gateway.message(socket, text, Buffer.byteLength(text));
    },
    transportClose(socket, code) {
      socket.closed = { code, reason: '' };
      gateway.close(socket, code);
    },
  };
  return harness;
}
