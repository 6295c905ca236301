/**
 * The service's configuration, read from environment variables and validated once
 * at start (STYLE.md point 3: the environment is a trust boundary).
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
import { isIP } from 'node:net';
import { IceServer, LIMITS } from '../protocol/index.ts';
import type { CoreConfig } from './core/events.ts';
import { DEFAULT_CORE_CONFIG } from './core/events.ts';

export type TransportChoice = 'auto' | 'uws' | 'ws';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Short-lived TURN credentials (TURN REST API scheme), minted per staff request. */
export type TurnConfig = { secret: string; urls: string[]; ttlSeconds: number };

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  transport: TransportChoice;
  /** The service's public origin (`https://chat.example.org`), when behind a proxy. */
  publicOrigin: string | null;
  /** Extra origins allowed to open WebSockets, normalised to `scheme://host[:port]`. */
  allowedOrigins: string[];
  /** IPs or CIDRs whose `X-Forwarded-For` is believed (SPEC.md B3). */
  trustedProxies: string[];
  offerTimeoutMs: number;
  helperGraceMs: number;
  visitorGraceMs: number;
  inviteTimeoutMs: number;
  restartGraceMs: number;
  defaultChatLimit: number;
  maxChatLimit: number;
  typingPreview: boolean;
  /** F13: the largest attachment a chat carries (CHAT.md X2). */
  attachmentMaxBytes: number;
  iceServers: IceServer[];
  turn: TurnConfig | null;
  relayOnlyHelpers: boolean;
  sessionTtlHours: number;
  logLevel: LogLevel;
  adminNickname: string;
  /** Null: a password is generated and printed on first start. */
  adminPassword: string | null;
  wsMessagesPerSecond: number;
  wsMessageBurst: number;
  wsConnectionsPerIpPerMinute: number;
  httpSigninPerIpPerMinute: number;
  maxPayloadBytes: number;
  maxBackpressureBytes: number;
  idleTimeoutSeconds: number;
  helloTimeoutMs: number;
  /** A request not whole (headers and body) after this long gets 408 and is closed. */
  httpRequestTimeoutMs: number;
  /** Open WebSockets past which a new one is closed with 1013 `server_full` (W5). */
  maxConnections: number;
  /** CR9: a visitor waiting this long in the queue is announced in the Contributors room (0: never). */
  queueWaitAlertMs: number;
  /** CR8: room messages one account may write per minute. */
  roomMessagesPerMinute: number;
  /** `--demo`: seed demo departments and accounts, show them on the sign-in page. */
  demo: boolean;
  /** Days an archived transcript and a rating are kept; 0 keeps none (SPEC.md U9). */
  archiveRetentionDays: number;
  /** Bytes of attached files' content the archive keeps per chat; 0: metadata only (U4). */
  archiveFileBytes: number;
  /** F32 retention (SPEC.md PV4, PV5). */
  ticketRetentionDays: number;
  leftMessageRetentionDays: number;
  endedBlockRetentionDays: number;
  /** U8: seconds after a chat ends before it is marked "not archived" when nobody uploaded. */
  archiveWaitSeconds: number;
  /** The community forum the widget links to after a chat (F24), or null. */
  forumUrl: string | null;
  /** Where email goes (F23); null writes each email as an `.eml` file in `DATA_DIR/mail`. */
  smtpUrl: string | null;
  /** The sender of Peerdesk's emails, `Name <address>`. */
  mailFrom: string;
  /** Days a follow-up link works after it was issued (SPEC.md TK3). */
  followUpLinkDays: number;
};

export type ConfigVariable = { name: string; default: string; description: string };

/** Every variable the service reads, in the order the README lists them. A unit test
 * checks this list, the schema below and the README agree. */
