/**
 * The service's configuration, read from environment variables and validated once
 * at start (STYLE.md point 3: the environment is a trust boundary). The variables
 * are one table (signal/config-table.ts); everything here is derived from it.
 *
 * Exports:
 * - `loadConfig(env, argv)` → `{ ok: true, config } | { ok: false, errors }`; every bad
 *   variable is listed, nothing throws.
 * - `Config`, `TurnConfig`, `TransportChoice`, `LogLevel` types.
 * - `toCoreConfig(config)` → the switchboard's `CoreConfig`.
 * - `CONFIG_VARIABLES`: `{ name, default, description }` for every variable (README table).
 * - `renderConfigTable()`: that list as a Markdown table.
 * - `parseConfigVariable(name, text)`: one variable through its schema (admin settings).
 */
import * as v from 'valibot';
import type { IceServer, PrivacyNotice } from '../protocol/index.ts';
import { CONFIG_ENTRIES, type ConfigEntry } from './config-table.ts';
import type { CoreConfig } from './core/events.ts';
import { DEFAULT_CORE_CONFIG } from './core/events.ts';

export { isIpOrCidr } from './config-schemas.ts';

type Entries = (typeof CONFIG_ENTRIES)[number];
type ValueOf<E extends Entries> = v.InferOutput<E['schema']>;

/** Each variable's value under its key, as the table types it. */
type TableConfig = { [E in Entries as E['key']]: ValueOf<E> };

export type TransportChoice = TableConfig['transport'];
export type LogLevel = TableConfig['logLevel'];

/** Short-lived TURN credentials (TURN REST API scheme), minted per staff request. */
export type TurnConfig = { secret: string; urls: string[]; ttlSeconds: number };

/** The TURN variables come together as `turn`; `demo` is the `--demo` flag (seed demo
 * departments and accounts, show them on the sign-in page). */
export type Config = Omit<TableConfig, 'turnSecret' | 'turnUrls' | 'turnTtlSeconds'> & {
  turn: TurnConfig | null;
  demo: boolean;
};

export type ConfigVariable = Pick<ConfigEntry, 'name' | 'default' | 'description'>;

/** Every variable the service reads, in the order the README lists them. */
export const CONFIG_VARIABLES: readonly ConfigVariable[] = CONFIG_ENTRIES;

export type ConfigVariableName = Entries['name'];

type EnvSchemaEntries = { [E in Entries as E['name']]: E['schema'] };

const EnvSchema = v.object(
  Object.fromEntries(CONFIG_ENTRIES.map((e) => [e.name, e.schema])) as EnvSchemaEntries,
);

/** Parses one variable's text with the very schema the environment goes through, so
 * a setting an admin changes at run time is held to the same rules (SPEC.md SP-A7). */
export function parseConfigVariable<N extends ConfigVariableName>(
  name: N,
  text: string,
): { ok: true; value: v.InferOutput<EnvSchemaEntries[N]> } | { ok: false; message: string } {
  // Indexing the entries by a generic key widens the schema to the union of all of
  // them; the output type is still the one of `name`'s entry.
  const schema = EnvSchema.entries[name] as v.GenericSchema<
    string,
    v.InferOutput<EnvSchemaEntries[N]>
  >;
  const result = v.safeParse(schema, text.trim());
  if (result.success) return { ok: true, value: result.output };
  return { ok: false, message: `${name} ${result.issues[0]?.message ?? 'is not valid'}` };
}

const KNOWN_FLAGS = ['--demo'];

