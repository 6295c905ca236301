/** Messages between a staff member's console (trainee, helper, monitor, admin) and
 * the service, split by direction. */
import * as v from 'valibot';
import { ChatRated } from './chat-rated.ts';
import { CHAT_ERROR_CODES } from './chat-doc/chat-errors.ts';
import { LIMITS } from './limits.ts';
import {
  AccountRole,
  ChatId,
  ChatRole,
  DepartmentId,
  Id,
  Name,
  Nickname,
  ParticipantId,
  Reason,
  Timestamp,
  Token,
  AttachmentCap,
} from './primitives.ts';
import {
  StaffBind,
  PeerRefused,
  ChatEnded,
  Department,
  ErrorMessage,
  IceServer,
  Participants,
  SignalIn,
  SignalOut,
} from './shared-messages.ts';
import { VisitorSummary } from './visitor-summary.ts';
import {
  BoardChanges,
  BoardSnapshot,
  BoardSubscribe,
  BoardUnsubscribe,
  JoinChat,
  ReportUnanswered,
} from './board-messages.ts';
import { ChatMeta, LabelSet, TagAdd, TagRemove } from './chat-meta.ts';
import {
  RoomHistoryRequest,
  RoomJoin,
  RoomJoined,
  RoomLeave,
  RoomLeft,
  RoomMembers,
  RoomMessage,
  RoomMessages,
  RoomSend,
} from './room-messages.ts';

const ChatLimit = v.pipe(
  v.number(),
  v.integer(),
  v.minValue(1),
  v.maxValue(LIMITS.maxChatLimitCeiling),
);

export const StaffHello = v.strictObject({
  type: v.literal('hello'),
  v: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1000)),
  /** The session token from sign-in (HTTP API); sent here, never in the URL. */
  session: Token,
  /** Chats this console holds, re-announced after a reconnect or service restart (B1). */
  chats: v.optional(v.pipe(v.array(ChatId), v.maxLength(LIMITS.maxChatsPerRejoin))),
  available: v.optional(v.boolean()),
});

export const StaffToService = v.variant('type', [
  StaffHello,
  v.strictObject({ type: v.literal('set_available'), available: v.boolean() }),
  v.strictObject({ type: v.literal('set_chat_limit'), limit: ChatLimit }),
  v.strictObject({ type: v.literal('accept'), chatId: ChatId }),
  v.strictObject({ type: v.literal('reject'), chatId: ChatId }),
  v.strictObject({ type: v.literal('invite'), chatId: ChatId, nickname: Nickname }),
  v.strictObject({ type: v.literal('invite_accept'), chatId: ChatId }),
  v.strictObject({ type: v.literal('invite_decline'), chatId: ChatId }),
  v.strictObject({ type: v.literal('leave'), chatId: ChatId }),
  v.strictObject({ type: v.literal('end'), chatId: ChatId }),
  v.strictObject({ type: v.literal('watch'), chatId: ChatId }),
  v.strictObject({ type: v.literal('unwatch'), chatId: ChatId }),
  v.strictObject({ type: v.literal('list_chats') }),
  v.strictObject({
    type: v.literal('change_department'),
    chatId: ChatId,
    department: DepartmentId,
  }),
  v.strictObject({ type: v.literal('block'), chatId: ChatId, reason: Reason, ip: v.boolean() }),
  v.strictObject({ type: v.literal('promote'), nickname: Nickname }),
  BoardSubscribe,
  BoardUnsubscribe,
  JoinChat,
  ReportUnanswered,
  TagAdd,
  TagRemove,
  LabelSet,
  SignalOut,
  StaffBind,
  PeerRefused,
  RoomJoin,
  RoomLeave,
  RoomSend,
  RoomHistoryRequest,
]);
export type StaffToService = v.InferOutput<typeof StaffToService>;

export const Account = v.strictObject({
  id: Id,
  nickname: Nickname,
  name: Name,
  role: AccountRole,
  chatLimit: ChatLimit,
});
export type Account = v.InferOutput<typeof Account>;

export const LiveChat = v.strictObject({
  chatId: ChatId,
  department: DepartmentId,
  visitorName: Name,
  helpers: v.array(Nickname),
  monitors: v.array(Nickname),
  startedAt: Timestamp,
});
export type LiveChat = v.InferOutput<typeof LiveChat>;

export const ServiceToStaff = v.variant('type', [
  v.strictObject({
    type: v.literal('welcome'),
    v: v.number(),
    account: Account,
    maxChatLimit: ChatLimit,
    available: v.boolean(),
    departments: v.array(Department),
    iceServers: v.array(IceServer),
    /** Present when the helper must use relay-only ICE (B5). */
    relayOnly: v.boolean(),
    /** The attachment size cap in force (CH-X2, the admin's setting); the default when absent. */
    attachmentMaxBytes: v.optional(AttachmentCap),
  }),
  v.strictObject({
    type: v.literal('status'),
    available: v.boolean(),
    chatLimit: ChatLimit,
    role: AccountRole,
    activeChats: v.array(ChatId),
  }),
  v.strictObject({
    type: v.literal('offer'),
    chatId: ChatId,
    expiresAt: Timestamp,
    visitor: VisitorSummary,
  }),
  v.strictObject({
    type: v.literal('offer_closed'),
    chatId: ChatId,
    reason: v.picklist(['accepted', 'rejected', 'expired', 'cancelled', 'taken', 'unavailable']),
  }),
  v.strictObject({
    type: v.literal('chat'),
    chatId: ChatId,
    role: ChatRole,
    department: DepartmentId,
    startedAt: Timestamp,
    visitor: VisitorSummary,
  }),
  v.strictObject({
    type: v.literal('invitation'),
    chatId: ChatId,
    from: Nickname,
    expiresAt: Timestamp,
    visitor: VisitorSummary,
  }),
  v.strictObject({
    type: v.literal('invitation_closed'),
    chatId: ChatId,
    reason: v.picklist(['accepted', 'declined', 'expired', 'ended']),
  }),
  v.strictObject({ type: v.literal('left'), chatId: ChatId }),
  v.strictObject({
    type: v.literal('department_changed'),
    chatId: ChatId,
    department: DepartmentId,
  }),
  v.strictObject({ type: v.literal('live_chats'), chats: v.array(LiveChat) }),
  v.strictObject({
    type: v.literal('blocked_visitor'),
    chatId: ChatId,
    until: Timestamp,
    ip: v.boolean(),
  }),
  v.strictObject({ type: v.literal('promoted'), nickname: Nickname }),
  /** SPEC.md SP-P5: a participant was dropped by a peer for breaking the chat rules. */
  v.strictObject({
    type: v.literal('security_event'),
    chatId: ChatId,
    reporter: v.strictObject({ id: ParticipantId, role: ChatRole, name: Name }),
    peer: v.strictObject({ id: ParticipantId, role: ChatRole, name: Name }),
    code: v.picklist(CHAT_ERROR_CODES),
    at: Timestamp,
  }),
  BoardSnapshot,
  BoardChanges,
  ChatMeta,
  ChatRated,
  Participants,
  SignalIn,
  ChatEnded,
  ErrorMessage,
  RoomJoined,
  RoomMessages,
  RoomMessage,
  RoomMembers,
  RoomLeft,
]);
export type ServiceToStaff = v.InferOutput<typeof ServiceToStaff>;
