/**
 * S10 service load (issue 16, SPEC.md SP-W5): one service process carrying `idle`
 * visitor sockets (connected, `hello`'d as the widget does, then quiet) and `chats`
 * live chats' signalling at once (clients/service-load-clients.ts), with the
 * connection limit (MAX_CONNECTIONS) set to exactly what that takes.
 *
 * Per contender and repetition one fresh server process:
 * - ours: RSS growth per idle socket (after full GCs, before any chat: helpers and
 *   chats come after); then the chats run, each slot `chatsPerSlot` chats; then
 *   `beyond` more sockets are opened while the chats go on and every one must be
 *   refused with the error `server_full` and close code 1013, no idle socket may have
 *   been dropped, and every slot must finish `chatsPerSlot` more chats after the
 *   refusals. A violation throws: the scenario fails, in the smoke run too.
 * - ours without the idle sockets: the same chats and refusals on a service with
 *   only them. Its request → offer p99 is the honest peer for ours: same service,
 *   same chats and same dispatch; the difference is what the idle sockets cost.
 *   (S3's reference scanning queue runs in process without sockets: not comparable.)
 * - bare uWS: the same number of idle sockets on a bare uWebSockets.js echo, each
 *   having sent the same hello and had it back: the memory floor.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import type WebSocket from 'ws';
import { ERRORS } from '../../../protocol/errors.ts';
import { beyondLimit, idleBare, idleVisitors, liveChats } from '../clients/service-load-clients.ts';
import { interleave, type Figures } from '../lib/repetitions.ts';
import { refusalFaults } from '../lib/refusals.ts';
import { rowFrom, type ResultRow } from '../lib/results.ts';
import { startServerProcess } from '../lib/server-process.ts';
import { percentile } from '../lib/stats.ts';
import type { ScenarioContext } from './scenario.ts';

export type S10Sizes = {
  idle: number;
  /** Live chats at once: as many visitors and helpers (chat limit 1). */
  chats: number;
  /** Chats each slot runs before the refusals, and again after them. */
  chatsPerSlot: number;
  /** Sockets opened past the limit. */
  beyond: number;
};

export const S10_FULL: S10Sizes = { idle: 10_000, chats: 100, chatsPerSlot: 5, beyond: 500 };
export const S10_SMOKE: S10Sizes = { idle: 500, chats: 10, chatsPerSlot: 3, beyond: 50 };

/** Sockets the load generator holds at most. */
export function s10ClientSockets(sizes: S10Sizes): number {
  return sizes.idle + 2 * sizes.chats + sizes.beyond;
}

const OURS = 'ours (service)';
const NO_IDLE = 'ours without the idle sockets';
const BARE = 'bare uWS (idle sockets)';

type Judged = { faults: string[]; refused: number };

const Sessions = v.object({ sessions: v.array(v.string()) });

/** Idle sockets on a bare uWS echo: RSS per socket. */
async function bare(sizes: S10Sizes): Promise<Figures> {
  const server = await startServerProcess('echo-uws', {}, { maxSockets: sizes.idle + 100 });
  let sockets: WebSocket[] = [];
  try {
    const base = await server.settledRss();
    sockets = await idleBare(server.port, sizes.idle);
    return { rssPerSocket: ((await server.settledRss()) - base) / sizes.idle };
  } finally {
    for (const ws of sockets) ws.terminate();
    await server.stop();
  }
}