export const CONFIG_VARIABLES = [
  { name: 'PORT', default: '8080', description: 'Port for HTTP, WebSockets and the app.' },
  { name: 'HOST', default: '0.0.0.0', description: 'Address to listen on.' },
  { name: 'DATA_DIR', default: './data', description: 'Folder for the SQLite database.' },
  {
    name: 'TRANSPORT',
    default: 'auto',
    description:
      '`auto` (uWebSockets.js, falling back to `ws` when its native build cannot load), `uws` or `ws`.',
  },
  {
    name: 'PUBLIC_ORIGIN',
    default: '',
    description: 'Public origin of the service, e.g. `https://chat.example.org`.',
  },
  {
    name: 'ALLOWED_ORIGINS',
    default: '',
    description:
      "Comma-separated origins of host sites embedding the widget: only they (and the service's own origin) may frame it and open WebSockets.",
  },
  {
    name: 'TRUSTED_PROXIES',
    default: '',
    description:
      'Comma-separated IPs or CIDRs of reverse proxies whose `X-Forwarded-For` is believed.',
  },
  {
    name: 'OFFER_TIMEOUT_MS',
    default: '20000',
    description: 'Time a helper has to accept an offer.',
  },
  {
    name: 'HELPER_GRACE_MS',
    default: '30000',
    description: 'Time a disconnected helper keeps their chats.',
  },
  {
    name: 'VISITOR_GRACE_MS',
    default: '60000',
    description: 'Time a disconnected visitor keeps their queue place or chat.',
  },
  { name: 'INVITE_TIMEOUT_MS', default: '60000', description: 'Time an invitation stays open.' },
  {
    name: 'RESTART_GRACE_MS',
    default: '60000',
    description: 'After a restart, time helpers have to re-announce their chats.',
  },
  { name: 'DEFAULT_CHAT_LIMIT', default: '3', description: 'Chat limit of a new helper.' },
  {
    name: 'MAX_CHAT_LIMIT',
    default: '10',
    description: `Highest chat limit a helper may set (at most ${LIMITS.maxChatLimitCeiling}).`,
  },
  {
    name: 'TYPING_PREVIEW',
    default: 'true',
    description: "Whether helpers see the visitor's draft as they type.",
  },
  {
    name: 'ATTACHMENT_MAX_BYTES',
    default: String(LIMITS.defaultAttachmentBytes),
    description: `Largest file a chat carries, in bytes (at most ${LIMITS.attachmentBytesCeiling}): senders refuse larger files and receivers never fetch them. An admin may change it live (Administration → Settings); pages that connect next are told.`,
  },
  {
    name: 'ICE_SERVERS',
    default: '[]',
    description:
      'JSON array of `{urls, username?, credential?}` STUN/TURN servers. None by default (loopback and LAN only).',
  },
  {
    name: 'TURN_SECRET',
    default: '',
    description:
      'Shared secret for short-lived TURN credentials (TURN REST API, e.g. coturn `static-auth-secret`); needs `TURN_URLS`.',
  },
  {
    name: 'TURN_URLS',
    default: '',
    description: 'Comma-separated `turn:`/`turns:` URLs the minted credentials are for.',
  },
  {
    name: 'TURN_TTL_SECONDS',
    default: '3600',
    description:
      'Lifetime of minted TURN credentials, in seconds (at least 10). A console gets them when it connects; once they expire the relay refuses them for new chats and the console says so.',
  },
  {
    name: 'RELAY_ONLY_HELPERS',
    default: 'false',
    description: "Helpers use relay-only ICE (TURN), so visitors never learn a helper's IP.",
  },
  { name: 'SESSION_TTL_HOURS', default: '720', description: 'Lifetime of a staff sign-in.' },
  {
    name: 'LOG_LEVEL',
    default: 'info',
    description: '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`.',
  },
  {
    name: 'ADMIN_NICKNAME',
    default: 'admin',
    description: 'Nickname of the admin account created on first start.',
  },
  {
    name: 'ADMIN_PASSWORD',
    default: '',
    description:
      'Password of that admin account (at least 8 characters); when unset one is generated and printed once.',
  },
  {
    name: 'WS_MESSAGES_PER_SECOND',
    default: '20',
    description: 'Sustained frames per second one socket may send.',
  },
  {
    name: 'WS_MESSAGE_BURST',
    default: '40',
    description: 'Frames one socket may send in a burst above that rate.',
  },
  {
    name: 'WS_CONNECTIONS_PER_IP_PER_MINUTE',
    default: '60',
    description: 'New WebSocket connections per client IP per minute.',
  },
  {
    name: 'HTTP_SIGNIN_PER_IP_PER_MINUTE',
    default: '10',
    description: 'Sign-in attempts per client IP per minute.',
  },
  {
    name: 'MAX_PAYLOAD_BYTES',
    default: '65536',
    description: 'Largest WebSocket frame; a bigger one closes the socket.',
  },
  {
    name: 'MAX_BACKPRESSURE_BYTES',
    default: '1048576',
    description: 'Bytes queued for one slow socket before it is closed.',
  },
  {
    name: 'IDLE_TIMEOUT_SECONDS',
    default: '60',
    description: 'Seconds without traffic before a socket is pinged, then closed (8 to 960).',
  },
  {
    name: 'HELLO_TIMEOUT_MS',
    default: '10000',
    description: 'Milliseconds a new WebSocket has to say hello before it is closed.',
  },
  {
    name: 'HTTP_REQUEST_TIMEOUT_MS',
    default: '10000',
    description:
      'Milliseconds an HTTP request has to arrive whole (headers and body); a slower one gets 408 and its connection is closed. With uWebSockets.js a request still sending its headers is cut off after about 10 s whatever this says.',
  },
  {
    name: 'MAX_CONNECTIONS',
    default: '50000',
    description:
      'Open WebSockets the service takes; past it a new one is closed at once (1013 `server_full`) and open chats carry on.',
  },
  {
    name: 'ARCHIVE_RETENTION_DAYS',
    default: '365',
    description:
      'Days an archived transcript and its rating are kept before the sweep deletes them; `0` keeps none.',
  },
  {
    name: 'TICKET_RETENTION_DAYS',
    default: '730',
    description:
      'Days a ticket is kept after its last message or change, with its messages and follow-up links.',
  },
  {
    name: 'LEFT_MESSAGE_RETENTION_DAYS',
    default: '365',
    description: 'Days a message left when nobody was available is kept.',
  },
  {
    name: 'ENDED_BLOCK_RETENTION_DAYS',
    default: '30',
    description:
      'Days a block is kept after it expired or was lifted; its IP address is cleared as soon as it ends.',
  },
  {
    name: 'ARCHIVE_FILE_BYTES',
    default: '0',
    description:
      "Bytes of attached files' content the archive keeps per chat (a helper's console uploads them with the transcript); `0` keeps only their names, types, sizes and hashes.",
  },
  {
    name: 'ARCHIVE_WAIT_SECONDS',
    default: '600',
    description:
      'Seconds after a chat ends that the archive waits for a helper\'s console to upload it before listing it as "not archived" (1 to 86400).',
  },
  {
    name: 'FORUM_URL',
    default: '',
    description:
      'Community forum the widget links to after a chat (`https://` address); none when unset.',
  },
  {
    name: 'QUEUE_WAIT_ALERT_MS',
    default: '120000',
    description:
      'A visitor who has waited this long in the queue is announced in the Contributors room, once (0: never). An admin may change it live (Administration → Settings) for visitors who join the queue next.',
  },
  {
    name: 'ROOM_MESSAGES_PER_MINUTE',
    default: '30',
    description:
      'Contributors room messages one account may write per minute (a quarter of it at once); more get `room_rate_limited`.',
  },
  {
    name: 'SMTP_URL',
    default: '',
    description:
      'SMTP server for emails (transcripts, follow-ups), e.g. `smtps://user:pass@mail.example.org:465`. Unset: each email is written as an `.eml` file in `DATA_DIR/mail/`.',
  },
  {
    name: 'MAIL_FROM',
    default: 'Peerdesk <peerdesk@localhost>',
    description: 'Sender of those emails.',
  },
  {
    name: 'FOLLOW_UP_LINK_DAYS',
    default: '30',
    description:
      'Days a follow-up link works after it was issued (each email carries a fresh one); an older link gets `follow_up_expired`.',
  },
] as const satisfies readonly ConfigVariable[];

