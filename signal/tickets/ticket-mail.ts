/**
 * Queues the emails of follow-ups in the outbox (signal/mail): the transcript of a
 * chat that ended (F23), "we have your message" with the follow-up link (F7, F25)
 * and a helper's answer (F25). Each email has a dedupe key, so asking twice queues
 * once, and a Message-ID fixed when it is queued.
 *
 * Exports: `createTicketMail(deps)` → `TicketMail`, `TicketMailDeps`,
 * `TRANSCRIPT_WAIT_MS`.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.ts';
import { composeMail } from '../mail/mail-composer.ts';
import type { OutboxRow, OutboxStore } from '../mail/outbox-store.ts';
import { answerEmail, messageReceivedEmail, transcriptEmail } from '../mail/ticket-emails.ts';
import type { EmailContent } from '../mail/ticket-emails.ts';
import type { Transcript } from '../mail/transcript-source.ts';
import { followUpPath, hashFollowUpToken, newFollowUpToken } from './follow-up-links.ts';
import type { TicketRecord, TicketStore } from './ticket-store.ts';

/** How long a transcript email waits for the chat's archive: the email goes out
 * within 10 minutes of the end, or not at all (F23). */
export const TRANSCRIPT_WAIT_MS = 9 * 60_000;

export type TicketMailDeps = {
  store: TicketStore;
  outbox: OutboxStore;
  /** Wakes the outbox worker after something was queued. */
  kick(): void;
  /** `Name <address>` the emails come from. */
  from: string;
  /** The service's public origin, for links (asked when needed: the port is known late). */
  origin(): string;
  now(): number;
  log: Pick<Logger, 'error'>;
};

export interface TicketMail {
  /** A new follow-up link for the ticket; returns its page path. */
  issueLink(ticketId: string, at: number): string;
  transcript(chatId: string, email: string, endedAt: number): void;
  /** Resolves once queued (never rejects: a failure is logged). */
  received(ticket: TicketRecord): Promise<void>;
  answer(
    ticket: TicketRecord,
    answer: { id: number; author: string; at: number; body: string },
  ): Promise<void>;
  /** The outbox worker's builder for a transcript email whose chat was archived. */
  buildTranscript(row: OutboxRow, transcript: Transcript): Promise<string>;
}

export function createTicketMail(deps: TicketMailDeps): TicketMail {
  const domain = (): string => {
    try {
      return new URL(deps.origin()).hostname || 'peerdesk.invalid';
    } catch {
      return 'peerdesk.invalid';
    }
  };
  const newId = (): string => `e${randomBytes(12).toString('base64url')}`;

  function issueLink(ticketId: string, at: number): string {
    const token = newFollowUpToken();
    deps.store.addLink(hashFollowUpToken(token), ticketId, at);
    return followUpPath(token);
  }

  async function queueBuilt(
    ticketId: string,
    key: string,
    kind: string,
    to: string,
    chatId: string | null,
    content: () => EmailContent,
    references?: string,
  ): Promise<void> {
    try {
      await build(ticketId, key, kind, to, chatId, content, references);
    } catch (error) {
      deps.log.error({ err: error, key }, 'could not queue an email');
    }
  }

  async function build(
    ticketId: string,
    key: string,
    kind: string,
    to: string,
    chatId: string | null,
    content: () => EmailContent,
    references?: string,
  ): Promise<void> {
    const at = deps.now();
    const id = newId();
    const messageId = `<${id}@${domain()}>`;
    const raw = await composeMail({
      from: deps.from,
      to,
      ...content(),
      messageId,
      date: new Date(at),
      ...(references === undefined ? {} : { references }),
    });
    // SP-PV11: composing took a while; "forget this visitor" may have erased the ticket
    // meanwhile. Queued only if it is still there, checked with the insert.
    const queued = deps.outbox.addIfStored(
      { id, dedupeKey: key, kind, recipient: to, chatId, messageId, raw, at, deadlineAt: at },
      () => deps.store.byId(ticketId) !== null,
    );
    if (queued) deps.kick();
  }

  return {
    issueLink,

    transcript(chatId, email, endedAt) {
      const at = deps.now();
      const id = newId();
      const { added } = deps.outbox.add({
        id,
        dedupeKey: `transcript:${chatId}`,
        kind: 'transcript',
        recipient: email,
        chatId,
        messageId: `<${id}@${domain()}>`,
        raw: null,
        at,
        deadlineAt: Math.max(at, endedAt) + TRANSCRIPT_WAIT_MS,
      });
      if (added) deps.kick();
    },

    received(ticket) {
      const key = `received:${ticket.id}`;
      if (ticket.email === null || deps.outbox.byKey(key) !== null) return Promise.resolve();
      const email = ticket.email;
      const first = deps.store.entries(ticket.id)[0] ?? null;
      const path = issueLink(ticket.id, deps.now());
      return queueBuilt(ticket.id, key, 'received', email, ticket.chatId, () =>
        messageReceivedEmail({
          visitorName: ticket.visitorName,
          subject: ticket.subject,
          message: first,
          followUpUrl: `${deps.origin()}${path}`,
        }),
      );
    },

    answer(ticket, answer) {
      if (ticket.email === null) return Promise.resolve();
      const path = issueLink(ticket.id, deps.now());
      return queueBuilt(
        ticket.id,
        `answer:${answer.id}`,
        'answer',
        ticket.email,
        ticket.chatId,
        () =>
          answerEmail({
            visitorName: ticket.visitorName,
            subject: ticket.subject,
            answer,
            followUpUrl: `${deps.origin()}${path}`,
          }),
      );
    },

    async buildTranscript(row, transcript) {
      const chat = row.chatId === null ? null : deps.store.chat(row.chatId);
      const ticket = row.chatId === null ? null : deps.store.byChat(row.chatId);
      const path = ticket === null ? null : issueLink(ticket.id, deps.now());
      return composeMail({
        from: deps.from,
        to: row.recipient,
        ...transcriptEmail({
          visitorName: chat?.visitorName ?? 'there',
          endedAt: chat?.endedAt ?? row.createdAt,
          lines: transcript.lines,
          followUpUrl: path === null ? null : `${deps.origin()}${path}`,
        }),
        messageId: row.messageId,
        date: new Date(deps.now()),
      });
    },
  };
}
