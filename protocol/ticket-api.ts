/**
 * Tickets and follow-ups over HTTP (SPEC.md SP-TK1–SP-TK9, F7, F25, F26): the bodies the
 * service decodes and the answers the console, the widget and the follow-up page
 * decode. Every object is strict on the way in; answers are decoded before they are
 * shown (STYLE.md point 3).
 */
import * as v from 'valibot';
import { LIMITS } from './limits.ts';
import { ChatId, DepartmentId, Email, Id, Name, Timestamp, Token } from './primitives.ts';

const text = (max: number) => v.pipe(v.string(), v.maxLength(max));

/** A reply or an answer on a ticket: the same text rules as a chat message. */
export const TicketText = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1, 'write something first'),
  v.maxLength(LIMITS.maxTicketMessageLength),
);

export const TicketStatus = v.picklist(['open', 'answered', 'closed']);
export type TicketStatus = v.InferOutput<typeof TicketStatus>;

/** A follow-up link's secret: 32 random bytes as base64url (43 characters). */
export const FollowUpToken = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{43}$/));

// ---- requests ----

/** A helper makes a ticket of a chat (F26); `email` when the chat has none. */
export const CreateTicketBody = v.strictObject({ chatId: ChatId, email: v.optional(Email) });
export type CreateTicketBody = v.InferOutput<typeof CreateTicketBody>;

export const AnswerTicketBody = v.strictObject({ body: TicketText });

export const UpdateTicketBody = v.pipe(
  v.strictObject({
    status: v.optional(TicketStatus),
    /** `me` assigns the caller; null leaves it unassigned. */
    assignee: v.optional(v.nullable(v.literal('me'))),
  }),
  v.check((body) => Object.keys(body).length > 0, 'name at least one field to change'),
);
export type UpdateTicketBody = v.InferOutput<typeof UpdateTicketBody>;

export const TicketListQuery = v.strictObject({
  status: v.optional(v.picklist(['open', 'answered', 'closed', 'all'])),
  mine: v.optional(v.literal('1')),
});

/** The widget asks for a follow-up link: for the message it left, or the chat it had. */
export const StartFollowUpBody = v.pipe(
  v.strictObject({
    visitorToken: Token,
    messageId: v.optional(Id),
    chatId: v.optional(ChatId),
    email: v.optional(v.union([v.literal(''), Email])),
  }),
  v.check(
    (body) => (body.messageId === undefined) !== (body.chatId === undefined),
    'name either messageId or chatId',
  ),
);
export type StartFollowUpBody = v.InferOutput<typeof StartFollowUpBody>;

export const FollowUpReplyBody = v.strictObject({ body: TicketText });

// ---- answers ----

export const TicketEntry = v.object({
  id: v.pipe(v.number(), v.integer()),
  role: v.picklist(['visitor', 'helper']),
  author: Name,
  body: text(LIMITS.maxTicketMessageLength),
  at: Timestamp,
});
export type TicketEntry = v.InferOutput<typeof TicketEntry>;

/** One line of the linked chat's transcript, as the archive gives it. */
export const TranscriptLine = v.object({
  id: text(LIMITS.maxIdLength),
  kind: v.picklist(['text', 'system', 'page', 'attachment']),
  role: v.picklist(['visitor', 'helper', 'system']),
  author: text(LIMITS.maxNameLength),
  body: text(LIMITS.maxChatMessageLength + LIMITS.maxUrlLength),
  at: Timestamp,
});
export type TranscriptLine = v.InferOutput<typeof TranscriptLine>;

export const TicketSummary = v.object({
  id: Id,
  source: v.picklist(['chat', 'left_message']),
  chatId: v.nullable(ChatId),
  visitorName: Name,
  email: v.nullable(text(LIMITS.maxEmailLength)),
  department: DepartmentId,
  subject: text(LIMITS.maxTicketSubjectLength),
  status: TicketStatus,
  assignee: v.nullable(v.object({ id: Id, name: Name })),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  /** The last entry came from the visitor and nobody has answered it yet. */
  awaitingAnswer: v.boolean(),
});
export type TicketSummary = v.InferOutput<typeof TicketSummary>;

export const TicketList = v.object({ tickets: v.pipe(v.array(TicketSummary), v.maxLength(500)) });

export const TicketDetail = v.object({
  ticket: TicketSummary,
  entries: v.array(TicketEntry),
  /** The linked chat's transcript; null when the chat was not archived (or none). */
  transcript: v.nullable(v.array(TranscriptLine)),
  /** Follow-up links that still work. */
  liveLinks: v.pipe(v.number(), v.integer(), v.minValue(0)),
  /** Whether the last answer was queued for email. */
  emailed: v.optional(v.boolean()),
});
export type TicketDetail = v.InferOutput<typeof TicketDetail>;

/** What the visitor's follow-up page shows: no staff data, no ids but the ticket's. */
export const FollowUpView = v.object({
  ticket: v.object({
    status: TicketStatus,
    subject: text(LIMITS.maxTicketSubjectLength),
    visitorName: Name,
    createdAt: Timestamp,
  }),
  entries: v.array(TicketEntry),
  transcript: v.nullable(v.array(TranscriptLine)),
});
export type FollowUpView = v.InferOutput<typeof FollowUpView>;

export const FollowUpStarted = v.object({
  /** The page path with the token in its fragment (never sent to a server by a browser). */
  path: text(200),
  emailed: v.boolean(),
});
export type FollowUpStarted = v.InferOutput<typeof FollowUpStarted>;

export const TicketAlert = v.object({
  id: v.pipe(v.number(), v.integer()),
  ticketId: Id,
  visitorName: Name,
  subject: text(LIMITS.maxTicketSubjectLength),
  at: Timestamp,
});
export type TicketAlert = v.InferOutput<typeof TicketAlert>;

export const TicketAlerts = v.object({ alerts: v.pipe(v.array(TicketAlert), v.maxLength(100)) });
