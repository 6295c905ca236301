/**
 * Settings an admin may change while the service runs (SPEC.md SP-A7). The environment
 * gives each one's default; a changed value is kept in SQLite (`settings`, key
 * `env:NAME`) in the environment's own text format and parsed by the same schema
 * (signal/config.ts `parseConfigVariable`), so a stored value never holds anything
 * the environment could not. At start the stored values are laid over the
 * environment's; a change reaches every listener at once (no restart).
 *
 * Exports: `createLiveSettings(env, overrides)`, `LiveSettings`, `SETTINGS`, `LiveConfig`.
 */
import type { IceServer } from '../../protocol/index.ts';
import { parseConfigVariable, type Config } from '../config.ts';

/** The part of the configuration an admin may change. */
export type LiveConfig = Pick<
  Config,
  | 'offerTimeoutMs'
  | 'typingPreview'
  | 'attachmentMaxBytes'
  | 'helperGraceMs'
  | 'visitorGraceMs'
  | 'inviteTimeoutMs'
  | 'iceServers'
  | 'allowedOrigins'
  | 'forumUrl'
  | 'archiveRetentionDays'
  | 'queueWaitAlertMs'
  | 'privacyNotice'
  | 'privacyPolicyUrl'
>;

type Setting<K extends keyof LiveConfig> = {
  name: string;
  key: K;
  label: string;
  description: string;
  parse(text: string): { ok: true; value: LiveConfig[K] } | { ok: false; message: string };
  format(value: LiveConfig[K]): string;
};

const ms = (
  name:
    | 'OFFER_TIMEOUT_MS'
    | 'HELPER_GRACE_MS'
    | 'VISITOR_GRACE_MS'
    | 'INVITE_TIMEOUT_MS'
    | 'QUEUE_WAIT_ALERT_MS',
) => ({
  parse: (text: string) => parseConfigVariable(name, text),
  format: (value: number) => String(value),
});

function setting<K extends keyof LiveConfig>(s: Setting<K>): Setting<K> {
  return s;
}

