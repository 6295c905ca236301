/**
 * Follow-ups and linked tickets (F7, F25, F26; SPEC.md SP-TK1–SP-TK9): what staff and
 * visitors can do with a ticket, each check in one place. HTTP routes
 * (signal/http/tickets) decode requests and call these; emails go through
 * ticket-mail.ts; alerts reach the chat's helpers in their console (SP-TK6) and, when
 * the service has one, in the Contributors room.
 *
 * Exports: `createFollowUps(deps)` → `FollowUps`, `FollowUpsDeps`, `Outcome`,
 * `StaffActor`, `RoomAlert`.
 */
import { randomBytes } from 'node:crypto';
import type {
  FollowUpView,
  TicketAlert,
  TicketDetail,
  TicketStatus,
  TicketSummary,
  UpdateTicketBody,
} from '../../protocol/index.ts';
import type { AccountRole } from '../../protocol/index.ts';
import type { LeftMessageRecord } from '../core/records.ts';
import type { TranscriptSource } from '../mail/transcript-source.ts';
import { hashFollowUpToken } from './follow-up-links.ts';
import type { TicketMail } from './ticket-mail.ts';
import type { TicketRecord, TicketStore } from './ticket-store.ts';

export type StaffActor = { id: string; name: string; role: AccountRole };

/** An alert for the Contributors room: who replied, and the ticket page's path. */
export type RoomAlert = { ticketId: string; helperIds: string[]; text: string; path: string };

export type Outcome<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      status: number;
      code:
        | 'unknown_ticket'
        | 'forbidden'
        | 'email_required'
        | 'follow_up_revoked'
        | 'follow_up_expired'
        | 'unknown_chat'
        | 'ticket_closed';
    };

export type FollowUpsDeps = {
  store: TicketStore;
  mail: TicketMail;
  transcripts: TranscriptSource;
  accountName(id: string): string | null;
  now(): number;
  /** How long a follow-up link works after it was issued (SP-TK3); forever when absent. */
  linkLifetimeMs?: number;
  /** Posts into the Contributors room, when the service has one. */
  alertRoom?: (alert: RoomAlert) => void;
};

export interface FollowUps {
  /** F7: a message left when no helper was available becomes a ticket. */
  leftMessage(message: LeftMessageRecord): TicketRecord;
  /** F23: an ended chat whose visitor gave an email gets its transcript. */
  chatEnded(chatId: string): void;
  createFromChat(
    actor: StaffActor,
    chatId: string,
    email: string | undefined,
  ): Outcome<TicketDetail>;
  /** The widget asks for a follow-up link for the visitor's own message or chat. */
  visitorStart(
    visitorId: string,
    target: { messageId: string } | { chatId: string },
    email: string | undefined,
  ): Outcome<{ path: string; emailed: boolean }>;
  list(status: TicketStatus | 'all', assignee: string | null): TicketSummary[];
  detail(actor: StaffActor, ticketId: string): Outcome<TicketDetail>;
  answer(actor: StaffActor, ticketId: string, body: string): Outcome<TicketDetail>;
  update(actor: StaffActor, ticketId: string, patch: UpdateTicketBody): Outcome<TicketDetail>;
  revokeLinks(actor: StaffActor, ticketId: string): Outcome<TicketDetail>;
  read(token: string): Outcome<FollowUpView>;
  /** SP-PV8: the visitor a live follow-up link belongs to (same refusals as `read`). */
  visitorOf(token: string): Outcome<string>;
  reply(token: string, body: string): Outcome<FollowUpView>;
  alerts(actor: StaffActor): TicketAlert[];
}

const newTicketId = (): string => `t${randomBytes(12).toString('base64url')}`;

