/**
 * The chat document's shape (protocol/CHAT.md, "The document"): root names and
 * the schema of every entry. Entries are plain values (Yjs ContentAny), never
 * nested Yjs types, so that one entry is one struct and a receiver can check an
 * update struct by struct without looking anything up (CHAT.md CH-A5).
 */
import * as v from 'valibot';
import { LIMITS } from '../limits.ts';
import { DepartmentId, PageView, ParticipantId, Timestamp } from '../primitives.ts';
import { VisitorSummary } from '../visitor-summary.ts';

/** Root type names. Only this module and the permission filter name them. */
export const ROOT = {
  /** Y.Map: message id -> MessageEntry. */
  messages: 'messages',
  /** Y.Map: participant id -> ReadEntry. Each participant writes only its own key. */
  reads: 'reads',
  /** Y.Map: MetaKey -> value. Staff only. */
  meta: 'meta',
  /** Y.Map: tag -> TagEntry. A map, not a list, so concurrent tagging merges. */
  tags: 'tags',
} as const;
export type RootName = (typeof ROOT)[keyof typeof ROOT];

/**
 * A message id is `<author client id, base 36>.<random>`. The prefix gives each
 * writer its own key space in the `messages` map: without it a visitor could
 * write, concurrently, to the key of a helper's message and win Yjs's conflict
 * resolution, which deletes the loser on every replica (CHAT.md CH-A6).
 */
export const MessageId = v.pipe(
  v.string(),
  v.maxLength(48),
  v.regex(/^[0-9a-z]{1,7}\.[A-Za-z0-9_-]{8,32}$/),
);
export type MessageId = v.InferOutput<typeof MessageId>;

/** The Yjs client id that a message id claims as its key space, or null. */
export function messageIdClient(id: string): number | null {
  const dot = id.indexOf('.');
  if (dot < 1 || dot > 7) return null;
  const prefix = id.slice(0, dot);
  if (!/^[0-9a-z]+$/.test(prefix)) return null;
  const client = parseInt(prefix, 36);
  return client <= 0xffff_ffff ? client : null;
}

export const MessageKind = v.picklist(['text', 'system', 'page', 'attachment']);
export type MessageKind = v.InferOutput<typeof MessageKind>;

/** An attachment's SHA-256, lowercase hex: the name its bytes go by between peers (CH-X1). */
export const Sha256Hex = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));

/**
 * What was attached (F13, CHAT.md CH-X1–CH-X3): the bytes never enter the document; they
 * travel peer to peer as file frames (file-wire.ts) and are checked against `sha256`.
 * The name and type are the sender's claims: views show the name made safe and
 * preview only images whose bytes match `mime` (CH-X9).
 */
export const Attachment = v.strictObject({
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxTitleLength)),
  mime: v.pipe(v.string(), v.maxLength(100)),
  bytes: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(LIMITS.attachmentBytesCeiling)),
  sha256: Sha256Hex,
});
export type Attachment = v.InferOutput<typeof Attachment>;

/**
 * One message. No author field: the author is whoever the service bound the
 * struct's Yjs client id to (B4). `seq` is a Lamport counter (one more than the
 * highest `seq` the writer had seen), so a reply always sorts after what it
 * answers, whatever the clocks of the two machines say.
 */
export const MessageEntry = v.pipe(
  v.strictObject({
    kind: MessageKind,
    body: v.pipe(v.string(), v.maxLength(LIMITS.maxChatMessageLength)),
    at: Timestamp,
    seq: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(Number.MAX_SAFE_INTEGER)),
    /** For kind `page`: the page the visitor opened (F11). */
    page: v.optional(PageView),
    /** For kind `attachment`: what was attached (F13); the bytes travel separately. */
    attachment: v.optional(Attachment),
    /** A staff writer's signature (CHAT.md CH-V2): 64 bytes, base64url. Never a visitor's (CH-A7). */
    sig: v.optional(v.pipe(v.string(), v.length(86), v.regex(/^[A-Za-z0-9_-]+$/))),
  }),
  // CH-X3: an attachment message carries its attachment, and only it does.
  v.check(
    (entry) => (entry.kind === 'attachment') === (entry.attachment !== undefined),
    'an attachment message needs its attachment, and only it may have one',
  ),
);

export type MessageEntry = v.InferOutput<typeof MessageEntry>;

const PLAIN_ENTRY_KEYS = new Set(['kind', 'body', 'at', 'seq', 'sig']);
const SIG = /^[A-Za-z0-9_-]{86}$/;

/**
 * The common message, a text or system line (signed or not), checked without the
 * schema: a transcript of 10,000 lines decoded each through valibot cost as much as
 * applying it (benchmark S6). It accepts only values MessageEntry accepts unchanged
 * (a property test holds it to that); whatever it does not accept goes to the
 * schema, which decides.
 */
export function isPlainMessageEntry(value: unknown): value is MessageEntry {
  if (
    typeof value !== 'object' ||
    value === null ||
    Object.getPrototypeOf(value) !== Object.prototype
  )
    return false;
  const entry = value as Record<string, unknown>;
  let keys = 0;
  for (const key in entry) {
    if (!PLAIN_ENTRY_KEYS.has(key) || !Object.hasOwn(entry, key)) return false;
    keys += 1;
  }
  const { kind, body, at, seq, sig } = entry;
  return (
    (kind === 'text' || kind === 'system') &&
    typeof body === 'string' &&
    body.length <= LIMITS.maxChatMessageLength &&
    Number.isSafeInteger(at) &&
    (at as number) >= 0 &&
    Number.isSafeInteger(seq) &&
    (seq as number) >= 1 &&
    (sig === undefined ? keys === 4 : keys === 5 && typeof sig === 'string' && SIG.test(sig))
  );
}

/** Read state of one participant (F9): everything up to `upTo` was seen at `at`. */
export const ReadEntry = v.strictObject({ upTo: MessageId, at: Timestamp });
export type ReadEntry = v.InferOutput<typeof ReadEntry>;

export const TagName = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(40));
export const TagEntry = v.strictObject({ at: Timestamp });

/** The meta map's keys and their values (F14, F15). */
export const META = {
  label: v.pipe(v.string(), v.maxLength(LIMITS.maxLabelLength)),
  department: DepartmentId,
  visitor: VisitorSummary,
} as const;
export type MetaKey = keyof typeof META;
export type MetaValue<K extends MetaKey> = v.InferOutput<(typeof META)[K]>;

/** Keys of the reads map are participant ids. */
export const ReadKey = ParticipantId;
