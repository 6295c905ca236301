/**
 * The gateway: the thin shell between a transport and the switchboard (STYLE.md 1).
 * It turns socket events into core events and carries out the core's effects. On
 * the way in it checks origins and per-IP connection rates at upgrade, limits each
 * socket's message rate, decodes every frame against its endpoint's schema
 * (SPEC.md SP-W1; the hot `signal` frame through protocol/hot-frames.ts, proven equal)
 * and does the hello handshake itself (SP-H1–SP-H3, SP-V1). Every dependency is
 * injected, the clock and the timer included, so tests drive it with a fake clock.
 */
import {
  ERRORS,
  StaffToService,
  VisitorToService,
  decodeFrame,
  decodeSignalOut,
  errorMessage,
  isRoomRequest,
  type ErrorCode,
} from '../../protocol/index.ts';
import type { CoreEvent, Effect, Stat, Switchboard } from '../core/events.ts';
import type { PersistChange } from '../core/records.ts';
import type { ContributorsRoom } from '../room/contributors-room.ts';
import type {
  SocketConnection,
  TransportHandlers,
  UpgradeDecision,
  UpgradeRequest,
} from '../transport/transport.ts';
import { createClientIpResolver } from './client-ip.ts';
import { AcceptedUpgrade, endpointOf, type Client, type ConnectionRole } from './connection.ts';
import { staffHello, visitorHello, type HelloDeps, type HelloOutcome } from './hello.ts';
import { createOriginPolicy, type OriginPolicy } from './origin-policy.ts';
import { ConnectionRateLimiter, TokenBucket } from './rate-limits.ts';

/** The few logger methods used; a pino logger fits. */
export interface GatewayLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What the gateway reports; signal/http's Prometheus registry implements it. */
export interface GatewayMetrics {
  /** A connection said hello (+1) or one that had closed (-1), by role. */
  connectionChanged(role: ConnectionRole, delta: 1 | -1): void;
  upgradeRefused(reason: 'path' | 'origin' | 'rate' | 'full'): void;
  /** An error code sent to a client (refused frames, rate limits, closes). */
  errorSent(code: ErrorCode): void;
  stat(stat: Stat): void;
}

/** Timers, injectable: the default uses setTimeout, tests a fake clock. `purpose`
 * tells the core's one deadline timer from the per-socket hello deadlines. */
export type Scheduler = (
  delayMs: number,
  fire: () => void,
  purpose: 'deadline' | 'hello',
) => () => void;

export type GatewayConfig = {
  publicOrigin: string | null;
  allowedOrigins: readonly string[];
  trustedProxies: readonly string[];
  wsMessagesPerSecond: number;
  wsMessageBurst: number;
  wsConnectionsPerIpPerMinute: number;
  /** A socket with more than this queued is closed as too slow (`backpressure`). */
  maxBackpressureBytes: number;
  /** A socket that has not said hello by then is closed (`hello_required`): an
   * open socket that never identifies itself only holds resources. */
  helloTimeoutMs: number;
  /** Open sockets past which a new one is closed at once with 1013 `server_full`
   * (SPEC.md SP-W5); the open ones carry on. */
  maxConnections: number;
};

export type GatewayDeps = HelloDeps & {
  switchboard: Pick<Switchboard, 'handle' | 'nextDeadline'>;
  storage: { apply(change: PersistChange): void };
  now(): number;
  logger: GatewayLogger;
  metrics: GatewayMetrics;
  config: GatewayConfig;
  scheduler?: Scheduler;
  /** Which origins may open sockets; built from `config` when absent. The service
   * passes one that follows the admin's allowed origins (SP-A7). */
  originPolicy?: OriginPolicy;
  /** The Contributors room: staff `room_*` frames and staff closes go to it (SP-CR1–SP-CR8). */
  room?: Pick<ContributorsRoom, 'handle' | 'disconnected'>;
  /** SP-CR9: the core says a visitor has waited long in the queue. */
  onQueueWait?: (wait: Extract<Effect, { kind: 'queue_wait' }>) => void;
};

/** The core events the admin API sends in (everything not tied to a socket). */
export type AdminEvent = Extract<
  CoreEvent,
  {
    type:
      | 'account_changed'
      | 'account_removed'
      | 'config_changed'
      | 'departments_changed'
      | 'blocks_changed'
      | 'helper_departments'
      | 'chat_rated';
  }
>;

