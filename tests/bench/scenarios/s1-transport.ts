/**
 * S1 transport: our service's WebSocket layer (servers/echo-ours.ts says what that
 * covers) against a bare uWebSockets.js echo, `ws` and socket.io. Per contender and
 * repetition a fresh server process for memory per idle connection at each connection
 * count (with `STEADY_MEMORY`), then another for CPU per million echoed messages (64 B,
 * then 1 KB) and latency at a fixed offered load.
 */
import { inPool, pollUntil } from '../lib/deadline.ts';
import type { Figures } from '../lib/repetitions.ts';
import { interleave } from '../lib/repetitions.ts';
import { rowFrom, type ResultRow } from '../lib/results.ts';
import {
  startServerProcess,
  type ServerProcess,
  type SpawnOptions,
} from '../lib/server-process.ts';
import { percentile } from '../lib/stats.ts';
import type { ServerKind } from '../lib/child-protocol.ts';
import {
  openEchoConnection,
  payloadOf,
  type EchoConnection,
  type EchoTarget,
} from '../clients/echo-clients.ts';
import type { ScenarioContext } from './scenario.ts';

export type S1Sizes = {
  /** Idle connection counts at which memory is read, ascending. */
  idleConnections: number[];
  /** Echoed messages per CPU measurement (after a warm-up of a fifth as many). */
  messages: { bytes: number; count: number }[];
  throughputConnections: number;
  /** Messages in flight per connection during the CPU measurement. */
  window: number;
  latency: { connections: number; perSecond: number; seconds: number; bytes: number };
};

export const S1_FULL: S1Sizes = {
  idleConnections: [1000, 5000, 15000],
  messages: [
    { bytes: 64, count: 100_000 },
    { bytes: 1024, count: 50_000 },
  ],
  throughputConnections: 32,
  window: 16,
  latency: { connections: 50, perSecond: 5000, seconds: 2, bytes: 64 },
};

export const S1_SMOKE: S1Sizes = {
  idleConnections: [300],
  messages: [
    { bytes: 64, count: 4_000 },
    { bytes: 1024, count: 2_000 },
  ],
  throughputConnections: 16,
  window: 8,
  latency: { connections: 20, perSecond: 2000, seconds: 0.5, bytes: 64 },
};

type Contender = { name: string; kind: ServerKind; target: EchoTarget };

const CONTENDERS: Contender[] = [
  { name: 'ours (transport)', kind: 'echo-ours', target: 'plain' },
  { name: 'uWS (bare)', kind: 'echo-uws', target: 'plain' },
  { name: 'ws', kind: 'echo-ws', target: 'plain' },
  { name: 'socket.io', kind: 'echo-socketio', target: 'socketio' },
];
const OURS = CONTENDERS[0]!.name;
const BARE_UWS = CONTENDERS[1]!.name;

/** Connections opened at once; loopback accepts far more, but the listen backlog
 * (somaxconn) and the client's event loop set a sensible ceiling. */
const OPEN_CONCURRENCY = 200;

