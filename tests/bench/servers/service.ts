/**
 * The real service (signal/server.ts `startServer`: config, SQLite, gateway, core,
 * HTTP, the uWebSockets.js transport) for S2 and S4, with `helpers` helper
 * accounts and a signed-in session for each, seeded into its database first.
 *
 * The configuration is the default one except for the limits that exist to stop
 * one client IP from doing what a load generator must do (all load comes from
 * 127.0.0.1): per-socket message rate, per-IP connection rate. The chat limit is
 * ceiling is raised to the highest allowed; the seeded helpers get the limit the
 * scenario asks for.
 * TRANSPORT=uws: the service refuses to start rather than fall back to `ws`.
 *
 * Command `shutdown` stops the service (every socket gets 1012 `shutting_down`).
 */
import * as v from 'valibot';
import { newAccountId } from '../../../signal/auth/accounts.ts';
import { FAST_SCRYPT_PARAMS, hashPassword } from '../../../signal/auth/passwords.ts';
import { createSessions } from '../../../signal/auth/sessions.ts';
import { loadConfig, type Config } from '../../../signal/config.ts';
import { createLogger } from '../../../signal/log.ts';
import { startServer } from '../../../signal/server.ts';
import { databaseFile, openSqliteStorage } from '../../../signal/storage/sqlite-storage.ts';
import { LIMITS } from '../../../protocol/index.ts';
import type { StartedServer } from '../lib/child-protocol.ts';

const Options = v.object({
  dataDir: v.string(),
  helpers: v.number(),
  chatLimit: v.number(),
  /** Room monitors (S8), seeded after the helpers with the same chat limit. */
  monitors: v.optional(v.number(), 0),
  /** 0 for any free port; a restart passes the port of the service it replaces. */
  port: v.optional(v.number(), 0),
  /** Extra environment on top of BENCH_SERVICE_ENV (e.g. a short visitor grace). */
  env: v.optional(v.record(v.string(), v.string()), {}),
});

export const BENCH_SERVICE_ENV = {
  HOST: '127.0.0.1',
  TRANSPORT: 'uws',
  LOG_LEVEL: 'silent',
  ADMIN_PASSWORD: 'bench-admin-password',
  WS_MESSAGES_PER_SECOND: '10000',
  WS_MESSAGE_BURST: '100000',
  WS_CONNECTIONS_PER_IP_PER_MINUTE: '100000',
  MAX_CHAT_LIMIT: String(LIMITS.maxChatLimitCeiling),
} as const;

export async function start(options: unknown): Promise<StartedServer> {
  const { dataDir, helpers, monitors, chatLimit, env, port: wanted } = v.parse(Options, options);
  const configFor = (port: number): Config => {
    const loaded = loadConfig(
      { ...BENCH_SERVICE_ENV, ...env, PORT: String(port), DATA_DIR: dataDir },
      [],
    );
    if (!loaded.ok) throw new Error(`bad bench config: ${loaded.errors.join('; ')}`);
    return loaded.config;
  };
  const config = configFor(wanted);
  const all = await seedStaff(
    config,
    [
      ...Array.from({ length: helpers }, () => 'helper' as const),
      ...Array.from({ length: monitors }, () => 'monitor' as const),
    ],
    chatLimit,
  );
  const sessions = all.slice(0, helpers);
  const monitorSessions = all.slice(helpers);
  const server = await startServer(config, {
    logger: createLogger({ level: 'silent' }),
    scrypt: FAST_SCRYPT_PARAMS,
  });
  return {
    port: server.port,
    info: { sessions, monitorSessions },
    commands: {
      // Closes every socket with 1012 and stops; the runner then ends this process
      // and starts a new one on the same port and data folder, as a deploy would.
      // (Started again in this process, uWS cannot bind the port it just closed.)
      shutdown: async () => {
        await server.close();
        return null;
      },
    },
  };
}

/** Staff accounts (helpers, then monitors) with a live session token each. They sign in
 * through the session only, so they share one password hash (hashing thousands would
 * only slow setup). */
async function seedStaff(
  config: Config,
  roles: readonly ('helper' | 'monitor')[],
  chatLimit: number,
): Promise<string[]> {
  const storage = openSqliteStorage(databaseFile(config.dataDir));
  try {
    const sessions = createSessions(storage, { ttlMs: config.sessionTtlHours * 3_600_000 });
    const passwordHash = await hashPassword('bench-helper-password', FAST_SCRYPT_PARAMS);
    const now = Date.now();
    const tokens: string[] = [];
    for (const [i, role] of roles.entries()) {
      const id = newAccountId();
      const nickname = `${role}${i}`;
      storage.createAccount({
        id,
        nickname,
        name: nickname,
        role,
        chatLimit,
        passwordHash,
        createdAt: now,
        disabled: false,
      });
      tokens.push(sessions.create(id, now).token);
    }
    return tokens;
  } finally {
    storage.close();
  }
}