export type Gateway = Pick<TransportHandlers, 'upgrade' | 'open' | 'message' | 'close'> & {
  /** Stops the timer and stops telling the core about closes: sockets closed by a
   * shutdown are not departures, the restart picks them up (SPEC.md SP-S2). */
  stop(): void;
  /** Stops (as `stop`), then tells every client why and closes it with the code's
   * close code, e.g. `shutting_down` (1012). */
  closeAll(code: ErrorCode): void;
  /** An event from outside a socket (HTTP admin API, SPEC.md SP-A1–SP-A7). */
  notify(event: AdminEvent): void;
  /** A session was signed out or revoked: its sockets are closed with `unauthorized`. */
  endSession(sessionKey: string): void;
  /** An account was disabled: every socket it holds closes with `unauthorized` (SP-A2). */
  endAccount(accountId: string): void;
  /** Open sockets, for metrics and tests. */
  size(): number;
  /** Sends one text frame to a socket that said hello, with the backpressure rule
   * of every other send (the room's deliveries). */
  sendText(conn: number, text: string): void;
};

/** Rate-limited frames since the last one let through before the socket is closed as
 * a flood: at least this many, or one more burst's worth. */
const MIN_FLOOD_EXCESS = 10;

const defaultScheduler: Scheduler = (delayMs, fire) => {
  const timer = setTimeout(fire, delayMs);
  return () => clearTimeout(timer);
};

