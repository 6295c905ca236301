/**
 * The Contributors room (F20, SPEC.md SP-CR1–SP-CR9): one group chat of all signed-in staff.
 * Unlike a visitor's chat it goes through the service and is stored there (SQLite),
 * so it can be read later and caught up after a reconnect or a restart.
 *
 * Delivery is at least once with de-duplication on both sides: a console names each
 * message it writes (`id`, random) and sends it again after a reconnect until the
 * service has echoed it; the service stores one message per (author, id) and gives
 * each stored message a sequence number `seq`, in order; a console that rejoins says
 * the last `seq` it holds and gets everything after it, and drops any `seq` it holds.
 */
import * as v from 'valibot';
import { LIMITS } from './limits.ts';
import { AccountRole, Id, Name, Nickname, Timestamp } from './primitives.ts';

/** A stored message's place in the room's history: 1, 2, 3… with no gaps or repeats. */
export const RoomSeq = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(2 ** 52));

/** Where an alert points: a path of this service (`/console/…`). */
export const RoomLink = v.pipe(
  v.string(),
  v.maxLength(LIMITS.maxUrlLength),
  v.regex(/^\/[^\s]*$/, 'a path of this service'),
);

export const RoomEntry = v.strictObject({
  seq: RoomSeq,
  /** The author's id for the message (per author), or the service's for an alert. */
  id: Id,
  /** `message`: written by staff; `alert`: posted by the service (queue waits, follow-ups). */
  kind: v.picklist(['message', 'alert']),
  /** Null for alerts. */
  from: v.nullable(v.strictObject({ nickname: Nickname, name: Name })),
  text: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxRoomMessageLength)),
  at: Timestamp,
  /** Nicknames of existing accounts named with `@nickname` (SP-CR5), as spelt by the account. */
  mentions: v.pipe(v.array(Nickname), v.maxLength(LIMITS.maxRoomMentions)),
  link: v.optional(RoomLink),
});
export type RoomEntry = v.InferOutput<typeof RoomEntry>;

export const RoomMember = v.strictObject({ nickname: Nickname, name: Name, role: AccountRole });
export type RoomMember = v.InferOutput<typeof RoomMember>;

const Entries = v.pipe(v.array(RoomEntry), v.maxLength(LIMITS.maxRoomPage));

// ---- staff → service -------------------------------------------------------

/** SP-CR1, SP-CR6: join (or rejoin) the room; `after`: the last seq this console holds. */
export const RoomJoin = v.strictObject({
  type: v.literal('room_join'),
  after: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(2 ** 52))),
});
export const RoomLeave = v.strictObject({ type: v.literal('room_leave') });
/** SP-CR3: the text is bounded by the frame here; SP-CR8 gives a longer one its own error. */
export const RoomSend = v.strictObject({
  type: v.literal('room_send'),
  id: Id,
  text: v.pipe(v.string(), v.maxLength(LIMITS.maxFrameBytes)),
});
/** SP-CR4: older history, newest first from `before` (exclusive). */
export const RoomHistoryRequest = v.strictObject({
  type: v.literal('room_history'),
  before: RoomSeq,
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(LIMITS.maxRoomPage))),
});

export const RoomToService = v.variant('type', [RoomJoin, RoomLeave, RoomSend, RoomHistoryRequest]);
export type RoomToService = v.InferOutput<typeof RoomToService>;

export const ROOM_REQUEST_TYPES = ['room_join', 'room_leave', 'room_send', 'room_history'] as const;

export function isRoomRequest<T extends { type: string }>(
  msg: T,
): msg is Extract<T, { type: (typeof ROOM_REQUEST_TYPES)[number] }> {
  return (ROOM_REQUEST_TYPES as readonly string[]).includes(msg.type);
}

// ---- service → staff -------------------------------------------------------

/** SP-CR1, SP-CR6: the answer to `room_join`: who is in, and the messages after `after`
 * (or the latest page). `complete`: false when more follow in `room_messages` frames;
 * `reset`: the console's copy was too far behind and is replaced by these. */
export const RoomJoined = v.strictObject({
  type: v.literal('room_joined'),
  members: v.pipe(v.array(RoomMember), v.maxLength(LIMITS.maxRoomMembersListed)),
  memberCount: v.pipe(v.number(), v.integer(), v.minValue(0)),
  messages: Entries,
  /** Whether older messages than the first of `messages` exist (history paging, SP-CR4). */
  older: v.boolean(),
  reset: v.boolean(),
});
/** More of a catch-up, or a page of history (`history: true`, SP-CR4). */
export const RoomMessages = v.strictObject({
  type: v.literal('room_messages'),
  messages: Entries,
  history: v.boolean(),
  older: v.boolean(),
});
/** SP-CR2: one new message, to every console in the room. */
export const RoomMessage = v.strictObject({ type: v.literal('room_message'), message: RoomEntry });
/** SP-CR7: who is in the room changed. */
export const RoomMembers = v.strictObject({
  type: v.literal('room_members'),
  members: v.pipe(v.array(RoomMember), v.maxLength(LIMITS.maxRoomMembersListed)),
  memberCount: v.pipe(v.number(), v.integer(), v.minValue(0)),
});
export const RoomLeft = v.strictObject({ type: v.literal('room_left') });
