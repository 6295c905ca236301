/**
 * Every environment variable the service reads, as one table (issue 17): each entry
 * names the variable, the `Config` key it fills, its default (in the environment's
 * own text), the schema its text goes through, and the meaning the README states.
 * signal/config.ts derives from it the `Config` type, the environment's schema,
 * `parseConfigVariable` and the README table; adding a variable is adding one entry.
 *
 * Exports: `CONFIG_ENTRIES`, `ConfigEntry`, `TextSchema`.
 */
import * as v from 'valibot';
import { LIMITS, PRIVACY_NOTICE_MAX_LENGTH } from '../protocol/index.ts';
import {
  boolean,
  iceServers,
  integer,
  milliseconds,
  nickname,
  orNull,
  origin,
  originList,
  proxyList,
  turnUrls,
} from './config-schemas.ts';

/** A variable's schema: its text in, a typed value (or the issue saying why not) out. */
export type TextSchema = v.GenericSchema<string, unknown>;

export type ConfigEntry = {
  /** The environment variable. */
  readonly name: string;
  /** The `Config` key its value fills. */
  readonly key: string;
  /** Its text when unset or empty; '' means none (`(unset)` in the README). */
  readonly default: string;
  readonly schema: TextSchema;
  /** The README's meaning column. */
  readonly description: string;
  /** Never echoed back in an error message. */
  readonly secret?: true;
};

/** Keeps each entry's literal name, key and schema type (the `Config` type is derived
 * from them) while checking its shape. */
function entry<const E extends ConfigEntry>(e: E): E {
  return e;
}