/** Our service with `idle` idle visitors (0 for the peer without them) and the chats. */
async function service(context: ScenarioContext, sizes: S10Sizes, idle: number): Promise<Figures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'peerdesk-bench-'));
  const limit = idle + 2 * sizes.chats;
  const server = await startServerProcess(
    'service',
    { dataDir, helpers: sizes.chats, chatLimit: 1, env: { MAX_CONNECTIONS: String(limit) } },
    { maxSockets: limit + sizes.beyond + 100 },
  );
  const sockets: WebSocket[] = [];
  try {
    context.requireNative(server);
    const figures: Figures = {};
    // Memory first, in a process that has carried no chat yet (as S1).
    const base = await server.settledRss();
    const idleSockets = await idleVisitors(server.port, idle);
    sockets.push(...idleSockets);
    if (idle > 0) figures['rssPerSocket'] = ((await server.settledRss()) - base) / idle;

    const chats = await liveChats(server.port, v.parse(Sessions, server.info).sessions);
    sockets.push(...chats.sockets);
    const phase: { refusals: Promise<Judged> | null; refused: boolean } = {
      refusals: null,
      refused: false,
    };
    const before = chats.completed.map(() => 0);
    const running = chats.run((slot) => {
      if (phase.refusals === null && chats.completed.every((n) => n >= sizes.chatsPerSlot)) {
        // Every slot has done its first chats: the sockets past the limit come now,
        // while the chats carry on.
        phase.refusals = beyondLimit(server.port, sizes.beyond).then((outcomes) => {
          chats.completed.forEach((n, i) => (before[i] = n));
          phase.refused = true;
          const expected = { closeCode: ERRORS.server_full.close, errorCode: 'server_full' };
          return {
            faults: refusalFaults(outcomes, expected),
            refused: outcomes.filter(
              (r) =>
                !r.welcomed &&
                r.closeCode === expected.closeCode &&
                r.errorCode === expected.errorCode,
            ).length,
          };
        });
      }
      return phase.refused && chats.completed[slot]! - before[slot]! >= sizes.chatsPerSlot;
    });
    await running;
    const judged = await (phase.refusals ??
      Promise.resolve({ faults: ['the sockets past the limit never ran'], refused: 0 }));
    const faults = [...judged.faults];
    const dropped = idleSockets.filter((ws) => ws.readyState !== ws.OPEN).length;
    if (dropped > 0) faults.push(`${dropped} of ${idle} idle sockets closed`);
    if (faults.length > 0) throw new Error(`S10 past the connection limit: ${faults.join('; ')}`);
    figures['offerP50'] = percentile(chats.offerMs, 50);
    figures['offerP99'] = percentile(chats.offerMs, 99);
    figures['refused'] = judged.refused;
    figures['chatsAfter'] = chats.completed.reduce((sum, n, i) => sum + n - before[i]!, 0);
    return figures;
  } finally {
    for (const ws of sockets) ws.terminate();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runS10(context: ScenarioContext, sizes: S10Sizes): Promise<ResultRow[]> {
  const samples = await interleave([OURS, NO_IDLE, BARE], context.plan, (name) =>
    name === BARE ? bare(sizes) : service(context, sizes, name === OURS ? sizes.idle : 0),
  );
  const at = `@ ${sizes.idle} idle sockets + ${sizes.chats} live chats`;
  const spec = { scenario: 'S10' as const, ours: OURS, better: 'lower' as const };
  return [
    rowFrom(samples, {
      ...spec,
      metric: `RSS per idle visitor socket ${at}`,
      figure: 'rssPerSocket',
      unit: 'KB',
      scale: 1 / 1024,
      peers: [BARE],
    }),
    rowFrom(samples, {
      ...spec,
      metric: `request → offer p50 ${at}`,
      figure: 'offerP50',
      unit: 'ms',
      peers: [NO_IDLE],
    }),
    rowFrom(samples, {
      ...spec,
      metric: `request → offer p99 ${at}`,
      figure: 'offerP99',
      unit: 'ms',
      peers: [NO_IDLE],
    }),
    rowFrom(samples, {
      ...spec,
      metric: `sockets opened past the limit (of ${sizes.beyond}) refused with 1013 server_full`,
      figure: 'refused',
      unit: 'count',
      better: 'higher',
      peers: [],
    }),
    rowFrom(samples, {
      ...spec,
      metric: `chats completed after the refusals (every slot ≥ ${sizes.chatsPerSlot})`,
      figure: 'chatsAfter',
      unit: 'count',
      better: 'higher',
      peers: [],
    }),
  ];
}
