/**
 * F32 "download my data" (SPEC.md SP-PV8–SP-PV10): what the follow-up page's download holds,
 * `GET /api/follow-up/export` with the follow-up link's secret. Everything the service
 * stores about the visitor the link belongs to, found by that visitor id only: the
 * chats (with the details and IP address stored with them, tags and label, survey
 * answer, archived transcript and files), tickets with every message, left messages,
 * blocks naming them, and the emails sent to them about those (not their bytes: they
 * carry follow-up secrets, and their words are the transcripts and messages above).
 * `readable` says the same in plain lines for a person.
 *
 * The page decodes it before it saves the file (STYLE.md point 3).
 */
import * as v from 'valibot';
import { Timestamp } from './primitives.ts';
import { TicketEntry, TicketStatus, TranscriptLine } from './ticket-api.ts';

const text = v.string();
const at = Timestamp;
const maybeAt = v.nullable(Timestamp);

export const ExportedFile = v.object({
  name: text,
  mime: text,
  bytes: v.number(),
  sha256: text,
  /** The file's bytes as base64, when the service kept them (SP-U4); else null. */
  base64: v.nullable(text),
});

export const ExportedChat = v.object({
  chatId: text,
  outcome: v.picklist(['cancelled', 'left_message', 'blocked', 'ended']),
  department: text,
  askedAt: at,
  startedAt: maybeAt,
  endedAt: at,
  /** What the visitor gave in the pre-chat form and what the widget sent with it. */
  details: v.record(v.string(), v.unknown()),
  /** The IP address kept with the chat (SP-PV6), until IP_RETENTION_DAYS clears it. */
  ip: v.nullable(text),
  firstVisitAt: maybeAt,
  firstLandingPage: v.nullable(text),
  tags: v.array(text),
  label: v.nullable(text),
  rating: v.nullable(
    v.object({ stars: v.number(), comment: v.nullable(text), ratedAt: Timestamp }),
  ),
  transcript: v.nullable(
    v.object({
      status: v.picklist(['archived', 'not_archived']),
      helpers: v.array(text),
      lines: v.array(TranscriptLine),
      files: v.array(ExportedFile),
    }),
  ),
});
export type ExportedChat = v.InferOutput<typeof ExportedChat>;

export const ExportedTicket = v.object({
  id: text,
  source: v.picklist(['chat', 'left_message']),
  chatId: v.nullable(text),
  visitorName: text,
  email: v.nullable(text),
  department: text,
  subject: text,
  status: TicketStatus,
  createdAt: at,
  updatedAt: at,
  messages: v.array(TicketEntry),
});

export const ExportedLeftMessage = v.object({
  id: text,
  name: text,
  email: v.nullable(text),
  department: text,
  message: text,
  ip: v.nullable(text),
  createdAt: at,
});

export const ExportedBlock = v.object({
  reason: text,
  createdAt: at,
  until: at,
  liftedAt: maybeAt,
  /** Whether the block also held the IP address, and that address while in force (SP-PV5). */
  ip: v.nullable(text),
});

export const ExportedEmail = v.object({
  kind: text,
  to: text,
  state: text,
  createdAt: at,
  sentAt: maybeAt,
});

export const VisitorDataExport = v.object({
  format: v.literal('peerdesk-visitor-data/1'),
  exportedAt: Timestamp,
  visitorId: text,
  /** What is not in it and why, in words. */
  notIncluded: v.array(text),
  readable: v.array(text),
  chats: v.array(ExportedChat),
  tickets: v.array(ExportedTicket),
  leftMessages: v.array(ExportedLeftMessage),
  blocks: v.array(ExportedBlock),
  emails: v.array(ExportedEmail),
});
export type VisitorDataExport = v.InferOutput<typeof VisitorDataExport>;
