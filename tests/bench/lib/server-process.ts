/**
 * A server under test in its own process, pinned to one core with `taskset`
 * (the load generator runs on the other). Its CPU and memory are read from /proc
 * (lib/proc.ts); commands (`gc`, kind-specific ones) go over IPC and every reply
 * is parsed (lib/child-protocol.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as v from 'valibot';
import { FromChild, type ServerKind, type ToChild } from './child-protocol.ts';
import { within } from './deadline.ts';
import { cpuSeconds, rssBytes } from './proc.ts';

export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

const CHILD_ENTRY = fileURLToPath(new URL('../servers/child.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const START_TIMEOUT_MS = 30_000;
const COMMAND_TIMEOUT_MS = 120_000;

export type ServerProcess = {
  readonly kind: ServerKind;
  readonly pid: number;
  readonly port: number;
  /** `describeTransport().uwsNative` as the child saw it. */
  readonly uwsNative: boolean;
  readonly uwsReason: string | null;
  readonly info: unknown;
  cpuSeconds(): number;
  rssBytes(): number;
  /** Runs a command in the child and parses its result with `schema`. */
  call<T>(command: string, payload: unknown, schema: v.GenericSchema<unknown, T>): Promise<T>;
  /** Full garbage collection in the child, then its RSS in bytes (`touchYoung`: as
   * for `settledHeap`). */
  settledRss(options?: { touchYoung?: boolean }): Promise<number>;
  /** Full garbage collection in the child, then its own report of what is in use;
   * `touchYoung` first writes every page of V8's young generation (see child.ts). */
  settledHeap(options?: { touchYoung?: boolean }): Promise<HeapReport>;
  stop(): Promise<void>;
};

const HeapReport = v.object({
  heapUsed: v.number(),
  external: v.number(),
  arrayBuffers: v.number(),
  /** V8's new space, reserved (it is part of RSS once touched). */
  youngGeneration: v.number(),
});
export type HeapReport = v.InferOutput<typeof HeapReport>;

export type SpawnOptions = {
  /** Sockets the child will hold at most: its open-file limit is raised to fit. */
  maxSockets?: number;
  env?: Record<string, string>;
  /** Node and V8 flags for the child (before the entry). */
  nodeArgs?: string[];
};

/** BENCH_CPU_PROF=<folder>: servers of the kinds in BENCH_CPU_PROF_KINDS (default
 * `service`) run under `--cpu-prof` and write their profile there when stopped. */
function profileArgs(kind: ServerKind): string[] {
  const dir = process.env['BENCH_CPU_PROF'];
  if (dir === undefined || dir === '') return [];
  const kinds = (process.env['BENCH_CPU_PROF_KINDS'] ?? 'service').split(',');
  return kinds.includes(kind) ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** The soft open-file limit of processes started from here. */
export function openFileLimit(): number {
  return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
}

export async function startServerProcess(
  kind: ServerKind,
  options: unknown,
  spawnOptions: SpawnOptions = {},
): Promise<ServerProcess> {
  const needed = (spawnOptions.maxSockets ?? 0) + 1024;
  const command = ['taskset', '-c', String(SERVER_CORE)];
  // `prlimit` raises the child's limit (and the hard one, which needs root) only when
  // the inherited one is too low for the sockets it will hold.
  const limit = openFileLimit();
  const prefix = needed > limit ? ['prlimit', `--nofile=${needed}:${needed}`] : [];
  const argv = [
    ...prefix,
    ...command,
    process.execPath,
    '--expose-gc',
    ...(spawnOptions.nodeArgs ?? []),
    ...profileArgs(kind),
    '--import',
    'tsx',
    CHILD_ENTRY,
    kind,
    JSON.stringify(options ?? {}),
  ];
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...spawnOptions.env },
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const pending = new Map<number, (reply: Extract<FromChild, { type: 'reply' }>) => void>();
  let nextId = 1;
  const ready = new Promise<Extract<FromChild, { type: 'ready' }>>((resolve, reject) => {
    child.on('message', (raw: unknown) => {
      const parsed = v.safeParse(FromChild, raw);
      if (!parsed.success) {
        reject(new Error(`${kind}: malformed message from the child`));
        return;
      }
      const message = parsed.output;
      if (message.type === 'ready') resolve(message);
      else if (message.type === 'failed')
        reject(new Error(`${kind} failed to start: ${message.error}`));
      else pending.get(message.id)?.(message);
    });
    void exited.then((code) =>
      reject(new Error(`${kind} exited with ${code} before it was ready`)),
    );
  });
  let started: Extract<FromChild, { type: 'ready' }>;
  try {
    started = await within(`${kind} to start`, ready, START_TIMEOUT_MS);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  const pid = child.pid!;
  const send = (message: ToChild): void => {
    child.send(message);
  };
  const call = async <T>(
    name: string,
    payload: unknown,
    schema: v.GenericSchema<unknown, T>,
  ): Promise<T> => {
    const id = nextId++;
    const reply = new Promise<Extract<FromChild, { type: 'reply' }>>((resolve) =>
      pending.set(id, resolve),
    );
    send({ type: 'request', id, command: name, payload });
    try {
      const answer = await within(`${kind}: ${name}`, reply, COMMAND_TIMEOUT_MS);
      if (answer.error !== null) throw new Error(`${kind}: ${name} failed: ${answer.error}`);
      return v.parse(schema, answer.value);
    } finally {
      pending.delete(id);
    }
  };
  return {
    kind,
    pid,
    port: started.port,
    uwsNative: started.uwsNative,
    uwsReason: started.uwsReason,
    info: started.info,
    cpuSeconds: () => cpuSeconds(pid),
    rssBytes: () => rssBytes(pid),
    call,
    async settledRss(options = {}) {
      await call('gc', options, HeapReport);
      return rssBytes(pid);
    },
    settledHeap: (options = {}) => call('gc', options, HeapReport),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // A profiled child must exit on its own to write its profile (it exits when
      // the IPC channel closes); any other is killed.
      if (profileArgs(kind).length > 0) child.disconnect();
      else child.kill('SIGKILL');
      await within(`${kind} to exit`, exited, 10_000);
    },
  };
}