export type ConfigVariableName = (typeof CONFIG_VARIABLES)[number]['name'];

// ---- parsers for one variable each: a string in, a typed value or issues out ----

const integer = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.regex(/^-?\d+$/, 'must be a whole number'),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

const milliseconds = integer(0, 24 * 60 * 60 * 1000);

const boolean = v.pipe(
  v.string(),
  v.toLowerCase(),
  v.picklist(['true', 'false', '1', '0', 'yes', 'no'], 'must be true or false'),
  v.transform((s) => s === 'true' || s === '1' || s === 'yes'),
);

const commaList = v.pipe(
  v.string(),
  v.transform((s) =>
    s
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== ''),
  ),
);

function parseOrigin(text: string): string | null {
  try {
    const url = new URL(text);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    // An origin has no path, query or credentials; a trailing "/" is tolerated.
    if (url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '') {
      return null;
    }
    return url.origin;
  } catch {
    return null;
  }
}

const origin = v.pipe(
  v.string(),
  v.check((s) => parseOrigin(s) !== null, 'must be an origin such as https://chat.example.org'),
  v.transform((s) => parseOrigin(s) ?? s),
);

const originList = v.pipe(
  commaList,
  v.check(
    (list) => list.every((item) => parseOrigin(item) !== null),
    'must be origins such as https://help.example.org, separated by commas',
  ),
  v.transform((list) => list.map((item) => parseOrigin(item) ?? item)),
);

