/**
 * The benchmark runner (issue 5). `npm run bench` builds the app, then runs S1–S11 at
 * full size with five interleaved repetitions after a warm-up and writes
 * tests/bench/results.json and the README's Benchmarks section. `npm run bench:smoke`
 * (`--smoke`, part of `npm test`) runs every scenario small, once, without a warm-up,
 * in under a minute, writes nothing, and fails only on errors, on the absolute budgets
 * that hold at any size (invariant violations, leaked sockets) and on every target
 * of a scenario whose targets are sizes (S7, the widget weight). `--only=S1,S3` runs
 * some scenarios and replaces only their rows.
 *
 * Where things run: the load generator is this process, pinned to core 1 by the npm
 * script; servers run pinned to core 0 (lib/server-process.ts). S5, S7, S8 and S9 (a 10 MB file between two pages
 * against a bare RTCPeerConnection pair, issue 13) drive
 * headless Chromium (S5's and S8's on every core, lib/chromium.ts) against build/ as served by
 * the service, so they need `npm run build` first (`bench` does it; `npm test` runs the
 * smoke after the e2e step has built). S6 is pure Node, in pinned children.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeTransport } from '../../signal/transport/uws-native.ts';
import { describeMachine } from './lib/machine.ts';
import { renderSection, writeReadmeSection } from './lib/report.ts';
import { missedBy, type ResultRow, type Scenario } from './lib/results.ts';
import { openFileLimit } from './lib/server-process.ts';
import { runS1, S1_FULL, S1_SMOKE } from './scenarios/s1-transport.ts';
import {
  CHURN_FULL,
  CHURN_SMOKE,
  runS2,
  runS2Churn,
  S2_FULL,
  S2_SMOKE,
} from './scenarios/s2-signalling.ts';
import { runS3, S3_FULL, S3_SMOKE } from './scenarios/s3-queue.ts';
import { runS4, S4_FULL, S4_SMOKE } from './scenarios/s4-reconnect.ts';
import { runS5, S5_FULL, S5_SMOKE } from './scenarios/s5-browser.ts';
import { runS6, S6_FULL, S6_SMOKE } from './scenarios/s6-chat-doc.ts';
import { runS7 } from './scenarios/s7-widget.ts';
import { runS8, S8_FULL, S8_SMOKE } from './scenarios/s8-console.ts';
import { runS9, S9_FULL, S9_SMOKE } from './scenarios/s9-file-transfer.ts';
import { runS10, s10ClientSockets, S10_FULL, S10_SMOKE } from './scenarios/s10-service-load.ts';
import { runS11, S11_FULL, S11_SMOKE } from './scenarios/s11-room-fanout.ts';
import { NativeUwsMissing, requireNative, type ScenarioContext } from './scenarios/scenario.ts';

const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url));
const README = fileURLToPath(new URL('../../README.md', import.meta.url));

type Mode = 'full' | 'smoke';

type ScenarioEntry = {
  id: Scenario;
  /** Reported only on uWebSockets.js's native binary (S1–S4, DESIGN.md 8). */
  needsNativeUws: boolean;
  /** Its targets are sizes, which hold at any size: a smoke run fails on them (S7). */
  smokeJudgesTargets: boolean;
  /** Sockets this process holds at most while it runs (for the open-file check). */
  clientSockets: (mode: Mode) => number;
  run: (context: ScenarioContext, mode: Mode) => Promise<ResultRow[]>;
};

const SCENARIOS: ScenarioEntry[] = [
  {
    id: 'S1',
    needsNativeUws: true,
    smokeJudgesTargets: false,
    clientSockets: (mode) => Math.max(...(mode === 'full' ? S1_FULL : S1_SMOKE).idleConnections),
    run: (context, mode) => runS1(context, mode === 'full' ? S1_FULL : S1_SMOKE),
  },
  {
    id: 'S2',
    needsNativeUws: true,
    smokeJudgesTargets: false,
    clientSockets: (mode) => 2 * Math.max(...(mode === 'full' ? S2_FULL : S2_SMOKE).pairs),
    run: async (context, mode) => [
      ...(await runS2(context, mode === 'full' ? S2_FULL : S2_SMOKE)),
      ...(await runS2Churn(context, mode === 'full' ? CHURN_FULL : CHURN_SMOKE)),
    ],
  },
  {
    id: 'S3',
    needsNativeUws: true,
    smokeJudgesTargets: false,
    clientSockets: () => 0,
    run: (context, mode) => runS3(context, mode === 'full' ? S3_FULL : S3_SMOKE),
  },
  {
    id: 'S4',
    needsNativeUws: true,
    smokeJudgesTargets: false,
    clientSockets: (mode) => (mode === 'full' ? S4_FULL : S4_SMOKE).sockets,
    run: (context, mode) => runS4(context, mode === 'full' ? S4_FULL : S4_SMOKE),
  },
  {
    id: 'S5',
    needsNativeUws: false,
    smokeJudgesTargets: false,
    clientSockets: () => 0,
    run: (context, mode) => runS5(context, mode === 'full' ? S5_FULL : S5_SMOKE),
  },
  {
    id: 'S6',
    needsNativeUws: false,
    smokeJudgesTargets: false,
    clientSockets: () => 0,
    run: (context, mode) => runS6(context, mode === 'full' ? S6_FULL : S6_SMOKE),
  },
  {
    id: 'S7',
    needsNativeUws: false,
    // Sizes: the same at any run size, so the smoke run (and `npm test`) enforces them.
    smokeJudgesTargets: true,
    clientSockets: () => 0,
    // Nothing to scale: a smoke run only repeats it fewer times.
    run: (context) => runS7(context),
  },
  {
    id: 'S8',
    needsNativeUws: false,
    smokeJudgesTargets: false,
    clientSockets: (mode) => (mode === 'full' ? S8_FULL : S8_SMOKE).watchedChats + 3,
    run: (context, mode) => runS8(context, mode === 'full' ? S8_FULL : S8_SMOKE),
  },
  {
    id: 'S9',
    needsNativeUws: false,
    smokeJudgesTargets: false,
    clientSockets: () => 0,
    run: (context, mode) => runS9(context, mode === 'full' ? S9_FULL : S9_SMOKE),
  },
  {
    id: 'S10',
    needsNativeUws: true,
    smokeJudgesTargets: false,
    clientSockets: (mode) => s10ClientSockets(mode === 'full' ? S10_FULL : S10_SMOKE),
    run: (context, mode) => runS10(context, mode === 'full' ? S10_FULL : S10_SMOKE),
  },
  {
    id: 'S11',
    needsNativeUws: true,
    smokeJudgesTargets: false,
    clientSockets: (mode) => (mode === 'full' ? S11_FULL : S11_SMOKE).sockets,
    run: (context, mode) => runS11(context, mode === 'full' ? S11_FULL : S11_SMOKE),
  },
];

