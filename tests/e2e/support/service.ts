/**
 * Starts the REAL signal service for end-to-end tests: `signal/main.ts --demo` (as the
 * run's bundle of it, support/service-bundle.ts, when there is one) on a free loopback
 * port, with a fresh data folder, serving the built app from build/.
 * Readiness is a condition (GET /healthz answers ok), polled; never a fixed sleep.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../../fixtures/service-process.ts';
import { SERVICE_BUNDLE_ENV } from './service-bundle.ts';

export type RunningService = {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  port: number;
  dataDir: string;
  /** The service's recent output, for failure messages. */
  output(): string;
  stop(): Promise<void>;
};

export type StartOptions = {
  args?: string[];
  env?: Record<string, string>;
  /** How long the service may take to become healthy. */
  readyTimeoutMs?: number;
};

const ROOT = resolve(import.meta.dirname, '../../..');
const OUTPUT_LINES_KEPT = 200;

/** A port free right now, below the ephemeral range: the load of other tests (or a
 * benchmark) cannot take it as a client's source port. Another process could still
 * bind it before the service does; `startService` then retries with a new one. */
export { freePort };

export async function startService(options: StartOptions = {}): Promise<RunningService> {
  const attempts = 3;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      return await startOnce(await freePort(), options);
    } catch (error) {
      lastError = error;
      // Only a lost race for the port is worth another try.
      if (!(error instanceof ServiceStartError) || !error.output.includes('EADDRINUSE')) break;
    }
  }
  throw lastError;
}

class ServiceStartError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(`${message}\n--- service output ---\n${output}`);
  }
}

/** The service at a port and data folder the test chooses, so it can be stopped and
 * started again at the same address with the same data (B1). The folder is the
 * test's: stopping leaves it. */
export async function startServiceAt(
  port: number,
  dataDir: string,
  options: StartOptions = {},
): Promise<RunningService> {
  return startOnce(port, options, { dataDir, owned: false });
}

async function startOnce(
  port: number,
  options: StartOptions,
  data?: { dataDir: string; owned: false },
): Promise<RunningService> {
  const dataDir = data?.dataDir ?? (await mkdtemp(join(tmpdir(), 'peerdesk-e2e-')));
  const url = `http://127.0.0.1:${port}`;
  // The run's bundle of the service when the global setup built one (service-bundle.ts),
  // else the sources through `node --import tsx` rather than the tsx CLI: one process
  // either way, so a stop signal (and the SIGKILL of last resort) reaches the service
  // itself, not a wrapper.
  const bundle = process.env[SERVICE_BUNDLE_ENV];
  const entry = bundle === undefined ? ['--import', 'tsx', 'signal/main.ts'] : [bundle];
  const child = spawn(process.execPath, [...entry, '--demo', ...(options.args ?? [])], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      // Every browser context signs in from 127.0.0.1; the per-IP default (10 a
      // minute) is meant for the internet, not for a suite of e2e tests. A test of
      // the limit itself passes its own value in `options.env`.
      HTTP_SIGNIN_PER_IP_PER_MINUTE: '1000',
      // The widget may be framed by the service itself and the allowed embedding
      // origins only (frame-ancestors): the tests' "other origin" host site is
      // localhost at the same port (tests/e2e/widget-embed.spec.ts).
      ALLOWED_ORIGINS: `http://localhost:${port}`,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > OUTPUT_LINES_KEPT) lines.splice(0, lines.length - OUTPUT_LINES_KEPT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const output = () => lines.join('\n');

  const exited = new Promise<string>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit(`exited (code ${code}, signal ${signal})`));
    child.once('error', (error) => resolveExit(`could not start: ${error.message}`));
  });

  const stop = async () => {
    await stopChild(child, exited);
    if (data === undefined) await rm(dataDir, { recursive: true, force: true });
  };

  const ready = await waitForHealthy(url, exited, options.readyTimeoutMs ?? 90_000);
  if (ready !== 'healthy') {
    await stop();
    throw new ServiceStartError(`The signal service did not become healthy: ${ready}.`, output());
  }
  return { url, port, dataDir, output, stop };
}

/** Polls /healthz until it answers `{status: 'ok'}`, the process exits, or time runs out. */
async function waitForHealthy(
  url: string,
  exited: Promise<string>,
  timeoutMs: number,
): Promise<'healthy' | string> {
  const deadline = Date.now() + timeoutMs;
  let exitReason: string | null = null;
  void exited.then((reason) => {
    exitReason = reason;
  });
  while (Date.now() < deadline) {
    if (exitReason !== null) return exitReason;
    if (await isHealthy(url)) return 'healthy';
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 100));
  }
  return `no healthy answer from ${url}/healthz within ${timeoutMs} ms`;
}

async function isHealthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) return false;
    const body: unknown = await response.json();
    return typeof body === 'object' && body !== null && 'status' in body && body.status === 'ok';
  } catch {
    return false;
  }
}

/** SIGTERM for a graceful shutdown; SIGKILL if it has not exited within 10 s. */
async function stopChild(child: ChildProcess, exited: Promise<string>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