/** An IP address, or a CIDR block with a prefix length that fits its family. */
export function isIpOrCidr(text: string): boolean {
  const slash = text.indexOf('/');
  if (slash === -1) return isIP(text) !== 0;
  const family = isIP(text.slice(0, slash));
  const prefix = text.slice(slash + 1);
  if (family === 0 || !/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

const proxyList = v.pipe(
  commaList,
  v.check((list) => list.every(isIpOrCidr), 'must be IPs or CIDRs separated by commas'),
);

const iceServers = v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    try {
      return JSON.parse(dataset.value) as unknown;
    } catch {
      addIssue({ message: 'must be JSON, e.g. [{"urls":"stun:stun.example.org:3478"}]' });
      return NEVER;
    }
  }),
  v.array(IceServer, 'must be a JSON array of {urls, username?, credential?}'),
);

const turnUrls = v.pipe(
  commaList,
  v.check(
    (list) => list.every((url) => /^turns?:/.test(url)),
    'must be turn: or turns: URLs separated by commas',
  ),
);

const nickname = v.pipe(
  v.string(),
  v.maxLength(LIMITS.maxNicknameLength, `must be at most ${LIMITS.maxNicknameLength} characters`),
  v.regex(/^[\p{L}\p{N}_.-]+$/u, 'must be letters, digits, _ . - only'),
);

const EnvSchema = v.object({
  PORT: integer(0, 65535),
  HOST: v.pipe(v.string(), v.minLength(1, 'must not be empty')),
  DATA_DIR: v.pipe(v.string(), v.minLength(1, 'must not be empty')),
  TRANSPORT: v.picklist(['auto', 'uws', 'ws'], 'must be auto, uws or ws'),
  PUBLIC_ORIGIN: v.optional(origin),
  ALLOWED_ORIGINS: originList,
  TRUSTED_PROXIES: proxyList,
  OFFER_TIMEOUT_MS: milliseconds,
  HELPER_GRACE_MS: milliseconds,
  VISITOR_GRACE_MS: milliseconds,
  INVITE_TIMEOUT_MS: milliseconds,
  RESTART_GRACE_MS: milliseconds,
  DEFAULT_CHAT_LIMIT: integer(1, LIMITS.maxChatLimitCeiling),
  MAX_CHAT_LIMIT: integer(1, LIMITS.maxChatLimitCeiling),
  TYPING_PREVIEW: boolean,
  ATTACHMENT_MAX_BYTES: integer(1, LIMITS.attachmentBytesCeiling),
  ICE_SERVERS: iceServers,
  TURN_SECRET: v.optional(v.string()),
  TURN_URLS: turnUrls,
  TURN_TTL_SECONDS: integer(10, 7 * 24 * 60 * 60),
  RELAY_ONLY_HELPERS: boolean,
  SESSION_TTL_HOURS: integer(1, 24 * 365),
  LOG_LEVEL: v.picklist(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    'must be fatal, error, warn, info, debug, trace or silent',
  ),
  ADMIN_NICKNAME: nickname,
  ADMIN_PASSWORD: v.optional(
    v.pipe(
      v.string(),
      v.minLength(8, 'must be at least 8 characters'),
      v.maxLength(
        LIMITS.maxPasswordLength,
        `must be at most ${LIMITS.maxPasswordLength} characters`,
      ),
    ),
  ),
  WS_MESSAGES_PER_SECOND: integer(1, 10_000),
  WS_MESSAGE_BURST: integer(1, 100_000),
  WS_CONNECTIONS_PER_IP_PER_MINUTE: integer(1, 100_000),
  HTTP_SIGNIN_PER_IP_PER_MINUTE: integer(1, 100_000),
  // Above the protocol's own frame limit a frame would only be refused after it was read.
  MAX_PAYLOAD_BYTES: integer(1024, 16 * 1024 * 1024),
  MAX_BACKPRESSURE_BYTES: integer(64 * 1024, 1024 * 1024 * 1024),
  // uWebSockets.js accepts 0 or 8..960 seconds.
  IDLE_TIMEOUT_SECONDS: integer(8, 960),
  HELLO_TIMEOUT_MS: integer(100, 600_000),
  HTTP_REQUEST_TIMEOUT_MS: integer(500, 300_000),
  MAX_CONNECTIONS: integer(1, 10_000_000),
  ARCHIVE_RETENTION_DAYS: integer(0, 36_500),
  ARCHIVE_FILE_BYTES: integer(0, LIMITS.attachmentBytesCeiling),
  TICKET_RETENTION_DAYS: integer(1, 36_500),
  LEFT_MESSAGE_RETENTION_DAYS: integer(1, 36_500),
  ENDED_BLOCK_RETENTION_DAYS: integer(0, 36_500),
  ARCHIVE_WAIT_SECONDS: integer(1, 86_400),
  FORUM_URL: v.optional(
    v.pipe(
      v.string(),
      v.maxLength(LIMITS.maxUrlLength, `must be at most ${LIMITS.maxUrlLength} characters`),
      v.check((s) => /^https?:\/\/[^\s]+$/.test(s), 'must be an http:// or https:// address'),
    ),
  ),
  QUEUE_WAIT_ALERT_MS: milliseconds,
  ROOM_MESSAGES_PER_MINUTE: integer(1, 6000),
  SMTP_URL: v.optional(
    v.pipe(
      v.string(),
      v.check((s) => /^smtps?:\/\/[^/\s]+/.test(s), 'must be an smtp:// or smtps:// URL'),
    ),
  ),
  MAIL_FROM: v.pipe(v.string(), v.minLength(3), v.maxLength(200)),
  FOLLOW_UP_LINK_DAYS: integer(1, 3650),
});

