/**
 * S4 reconnect storm: sockets to the real service, each a SignalClient from the app
 * (app/lib/signal/signal-client.ts) with its jittered policy (reconnect-policy.ts),
 * all dropped at once by a restart: the service closes every socket with 1012 and
 * stops, and a new service process starts on the same port and database. Timed
 * from the shutdown command until 99% (and all) of the clients have been welcomed
 * again. One warm-up storm, then the repetitions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as v from 'valibot';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, ServiceToVisitor } from '../../../protocol/index.ts';
import { SignalClient, type WebSocketConstructor } from '../../../app/lib/signal/signal-client.ts';
import { pollUntil } from '../lib/deadline.ts';
import { rowFrom, type ResultRow } from '../lib/results.ts';
import type { Samples } from '../lib/repetitions.ts';
import { startServerProcess, type ServerProcess } from '../lib/server-process.ts';
import { freePortBelowEphemeral } from '../servers/free-port.ts';
import { percentile } from '../lib/stats.ts';
import type { ScenarioContext } from './scenario.ts';

export type S4Sizes = { sockets: number };
export const S4_FULL: S4Sizes = { sockets: 5000 };
export const S4_SMOKE: S4Sizes = { sockets: 500 };

const OURS = 'ours (service)';
const STORM_TIMEOUT_MS = 120_000;

type Client = { client: SignalClient<ServiceToVisitor, object>; backAt: number | null };

export async function runS4(context: ScenarioContext, sizes: S4Sizes): Promise<ResultRow[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'peerdesk-bench-'));
  const start = (port: number): Promise<ServerProcess> =>
    startServerProcess(
      'service',
      { dataDir, helpers: 0, chatLimit: 1, port },
      { maxSockets: sizes.sockets + 100 },
    );
  const port = await freePortBelowEphemeral();
  let server = await start(port);
  const clients: Client[] = [];
  try {
    context.requireNative(server);
    let stormStart = 0;
    for (let i = 0; i < sizes.sockets; i++) {
      let token: string | undefined;
      const entry: Client = {
        backAt: null,
        client: new SignalClient<ServiceToVisitor, object>({
          url: `ws://127.0.0.1:${port}/ws/visitor`,
          WebSocket: WebSocket as unknown as WebSocketConstructor,
          schema: ServiceToVisitor,
          // SP-V1: the visitor comes back as itself.
          hello: () => ({
            type: 'hello',
            v: PROTOCOL_VERSION,
            ...(token === undefined ? {} : { token }),
          }),
          onMessage: (msg) => {
            if (msg.type === 'welcome') token = msg.token;
          },
          onState: (state) => {
            if (state.status === 'open') entry.backAt = performance.now() - stormStart;
            else if (state.status === 'reconnecting') entry.backAt = null;
          },
        }),
      };
      clients.push(entry);
    }
    const allOpen = (): boolean => clients.every((c) => c.client.state.status === 'open');
    await pollUntil(`${sizes.sockets} clients to connect`, allOpen, STORM_TIMEOUT_MS, 50);
    const samples: Samples = new Map([[OURS, new Map<string, number[]>()]]);
    for (let index = context.plan.warmUp ? -1 : 0; index < context.plan.repetitions; index++) {
      for (const c of clients) c.backAt = null;
      stormStart = performance.now();
      // A deploy: the service tells every socket 1012 and stops; a new service
      // process starts on the same port and database.
      await server.call('shutdown', null, v.null());
      await server.stop();
      server = await start(port);
      context.requireNative(server);
      // Every client must first see the drop, then be welcomed again.
      await pollUntil(
        'every client to be back after the restart',
        () => clients.every((c) => c.backAt !== null),
        STORM_TIMEOUT_MS,
        20,
      );
      const back = clients.map((c) => c.backAt!);
      context.plan.log(
        `  ${index < 0 ? 'warm-up' : `rep ${index + 1}`} storm: 99% back in ${percentile(back, 99).toFixed(0)} ms`,
      );
      if (index < 0) continue;
      const figures = samples.get(OURS)!;
      for (const [name, value] of [
        ['p50', percentile(back, 50)],
        ['p99', percentile(back, 99)],
        ['all', Math.max(...back)],
      ] as const) {
        figures.set(name, [...(figures.get(name) ?? []), value]);
      }
    }
    const row = (metric: string, figure: string): ResultRow =>
      rowFrom(samples, {
        scenario: 'S4',
        metric,
        figure,
        unit: 'ms',
        better: 'lower',
        ours: OURS,
        peers: [],
      });
    return [
      row(`time until 50% of ${sizes.sockets} sockets are back`, 'p50'),
      row(`time until 99% of ${sizes.sockets} sockets are back`, 'p99'),
      row(`time until all ${sizes.sockets} sockets are back`, 'all'),
    ];
  } finally {
    for (const c of clients) c.client.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
