/**
 * `npm start`: load the configuration (clear errors and exit 1 when it is bad),
 * start the service, print where it is and, on the first start, how to sign in;
 * on SIGINT/SIGTERM close every socket with 1012 `shutting_down` and exit.
 */
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { DEMO_PASSWORD } from './auth/accounts.ts';
import { startServer } from './server.ts';

const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function main(): Promise<void> {
  const loaded = loadConfig(process.env, process.argv.slice(2));
  if (!loaded.ok) {
    process.stderr.write(
      `Peerdesk cannot start: the configuration is not valid.\n${loaded.errors
        .map((error) => `  - ${error}\n`)
        .join('')}See the configuration table in README.md.\n`,
    );
    process.exit(1);
  }
  const config = loaded.config;
  const logger = createLogger({ level: config.logLevel });
  let server;
  try {
    server = await startServer(config, { logger });
  } catch (error) {
    process.stderr.write(
      `Peerdesk could not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
  const shown = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const origin = config.publicOrigin ?? `http://${shown}:${server.port}`;
  out(`Peerdesk is running at ${origin}`);
  out(`  transport: ${server.transport}; data: ${config.dataDir}`);
  if (server.firstStart !== null) {
    out('');
    out('First start: an admin account was created. Sign in to the console with');
    out(`  nickname: ${server.firstStart.nickname}`);
    out(
      server.firstStart.password === null
        ? '  password: the one in ADMIN_PASSWORD'
        : `  password: ${server.firstStart.password}   (shown once: keep it, or set ADMIN_PASSWORD before the first start)`,
    );
  }
  if (config.demo) {
    out('');
    out('Demo mode: try a whole chat in two windows (README, "Try a whole chat").');
    out(`  the visitor: ${origin}/demo/`);
    out(`  the helper:  ${origin}/console (sign in as alice, password ${DEMO_PASSWORD})`);
  }

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // A second signal, or a close that hangs, must not keep the process alive.
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