export type EnvSchemaEntries = typeof EnvSchema.entries;

/** Parses one variable's text with the very schema the environment goes through, so
 * a setting an admin changes at run time is held to the same rules (SPEC.md A7). */
export function parseConfigVariable<N extends keyof EnvSchemaEntries>(
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
const ABSENT_WHEN_EMPTY = new Set<string>([
  'PUBLIC_ORIGIN',
  'TURN_SECRET',
  'ADMIN_PASSWORD',
  'FORUM_URL',
  'SMTP_URL',
]);

/** Reads the configuration. `argv` is the arguments after the script (`process.argv.slice(2)`). */
export function loadConfig(
  env: Record<string, string | undefined>,
  argv: string[],
): { ok: true; config: Config } | { ok: false; errors: string[] } {
  const input: Record<string, string | undefined> = {};
  for (const variable of CONFIG_VARIABLES) {
    // An empty variable (`PORT=`) means "unset": shells and .env files produce them often.
    const raw = env[variable.name]?.trim();
    const value = raw === undefined || raw === '' ? variable.default : raw;
    // Lists read '' as empty; the few values without a default read it as absent.
    input[variable.name] = value === '' && ABSENT_WHEN_EMPTY.has(variable.name) ? undefined : value;
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
  if (parsed.DEFAULT_CHAT_LIMIT > parsed.MAX_CHAT_LIMIT) {
    errors.push(
      `DEFAULT_CHAT_LIMIT=${parsed.DEFAULT_CHAT_LIMIT} must not exceed MAX_CHAT_LIMIT=${parsed.MAX_CHAT_LIMIT}`,
    );
  }
  const hasSecret = parsed.TURN_SECRET !== undefined;
  const hasUrls = parsed.TURN_URLS.length > 0;
  if (hasSecret !== hasUrls) {
    errors.push('TURN_SECRET and TURN_URLS must be set together');
  }
  if (parsed.RELAY_ONLY_HELPERS && !hasUrls && !parsed.ICE_SERVERS.some(isTurnServer)) {
    errors.push(
      'RELAY_ONLY_HELPERS=true needs a TURN server (TURN_SECRET and TURN_URLS, or ICE_SERVERS)',
    );
  }
  if (errors.length > 0) return { ok: false, errors };

  return {
    ok: true,
    config: {
      port: parsed.PORT,
      host: parsed.HOST,
      dataDir: parsed.DATA_DIR,
      transport: parsed.TRANSPORT,
      publicOrigin: parsed.PUBLIC_ORIGIN ?? null,
      allowedOrigins: parsed.ALLOWED_ORIGINS,
      trustedProxies: parsed.TRUSTED_PROXIES,
      offerTimeoutMs: parsed.OFFER_TIMEOUT_MS,
      helperGraceMs: parsed.HELPER_GRACE_MS,
      visitorGraceMs: parsed.VISITOR_GRACE_MS,
      inviteTimeoutMs: parsed.INVITE_TIMEOUT_MS,
      restartGraceMs: parsed.RESTART_GRACE_MS,
      defaultChatLimit: parsed.DEFAULT_CHAT_LIMIT,
      maxChatLimit: parsed.MAX_CHAT_LIMIT,
      typingPreview: parsed.TYPING_PREVIEW,
      attachmentMaxBytes: parsed.ATTACHMENT_MAX_BYTES,
      iceServers: parsed.ICE_SERVERS,
      turn:
        parsed.TURN_SECRET === undefined
          ? null
          : {
              secret: parsed.TURN_SECRET,
              urls: parsed.TURN_URLS,
              ttlSeconds: parsed.TURN_TTL_SECONDS,
            },
      relayOnlyHelpers: parsed.RELAY_ONLY_HELPERS,
      sessionTtlHours: parsed.SESSION_TTL_HOURS,
      logLevel: parsed.LOG_LEVEL,
      adminNickname: parsed.ADMIN_NICKNAME,
      adminPassword: parsed.ADMIN_PASSWORD ?? null,
      wsMessagesPerSecond: parsed.WS_MESSAGES_PER_SECOND,
      wsMessageBurst: parsed.WS_MESSAGE_BURST,
      wsConnectionsPerIpPerMinute: parsed.WS_CONNECTIONS_PER_IP_PER_MINUTE,
      httpSigninPerIpPerMinute: parsed.HTTP_SIGNIN_PER_IP_PER_MINUTE,
      maxPayloadBytes: parsed.MAX_PAYLOAD_BYTES,
      maxBackpressureBytes: parsed.MAX_BACKPRESSURE_BYTES,
      idleTimeoutSeconds: parsed.IDLE_TIMEOUT_SECONDS,
      helloTimeoutMs: parsed.HELLO_TIMEOUT_MS,
      httpRequestTimeoutMs: parsed.HTTP_REQUEST_TIMEOUT_MS,
      maxConnections: parsed.MAX_CONNECTIONS,
      queueWaitAlertMs: parsed.QUEUE_WAIT_ALERT_MS,
      roomMessagesPerMinute: parsed.ROOM_MESSAGES_PER_MINUTE,
      demo: argv.includes('--demo'),
      archiveRetentionDays: parsed.ARCHIVE_RETENTION_DAYS,
      archiveFileBytes: parsed.ARCHIVE_FILE_BYTES,
      ticketRetentionDays: parsed.TICKET_RETENTION_DAYS,
      leftMessageRetentionDays: parsed.LEFT_MESSAGE_RETENTION_DAYS,
      endedBlockRetentionDays: parsed.ENDED_BLOCK_RETENTION_DAYS,
      archiveWaitSeconds: parsed.ARCHIVE_WAIT_SECONDS,
      forumUrl: parsed.FORUM_URL ?? null,
      smtpUrl: parsed.SMTP_URL ?? null,
      mailFrom: parsed.MAIL_FROM,
      followUpLinkDays: parsed.FOLLOW_UP_LINK_DAYS,
    },
  };
}

/** Secrets are never echoed back in an error message. */
function shown(name: string, value: string | undefined): string {
  if (value === undefined) return '(unset)';
  if (name === 'TURN_SECRET' || name === 'ADMIN_PASSWORD' || name === 'SMTP_URL') return '(hidden)';
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

function isTurnServer(server: IceServer): boolean {
  const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
  return urls.some((url) => /^turns?:/.test(url));
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
    attachmentMaxBytes: config.attachmentMaxBytes,
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