export async function runS1(context: ScenarioContext, sizes: S1Sizes): Promise<ResultRow[]> {
  const byName = new Map(CONTENDERS.map((c) => [c.name, c]));
  const samples = await interleave(
    CONTENDERS.map((c) => c.name),
    context.plan,
    async (name, round) => {
      const contender = byName.get(name)!;
      const run = round.warmUp ? shrink(sizes) : sizes;
      const start = async (spawn: SpawnOptions): Promise<ServerProcess> => {
        const server = await startServerProcess(contender.kind, {}, spawn);
        context.requireNative(server);
        return server;
      };
      const maxSockets = Math.max(...run.idleConnections);
      // Memory in a process of its own, with V8's and malloc's page policies held still.
      const memoryServer = await start({ maxSockets, ...STEADY_MEMORY });
      const figures: Figures = {};
      try {
        const memory = await memoryPerIdle(memoryServer, contender.target, run.idleConnections);
        for (const [count, bytes] of memory) figures[`mem@${count}`] = bytes;
      } finally {
        await memoryServer.stop();
      }
      const server = await start({ maxSockets });
      try {
        return { ...figures, ...(await measureTraffic(server, contender.target, run)) };
      } finally {
        await server.stop();
      }
    },
  );
  const rows: ResultRow[] = [];
  const row = (
    metric: string,
    figure: string,
    unit: string,
    scale: number,
    target?: number,
  ): void => {
    rows.push(
      rowFrom(samples, {
        scenario: 'S1',
        metric,
        figure,
        unit,
        better: 'lower',
        ours: OURS,
        // The targets name bare uWS; ws and socket.io are shown beside it.
        peers: [BARE_UWS],
        scale,
        ...(target === undefined ? {} : { target: { on: 'ratio' as const, max: target } }),
      }),
    );
    const last = rows.at(-1)!;
    for (const other of CONTENDERS.slice(2)) {
      const list = samples.get(other.name)?.get(figure) ?? [];
      if (list.length > 0) {
        const scaled = list.map((x) => x * scale);
        last.contenders[other.name] = {
          median: [...scaled].sort((a, b) => a - b)[scaled.length >> 1]!,
          min: Math.min(...scaled),
          max: Math.max(...scaled),
          n: scaled.length,
        };
      }
    }
  };
  for (const count of sizes.idleConnections) {
    row(`memory per idle connection @ ${count}`, `mem@${count}`, 'KB', 1 / 1024, 1.3);
  }
  for (const { bytes } of sizes.messages) {
    row(`CPU per 1M echoed ${bytes} B messages`, `cpu@${bytes}`, 's', 1, 1.2);
  }
  const rate = `${sizes.latency.perSecond}/s`;
  row(`echo p50 latency at ${rate}`, 'p50', 'ms', 1);
  row(`echo p99 latency at ${rate}`, 'p99', 'ms', 1, 1.2);
  return rows;
}

/** The warm-up round: same steps, a tenth of the work. */
function shrink(sizes: S1Sizes): S1Sizes {
  return {
    ...sizes,
    idleConnections: sizes.idleConnections.slice(0, 1),
    messages: sizes.messages.map((m) => ({ ...m, count: Math.ceil(m.count / 10) })),
    latency: { ...sizes.latency, seconds: Math.min(1, sizes.latency.seconds) },
  };
}

async function measureTraffic(
  server: ServerProcess,
  target: EchoTarget,
  sizes: S1Sizes,
): Promise<Figures> {
  const figures: Figures = {};
  for (const { bytes, count } of sizes.messages) {
    figures[`cpu@${bytes}`] = await cpuPerMillion(server, target, sizes, bytes, count);
  }
  const latency = await latencyAtLoad(server, target, sizes.latency);
  figures['p50'] = latency.p50;
  figures['p99'] = latency.p99;
  return figures;
}

/** Closed loop: `window` messages in flight on each connection until `count` are echoed. */
async function cpuPerMillion(
  server: ServerProcess,
  target: EchoTarget,
  sizes: S1Sizes,
  bytes: number,
  count: number,
): Promise<number> {
  const payload = payloadOf(bytes);
  let run: { total: number; remaining: number; echoed: number; done: () => void } | null = null;
  const connections: EchoConnection[] = [];
  await inPool(sizes.throughputConnections, sizes.throughputConnections, async (i) => {
    const connection = await openEchoConnection(target, server.port, () => {
      if (run === null) return;
      run.echoed++;
      if (run.remaining > 0) {
        run.remaining--;
        connections[i]!.send(payload);
      }
      if (run.echoed === run.total) run.done();
    });
    connections[i] = connection;
  });
  const pump = (total: number): Promise<void> =>
    new Promise((resolve) => {
      const inFlight = Math.min(total, sizes.window * connections.length);
      run = { total, remaining: total - inFlight, echoed: 0, done: resolve };
      for (let k = 0; k < inFlight; k++) connections[k % connections.length]!.send(payload);
    });
  // Warm-up: the JIT and the allocator settle before the measured run.
  await pump(Math.ceil(count / 5));
  const before = server.cpuSeconds();
  await pump(count);
  const used = server.cpuSeconds() - before;
  for (const connection of connections) connection.terminate();
  return (used / count) * 1e6;
}