export function createGateway(deps: GatewayDeps): Gateway {
  const { config, logger, metrics } = deps;
  const schedule = deps.scheduler ?? defaultScheduler;
  const originAllowed = deps.originPolicy ?? createOriginPolicy(config);
  const clientIp = createClientIpResolver(config.trustedProxies);
  const connectionRate = new ConnectionRateLimiter(config.wsConnectionsPerIpPerMinute);
  const floodAfter = Math.max(MIN_FLOOD_EXCESS, config.wsMessageBurst);
  const clients = new Map<number, Client>();
  // Core events wait here while effects run: a close made by an effect reports back
  // synchronously (uWS), and the core must not be re-entered mid-effects.
  const queue: { event: CoreEvent; from: Client | null; ref: string | undefined }[] = [];
  let draining = false;
  let stopped = false;
  let timer: { at: number; cancel: () => void } | null = null;

  function upgrade(req: UpgradeRequest): UpgradeDecision {
    const endpoint = endpointOf(req.path);
    if (endpoint === null) {
      metrics.upgradeRefused('path');
      return { accept: false, status: 404, reason: 'not found' };
    }
    const origin = originAllowed(req.headers['origin'], req.headers['host']);
    if (!origin.allowed) {
      metrics.upgradeRefused('origin');
      logger.info({ origin: req.headers['origin']?.slice(0, 200) }, 'websocket origin refused');
      return { accept: false, status: 403, reason: errorMessage('bad_origin') };
    }
    const ip = clientIp(req.remoteAddress, req.headers['x-forwarded-for']);
    if (!connectionRate.allow(ip, deps.now())) {
      metrics.upgradeRefused('rate');
      return { accept: false, status: 429, reason: 'too many connections' };
    }
    return { accept: true, data: new AcceptedUpgrade(endpoint, ip) };
  }

  function open(conn: SocketConnection): void {
    if (!(conn.data instanceof AcceptedUpgrade)) {
      conn.close(1011, 'internal');
      return;
    }
    // SP-W5: past the limit a new socket is told why and closed; open ones carry on.
    if (clients.size >= config.maxConnections) {
      metrics.upgradeRefused('full');
      metrics.errorSent('server_full');
      conn.send(
        JSON.stringify({
          type: 'error',
          code: 'server_full',
          message: errorMessage('server_full'),
        }),
      );
      conn.close(ERRORS.server_full.close, 'server_full');
      return;
    }
    const client: Client = {
      id: conn.id,
      conn,
      endpoint: conn.data.endpoint,
      ip: conn.data.ip,
      phase: { name: 'awaiting_hello' },
      bucket: new TokenBucket(config.wsMessagesPerSecond, config.wsMessageBurst, deps.now()),
      excess: 0,
      cancelHelloTimer: null,
    };
    clients.set(conn.id, client);
    client.cancelHelloTimer = schedule(
      config.helloTimeoutMs,
      () => {
        client.cancelHelloTimer = null;
        if (client.phase.name === 'awaiting_hello') refuse(client, 'hello_required', undefined);
      },
      'hello',
    );
  }

  function message(conn: SocketConnection, text: string | null, byteLength: number): void {
    const client = clients.get(conn.id);
    if (client === undefined || client.phase.name === 'closed') return;
    let ref: string | undefined;
    try {
      if (!admit(client)) return;
      // SP-W2: binary frames are refused; the socket stays open.
      if (text === null) {
        refuse(client, 'bad_frame', undefined);
        return;
      }
      ref = handleFrame(client, text);
    } catch (error) {
      logger.error({ err: error, conn: conn.id, byteLength, ref }, 'frame handling failed');
      refuse(client, 'internal', ref);
    }
  }

  function close(conn: SocketConnection, code: number): void {
    const client = clients.get(conn.id);
    if (client === undefined) return;
    clients.delete(conn.id);
    client.cancelHelloTimer?.();
    client.cancelHelloTimer = null;
    const role = roleOf(client);
    client.phase = { name: 'closed', role };
    logger.debug({ conn: conn.id, code }, 'socket closed');
    if (role === null) return;
    metrics.connectionChanged(role, -1);
    if (role !== 'visitor') deps.room?.disconnected(conn.id);
    // The core knows only connections that said hello.
    if (!stopped) dispatch({ type: 'disconnected', conn: conn.id }, null, undefined);
  }

  /** The per-socket message limit: the first frame over it gets `rate_limited`,
   * further ones are dropped, and a sustained flood closes the socket (4008). */
  function admit(client: Client): boolean {
    if (client.bucket.take(deps.now())) {
      client.excess = 0;
      return true;
    }
    client.excess += 1;
    if (client.excess === 1) refuse(client, 'rate_limited', undefined);
    else if (client.excess >= floodAfter) refuse(client, 'flood', undefined);
    return false;
  }

  /** Decodes and routes one text frame; returns the frame's `type` for error refs. */
  function handleFrame(client: Client, text: string): string | undefined {
    if (client.endpoint === 'visitor') {
      const decoded = decodeFrame(VisitorToService, text, decodeSignalOut);
      if (!decoded.ok) return refuseFrame(client, decoded.code, decoded.ref);
      const msg = decoded.value;
      if (msg.type === 'hello')
        return hello(client, () => visitorHello(deps, client.id, client.ip, msg, deps.now()));
      if (client.phase.name !== 'visitor') return refuseFrame(client, 'hello_required', msg.type);
      dispatch({ type: 'visitor_message', conn: client.id, msg }, client, msg.type);
      return msg.type;
    }
    const decoded = decodeFrame(StaffToService, text, decodeSignalOut);
    if (!decoded.ok) return refuseFrame(client, decoded.code, decoded.ref);
    const msg = decoded.value;
    if (msg.type === 'hello')
      return hello(client, () => staffHello(deps, client.id, client.ip, msg, deps.now()));
    if (client.phase.name !== 'staff') return refuseFrame(client, 'hello_required', msg.type);
    if (isRoomRequest(msg)) {
      if (deps.room === undefined) return refuseFrame(client, 'unknown_type', msg.type);
      deps.room.handle({ conn: client.id, accountId: client.phase.accountId }, msg);
      return msg.type;
    }
    dispatch({ type: 'staff_message', conn: client.id, msg }, client, msg.type);
    return msg.type;
  }

  /** SP-H1–SP-H3: the first hello is checked here and announced to the core; a second is refused. */
  function hello(client: Client, check: () => HelloOutcome): string | undefined {
    if (client.phase.name !== 'awaiting_hello')
      return refuseFrame(client, 'already_hello', 'hello');
    const outcome = check();
    if (!outcome.ok) return refuseFrame(client, outcome.code, 'hello');
    client.cancelHelloTimer?.();
    client.cancelHelloTimer = null;
    client.phase = outcome.phase;
    const role = roleOf(client);
    if (role !== null) metrics.connectionChanged(role, 1);
    dispatch(outcome.event, client, 'hello');
    return 'hello';
  }

  function refuseFrame(
    client: Client,
    code: ErrorCode,
    ref: string | undefined,
  ): string | undefined {
    refuse(client, code, ref);
    return ref;
  }

  /** Sends `{type:"error"}` (SPEC.md SP-E1, SP-E2), then closes if the code ends the connection. */
  function refuse(client: Client, code: ErrorCode, ref: string | undefined): void {
    sendError(client, code, ref);
    const closeCode = ERRORS[code].close;
    if (closeCode !== null) closeClient(client, closeCode, code);
  }

  function sendError(client: Client, code: ErrorCode, ref: string | undefined): void {
    metrics.errorSent(code);
    const error = { type: 'error' as const, code, message: errorMessage(code) };
    send(client, JSON.stringify(ref === undefined ? error : { ...error, ref }));
  }

  function closeClient(client: Client, code: number, reason: string): void {
    if (client.phase.name === 'closed') return;
    // Closed from now on for us, even while `ws` waits for the close handshake; the
    // core still hears `disconnected` when the transport reports the close.
    client.phase = { name: 'closed', role: roleOf(client) };
    client.conn.close(code, reason);
  }

  /** A send that the transport could not queue, or that leaves more queued than the
   * limit, closes the socket: a client that does not read must not grow our memory. */
  function send(client: Client, text: string): void {
    if (client.phase.name === 'closed') return;
    const result = client.conn.send(text);
    if (result === 'sent') return;
    if (result === 'dropped' || client.conn.bufferedAmount() > config.maxBackpressureBytes) {
      logger.warn({ conn: client.id, result }, 'socket too slow, closing');
      metrics.errorSent('backpressure');
      closeClient(client, ERRORS.backpressure.close, 'backpressure');
    }
  }

  /** Runs one event through the core and carries out its effects. Events raised
   * meanwhile (closes reported synchronously) are queued and run after, in order. */
  function dispatch(event: CoreEvent, from: Client | null, ref: string | undefined): void {
    queue.push({ event, from, ref });
    if (draining) return;
    draining = true;
    try {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        let effects: readonly Effect[];
        try {
          effects = deps.switchboard.handle(next.event, deps.now());
        } catch (error) {
          // One event's failure stays with it: log, answer `internal`, go on.
          logger.error({ err: error, event: next.event.type, ref: next.ref }, 'core failed');
          if (next.from !== null) refuse(next.from, 'internal', next.ref);
          continue;
        }
        for (const effect of effects) {
          try {
            carryOut(effect);
          } catch (error) {
            logger.error({ err: error, effect: effect.kind }, 'effect failed');
          }
        }
      }
    } finally {
      draining = false;
      armTimer();
    }
  }

  function carryOut(effect: Effect): void {
    switch (effect.kind) {
      case 'send': {
        const client = clients.get(effect.conn);
        if (client !== undefined) send(client, JSON.stringify(effect.msg));
        return;
      }
      case 'close': {
        const client = clients.get(effect.conn);
        if (client === undefined) return;
        sendError(client, effect.code, undefined);
        closeClient(client, ERRORS[effect.code].close ?? 1000, effect.code);
        return;
      }
      case 'persist':
        try {
          deps.storage.apply(effect.change);
        } catch (error) {
          // The core has moved on; losing one write must not take the service down.
          logger.error({ err: error, op: effect.change.op }, 'persist failed');
        }
        return;
      case 'stat':
        metrics.stat(effect.stat);
        return;
      case 'queue_wait':
        deps.onQueueWait?.(effect);
        return;
    }
  }

  /** One timer, always for the core's earliest deadline (re-armed after each drain). */
  function armTimer(): void {
    if (stopped) return;
    const at = deps.switchboard.nextDeadline();
    if (timer !== null && timer.at === at) return;
    timer?.cancel();
    timer = null;
    if (at === null) return;
    const cancel = schedule(
      Math.max(0, at - deps.now()),
      () => {
        timer = null;
        dispatch({ type: 'tick' }, null, undefined);
      },
      'deadline',
    );
    timer = { at, cancel };
  }

  function stop(): void {
    stopped = true;
    timer?.cancel();
    timer = null;
  }

  armTimer();

  return {
    upgrade,
    open,
    message,
    close,
    stop,
    closeAll(code) {
      stop();
      for (const client of [...clients.values()]) {
        sendError(client, code, undefined);
        closeClient(client, ERRORS[code].close ?? 1000, code);
      }
    },
    notify(event) {
      if (!stopped) dispatch(event, null, undefined);
    },
    endSession(sessionKey) {
      for (const client of [...clients.values()]) {
        if (client.phase.name === 'staff' && client.phase.sessionKey === sessionKey) {
          refuse(client, 'unauthorized', undefined);
        }
      }
    },
    endAccount(accountId) {
      for (const client of [...clients.values()]) {
        if (client.phase.name === 'staff' && client.phase.accountId === accountId) {
          refuse(client, 'unauthorized', undefined);
        }
      }
    },
    size: () => clients.size,
    sendText(conn, text) {
      const client = clients.get(conn);
      if (client !== undefined) send(client, text);
    },
  };
}

/** The role of a connection that said hello (the core knows it), else null. */
function roleOf(client: Client): ConnectionRole | null {
  const phase = client.phase;
  switch (phase.name) {
    case 'visitor':
      return 'visitor';
    case 'staff':
    case 'closed':
      return phase.role;
    case 'awaiting_hello':
      return null;
  }
}
