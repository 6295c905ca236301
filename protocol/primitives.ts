/** Schemas of the small values every message is made of. Strings are bounded,
 * numbers are finite and bounded: nothing unbounded crosses a trust boundary. */
import * as v from 'valibot';
import { LIMITS } from './limits.ts';

const boundedString = (max: number) => v.pipe(v.string(), v.maxLength(max));
const nonEmpty = (max: number) => v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(max));

/** Opaque identifiers minted by the service (chats, visitors, accounts, links). */
export const Id = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(LIMITS.maxIdLength),
  v.regex(/^[A-Za-z0-9_-]+$/),
);
export const ChatId = Id;
export const ParticipantId = Id;
export const DepartmentId = Id;

/** A Yjs client id: an unsigned 32-bit integer (Y.Doc.clientID). */
export const ClientId = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffff_ffff));

/** Milliseconds since the epoch, as a safe integer. */
export const Timestamp = v.pipe(
  v.number(),
  v.integer(),
  v.minValue(0),
  v.maxValue(Number.MAX_SAFE_INTEGER),
);

export const Name = nonEmpty(LIMITS.maxNameLength);
export const Email = v.pipe(v.string(), v.trim(), v.maxLength(LIMITS.maxEmailLength), v.email());
export const Question = nonEmpty(LIMITS.maxQuestionLength);
export const Reason = nonEmpty(LIMITS.maxReasonLength);
export const Nickname = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1),
  v.maxLength(LIMITS.maxNicknameLength),
  v.regex(/^[\p{L}\p{N}_.-]+$/u, 'letters, digits, _ . - only'),
);
export const Url = boundedString(LIMITS.maxUrlLength);
/** An attachment size cap in bytes (F13, CHAT.md CH-X2): 1 to `attachmentBytesCeiling`. */
export const AttachmentCap = v.pipe(
  v.number(),
  v.integer(),
  v.minValue(1),
  v.maxValue(LIMITS.attachmentBytesCeiling),
);
export const Title = boundedString(LIMITS.maxTitleLength);
export const Token = v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxTokenLength));

export const ChatRole = v.picklist(['visitor', 'helper', 'monitor']);
export type ChatRole = v.InferOutput<typeof ChatRole>;

export const AccountRole = v.picklist(['trainee', 'helper', 'monitor', 'admin']);
export type AccountRole = v.InferOutput<typeof AccountRole>;

export const PageView = v.strictObject({ url: Url, title: Title });
export type PageView = v.InferOutput<typeof PageView>;

export const BrowserDetails = v.strictObject({
  userAgent: boundedString(LIMITS.maxUserAgentLength),
  language: boundedString(LIMITS.maxLanguageLength),
});
export type BrowserDetails = v.InferOutput<typeof BrowserDetails>;
