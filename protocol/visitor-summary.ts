import * as v from 'valibot';
import {
  BrowserDetails,
  DepartmentId,
  Email,
  Name,
  PageView,
  Question,
  Timestamp,
  Url,
} from './primitives.ts';

/** What helpers see of a visitor (F14, F15): on an offer, an invitation and in a chat. */
export const VisitorSummary = v.strictObject({
  visitorId: v.string(),
  name: Name,
  email: v.nullable(Email),
  department: DepartmentId,
  question: v.string(),
  page: PageView,
  browser: BrowserDetails,
  ip: v.string(),
  sessionStartedAt: Timestamp,
  landingPage: Url,
  firstVisitAt: Timestamp,
  firstLandingPage: Url,
  requestedAt: Timestamp,
});
export type VisitorSummary = v.InferOutput<typeof VisitorSummary>;

/** What a visitor sends with a chat request (F1, F5, F15). */
export const ChatRequestDetails = v.strictObject({
  name: Name,
  email: v.optional(v.union([v.literal(''), Email])),
  department: DepartmentId,
  question: Question,
  page: PageView,
  browser: BrowserDetails,
  sessionStartedAt: Timestamp,
  landingPage: Url,
  /** SP-PN2: the visitor ticked the privacy notice's acknowledgement. */
  privacyAcknowledged: v.optional(v.literal(true)),
});
export type ChatRequestDetails = v.InferOutput<typeof ChatRequestDetails>;