/** Every live setting, in the order the admin page shows them. */
export const SETTINGS = [
  setting({
    name: 'OFFER_TIMEOUT_MS',
    key: 'offerTimeoutMs',
    label: 'Offer timeout (milliseconds)',
    description: 'Time a helper has to accept an offer; the next offer uses a new value.',
    ...ms('OFFER_TIMEOUT_MS'),
  }),
  setting({
    name: 'TYPING_PREVIEW',
    key: 'typingPreview',
    label: 'Typing preview (true or false)',
    description: "Whether helpers see the visitor's draft; visitors who connect next are told.",
    parse: (text) => parseConfigVariable('TYPING_PREVIEW', text),
    format: (value: boolean) => String(value),
  }),
  setting({
    name: 'ATTACHMENT_MAX_BYTES',
    key: 'attachmentMaxBytes',
    label: 'Attachment size limit (bytes)',
    description:
      'Largest file a chat carries (10485760 is 10 MB): senders refuse larger files and receivers never fetch them. Pages that connect next are told.',
    parse: (text) => parseConfigVariable('ATTACHMENT_MAX_BYTES', text),
    format: (value: number) => String(value),
  }),
  setting({
    name: 'HELPER_GRACE_MS',
    key: 'helperGraceMs',
    label: 'Helper grace period (milliseconds)',
    description: 'Time a disconnected helper keeps their chats.',
    ...ms('HELPER_GRACE_MS'),
  }),
  setting({
    name: 'VISITOR_GRACE_MS',
    key: 'visitorGraceMs',
    label: 'Visitor grace period (milliseconds)',
    description: 'Time a disconnected visitor keeps their queue place or chat.',
    ...ms('VISITOR_GRACE_MS'),
  }),
  setting({
    name: 'INVITE_TIMEOUT_MS',
    key: 'inviteTimeoutMs',
    label: 'Invitation timeout (milliseconds)',
    description: 'Time an invitation to join a chat stays open.',
    ...ms('INVITE_TIMEOUT_MS'),
  }),
  setting({
    name: 'QUEUE_WAIT_ALERT_MS',
    key: 'queueWaitAlertMs',
    label: 'Queue-wait alert (milliseconds)',
    description:
      'A visitor who has waited this long in the queue is announced in the Contributors room, once (0: never). Visitors who join the queue next use a new value.',
    ...ms('QUEUE_WAIT_ALERT_MS'),
  }),
  setting({
    name: 'ICE_SERVERS',
    key: 'iceServers',
    label: 'ICE servers (JSON)',
    description:
      'STUN/TURN servers as a JSON array of {urls, username?, credential?}; new chats use them.',
    parse: (text) => parseConfigVariable('ICE_SERVERS', text),
    format: (value: IceServer[]) => JSON.stringify(value),
  }),
  setting({
    name: 'ALLOWED_ORIGINS',
    key: 'allowedOrigins',
    label: 'Allowed embedding origins',
    description:
      'Comma-separated origins of sites that may embed the widget (the service’s own origin always may).',
    parse: (text) => parseConfigVariable('ALLOWED_ORIGINS', text),
    format: (value: string[]) => value.join(','),
  }),
  setting({
    name: 'FORUM_URL',
    key: 'forumUrl',
    label: 'Community forum link',
    description: 'Linked in the widget after a chat, below the survey; leave empty for none.',
    parse: (text) => {
      if (text.trim() === '') return { ok: true, value: null };
      const parsed = parseConfigVariable('FORUM_URL', text);
      return parsed.ok ? { ok: true, value: parsed.value ?? null } : parsed;
    },
    format: (value: string | null) => value ?? '',
  }),
  setting({
    name: 'PRIVACY_NOTICE',
    key: 'privacyNotice',
    label: 'Privacy notice before a chat',
    description:
      'Plain text (no formatting; line breaks are kept) the pre-chat form shows; visitors must tick that they have read it before a chat starts. Leave empty for none. Pages that connect next show it.',
    parse: (text) => {
      if (text.trim() === '') return { ok: true, value: null };
      const parsed = parseConfigVariable('PRIVACY_NOTICE', text);
      return parsed.ok ? { ok: true, value: parsed.value ?? null } : parsed;
    },
    format: (value: string | null) => value ?? '',
  }),
  setting({
    name: 'PRIVACY_POLICY_URL',
    key: 'privacyPolicyUrl',
    label: 'Privacy policy link',
    description:
      'The page the privacy notice links to as “Read the privacy policy” (an http:// or https:// address); leave empty for none.',
    parse: (text) => {
      if (text.trim() === '') return { ok: true, value: null };
      const parsed = parseConfigVariable('PRIVACY_POLICY_URL', text);
      return parsed.ok ? { ok: true, value: parsed.value ?? null } : parsed;
    },
    format: (value: string | null) => value ?? '',
  }),
  setting({
    name: 'ARCHIVE_RETENTION_DAYS',
    key: 'archiveRetentionDays',
    label: 'Transcript retention (days)',
    description:
      'Days archived transcripts and ratings are kept; 0 keeps none. The next sweep applies it.',
    parse: (text) => parseConfigVariable('ARCHIVE_RETENTION_DAYS', text),
    format: (value: number) => String(value),
  }),
] as const;

export type SettingName = (typeof SETTINGS)[number]['name'];

export type SettingState = {
  name: string;
  label: string;
  description: string;
  value: string;
  defaultValue: string;
  overridden: boolean;
  live: boolean;
};

export type SettingsChange =
  | { ok: true; changed: Partial<LiveConfig>; stored: Map<string, string | null> }
  | { ok: false; message: string };

export interface LiveSettings {
  current(): LiveConfig;
  list(): SettingState[];
  /** Validates every value first: one bad value changes nothing. Returns the new
   * values to store (null: back to the environment's). Does not store them. */
  prepare(values: Readonly<Record<string, string | null>>): SettingsChange;
  /** Makes a prepared change current and tells the listeners. */
  commit(change: Extract<SettingsChange, { ok: true }>): void;
  onChange(listener: (changed: Partial<LiveConfig>, current: LiveConfig) => void): void;
}

