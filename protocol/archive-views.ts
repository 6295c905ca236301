/**
 * The transcript archive over HTTP (SPEC.md SP-U1–SP-U9, FEATURES.md F27, F24, F14): what a
 * helper's console uploads when a chat ends, what the visitor's survey sends, and what
 * staff read back. Both sides decode with these (STYLE.md point 3).
 */
import * as v from 'valibot';
import { LIMITS } from './limits.ts';
import { Attachment, MessageId, MessageKind, Sha256Hex } from './chat-doc/chat-schema.ts';
import {
  ChatId,
  ChatRole,
  DepartmentId,
  Id,
  Name,
  PageView,
  Timestamp,
  Token,
} from './primitives.ts';

const text = (max: number) => v.pipe(v.string(), v.maxLength(max));

/** Standard base64, bounded by `maxChars` (SP-U3: the size budget is checked before decoding). */
export const Base64 = (maxChars: number) =>
  v.pipe(v.string(), v.maxLength(maxChars), v.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64'));

/** How many characters of base64 `bytes` bytes take. */
export function base64Length(bytes: number): number {
  return Math.ceil(bytes / 3) * 4;
}

/**
 * SP-U1: the final chat document as one Yjs update (base64), and the bytes of attached
 * files when the service keeps them (`ArchivePolicy.fileBytes` above 0), each named by
 * the SHA-256 its attachment message gives.
 */
export const ArchiveUpload = v.strictObject({
  // A little over the document cap, so the service can say `archive_too_large` for a
  // document just over it rather than a schema error.
  update: Base64(base64Length(LIMITS.maxChatDocBytes + 64 * 1024)),
  /** SP-U10: the copies of the earlier conversation the helper holds after a requeue
   * (CHAT.md CH-K1, CH-K8: the staff copy and the visitor's), each one whole document. */
  earlier: v.optional(
    v.pipe(v.array(Base64(base64Length(LIMITS.maxChatDocBytes + 64 * 1024))), v.maxLength(2)),
  ),
  files: v.optional(
    v.pipe(
      v.array(
        v.strictObject({
          sha256: Sha256Hex,
          data: Base64(base64Length(LIMITS.attachmentBytesCeiling)),
        }),
      ),
      v.maxLength(500),
    ),
  ),
});
export type ArchiveUpload = v.InferOutput<typeof ArchiveUpload>;

/** What the console needs to know before it uploads (SP-U1). */
export const ArchivePolicy = v.object({
  /** Bytes of file content kept per chat; 0: attachment metadata only. */
  fileBytes: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** Days a transcript is kept; 0: none is kept, and nothing need be uploaded. */
  retentionDays: v.pipe(v.number(), v.integer(), v.minValue(0)),
});
export type ArchivePolicy = v.InferOutput<typeof ArchivePolicy>;

export const ArchiveUploaded = v.object({
  chatId: ChatId,
  stored: v.boolean(),
  messages: v.pipe(v.number(), v.integer(), v.minValue(0)),
  files: v.pipe(v.number(), v.integer(), v.minValue(0)),
});
export type ArchiveUploaded = v.InferOutput<typeof ArchiveUploaded>;

export const Stars = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(5));

/** F24: the visitor's survey, sent with the visitor token the widget holds (SP-U7). */
export const SurveyAnswer = v.strictObject({
  token: Token,
  chatId: ChatId,
  stars: Stars,
  comment: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(LIMITS.maxLeftMessageLength))),
});
export type SurveyAnswer = v.InferOutput<typeof SurveyAnswer>;

export const ChatRating = v.object({
  stars: Stars,
  comment: v.nullable(text(LIMITS.maxLeftMessageLength)),
  at: Timestamp,
});
export type ChatRating = v.InferOutput<typeof ChatRating>;

export const ArchivedAuthor = v.object({
  id: Id,
  role: ChatRole,
  name: text(LIMITS.maxNameLength),
});
export type ArchivedAuthor = v.InferOutput<typeof ArchivedAuthor>;