/** Reads the configuration. `argv` is the arguments after the script (`process.argv.slice(2)`). */
export function loadConfig(
  env: Record<string, string | undefined>,
  argv: string[],
): { ok: true; config: Config } | { ok: false; errors: string[] } {
  const input: Record<string, string> = {};
  for (const variable of CONFIG_ENTRIES) {
    // An empty variable (`PORT=`) means "unset": shells and .env files produce them often.
    const raw = env[variable.name]?.trim();
    input[variable.name] = raw === undefined || raw === '' ? variable.default : raw;
  }

  const errors: string[] = [];
  for (const arg of argv) {
    if (!KNOWN_FLAGS.includes(arg)) {
      errors.push(`unknown argument ${JSON.stringify(arg)} (known: ${KNOWN_FLAGS.join(', ')})`);
    }
  }

  const result = v.safeParse(EnvSchema, input);
  if (!result.success) {
    const byVariable = new Map<string, string>();
    for (const issue of result.issues) {
      const path = v.getDotPath(issue) ?? '(environment)';
      const [name = path, ...inside] = path.split('.');
      const where = inside.length > 0 ? `at ${inside.join('.')}: ` : '';
      // One message per variable: the first issue says what is wrong.
      if (!byVariable.has(name)) {
        byVariable.set(name, `${name}=${shown(name, input[name])} ${where}${issue.message}`);
      }
    }
    errors.push(...byVariable.values());
    return { ok: false, errors };
  }

  const parsed = result.output;
  const table = Object.fromEntries(
    CONFIG_ENTRIES.map((e) => [e.key, parsed[e.name]]),
  ) as TableConfig;
  const { turnSecret, turnUrls, turnTtlSeconds, ...rest } = table;

  if (rest.defaultChatLimit > rest.maxChatLimit) {
    errors.push(
      `DEFAULT_CHAT_LIMIT=${rest.defaultChatLimit} must not exceed MAX_CHAT_LIMIT=${rest.maxChatLimit}`,
    );
  }
  const hasUrls = turnUrls.length > 0;
  if ((turnSecret !== null) !== hasUrls) {
    errors.push('TURN_SECRET and TURN_URLS must be set together');
  }
  if (rest.relayOnlyHelpers && !hasUrls && !rest.iceServers.some(isTurnServer)) {
    errors.push(
      'RELAY_ONLY_HELPERS=true needs a TURN server (TURN_SECRET and TURN_URLS, or ICE_SERVERS)',
    );
  }
  if (errors.length > 0) return { ok: false, errors };

  return {
    ok: true,
    config: {
      ...rest,
      turn:
        turnSecret === null
          ? null
          : { secret: turnSecret, urls: turnUrls, ttlSeconds: turnTtlSeconds },
      demo: argv.includes('--demo'),
      // SP-PN1: demo mode shows a notice unless one is configured.
      privacyNotice: rest.privacyNotice ?? (argv.includes('--demo') ? DEMO_PRIVACY_NOTICE : null),
    },
  };
}

/** The notice `--demo` shows when PRIVACY_NOTICE is unset (SP-PN1). */
export const DEMO_PRIVACY_NOTICE =
  'This is a demo of Peerdesk. Your name, email, question and the chat are stored by this service ' +
  'so the support team can help you and keep a transcript; the chat itself goes directly between ' +
  'you and the helper. You can download or ask us to erase what is stored.';

/** Secrets are never echoed back in an error message. */
function shown(name: string, value: string | undefined): string {
  if (value === undefined || value === '') return '(unset)';
  if (CONFIG_ENTRIES.some((e) => e.name === name && 'secret' in e)) return '(hidden)';
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

function isTurnServer(server: IceServer): boolean {
  const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
  return urls.some((url) => /^turns?:/.test(url));
}

/** SP-PN1: the notice the widget shows, or null when there is none. */
export function privacyNoticeOf(
  config: Pick<Config, 'privacyNotice' | 'privacyPolicyUrl'>,
): PrivacyNotice | null {
  const text = config.privacyNotice?.trim() ?? '';
  return text === '' ? null : { text, policyUrl: config.privacyPolicyUrl };
}

/** The switchboard's part of the configuration. */
export function toCoreConfig(config: Config): CoreConfig {
  return {
    ...DEFAULT_CORE_CONFIG,
    offerTimeoutMs: config.offerTimeoutMs,
    helperGraceMs: config.helperGraceMs,
    visitorGraceMs: config.visitorGraceMs,
    inviteTimeoutMs: config.inviteTimeoutMs,
    restartGraceMs: config.restartGraceMs,
    defaultChatLimit: config.defaultChatLimit,
    maxChatLimit: config.maxChatLimit,
    typingPreview: config.typingPreview,
    queueWaitAlertMs: config.queueWaitAlertMs,
    metaChangesPerWindow: config.chatMetaChangesPer10Seconds,
    attachmentMaxBytes: config.attachmentMaxBytes,
    privacyNotice: privacyNoticeOf(config),
  };
}

/** The README's configuration table, generated from `CONFIG_VARIABLES`. */
export function renderConfigTable(): string {
  const rows = CONFIG_VARIABLES.map(
    (variable) =>
      `| \`${variable.name}\` | ${variable.default === '' ? '(unset)' : `\`${variable.default}\``} | ${variable.description} |`,
  );
  return ['| Variable | Default | Meaning |', '|---|---|---|', ...rows].join('\n');
}
