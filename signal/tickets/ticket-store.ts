/**
 * Tickets in SQLite (migration 3): the ticket, its thread of visitor replies and
 * helper answers, its follow-up links (SHA-256 of the token only) and the alerts
 * helpers see in their console. Also reads the chats a ticket can be made of
 * (open_chats and closed_chats, kept by the switchboard's storage). Rows are
 * decoded, not cast (STYLE.md point 3).
 *
 * Exports: `TicketStore` (class), `TicketRecord`, `TicketEntryRecord`, `ChatFacts`.
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import * as v from 'valibot';
import type { TicketStatus } from '../../protocol/index.ts';
import { ParticipantJson, decodeRow } from '../storage/row-schemas.ts';

const integer = v.pipe(v.number(), v.integer());

const TicketRow = v.object({
  id: v.string(),
  source: v.picklist(['chat', 'left_message']),
  chat_id: v.nullable(v.string()),
  left_message_id: v.nullable(v.string()),
  visitor_id: v.string(),
  visitor_name: v.string(),
  email: v.nullable(v.string()),
  department: v.string(),
  subject: v.string(),
  status: v.picklist(['open', 'answered', 'closed']),
  assignee_id: v.nullable(v.string()),
  created_by: v.nullable(v.string()),
  created_at: integer,
  updated_at: integer,
  last_role: v.nullable(v.picklist(['visitor', 'helper'])),
});

const EntryRow = v.object({
  id: integer,
  ticket_id: v.string(),
  author_role: v.picklist(['visitor', 'helper']),
  author_id: v.nullable(v.string()),
  author_name: v.string(),
  body: v.string(),
  at: integer,
});

const LinkRow = v.object({
  ticket_id: v.string(),
  created_at: integer,
  revoked_at: v.nullable(integer),
});
const CountRow = v.object({ n: integer });
const AlertRow = v.object({ id: integer, ticket_id: v.string(), at: integer });

/** What a chat record holds that a ticket needs (JSON of closed_chats / open_chats). */
const ChatRecordJson = v.object({
  chatId: v.string(),
  visitor: v.object({ visitorId: v.string() }),
  details: v.object({
    name: v.string(),
    email: v.nullable(v.string()),
    department: v.string(),
    question: v.string(),
  }),
  participants: v.array(ParticipantJson),
});
const ChatRow = v.object({
  record: v.string(),
  outcome: v.nullable(v.string()),
  ended_at: v.nullable(integer),
});

export type TicketRecord = {
  id: string;
  source: 'chat' | 'left_message';
  chatId: string | null;
  leftMessageId: string | null;
  visitorId: string;
  visitorName: string;
  email: string | null;
  department: string;
  subject: string;
  status: TicketStatus;
  assigneeId: string | null;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
  /** Who wrote the thread's last entry. */
  lastRole: 'visitor' | 'helper' | null;
};

export type TicketEntryRecord = {
  id: number;
  ticketId: string;
  role: 'visitor' | 'helper';
  authorId: string | null;
  author: string;
  body: string;
  at: number;
};

export type ChatFacts = {
  chatId: string;
  visitorId: string;
  visitorName: string;
  email: string | null;
  department: string;
  question: string;
  /** Account ids of the chat's helpers (those who left too), never monitors. */
  helperIds: string[];
  /** Null while the chat is open. */
  outcome: string | null;
  endedAt: number | null;
};

function toTicket(row: unknown): TicketRecord {
  const r = decodeRow(TicketRow, 'tickets', row);
  return {
    id: r.id,
    source: r.source,
    chatId: r.chat_id,
    leftMessageId: r.left_message_id,
    visitorId: r.visitor_id,
    visitorName: r.visitor_name,
    email: r.email,
    department: r.department,
    subject: r.subject,
    status: r.status,
    assigneeId: r.assignee_id,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    lastRole: r.last_role,
  };
}