type AnySetting = (typeof SETTINGS)[number];

function findSetting(name: string): AnySetting | undefined {
  return SETTINGS.find((s) => s.name === name);
}

/** Parses with one setting's schema and sets the value on `into`. */
function parseInto(s: AnySetting, text: string, into: Partial<LiveConfig>): string | null {
  const parsed = s.parse(text);
  if (!parsed.ok) return parsed.message;
  // Each setting's parser yields its own key's type; TypeScript cannot pair them up
  // through the union, so the pair is written through a narrowed record.
  (into as Record<string, unknown>)[s.key] = parsed.value;
  return null;
}

function formatOf(s: AnySetting, config: LiveConfig): string {
  return (s.format as (value: unknown) => string)(config[s.key]);
}

export function createLiveSettings(
  env: Config,
  overrides: ReadonlyMap<string, string>,
  warn: (message: string) => void = () => undefined,
): LiveSettings {
  const defaults: LiveConfig = {
    offerTimeoutMs: env.offerTimeoutMs,
    typingPreview: env.typingPreview,
    attachmentMaxBytes: env.attachmentMaxBytes,
    helperGraceMs: env.helperGraceMs,
    visitorGraceMs: env.visitorGraceMs,
    inviteTimeoutMs: env.inviteTimeoutMs,
    iceServers: env.iceServers,
    allowedOrigins: env.allowedOrigins,
    forumUrl: env.forumUrl,
    archiveRetentionDays: env.archiveRetentionDays,
    queueWaitAlertMs: env.queueWaitAlertMs,
    privacyNotice: env.privacyNotice,
    privacyPolicyUrl: env.privacyPolicyUrl,
  };
  const stored = new Map<string, string>();
  let current: LiveConfig = { ...defaults };
  for (const [name, text] of overrides) {
    const s = findSetting(name);
    const into: Partial<LiveConfig> = {};
    const error = s === undefined ? `${name} is not a setting` : parseInto(s, text, into);
    // A stored value this version cannot read is skipped, not fatal: the service
    // starts on the environment's value and says so.
    if (error !== null) {
      warn(`stored setting ignored: ${error}`);
      continue;
    }
    stored.set(name, text);
    current = { ...current, ...into };
  }
  const listeners: ((changed: Partial<LiveConfig>, current: LiveConfig) => void)[] = [];

  return {
    current: () => current,
    list: () =>
      SETTINGS.map((s) => ({
        name: s.name,
        label: s.label,
        description: s.description,
        value: formatOf(s, current),
        defaultValue: formatOf(s, defaults),
        overridden: stored.has(s.name),
        live: true,
      })),
    prepare(values) {
      const changed: Partial<LiveConfig> = {};
      const toStore = new Map<string, string | null>();
      for (const [name, text] of Object.entries(values)) {
        const s = findSetting(name);
        if (s === undefined) return { ok: false, message: `${name} is not a setting` };
        if (text === null) {
          (changed as Record<string, unknown>)[s.key] = defaults[s.key];
          toStore.set(name, null);
          continue;
        }
        const error = parseInto(s, text, changed);
        if (error !== null) return { ok: false, message: error };
        toStore.set(name, text.trim());
      }
      const next = { ...current, ...changed };
      if (env.relayOnlyHelpers && env.turn === null && !next.iceServers.some(isTurn)) {
        return {
          ok: false,
          message: 'ICE_SERVERS needs a TURN server while RELAY_ONLY_HELPERS=true',
        };
      }
      return { ok: true, changed, stored: toStore };
    },
    commit(change) {
      for (const [name, text] of change.stored) {
        if (text === null) stored.delete(name);
        else stored.set(name, text);
      }
      current = { ...current, ...change.changed };
      for (const listener of listeners) listener(change.changed, current);
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}

function isTurn(server: IceServer): boolean {
  const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
  return urls.some((url) => /^turns?:/.test(url));
}
