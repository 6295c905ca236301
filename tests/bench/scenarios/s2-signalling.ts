/**
 * S2 signalling: a WebRTC-style exchange (a 3 KB offer, a 3 KB answer, five
 * candidates each way: ten) between the two ends of each pair, through our service
 * (a visitor and a helper in one chat), y-webrtc's signalling server and the PeerJS
 * server, and the floor: a bare uWS relay that forwards the same frames as ours by a
 * lookup and nothing else (its own rows). Per contender and repetition one fresh
 * server process; pairs are added up to each size, memory is read after full GCs (RSS outside the young
 * generation, `memoryOutsideYoung`), then rounds are run with a
 * bounded number in flight and timed from the offer to the last of the twelve
 * signals. Then, on the same pairs, rounds two at a time (`LIGHT_IN_FLIGHT`): at 200 in
 * flight the runner, one process for every client socket, is the bottleneck (it used
 * 0.70–0.97 CPU-s of runs of 0.74–1.1 s, the service 0.56–0.63), so a round's time there is
 * mostly its wait in the runner, the same for every server; two at a time time the server.
 * Also, for our service only, join/leave cycles with a leak check.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import {
  bareRelayTarget,
  oursHelpers,
  oursTarget,
  oursVisitorCycle,
  peerjsTarget,
  yWebrtcTarget,
  type Pair,
  type SignallingTarget,
} from '../clients/signalling-clients.ts';
import type { ServerKind } from '../lib/child-protocol.ts';
import { inPool, pollUntil, within } from '../lib/deadline.ts';
import { interleave, type Figures } from '../lib/repetitions.ts';
import { rowFrom, type ResultRow } from '../lib/results.ts';
import { startServerProcess, type ServerProcess } from '../lib/server-process.ts';
import { gauge } from '../lib/service-metrics.ts';
import { percentile } from '../lib/stats.ts';
import type { ScenarioContext } from './scenario.ts';

export type S2Sizes = {
  /** Registered pairs at which memory and rounds are measured, ascending. */
  pairs: number[];
  /** Rounds run at each size (each pair does at least one). */
  rounds: number;
  /** Rounds in flight at once. */
  inFlight: number;
  /** Rounds timed at `LIGHT_IN_FLIGHT` (on as many pairs, each pair at least one). */
  lightRounds: number;
};

export const S2_FULL: S2Sizes = {
  pairs: [100, 1000, 5000],
  rounds: 5000,
  inFlight: 200,
  lightRounds: 1000,
};
export const S2_SMOKE: S2Sizes = { pairs: [50], rounds: 200, inFlight: 50, lightRounds: 100 };

/** Rounds in flight for the latency that the runner does not bound (see the header). */
export const LIGHT_IN_FLIGHT = 2;

type Contender = {
  name: string;
  kind: ServerKind;
  options: (maxPairs: number, dataDir: string) => unknown;
  target: (server: ServerProcess) => SignallingTarget;
};

const Sessions = v.object({ sessions: v.array(v.string()) });

const CONTENDERS: Contender[] = [
  {
    name: 'ours (service)',
    kind: 'service',
    options: (maxPairs, dataDir) => ({ dataDir, helpers: maxPairs, chatLimit: 1 }),
    target: (server) => oursTarget(server.port, v.parse(Sessions, server.info).sessions),
  },
  {
    name: 'y-webrtc',
    kind: 'y-webrtc',
    options: () => ({}),
    target: (server) => yWebrtcTarget(server.port),
  },
  {
    name: 'PeerJS',
    kind: 'peerjs',
    options: (maxPairs) => ({ maxPeers: 2 * maxPairs + 100 }),
    target: (server) => peerjsTarget(server.port),
  },
  {
    name: 'bare uWS relay',
    kind: 'relay-uws',
    options: () => ({}),
    target: (server) => bareRelayTarget(server.port),
  },
];
const OURS = CONTENDERS[0]!.name;
/** The floor (servers/relay-uws.ts), not a peer: rows against it are its own. */
const BARE = CONTENDERS[3]!.name;
const PEERS = CONTENDERS.slice(1, 3).map((c) => c.name);

/** How far above the bare relay ours may be (issue 17: within 1.3×). */
const FLOOR_RATIO = 1.3;

const SDP_BYTES = 3 * 1024;
const CANDIDATES_EACH_WAY = 5;
const ROUND_TIMEOUT_MS = 60_000;