/** One line of an archived transcript: the entry, its id and its author by name (CH-S4). */
export const ArchivedMessage = v.object({
  id: MessageId,
  seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
  kind: MessageKind,
  /** The formatting source (markdown subset), exactly as written. */
  body: text(LIMITS.maxChatMessageLength),
  at: Timestamp,
  author: ArchivedAuthor,
  page: v.optional(PageView),
  attachment: v.optional(Attachment),
  /** Set on staff lines that carried a signature (CHAT.md CH-V2). */
  signed: v.optional(v.boolean()),
  /** SP-U10, CHAT.md CH-V6: on staff lines, whether the signature verified with the key the
   * service bound with the line's client id. Absent on transcripts archived before. */
  verified: v.optional(v.boolean()),
  /** SP-U10: a line only an earlier copy held (a helper who left before a requeue). */
  earlier: v.optional(v.boolean()),
});
export type ArchivedMessage = v.InferOutput<typeof ArchivedMessage>;

export const ArchivedFile = v.object({
  sha256: Sha256Hex,
  name: text(LIMITS.maxTitleLength),
  mime: text(100),
  bytes: v.pipe(v.number(), v.integer(), v.minValue(1)),
  /** Whether the service holds the file's bytes (SP-U4). */
  stored: v.boolean(),
});
export type ArchivedFile = v.InferOutput<typeof ArchivedFile>;

export const TranscriptStatus = v.picklist(['archived', 'not_archived']);
export type TranscriptStatus = v.InferOutput<typeof TranscriptStatus>;

export const TranscriptHelper = v.object({ id: Id, name: text(LIMITS.maxNameLength) });

/** A transcript as staff read it (SP-U6). `messages` is empty when `not_archived`. */
export const Transcript = v.object({
  chatId: ChatId,
  status: TranscriptStatus,
  department: DepartmentId,
  visitor: v.object({ id: Id, name: Name, email: v.nullable(text(LIMITS.maxEmailLength)) }),
  helpers: v.array(TranscriptHelper),
  startedAt: v.nullable(Timestamp),
  endedAt: Timestamp,
  archivedAt: v.nullable(Timestamp),
  rating: v.nullable(ChatRating),
  tags: v.array(text(40)),
  /** SP-PN3: when the visitor acknowledged the privacy notice; absent when they did not. */
  privacyAcknowledgedAt: v.optional(Timestamp),
  messages: v.array(ArchivedMessage),
  files: v.array(ArchivedFile),
});
export type Transcript = v.InferOutput<typeof Transcript>;

export const TranscriptSummary = v.object({
  chatId: ChatId,
  status: TranscriptStatus,
  department: DepartmentId,
  visitorName: Name,
  helpers: v.array(TranscriptHelper),
  endedAt: Timestamp,
  stars: v.nullable(Stars),
  tags: v.array(text(40)),
  /** Where the words searched for occur, as plain text with the hits in `[…]`. */
  snippet: text(1000),
  messages: v.pipe(v.number(), v.integer(), v.minValue(0)),
});
export type TranscriptSummary = v.InferOutput<typeof TranscriptSummary>;

/** SP-U5: every filter is optional; they combine with AND. */
export const ArchiveQuery = v.object({
  text: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(200))),
  tag: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(40))),
  helper: v.optional(Id),
  department: v.optional(DepartmentId),
  /** Exactly this many stars. */
  stars: v.optional(Stars),
  /** Ended at or after / before (ms). */
  from: v.optional(Timestamp),
  to: v.optional(Timestamp),
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(200))),
});
export type ArchiveQuery = v.InferOutput<typeof ArchiveQuery>;

export const ArchiveResults = v.object({ results: v.array(TranscriptSummary) });

/** What the search form offers to choose from: helpers and departments of transcripts. */
export const ArchiveFilters = v.object({
  helpers: v.pipe(v.array(TranscriptHelper), v.maxLength(1000)),
  departments: v.pipe(
    v.array(v.object({ id: DepartmentId, name: text(LIMITS.maxNameLength) })),
    v.maxLength(1000),
  ),
});
export type ArchiveFilters = v.InferOutput<typeof ArchiveFilters>;
export type ArchiveResults = v.InferOutput<typeof ArchiveResults>;