function toEntry(row: unknown): TicketEntryRecord {
  const r = decodeRow(EntryRow, 'ticket_messages', row);
  return {
    id: r.id,
    ticketId: r.ticket_id,
    role: r.author_role,
    authorId: r.author_id,
    author: r.author_name,
    body: r.body,
    at: r.at,
  };
}

const SELECT_TICKET = `
  SELECT t.*, (SELECT author_role FROM ticket_messages m WHERE m.ticket_id = t.id
    ORDER BY m.id DESC LIMIT 1) AS last_role
  FROM tickets t`;

export class TicketStore {
  readonly #db: Db;
  readonly #q: Record<string, Statement>;

  constructor(db: Db) {
    this.#db = db;
    const s = (sql: string): Statement => db.prepare(sql);
    this.#q = {
      insert: s(`
        INSERT INTO tickets (id, source, chat_id, left_message_id, visitor_id, visitor_name, email,
          department, subject, status, assignee_id, created_by, created_at, updated_at)
        VALUES (@id, @source, @chatId, @leftMessageId, @visitorId, @visitorName, @email,
          @department, @subject, 'open', NULL, @createdBy, @createdAt, @createdAt)`),
      byId: s(`${SELECT_TICKET} WHERE t.id = ?`),
      byChat: s(`${SELECT_TICKET} WHERE t.chat_id = ?`),
      byLeftMessage: s(`${SELECT_TICKET} WHERE t.left_message_id = ?`),
      list: s(`${SELECT_TICKET}
        WHERE (@status = 'all' OR t.status = @status) AND (@assignee IS NULL OR t.assignee_id = @assignee)
        ORDER BY t.updated_at DESC, t.id LIMIT 500`),
      setStatus: s('UPDATE tickets SET status = ?, updated_at = ? WHERE id = ?'),
      setAssignee: s('UPDATE tickets SET assignee_id = ?, updated_at = ? WHERE id = ?'),
      setEmail: s('UPDATE tickets SET email = ?, updated_at = ? WHERE id = ? AND email IS NULL'),
      addEntry: s(`
        INSERT INTO ticket_messages (ticket_id, author_role, author_id, author_name, body, at)
        VALUES (?, ?, ?, ?, ?, ?)`),
      entries: s('SELECT * FROM ticket_messages WHERE ticket_id = ? ORDER BY id'),
      addLink: s(
        'INSERT INTO follow_up_links (token_hash, ticket_id, created_at) VALUES (?, ?, ?)',
      ),
      link: s('SELECT ticket_id, created_at, revoked_at FROM follow_up_links WHERE token_hash = ?'),
      revokeLinks: s(
        'UPDATE follow_up_links SET revoked_at = ? WHERE ticket_id = ? AND revoked_at IS NULL',
      ),
      liveLinks: s(
        'SELECT count(*) AS n FROM follow_up_links WHERE ticket_id = ? AND revoked_at IS NULL',
      ),
      addAlert: s('INSERT INTO ticket_alerts (account_id, ticket_id, at) VALUES (?, ?, ?)'),
      alerts: s(`
        SELECT id, ticket_id, at FROM ticket_alerts WHERE account_id = ? AND seen_at IS NULL
        ORDER BY id DESC LIMIT 100`),
      seeAlerts: s(
        'UPDATE ticket_alerts SET seen_at = ? WHERE account_id = ? AND ticket_id = ? AND seen_at IS NULL',
      ),
      closedChat: s('SELECT record, outcome, ended_at FROM closed_chats WHERE chat_id = ?'),
      openChat: s(`
        SELECT json_object('chatId', chat_id, 'visitor', json(visitor), 'details', json(details),
          'participants', json(participants)) AS record, NULL AS outcome, NULL AS ended_at
        FROM open_chats WHERE chat_id = ?`),
    };
  }

  /** Runs `work` in one transaction. */
  transaction<T>(work: () => T): T {
    return this.#db.transaction(work)();
  }

  insert(ticket: {
    id: string;
    source: 'chat' | 'left_message';
    chatId: string | null;
    leftMessageId: string | null;
    visitorId: string;
    visitorName: string;
    email: string | null;
    department: string;
    subject: string;
    createdBy: string | null;
    createdAt: number;
  }): void {
    this.#q['insert']!.run(ticket);
  }

  byId(id: string): TicketRecord | null {
    const row: unknown = this.#q['byId']!.get(id);
    return row === undefined ? null : toTicket(row);
  }

  byChat(chatId: string): TicketRecord | null {
    const row: unknown = this.#q['byChat']!.get(chatId);
    return row === undefined ? null : toTicket(row);
  }

  byLeftMessage(messageId: string): TicketRecord | null {
    const row: unknown = this.#q['byLeftMessage']!.get(messageId);
    return row === undefined ? null : toTicket(row);
  }

  list(status: TicketStatus | 'all', assignee: string | null): TicketRecord[] {
    return this.#q['list']!.all({ status, assignee }).map(toTicket);
  }

  setStatus(id: string, status: TicketStatus, at: number): void {
    this.#q['setStatus']!.run(status, at, id);
  }

  setAssignee(id: string, accountId: string | null, at: number): void {
    this.#q['setAssignee']!.run(accountId, at, id);
  }

  /** Sets the visitor's email when the ticket has none yet. */
  setEmail(id: string, email: string, at: number): boolean {
    return this.#q['setEmail']!.run(email, at, id).changes === 1;
  }

  addEntry(entry: Omit<TicketEntryRecord, 'id'>): number {
    const result = this.#q['addEntry']!.run(
      entry.ticketId,
      entry.role,
      entry.authorId,
      entry.author,
      entry.body,
      entry.at,
    );
    return Number(result.lastInsertRowid);
  }

  entries(ticketId: string): TicketEntryRecord[] {
    return this.#q['entries']!.all(ticketId).map(toEntry);
  }

  addLink(tokenHash: string, ticketId: string, at: number): void {
    this.#q['addLink']!.run(tokenHash, ticketId, at);
  }

  link(tokenHash: string): { ticketId: string; createdAt: number; revoked: boolean } | null {
    const row: unknown = this.#q['link']!.get(tokenHash);
    if (row === undefined) return null;
    const r = decodeRow(LinkRow, 'follow_up_links', row);
    return { ticketId: r.ticket_id, createdAt: r.created_at, revoked: r.revoked_at !== null };
  }

  revokeLinks(ticketId: string, at: number): number {
    return this.#q['revokeLinks']!.run(at, ticketId).changes;
  }

  liveLinks(ticketId: string): number {
    return decodeRow(CountRow, 'follow_up_links', this.#q['liveLinks']!.get(ticketId)).n;
  }

  addAlert(accountId: string, ticketId: string, at: number): void {
    this.#q['addAlert']!.run(accountId, ticketId, at);
  }

  alerts(accountId: string): { id: number; ticketId: string; at: number }[] {
    return this.#q['alerts']!.all(accountId).map((row) => {
      const r = decodeRow(AlertRow, 'ticket_alerts', row);
      return { id: r.id, ticketId: r.ticket_id, at: r.at };
    });
  }

  seeAlerts(accountId: string, ticketId: string, at: number): void {
    this.#q['seeAlerts']!.run(at, accountId, ticketId);
  }

  /** A chat as the switchboard last stored it, ended or still open; null if unknown. */
  chat(chatId: string): ChatFacts | null {
    const row: unknown = this.#q['closedChat']!.get(chatId) ?? this.#q['openChat']!.get(chatId);
    if (row === undefined) return null;
    const r = decodeRow(ChatRow, 'closed_chats', row);
    const record = decodeRow(ChatRecordJson, 'closed_chats.record', JSON.parse(r.record));
    return {
      chatId: record.chatId,
      visitorId: record.visitor.visitorId,
      visitorName: record.details.name,
      email: record.details.email,
      department: record.details.department,
      question: record.details.question,
      helperIds: record.participants.filter((p) => p.role === 'helper').map((p) => p.id),
      outcome: r.outcome,
      endedAt: r.ended_at,
    };
  }
}