/** Every variable the service reads, in the order the README lists them. */
export const CONFIG_ENTRIES = [
  entry({
    name: 'PORT',
    key: 'port',
    schema: integer(0, 65535),
    default: '8080',
    description: 'Port for HTTP, WebSockets and the app.',
  }),
  entry({
    name: 'HOST',
    key: 'host',
    schema: v.pipe(v.string(), v.minLength(1, 'must not be empty')),
    default: '0.0.0.0',
    description: 'Address to listen on.',
  }),
  entry({
    name: 'DATA_DIR',
    key: 'dataDir',
    schema: v.pipe(v.string(), v.minLength(1, 'must not be empty')),
    default: './data',
    description: 'Folder for the SQLite database.',
  }),
  entry({
    name: 'TRANSPORT',
    key: 'transport',
    schema: v.picklist(['auto', 'uws', 'ws'], 'must be auto, uws or ws'),
    default: 'auto',
    description:
      '`auto` (uWebSockets.js, falling back to `ws` when its native build cannot load), `uws` or `ws`.',
  }),
  entry({
    name: 'PUBLIC_ORIGIN',
    key: 'publicOrigin',
    schema: orNull(origin),
    default: '',
    description: 'Public origin of the service, e.g. `https://chat.example.org`.',
  }),
  entry({
    name: 'ALLOWED_ORIGINS',
    key: 'allowedOrigins',
    schema: originList,
    default: '',
    description:
      "Comma-separated origins of host sites embedding the widget: only they (and the service's own origin) may frame it and open WebSockets.",
  }),
  entry({
    name: 'TRUSTED_PROXIES',
    key: 'trustedProxies',
    schema: proxyList,
    default: '',
    description:
      'Comma-separated IPs or CIDRs of reverse proxies whose `X-Forwarded-For` is believed.',
  }),
  entry({
    name: 'OFFER_TIMEOUT_MS',
    key: 'offerTimeoutMs',
    schema: milliseconds,
    default: '20000',
    description: 'Time a helper has to accept an offer.',
  }),
  entry({
    name: 'HELPER_GRACE_MS',
    key: 'helperGraceMs',
    schema: milliseconds,
    default: '30000',
    description: 'Time a disconnected helper keeps their chats.',
  }),
  entry({
    name: 'VISITOR_GRACE_MS',
    key: 'visitorGraceMs',
    schema: milliseconds,
    default: '60000',
    description: 'Time a disconnected visitor keeps their queue place or chat.',
  }),
  entry({
    name: 'INVITE_TIMEOUT_MS',
    key: 'inviteTimeoutMs',
    schema: milliseconds,
    default: '60000',
    description: 'Time an invitation stays open.',
  }),
  entry({
    name: 'RESTART_GRACE_MS',
    key: 'restartGraceMs',
    schema: milliseconds,
    default: '60000',
    description: 'After a restart, time helpers have to re-announce their chats.',
  }),
  entry({
    name: 'DEFAULT_CHAT_LIMIT',
    key: 'defaultChatLimit',
    schema: integer(1, LIMITS.maxChatLimitCeiling),
    default: '3',
    description: 'Chat limit of a new helper.',
  }),
  entry({
    name: 'MAX_CHAT_LIMIT',
    key: 'maxChatLimit',
    schema: integer(1, LIMITS.maxChatLimitCeiling),
    default: '10',
    description: `Highest chat limit a helper may set (at most ${LIMITS.maxChatLimitCeiling}).`,
  }),
  entry({
    name: 'TYPING_PREVIEW',
    key: 'typingPreview',
    schema: boolean,
    default: 'true',
    description: "Whether helpers see the visitor's draft as they type.",
  }),
  entry({
    name: 'ATTACHMENT_MAX_BYTES',
    key: 'attachmentMaxBytes',
    schema: integer(1, LIMITS.attachmentBytesCeiling),
    default: String(LIMITS.defaultAttachmentBytes),
    description: `Largest file a chat carries, in bytes (at most ${LIMITS.attachmentBytesCeiling}): senders refuse larger files and receivers never fetch them. An admin may change it live (Administration → Settings); pages that connect next are told.`,
  }),
  entry({
    name: 'ICE_SERVERS',
    key: 'iceServers',
    schema: iceServers,
    default: '[]',
    description:
      'JSON array of `{urls, username?, credential?}` STUN/TURN servers. None by default (loopback and LAN only).',
  }),
  entry({
    name: 'TURN_SECRET',
    secret: true,
    key: 'turnSecret',
    schema: orNull(v.string()),
    default: '',
    description:
      'Shared secret for short-lived TURN credentials (TURN REST API, e.g. coturn `static-auth-secret`); needs `TURN_URLS`.',
  }),
  entry({
    name: 'TURN_URLS',
    key: 'turnUrls',
    schema: turnUrls,
    default: '',
    description: 'Comma-separated `turn:`/`turns:` URLs the minted credentials are for.',
  }),
  entry({
    name: 'TURN_TTL_SECONDS',
    key: 'turnTtlSeconds',
    schema: integer(10, 7 * 24 * 60 * 60),
    default: '3600',
    description:
      'Lifetime of minted TURN credentials, in seconds (at least 10). A console gets them when it connects and renews them from `GET /api/ice` before they expire (SPEC.md SP-IR1); if the relay still refuses them, the console says so.',
  }),
  entry({
    name: 'RELAY_ONLY_HELPERS',
    key: 'relayOnlyHelpers',
    schema: boolean,
    default: 'false',
    description: "Helpers use relay-only ICE (TURN), so visitors never learn a helper's IP.",
  }),
  entry({
    name: 'SESSION_TTL_HOURS',
    key: 'sessionTtlHours',
    schema: integer(1, 24 * 365),
    default: '720',
    description: 'Lifetime of a staff sign-in.',
  }),
  entry({
    name: 'LOG_LEVEL',
    key: 'logLevel',
    schema: v.picklist(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      'must be fatal, error, warn, info, debug, trace or silent',
    ),
    default: 'info',
    description: '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`.',
  }),
  entry({
    name: 'ADMIN_NICKNAME',
    key: 'adminNickname',
    schema: nickname,
    default: 'admin',
    description: 'Nickname of the admin account created on first start.',
  }),
  entry({
    name: 'ADMIN_PASSWORD',
    secret: true,
    key: 'adminPassword',
    schema: orNull(
      v.pipe(
        v.string(),
        v.minLength(8, 'must be at least 8 characters'),
        v.maxLength(
          LIMITS.maxPasswordLength,
          `must be at most ${LIMITS.maxPasswordLength} characters`,
        ),
      ),
    ),
    default: '',
    description:
      'Password of that admin account (at least 8 characters); when unset one is generated and printed once.',
  }),
  entry({
    name: 'WS_MESSAGES_PER_SECOND',
    key: 'wsMessagesPerSecond',
    schema: integer(1, 10_000),
    default: '20',
    description: 'Sustained frames per second one socket may send.',
  }),
  entry({
    name: 'WS_MESSAGE_BURST',
    key: 'wsMessageBurst',
    schema: integer(1, 100_000),
    default: '40',
    description: 'Frames one socket may send in a burst above that rate.',
  }),
  entry({
    name: 'WS_CONNECTIONS_PER_IP_PER_MINUTE',
    key: 'wsConnectionsPerIpPerMinute',
    schema: integer(1, 100_000),
    default: '60',
    description: 'New WebSocket connections per client IP per minute.',
  }),
  entry({
    name: 'HTTP_SIGNIN_PER_IP_PER_MINUTE',
    key: 'httpSigninPerIpPerMinute',
    schema: integer(1, 100_000),
    default: '10',
    description: 'Sign-in attempts per client IP per minute.',
  }),
  entry({
    name: 'MAX_PAYLOAD_BYTES',
    key: 'maxPayloadBytes',
    // Above the protocol's own frame limit a frame would only be refused after it was read.
    schema: integer(1024, 16 * 1024 * 1024),
    default: '65536',
    description: 'Largest WebSocket frame; a bigger one closes the socket.',
  }),
  entry({
    name: 'MAX_BACKPRESSURE_BYTES',
    key: 'maxBackpressureBytes',
    schema: integer(64 * 1024, 1024 * 1024 * 1024),
    default: '1048576',
    description: 'Bytes queued for one slow socket before it is closed.',
  }),
  entry({
    name: 'IDLE_TIMEOUT_SECONDS',
    key: 'idleTimeoutSeconds',
    // uWebSockets.js accepts 0 or 8..960 seconds.
    schema: integer(8, 960),
    default: '60',
    description: 'Seconds without traffic before a socket is pinged, then closed (8 to 960).',
  }),
  entry({
    name: 'HELLO_TIMEOUT_MS',
    key: 'helloTimeoutMs',
    schema: integer(100, 600_000),
    default: '10000',
    description: 'Milliseconds a new WebSocket has to say hello before it is closed.',
  }),
  entry({
    name: 'HTTP_REQUEST_TIMEOUT_MS',
    key: 'httpRequestTimeoutMs',
    schema: integer(500, 300_000),
    default: '10000',
    description:
      'Milliseconds an HTTP request has to arrive whole (headers and body); a slower one gets 408 and its connection is closed. With uWebSockets.js a request still sending its headers is cut off after about 10 s whatever this says.',
  }),
  entry({
    name: 'MAX_CONNECTIONS',
    key: 'maxConnections',
    schema: integer(1, 10_000_000),
    default: '50000',
    description:
      'Open WebSockets the service takes; past it a new one is closed at once (1013 `server_full`) and open chats carry on.',
  }),
  entry({
    name: 'ARCHIVE_RETENTION_DAYS',
    key: 'archiveRetentionDays',
    schema: integer(0, 36_500),
    default: '365',
    description:
      'Days an archived transcript and its rating are kept before the sweep deletes them; `0` keeps none.',
  }),
  entry({
    name: 'TICKET_RETENTION_DAYS',
    key: 'ticketRetentionDays',
    schema: integer(1, 36_500),
    default: '730',
    description:
      'Days a ticket is kept after its last message or change, with its messages and follow-up links.',
  }),
  entry({
    name: 'LEFT_MESSAGE_RETENTION_DAYS',
    key: 'leftMessageRetentionDays',
    schema: integer(1, 36_500),
    default: '365',
    description: 'Days a message left when nobody was available is kept.',
  }),
  entry({
    name: 'ENDED_BLOCK_RETENTION_DAYS',
    key: 'endedBlockRetentionDays',
    schema: integer(0, 36_500),
    default: '30',
    description:
      'Days a block is kept after it expired or was lifted; its IP address is cleared as soon as it ends.',
  }),
  entry({
    name: 'IP_RETENTION_DAYS',
    key: 'ipRetentionDays',
    schema: integer(0, 3650),
    default: '7',
    description:
      "Days a visitor's IP address is kept with a left message or an ended chat's record; the sweep then clears it (`0`: at the next sweep). An open chat keeps it while open, a block while in force.",
  }),
  entry({
    name: 'ARCHIVE_FILE_BYTES',
    key: 'archiveFileBytes',
    schema: integer(0, LIMITS.attachmentBytesCeiling),
    default: '0',
    description:
      "Bytes of attached files' content the archive keeps per chat (a helper's console uploads them with the transcript); `0` keeps only their names, types, sizes and hashes.",
  }),
  entry({
    name: 'ARCHIVE_WAIT_SECONDS',
    key: 'archiveWaitSeconds',
    schema: integer(1, 86_400),
    default: '600',
    description:
      'Seconds after a chat ends that the archive waits for a helper\'s console to upload it before listing it as "not archived" (1 to 86400).',
  }),
  entry({
    name: 'FORUM_URL',
    key: 'forumUrl',
    schema: orNull(
      v.pipe(
        v.string(),
        v.maxLength(LIMITS.maxUrlLength, `must be at most ${LIMITS.maxUrlLength} characters`),
        v.check((s) => /^https?:\/\/[^\s]+$/.test(s), 'must be an http:// or https:// address'),
      ),
    ),
    default: '',
    description:
      'Community forum the widget links to after a chat (`https://` address); none when unset.',
  }),
  entry({
    name: 'PRIVACY_NOTICE',
    key: 'privacyNotice',
    schema: orNull(
      v.pipe(
        v.string(),
        v.maxLength(
          PRIVACY_NOTICE_MAX_LENGTH,
          `must be at most ${PRIVACY_NOTICE_MAX_LENGTH} characters`,
        ),
      ),
    ),
    default: '',
    description:
      'Privacy notice (plain text) the pre-chat form shows; the visitor must tick that they read it before a chat starts (SPEC.md SP-PN1–SP-PN3). Off when unset; `--demo` shows a demo notice.',
  }),
  entry({
    name: 'PRIVACY_POLICY_URL',
    key: 'privacyPolicyUrl',
    schema: orNull(
      v.pipe(
        v.string(),
        v.maxLength(LIMITS.maxUrlLength, `must be at most ${LIMITS.maxUrlLength} characters`),
        v.check((s) => /^https?:\/\/[^\s]+$/.test(s), 'must be an http:// or https:// address'),
      ),
    ),
    default: '',
    description: 'Privacy policy the notice links to (`https://` address); no link when unset.',
  }),
  entry({
    name: 'QUEUE_WAIT_ALERT_MS',
    key: 'queueWaitAlertMs',
    schema: milliseconds,
    default: '120000',
    description:
      'A visitor who has waited this long in the queue is announced in the Contributors room, once (0: never). An admin may change it live (Administration → Settings) for visitors who join the queue next.',
  }),
  entry({
    name: 'CHAT_META_CHANGES_PER_10_SECONDS',
    key: 'chatMetaChangesPer10Seconds',
    schema: integer(1, 10000),
    default: '20',
    description:
      'Tag and label changes one staff account may make in 10 seconds, over all chats; more get `rate_limited`.',
  }),
  entry({
    name: 'ROOM_MESSAGES_PER_MINUTE',
    key: 'roomMessagesPerMinute',
    schema: integer(1, 6000),
    default: '30',
    description:
      'Contributors room messages one account may write per minute (a quarter of it at once); more get `room_rate_limited`.',
  }),
  entry({
    name: 'SMTP_URL',
    secret: true,
    key: 'smtpUrl',
    schema: orNull(
      v.pipe(
        v.string(),
        v.check((s) => /^smtps?:\/\/[^/\s]+/.test(s), 'must be an smtp:// or smtps:// URL'),
      ),
    ),
    default: '',
    description:
      'SMTP server for emails (transcripts, follow-ups), e.g. `smtps://user:pass@mail.example.org:465`. Unset: each email is written as an `.eml` file in `DATA_DIR/mail/`.',
  }),
  entry({
    name: 'MAIL_FROM',
    key: 'mailFrom',
    schema: v.pipe(v.string(), v.minLength(3), v.maxLength(200)),
    default: 'Peerdesk <peerdesk@localhost>',
    description: 'Sender of those emails.',
  }),
  entry({
    name: 'FOLLOW_UP_LINK_DAYS',
    key: 'followUpLinkDays',
    schema: integer(1, 3650),
    default: '30',
    description:
      'Days a follow-up link works after it was issued (each email carries a fresh one); an older link gets `follow_up_expired`.',
  }),
  entry({
    name: 'FOLLOW_UP_REQUESTS_PER_MINUTE',
    key: 'followUpRequestsPerMinute',
    schema: integer(1, 100_000),
    default: '60',
    description:
      'Visitor requests to the follow-up API (starting, reading, replying, downloading) per client IP per minute; more get 429 `rate_limited`.',
  }),
] as const;