function subjectOf(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

export function createFollowUps(deps: FollowUpsDeps): FollowUps {
  const { store, mail } = deps;

  function summary(ticket: TicketRecord): TicketSummary {
    const name = ticket.assigneeId === null ? null : deps.accountName(ticket.assigneeId);
    return {
      id: ticket.id,
      source: ticket.source,
      chatId: ticket.chatId,
      visitorName: ticket.visitorName,
      email: ticket.email,
      department: ticket.department,
      subject: ticket.subject,
      status: ticket.status,
      assignee:
        ticket.assigneeId === null ? null : { id: ticket.assigneeId, name: name ?? '(removed)' },
      createdAt: ticket.createdAt,
      updatedAt: ticket.updatedAt,
      awaitingAnswer: ticket.status !== 'closed' && ticket.lastRole === 'visitor',
    };
  }

  function transcriptOf(ticket: TicketRecord): TicketDetail['transcript'] {
    if (ticket.chatId === null) return null;
    return deps.transcripts.read(ticket.chatId)?.lines ?? null;
  }

  function entriesOf(ticket: TicketRecord): TicketDetail['entries'] {
    return store.entries(ticket.id).map((e) => ({
      id: e.id,
      role: e.role,
      author: e.author,
      body: e.body,
      at: e.at,
    }));
  }

  function detailOf(ticket: TicketRecord, emailed?: boolean): TicketDetail {
    return {
      ticket: summary(ticket),
      entries: entriesOf(ticket),
      transcript: transcriptOf(ticket),
      liveLinks: store.liveLinks(ticket.id),
      ...(emailed === undefined ? {} : { emailed }),
    };
  }

  function visitorView(ticket: TicketRecord): FollowUpView {
    return {
      ticket: {
        status: ticket.status,
        subject: ticket.subject,
        visitorName: ticket.visitorName,
        createdAt: ticket.createdAt,
      },
      entries: entriesOf(ticket),
      transcript: transcriptOf(ticket),
    };
  }

  /** SP-TK2: helpers, monitors and admins work tickets; trainees only the ones of their chats. */
  function mayWork(actor: StaffActor, ticket: TicketRecord): boolean {
    if (actor.role !== 'trainee') return true;
    const chat = ticket.chatId === null ? null : store.chat(ticket.chatId);
    return chat?.helperIds.includes(actor.id) ?? false;
  }

  function staffTicket(actor: StaffActor, ticketId: string): Outcome<TicketRecord> {
    const ticket = store.byId(ticketId);
    if (ticket === null) return { ok: false, status: 404, code: 'unknown_ticket' };
    if (!mayWork(actor, ticket)) return { ok: false, status: 403, code: 'forbidden' };
    return { ok: true, value: ticket };
  }

  function byToken(token: string): Outcome<TicketRecord> {
    const link = store.link(hashFollowUpToken(token));
    const ticket = link === null ? null : store.byId(link.ticketId);
    if (link === null || ticket === null) return { ok: false, status: 404, code: 'unknown_ticket' };
    if (link.revoked) return { ok: false, status: 410, code: 'follow_up_revoked' };
    // SP-TK3: a link works for a while; every email carries a fresh one.
    const lifetime = deps.linkLifetimeMs;
    if (lifetime !== undefined && deps.now() - link.createdAt > lifetime) {
      return { ok: false, status: 410, code: 'follow_up_expired' };
    }
    return { ok: true, value: ticket };
  }

  function fresh(id: string): TicketRecord {
    const ticket = store.byId(id);
    if (ticket === null) throw new Error(`ticket ${id} vanished`);
    return ticket;
  }

  return {
    leftMessage(message) {
      const existing = store.byLeftMessage(message.id);
      if (existing !== null) return existing;
      const id = newTicketId();
      store.transaction(() => {
        store.insert({
          id,
          source: 'left_message',
          chatId: null,
          leftMessageId: message.id,
          visitorId: message.visitorId,
          visitorName: message.name,
          email: message.email,
          department: message.department,
          subject: subjectOf(message.message),
          createdBy: null,
          createdAt: message.createdAt,
        });
        store.addEntry({
          ticketId: id,
          role: 'visitor',
          authorId: message.visitorId,
          author: message.name,
          body: message.message,
          at: message.createdAt,
        });
      });
      const ticket = fresh(id);
      void mail.received(ticket);
      return ticket;
    },

    chatEnded(chatId) {
      const chat = store.chat(chatId);
      if (chat === null || chat.outcome !== 'ended') return;
      const email = chat.email ?? store.byChat(chatId)?.email ?? null;
      if (email !== null) mail.transcript(chatId, email, chat.endedAt ?? deps.now());
    },

    createFromChat(actor, chatId, email) {
      const chat = store.chat(chatId);
      if (chat === null) return { ok: false, status: 404, code: 'unknown_chat' };
      // SP-TK1: a helper of that chat, or a monitor or admin.
      const allowed =
        chat.helperIds.includes(actor.id) || actor.role === 'monitor' || actor.role === 'admin';
      if (!allowed) return { ok: false, status: 403, code: 'forbidden' };
      const existing = store.byChat(chatId);
      const address = email ?? existing?.email ?? chat.email;
      if (address === null) return { ok: false, status: 400, code: 'email_required' };
      const now = deps.now();
      let ticket = existing;
      if (ticket === null) {
        const id = newTicketId();
        store.insert({
          id,
          source: 'chat',
          chatId,
          leftMessageId: null,
          visitorId: chat.visitorId,
          visitorName: chat.visitorName,
          email: address,
          department: chat.department,
          subject: subjectOf(chat.question),
          createdBy: actor.id,
          createdAt: now,
        });
        store.setAssignee(id, actor.id, now);
        ticket = fresh(id);
      } else if (ticket.email === null) {
        store.setEmail(ticket.id, address, now);
        ticket = fresh(ticket.id);
      }
      void mail.received(ticket);
      // F23: an email given now still brings the transcript of an ended chat.
      if (chat.outcome === 'ended') mail.transcript(chatId, address, chat.endedAt ?? now);
      return { ok: true, value: detailOf(ticket, true) };
    },

    visitorStart(visitorId, target, email) {
      const now = deps.now();
      let ticket: TicketRecord | null;
      if ('messageId' in target) {
        ticket = store.byLeftMessage(target.messageId);
        if (ticket === null || ticket.visitorId !== visitorId) {
          return { ok: false, status: 404, code: 'unknown_ticket' };
        }
      } else {
        const chat = store.chat(target.chatId);
        if (chat === null || chat.visitorId !== visitorId || chat.outcome !== 'ended') {
          return { ok: false, status: 404, code: 'unknown_chat' };
        }
        ticket = store.byChat(target.chatId);
        if (ticket === null) {
          const id = newTicketId();
          store.insert({
            id,
            source: 'chat',
            chatId: chat.chatId,
            leftMessageId: null,
            visitorId,
            visitorName: chat.visitorName,
            // The email given now is set (and mailed) below, like one given later.
            email: chat.email,
            department: chat.department,
            subject: subjectOf(chat.question),
            createdBy: null,
            createdAt: now,
          });
          ticket = fresh(id);
        }
        // Assigned to the chat's helper, so the visitor's reply reaches them.
        if (ticket.assigneeId === null && chat.helperIds[0] !== undefined) {
          store.setAssignee(ticket.id, chat.helperIds[0], now);
        }
      }
      let emailed = false;
      if (email !== undefined && email !== '') {
        if (ticket.email === null) {
          store.setEmail(ticket.id, email, now);
          ticket = fresh(ticket.id);
        }
        // The address the ticket has (the one given, or the same one given before) gets
        // the link and the transcript, each once (the outbox's keys); another address
        // does not replace it, and the widget does not claim an email was sent.
        if (ticket.email?.toLowerCase() === email.toLowerCase()) {
          void mail.received(ticket);
          if (ticket.chatId !== null) {
            mail.transcript(ticket.chatId, ticket.email, store.chat(ticket.chatId)?.endedAt ?? now);
          }
          emailed = true;
        }
      }
      return { ok: true, value: { path: mail.issueLink(ticket.id, now), emailed } };
    },

    list(status, assignee) {
      return store.list(status, assignee).map(summary);
    },

    detail(actor, ticketId) {
      const found = staffTicket(actor, ticketId);
      if (!found.ok) return found;
      store.seeAlerts(actor.id, ticketId, deps.now());
      return { ok: true, value: detailOf(found.value) };
    },

    answer(actor, ticketId, body) {
      const found = staffTicket(actor, ticketId);
      if (!found.ok) return found;
      const now = deps.now();
      const entryId = store.transaction(() => {
        const id = store.addEntry({
          ticketId,
          role: 'helper',
          authorId: actor.id,
          author: actor.name,
          body,
          at: now,
        });
        store.setStatus(ticketId, 'answered', now);
        if (found.value.assigneeId === null) store.setAssignee(ticketId, actor.id, now);
        return id;
      });
      store.seeAlerts(actor.id, ticketId, now);
      const ticket = fresh(ticketId);
      void mail.answer(ticket, { id: entryId, author: actor.name, at: now, body });
      return { ok: true, value: detailOf(ticket, ticket.email !== null) };
    },

    update(actor, ticketId, patch) {
      const found = staffTicket(actor, ticketId);
      if (!found.ok) return found;
      const now = deps.now();
      store.transaction(() => {
        if (patch.status !== undefined) store.setStatus(ticketId, patch.status, now);
        if (patch.assignee !== undefined) {
          store.setAssignee(ticketId, patch.assignee === 'me' ? actor.id : null, now);
        }
      });
      return { ok: true, value: detailOf(fresh(ticketId)) };
    },

    revokeLinks(actor, ticketId) {
      const found = staffTicket(actor, ticketId);
      if (!found.ok) return found;
      store.revokeLinks(ticketId, deps.now());
      return { ok: true, value: detailOf(fresh(ticketId)) };
    },

    read(token) {
      const found = byToken(token);
      return found.ok ? { ok: true, value: visitorView(found.value) } : found;
    },

    reply(token, body) {
      const found = byToken(token);
      if (!found.ok) return found;
      const ticket = found.value;
      if (ticket.status === 'closed') return { ok: false, status: 409, code: 'ticket_closed' };
      const now = deps.now();
      store.transaction(() => {
        store.addEntry({
          ticketId: ticket.id,
          role: 'visitor',
          authorId: ticket.visitorId,
          author: ticket.visitorName,
          body,
          at: now,
        });
        store.setStatus(ticket.id, 'open', now);
      });
      // SP-TK6: the chat's helpers (and whoever has the ticket) are alerted.
      const chat = ticket.chatId === null ? null : store.chat(ticket.chatId);
      const helperIds = [
        ...new Set([
          ...(chat?.helperIds ?? []),
          ...(ticket.assigneeId === null ? [] : [ticket.assigneeId]),
        ]),
      ];
      for (const id of helperIds) store.addAlert(id, ticket.id, now);
      deps.alertRoom?.({
        ticketId: ticket.id,
        helperIds,
        text: `${ticket.visitorName} replied to the follow-up "${ticket.subject}".`,
        path: `/console/tickets/${ticket.id}`,
      });
      return { ok: true, value: visitorView(fresh(ticket.id)) };
    },

    visitorOf(token) {
      const found = byToken(token);
      return found.ok ? { ok: true, value: found.value.visitorId } : found;
    },

    alerts(actor) {
      return store.alerts(actor.id).flatMap((alert) => {
        const ticket = store.byId(alert.ticketId);
        return ticket === null
          ? []
          : [
              {
                id: alert.id,
                ticketId: ticket.id,
                visitorName: ticket.visitorName,
                subject: ticket.subject,
                at: alert.at,
              },
            ];
      });
    },
  };
}