/** Open loop: messages sent on a fixed schedule, each timed until its echo. */
async function latencyAtLoad(
  server: ServerProcess,
  target: EchoTarget,
  load: S1Sizes['latency'],
): Promise<{ p50: number; p99: number }> {
  const payload = payloadOf(load.bytes);
  const sentAt: number[][] = [];
  const samples: number[] = [];
  let measuring = false;
  const connections: EchoConnection[] = [];
  await inPool(load.connections, load.connections, async (i) => {
    sentAt[i] = [];
    connections[i] = await openEchoConnection(target, server.port, () => {
      const at = sentAt[i]!.shift();
      if (at !== undefined && measuring) samples.push(performance.now() - at);
    });
  });
  const warmUpMs = 500;
  const totalMs = warmUpMs + load.seconds * 1000;
  const start = performance.now();
  let sent = 0;
  let next = 0;
  await new Promise<void>((resolve) => {
    // The schedule: every tick sends what the rate owes by now, round-robin.
    const timer = setInterval(() => {
      const elapsed = performance.now() - start;
      measuring = elapsed >= warmUpMs;
      const owed = Math.floor((Math.min(elapsed, totalMs) / 1000) * load.perSecond);
      for (; sent < owed; sent++) {
        const i = next++ % connections.length;
        sentAt[i]!.push(performance.now());
        connections[i]!.send(payload);
      }
      if (elapsed >= totalMs) {
        clearInterval(timer);
        resolve();
      }
    }, 1);
  });
  await pollUntil(
    'every echo of the latency run',
    () => sentAt.every((queue) => queue.length === 0),
    10_000,
  );
  for (const connection of connections) connection.terminate();
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

/**
 * How the memory child runs, for every contender alike (issue 17). Without these, RSS
 * between two readings moved by megabytes against the 100–500 B a socket costs, and
 * one run read bare uWS at −0.75 KB per socket: V8 resized its young generation (1 to
 * 16 MB, by its own policy, fixed here at 1 MB semi-spaces), its memory reducer gave
 * pages back on a timer (off here), and glibc trimmed freed heap (threshold raised).
 * The service runs with V8's defaults; CPU and latency are measured in a child
 * without these flags.
 */
const STEADY_MEMORY: SpawnOptions = {
  nodeArgs: ['--no-memory-reducer', '--min-semi-space-size=1', '--max-semi-space-size=1'],
  env: { MALLOC_TRIM_THRESHOLD_: String(2 ** 32 - 1) },
};

/** Connections opened and closed before the base reading: what the first sockets
 * set up once (code compiled, uWS's buffers, lazily loaded modules) is then in the
 * base, not in the figure. Few, so that the freed sockets' memory, which the
 * allocator reuses, hides little of what the measured ones cost. */
const WARM_UP_CONNECTIONS = OPEN_CONCURRENCY;

/**
 * RSS growth per connection as connections are added up to each count. The base is
 * read after a warm-up (connections opened and closed), and every reading after the
 * child has written every page of its young generation and run two full GCs, the
 * same for every contender: the young generation is a fixed reservation that RSS
 * would otherwise count page by page as allocation first reaches it, which made our
 * figure (whose start-up had grown it to 16 MB) mostly V8's and let readings fall
 * below a base read right after start-up.
 */
async function memoryPerIdle(
  server: ServerProcess,
  target: EchoTarget,
  counts: readonly number[],
): Promise<Map<number, number>> {
  const warmUp: EchoConnection[] = [];
  await inPool(WARM_UP_CONNECTIONS, OPEN_CONCURRENCY, async (i) => {
    warmUp[i] = await openEchoConnection(target, server.port, () => undefined);
  });
  for (const connection of warmUp) connection.terminate();
  const steady = { touchYoung: true };
  await server.settledRss(steady);
  const base = await server.settledRss(steady);
  const connections: EchoConnection[] = [];
  const perConnection = new Map<number, number>();
  try {
    for (const count of counts) {
      const from = connections.length;
      await inPool(count - from, OPEN_CONCURRENCY, async (i) => {
        connections[from + i] = await openEchoConnection(target, server.port, () => undefined);
      });
      perConnection.set(count, ((await server.settledRss(steady)) - base) / count);
    }
  } finally {
    for (const connection of connections) connection?.terminate();
  }
  return perConnection;
}