/** The rows of the last full run, to merge an `--only` run into. */
function previousRows(): ResultRow[] {
  if (!existsSync(RESULTS)) return [];
  const parsed: unknown = JSON.parse(readFileSync(RESULTS, 'utf8'));
  if (!Array.isArray(parsed)) throw new Error(`${RESULTS} is not an array`);
  // Written by this runner; the scenario field is all that is read before rewriting.
  return parsed.filter(
    (row): row is ResultRow => typeof row === 'object' && row !== null && 'scenario' in row,
  );
}

function log(line: string): void {
  console.log(line);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const mode: Mode = args.includes('--smoke') ? 'smoke' : 'full';
  const only = args
    .find((a) => a.startsWith('--only='))
    ?.slice('--only='.length)
    .split(',');
  const chosen = SCENARIOS.filter((s) => only === undefined || only.includes(s.id));
  const machine = describeMachine();
  log(
    `bench (${mode}): ${chosen.map((s) => s.id).join(', ')} on ${machine.nproc} cores, ${machine.cpu}, Node ${machine.node}`,
  );

  const transport = describeTransport();
  if (chosen.some((s) => s.needsNativeUws) && !transport.uwsNative) {
    log(`refusing to run S1–S4: uWebSockets.js is on its pure-JS fallback (${transport.reason})`);
    return 1;
  }
  const needed = Math.max(...chosen.map((s) => s.clientSockets(mode))) + 1024;
  const limit = openFileLimit();
  if (limit < needed) {
    log(`the load generator needs ${needed} open files; raise the limit (ulimit -n ${needed})`);
    return 1;
  }

  const context: ScenarioContext = {
    plan: { repetitions: mode === 'full' ? 5 : 1, warmUp: mode === 'full', log },
    requireNative,
  };
  const started = performance.now();
  const rows: ResultRow[] = [];
  for (const scenario of chosen) {
    const t = performance.now();
    log(`${scenario.id}…`);
    try {
      rows.push(...(await scenario.run(context, mode)));
    } catch (error) {
      if (error instanceof NativeUwsMissing) {
        log(error.message);
        return 1;
      }
      throw error;
    }
    log(`${scenario.id} done in ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
  log(`all done in ${((performance.now() - started) / 1000).toFixed(0)} s`);

  for (const row of rows) {
    const ratio = row.ratio === null ? '' : ` ratio ${row.ratio.toFixed(2)} vs ${row.peer}`;
    const verdict = row.pass === null ? '' : row.pass ? ' PASS' : ` MISS (${missedBy(row)})`;
    log(`${row.scenario} ${row.metric}: ${row.ours.toPrecision(4)} ${row.unit}${ratio}${verdict}`);
  }

  if (mode === 'full') {
    // `--only` replaces its scenarios' rows and keeps the others from the last run.
    const kept = only === undefined ? [] : previousRows().filter((r) => !only.includes(r.scenario));
    const run = { date: machine.date, loadAtStart: machine.loadAtStart };
    const merged = [...kept, ...rows.map((row) => ({ ...row, run }))].sort(
      (a, b) =>
        SCENARIOS.findIndex((s) => s.id === a.scenario) -
        SCENARIOS.findIndex((s) => s.id === b.scenario),
    );
    writeFileSync(RESULTS, `${JSON.stringify(merged, null, 2)}\n`);
    writeReadmeSection(README, renderSection(merged, machine));
    // The table's columns are padded by Prettier, which `npm run check` holds the README to.
    execFileSync('npx', ['prettier', '--write', README, RESULTS], { stdio: 'ignore' });
    log(`wrote ${RESULTS} and the README table`);
    return 0;
  }
  // Smoke: sizes too small for ratios; budgets on our own figures must still hold,
  // and so must every target of a scenario whose targets hold at any size.
  const judgesTargets = new Set(chosen.filter((s) => s.smokeJudgesTargets).map((s) => s.id));
  const broken = rows.filter(
    (row) =>
      row.pass === false &&
      ((row.targetOn === 'ours' && row.target === 0) || judgesTargets.has(row.scenario)),
  );
  for (const row of broken) log(`FAILED: ${row.scenario} ${row.metric} = ${row.ours}`);
  return broken.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    // Clients closed by the scenarios may still hold handles for a moment: end here.
    process.exit(code);
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