/** A plausible SDP: CRLF-separated lines (JSON escapes them, as it must for real SDP). */
export function fakeSdp(kind: 'offer' | 'answer', bytes: number): string {
  const lines = ['v=0', `o=- 46117317 2 IN IP4 127.0.0.1`, 's=-', `a=${kind}`];
  for (let i = 0; lines.join('\r\n').length < bytes; i++) {
    lines.push(
      `a=candidate:${1000 + i} 1 udp 2122260223 192.168.1.${i % 250} ${50000 + i} typ host`,
    );
  }
  return lines.join('\r\n').slice(0, bytes);
}

const OFFER = fakeSdp('offer', SDP_BYTES);
const ANSWER = fakeSdp('answer', SDP_BYTES);
const CANDIDATE =
  'candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 0.0.0.0 rport 0 generation 0 ufrag sXP5 network-cost 999';

/** One round on one pair: resolves with its duration in ms. */
function round(pair: Pair): Promise<number> {
  const expected = 1 + CANDIDATES_EACH_WAY;
  return within(
    'a signalling round',
    new Promise<number>((resolve) => {
      let atA = 0;
      let atB = 0;
      const start = performance.now();
      const settle = (): void => {
        if (atA === expected && atB === expected) resolve(performance.now() - start);
      };
      pair.a.onSignal = () => {
        atA++;
        settle();
      };
      pair.b.onSignal = (kind) => {
        atB++;
        if (kind === 'offer') {
          pair.b.send('answer', ANSWER);
          for (let i = 0; i < CANDIDATES_EACH_WAY; i++) pair.b.send('candidate', CANDIDATE);
        }
        settle();
      };
      pair.a.send('offer', OFFER);
      for (let i = 0; i < CANDIDATES_EACH_WAY; i++) pair.a.send('candidate', CANDIDATE);
    }),
    ROUND_TIMEOUT_MS,
  );
}

/** `total` rounds spread over the pairs, `inFlight` at a time; each pair's in turn. */
async function rounds(pairs: readonly Pair[], total: number, inFlight: number): Promise<number[]> {
  const perPair = Math.max(1, Math.ceil(total / pairs.length));
  const durations: number[] = [];
  await inPool(pairs.length, inFlight, async (i) => {
    for (let r = 0; r < perPair; r++) durations.push(await round(pairs[i]!));
  });
  return durations;
}

