/**
 * The live board of monitors and admins (SPEC.md SP-M4–SP-M7): every queued, offered and
 * active chat and every staff account, sent as a snapshot on `board_subscribe`
 * and then as coalesced changes. Also the frames a monitor uses on a watched chat
 * (`join`) and the helper's report of the visitor's unanswered time (SP-M5).
 */
import * as v from 'valibot';
import { LIMITS } from './limits.ts';
import { Label, Tags } from './chat-meta.ts';
import { AccountRole, ChatId, DepartmentId, Id, Name, Nickname, Timestamp } from './primitives.ts';

const Names = v.pipe(v.array(Name), v.maxLength(LIMITS.maxBoardNames));
const rows = <T extends v.GenericSchema>(row: T) =>
  v.pipe(v.array(row), v.maxLength(LIMITS.maxBoardRowsPerFrame));

export const BoardChat = v.strictObject({
  chatId: ChatId,
  /** queued: waiting with no offer out; offered: one offer out (SP-O3); active: accepted. */
  status: v.picklist(['queued', 'offered', 'active']),
  department: DepartmentId,
  visitorName: Name,
  helpers: Names,
  monitors: Names,
  /** When the visitor joined the queue (SP-Q1): the queue wait runs from here. */
  enqueuedAt: Timestamp,
  /** When the chat was first accepted, or null while never accepted. */
  startedAt: v.nullable(Timestamp),
  /** The visitor's oldest message no helper has answered yet, as a helper of the
   * chat last reported it (SP-M5), or null. */
  unansweredSince: v.nullable(Timestamp),
  /** The chat's tags and label (SP-K4), kept at the service. */
  tags: Tags,
  label: Label,
});
export type BoardChat = v.InferOutput<typeof BoardChat>;

export const BoardStaff = v.strictObject({
  id: Id,
  nickname: Nickname,
  name: Name,
  role: AccountRole,
  online: v.boolean(),
  available: v.boolean(),
  /** Chats counted towards the limit (SP-L1); watched chats are not (SP-M3). */
  chats: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(LIMITS.maxChatLimitCeiling)),
  chatLimit: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(LIMITS.maxChatLimitCeiling)),
});
export type BoardStaff = v.InferOutput<typeof BoardStaff>;

/** Staff → service. */
export const BoardSubscribe = v.strictObject({ type: v.literal('board_subscribe') });
export const BoardUnsubscribe = v.strictObject({ type: v.literal('board_unsubscribe') });
export const JoinChat = v.strictObject({ type: v.literal('join'), chatId: ChatId });
export const ReportUnanswered = v.strictObject({
  type: v.literal('unanswered'),
  chatId: ChatId,
  since: v.nullable(Timestamp),
});

/** Service → staff. A snapshot replaces the console's board; the rows that do not
 * fit its frame follow at once as changes (SP-M4). */
export const BoardSnapshot = v.strictObject({
  type: v.literal('board'),
  chats: rows(BoardChat),
  staff: rows(BoardStaff),
});
export const BoardChanges = v.strictObject({
  type: v.literal('board_changes'),
  chats: rows(BoardChat),
  removed: rows(ChatId),
  staff: rows(BoardStaff),
  staffRemoved: rows(Id),
});
export type BoardSnapshot = v.InferOutput<typeof BoardSnapshot>;
export type BoardChanges = v.InferOutput<typeof BoardChanges>;
