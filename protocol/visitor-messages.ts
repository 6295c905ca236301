/** Messages between a visitor's widget and the service, split by direction. */
import * as v from 'valibot';
import { LIMITS } from './limits.ts';
import {
  ChatId,
  DepartmentId,
  Email,
  Name,
  ParticipantId,
  Timestamp,
  Token,
  Url,
  AttachmentCap,
} from './primitives.ts';
import {
  Bind,
  PeerRefused,
  ChatEnded,
  Department,
  ErrorMessage,
  IceServer,
  Participants,
  SignalIn,
  SignalOut,
} from './shared-messages.ts';
import { PrivacyNotice } from './privacy-notice.ts';
import { ChatRequestDetails } from './visitor-summary.ts';

export const VisitorHello = v.strictObject({
  type: v.literal('hello'),
  v: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1000)),
  /** The signed visitor token from an earlier visit, if any (SPEC.md SP-V1). */
  token: v.optional(Token),
  /** The page the visitor landed on, remembered as the first landing page on a first visit. */
  landingPage: v.optional(Url),
});

export const VisitorToService = v.variant('type', [
  VisitorHello,
  v.strictObject({ type: v.literal('request'), ...ChatRequestDetails.entries }),
  v.strictObject({ type: v.literal('cancel') }),
  v.strictObject({
    type: v.literal('leave_message'),
    name: Name,
    email: v.optional(v.union([v.literal(''), Email])),
    department: DepartmentId,
    message: v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(LIMITS.maxLeftMessageLength)),
  }),
  v.strictObject({ type: v.literal('end'), chatId: ChatId }),
  SignalOut,
  Bind,
  PeerRefused,
]);
export type VisitorToService = v.InferOutput<typeof VisitorToService>;

export const ServiceToVisitor = v.variant('type', [
  v.strictObject({
    type: v.literal('welcome'),
    v: v.number(),
    visitorId: ParticipantId,
    token: Token,
    firstVisitAt: Timestamp,
    firstLandingPage: Url,
    departments: v.array(Department),
    iceServers: v.array(IceServer),
    /** Whether helpers can see the visitor's draft as it is typed (F10). */
    typingPreview: v.boolean(),
    /** The attachment size cap in force (CH-X2, the admin's setting); the default when absent. */
    attachmentMaxBytes: v.optional(AttachmentCap),
    /** SP-PN1: the notice the pre-chat form shows, when the service has one. */
    privacyNotice: v.optional(v.nullable(PrivacyNotice)),
  }),
  v.strictObject({
    type: v.literal('queued'),
    chatId: ChatId,
    department: DepartmentId,
    position: v.pipe(v.number(), v.integer(), v.minValue(1)),
    /** null while the service has too little history to estimate. */
    estimatedWaitMs: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0))),
    helpersOnline: v.pipe(v.number(), v.integer(), v.minValue(0)),
  }),
  v.strictObject({
    type: v.literal('unavailable'),
    department: DepartmentId,
    reason: v.picklist(['department_closed']),
  }),
  v.strictObject({ type: v.literal('cancelled'), chatId: ChatId }),
  v.strictObject({ type: v.literal('message_left'), id: v.string() }),
  v.strictObject({
    type: v.literal('chat'),
    chatId: ChatId,
    department: DepartmentId,
    startedAt: Timestamp,
  }),
  v.strictObject({ type: v.literal('blocked'), until: Timestamp }),
  Participants,
  SignalIn,
  ChatEnded,
  ErrorMessage,
]);
export type ServiceToVisitor = v.InferOutput<typeof ServiceToVisitor>;