export async function runS2(context: ScenarioContext, sizes: S2Sizes): Promise<ResultRow[]> {
  const maxPairs = Math.max(...sizes.pairs);
  const byName = new Map(CONTENDERS.map((c) => [c.name, c]));
  const samples = await interleave(
    CONTENDERS.map((c) => c.name),
    context.plan,
    async (name, roundInfo) => {
      const contender = byName.get(name)!;
      const plan = roundInfo.warmUp
        ? { ...sizes, pairs: sizes.pairs.slice(0, 1), rounds: Math.ceil(sizes.rounds / 10) }
        : sizes;
      const dataDir = mkdtempSync(join(tmpdir(), 'peerdesk-bench-'));
      const server = await startServerProcess(
        contender.kind,
        contender.options(Math.max(...plan.pairs), dataDir),
        { maxSockets: 2 * maxPairs + 100 },
      );
      const target = contender.target(server);
      try {
        context.requireNative(server);
        return await measure(server, target, plan);
      } finally {
        target.close();
        await server.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  );
  const rows: ResultRow[] = [];
  for (const pairs of sizes.pairs) {
    const common = { scenario: 'S2' as const, ours: OURS, peers: PEERS };
    rows.push(
      rowFrom(samples, {
        ...common,
        metric: `round p50 @ ${pairs} pairs`,
        figure: `p50@${pairs}`,
        unit: 'ms',
        better: 'lower',
      }),
      rowFrom(samples, {
        ...common,
        metric: `round p99 @ ${pairs} pairs`,
        figure: `p99@${pairs}`,
        unit: 'ms',
        better: 'lower',
        target: { on: 'ratio', max: 0.5 },
      }),
      // Issue 17's p99 ≤ 0.8× the best peer, where the server sets the time.
      rowFrom(samples, {
        ...common,
        metric: `round p99, ${LIGHT_IN_FLIGHT} in flight @ ${pairs} pairs`,
        figure: `p99light@${pairs}`,
        unit: 'ms',
        better: 'lower',
        target: { on: 'ratio', max: 0.8 },
      }),
      rowFrom(samples, {
        ...common,
        metric: `memory per registered peer @ ${pairs} pairs`,
        figure: `mem@${pairs}`,
        unit: 'KB',
        better: 'lower',
        scale: 1 / 1024,
        target: { on: 'ratio', max: 0.3 },
      }),
      rowFrom(samples, {
        ...common,
        metric: `rounds per server CPU-second @ ${pairs} pairs`,
        figure: `rps@${pairs}`,
        unit: 'rounds/s',
        better: 'higher',
        target: { on: 'ratio', max: 0.5 },
      }),
      // Issue 17: the same frames through a relay that only looks the addressee up.
      rowFrom(samples, {
        ...common,
        peers: [BARE],
        metric: `rounds per server CPU-second vs bare uWS relay @ ${pairs} pairs`,
        figure: `rps@${pairs}`,
        unit: 'rounds/s',
        better: 'higher',
        target: { on: 'ratio', max: FLOOR_RATIO },
      }),
      rowFrom(samples, {
        ...common,
        peers: [BARE],
        metric: `round p99 vs bare uWS relay @ ${pairs} pairs`,
        figure: `p99@${pairs}`,
        unit: 'ms',
        better: 'lower',
        target: { on: 'ratio', max: FLOOR_RATIO },
      }),
      // Whether p99 ≤ 0.8× the best peer lies above the floor: a relay that does nothing
      // but look the addressee up, timed the same way.
      rowFrom(samples, {
        ...common,
        peers: [BARE],
        metric: `round p99, ${LIGHT_IN_FLIGHT} in flight, vs bare uWS relay @ ${pairs} pairs`,
        figure: `p99light@${pairs}`,
        unit: 'ms',
        better: 'lower',
        target: { on: 'ratio', max: FLOOR_RATIO },
      }),
    );
  }
  return rows;
}

/**
 * The child's RSS after two full GCs, less V8's young generation, which it has first
 * written whole (child.ts `touchYoung`), every contender alike. Read without that, the
 * figure at 1,000 pairs was mostly the young generation's pages first reached by the
 * rounds run at 100 pairs (ours: RSS +15 MB over those rounds, JS heap in use +0.2 MB),
 * V8's reservation rather than anything a peer holds; and the young generation's own
 * size (1 to 16 MB semi-spaces, by V8's policy) differs by server and start-up.
 */
async function memoryOutsideYoung(server: ServerProcess): Promise<number> {
  const { youngGeneration } = await server.settledHeap({ touchYoung: true });
  return server.rssBytes() - youngGeneration;
}

/**
 * Full GCs in the runner (the load generator) before each timed run of rounds. The
 * rounds at 1,000 and 5,000 pairs last about a second; pairs were just added, so the
 * runner's heap (thousands of client sockets) is due a mark-compact, and where one fell
 * inside the rounds it stopped the runner's event loop for 100–150 ms. All 200 rounds
 * then in flight took that long, so it alone was the p99, for whichever contender it
 * hit (probe at 5,000 pairs, quiet machine: ours 115–147 ms and the bare relay 110–128 ms
 * with a runner mark-compact in the window; 37–39 ms and 35 ms without), while the
 * server's own event loop never stalled over 25 ms and its scavenges took under 1.5 ms.
 * Whether the pause fell inside the window was chance, so p99 @5000 ranged 40–195 ms
 * over the repetitions for ours and 34–172 ms for the relay.
 */
function collectRunnerGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('S2 needs the runner started with --expose-gc');
  gc();
  gc();
}

async function measure(
  server: ServerProcess,
  target: SignallingTarget,
  sizes: S2Sizes,
): Promise<Figures> {
  const figures: Figures = {};
  const base = await memoryOutsideYoung(server);
  const pairs: Pair[] = [];
  let warmedUp = false;
  for (const size of sizes.pairs) {
    pairs.push(...(await target.addPairs(pairs.length, size - pairs.length)));
    figures[`mem@${size}`] = ((await memoryOutsideYoung(server)) - base) / (2 * size);
    if (!warmedUp) {
      await rounds(pairs, Math.ceil(sizes.rounds / 10), sizes.inFlight);
      warmedUp = true;
    }
    collectRunnerGarbage();
    const before = server.cpuSeconds();
    const durations = await rounds(pairs, sizes.rounds, sizes.inFlight);
    const used = server.cpuSeconds() - before;
    figures[`p50@${size}`] = percentile(durations, 50);
    figures[`p99@${size}`] = percentile(durations, 99);
    figures[`rps@${size}`] = durations.length / Math.max(used, 0.01);
    collectRunnerGarbage();
    const some = pairs.slice(0, Math.min(pairs.length, sizes.lightRounds));
    const light = await rounds(some, sizes.lightRounds, LIGHT_IN_FLIGHT);
    figures[`p99light@${size}`] = percentile(light, 99);
  }
  return figures;
}

export type ChurnSizes = { cycles: number; helpers: number };
export const CHURN_FULL: ChurnSizes = { cycles: 10_000, helpers: 50 };
export const CHURN_SMOKE: ChurnSizes = { cycles: 500, helpers: 20 };

/** How long a visitor who left is remembered (SP-V2), and how long an offer's and a
 * queue-wait alert's deadlines (SP-O4, SP-CR9) stay in the core's deadline heap after
 * the chat left the queue (removed lazily, when due): all short here, so that the
 * check after the cycles can wait them out; the defaults are a minute, 20 s and two
 * minutes. (With the queue-wait alert at its default, every cycle of the last two
 * minutes held its deadline, about 170 B, and the row read as a leak.) */
const CHURN_GRACE_MS = 1000;

/**
 * Join/leave cycles through our service (a visitor joins, a helper accepts, the
 * chat ends, the visitor leaves), then: the /metrics connection gauge must be back
 * where it started and memory (after full GCs, once every visitor's grace period
 * has run out) must not have grown with the cycles. One run, after a warm-up of a
 * tenth as many cycles: it checks for a leak, it does not race anything.
 */
export async function runS2Churn(
  context: ScenarioContext,
  sizes: ChurnSizes,
): Promise<ResultRow[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'peerdesk-bench-'));
  const server = await startServerProcess(
    'service',
    {
      dataDir,
      helpers: sizes.helpers,
      chatLimit: 1,
      env: {
        VISITOR_GRACE_MS: String(CHURN_GRACE_MS),
        OFFER_TIMEOUT_MS: String(CHURN_GRACE_MS),
        QUEUE_WAIT_ALERT_MS: String(CHURN_GRACE_MS),
      },
    },
    { maxSockets: sizes.helpers * 3 },
  );
  try {
    context.requireNative(server);
    const helpers = await oursHelpers(server.port, v.parse(Sessions, server.info).sessions);
    const visitors = (): Promise<number> =>
      gauge(server.port, 'peerdesk_connections', 'role="visitor"');
    const churn = async (cycles: number): Promise<void> => {
      await inPool(cycles, sizes.helpers, () => oursVisitorCycle(server.port));
      await pollUntil(
        'visitor connections back to 0',
        async () => (await visitors()) === 0,
        10_000,
      );
      // What the core keeps for a while on purpose (see CHURN_GRACE_MS) must be gone.
      const graceOver = performance.now() + CHURN_GRACE_MS + 200;
      await pollUntil(
        'the last grace period to end',
        () => performance.now() > graceOver,
        5_000,
        50,
      );
    };
    await churn(Math.ceil(sizes.cycles / 10));
    const helpersBefore = await gauge(server.port, 'peerdesk_connections', 'role="helper"');
    const before = await server.settledHeap();
    const rssBefore = server.rssBytes();
    const started = performance.now();
    await churn(sizes.cycles);
    const seconds = (performance.now() - started) / 1000;
    const after = await server.settledHeap();
    const rssAfter = server.rssBytes();
    const helpersAfter = await gauge(server.port, 'peerdesk_connections', 'role="helper"');
    const queued = await gauge(server.port, 'peerdesk_queue_length', 'department="general"');
    for (const ws of helpers) ws.terminate();
    context.plan.log(`  churn: ${sizes.cycles} cycles in ${seconds.toFixed(1)} s`);
    const single = (metric: string, unit: string, value: number, max: number): ResultRow => ({
      scenario: 'S2',
      metric,
      unit,
      better: 'lower',
      ours: value,
      oursRange: [value, value],
      peer: null,
      peerValue: null,
      peerRange: null,
      ratio: null,
      target: max,
      targetOn: 'ours',
      pass: value <= max,
      contenders: { [OURS]: { median: value, min: value, max: value, n: 1 } },
    });
    return [
      single(
        `connections left open after ${sizes.cycles} join/leave cycles (/metrics)`,
        'sockets',
        (await visitors()) + Math.abs(helpersAfter - helpersBefore) + queued,
        0,
      ),
      single(
        `JS heap retained per join/leave cycle (${sizes.cycles} cycles)`,
        'B',
        Math.max(0, after.heapUsed + after.external - before.heapUsed - before.external) /
          sizes.cycles,
        LEAK_BYTES_PER_CYCLE,
      ),
      {
        ...single(
          `RSS growth per join/leave cycle (${sizes.cycles} cycles)`,
          'B',
          Math.max(0, rssAfter - rssBefore) / sizes.cycles,
          0,
        ),
        // Shown, not judged: RSS keeps pages V8 and SQLite hold on to after use.
        target: null,
        targetOn: null,
        pass: null,
      },
    ];
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A leaked visitor, chat or socket record costs hundreds of bytes of heap; after
 * full GCs the heap in use moves by well under that per cycle when nothing leaks. */
const LEAK_BYTES_PER_CYCLE = 100;
