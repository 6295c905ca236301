/**
 * F32 retention (SPEC.md SP-PV4, SP-PV5) on a real SQLite database with a fake clock:
 * tickets, left messages and ended blocks past their period are deleted (a ticket
 * with its messages, links and alerts), newer ones are kept, and a block's IP
 * address is cleared the moment the block ends, while one in force keeps it; a left
 * message's and an ended chat's IP address are cleared after `ipRetentionDays` (SP-PV6).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sweepRetention } from '../../../signal/privacy/retention-sweep.ts';
import { openSqliteStorage, type SqliteStorage } from '../../../signal/storage/sqlite-storage.ts';

const DAY = 24 * 60 * 60 * 1000;
const settings = {
  ticketRetentionDays: 100,
  leftMessageRetentionDays: 50,
  endedBlockRetentionDays: 10,
  ipRetentionDays: 7,
};

describe('retention sweep (SP-PV4, SP-PV5)', () => {
  let dir: string;
  let storage: SqliteStorage;
  const now = Date.UTC(2026, 5, 1);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'peerdesk-retention-'));
    storage = openSqliteStorage(join(dir, 'peerdesk.sqlite'));
  });
  afterEach(() => {
    storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const db = () => storage.database;
  function ticket(id: string, updatedAt: number): void {
    db()
      .prepare(
        `INSERT INTO tickets (id, source, chat_id, visitor_id, visitor_name, email, department,
           subject, status, created_at, updated_at)
         VALUES (?, 'chat', ?, 'v-' || ?, 'Vera', 'vera@example.org', 'general', 'Help', 'open', ?, ?)`,
      )
      .run(id, `chat-${id}`, id, updatedAt, updatedAt);
    db()
      .prepare(
        `INSERT INTO ticket_messages (ticket_id, author_role, author_name, body, at) VALUES (?, 'visitor', 'Vera', 'hi', ?)`,
      )
      .run(id, updatedAt);
    db()
      .prepare(`INSERT INTO follow_up_links (token_hash, ticket_id, created_at) VALUES (?, ?, ?)`)
      .run(`hash-${id}`, id, updatedAt);
    db()
      .prepare(`INSERT INTO ticket_alerts (account_id, ticket_id, at) VALUES ('alice', ?, ?)`)
      .run(id, updatedAt);
  }
  function leftMessage(id: string, at: number): void {
    db()
      .prepare(
        `INSERT INTO left_messages (id, visitor_id, ip, name, email, department, message, created_at)
         VALUES (?, 'v-left', '198.51.100.7', 'Lou', NULL, 'general', 'call me', ?)`,
      )
      .run(id, at);
  }
  function block(id: string, until: number, liftedAt: number | null = null): void {
    db()
      .prepare(
        `INSERT INTO blocks (id, visitor_id, ip, reason, by_participant, created_at, until, lifted_at)
         VALUES (?, 'v-block', '203.0.113.5', 'abuse', 'alice', ?, ?, ?)`,
      )
      .run(id, until - DAY, until, liftedAt);
  }
  const ids = (table: string) =>
    db().prepare(`SELECT id FROM ${table} ORDER BY id`).pluck().all() as string[];
  const count = (sql: string) => db().prepare(sql).pluck().get() as number;

  it('SP-PV4 deletes what is past its period, with what hangs on it, and keeps the rest', () => {
    ticket('old', now - 101 * DAY);
    ticket('new', now - 99 * DAY);
    leftMessage('old', now - 51 * DAY);
    leftMessage('new', now - 49 * DAY);
    block('ended-long-ago', now - 11 * DAY);
    block('lifted-long-ago', now + 5 * DAY, now - 11 * DAY);
    block('ended-lately', now - 9 * DAY);

    const erased = sweepRetention(db(), settings, now);

    expect(erased).toMatchObject({
      tickets: 1,
      ticketMessages: 1,
      followUpLinks: 1,
      ticketAlerts: 1,
    });
    expect(ids('tickets')).toEqual(['new']);
    for (const table of ['ticket_messages', 'follow_up_links', 'ticket_alerts']) {
      expect(count(`SELECT count(*) FROM ${table} WHERE ticket_id = 'old'`), table).toBe(0);
      expect(count(`SELECT count(*) FROM ${table} WHERE ticket_id = 'new'`), table).toBe(1);
    }
    expect(ids('left_messages')).toEqual(['new']);
    expect(ids('blocks')).toEqual(['ended-lately']);
    // A second sweep at the same time finds nothing more.
    expect(Object.values(sweepRetention(db(), settings, now)).every((n) => n === 0)).toBe(true);
  });

  it('SP-PV5 a block keeps its IP address while in force, and loses it when it ends or is lifted', () => {
    block('in-force', now + DAY);
    block('expired', now - DAY);
    block('lifted', now + DAY, now - 1000);
    sweepRetention(db(), settings, now);
    const ips = db().prepare('SELECT id, ip FROM blocks ORDER BY id').all();
    expect(ips).toEqual([
      { id: 'expired', ip: null },
      { id: 'in-force', ip: '203.0.113.5' },
      { id: 'lifted', ip: null },
    ]);
  });

  it('SP-PV6 a left message and an ended chat keep their IP address for ipRetentionDays, then lose only it', () => {
    leftMessage('old', now - 8 * DAY);
    leftMessage('new', now - 6 * DAY);
    const closed = (chatId: string, endedAt: number) =>
      db()
        .prepare(
          `INSERT INTO closed_chats (chat_id, outcome, ended_at, department, visitor_id, enqueued_at, started_at, record)
           VALUES (?, 'ended', ?, 'general', 'v-chat', ?, ?, ?)`,
        )
        .run(
          chatId,
          endedAt,
          endedAt - DAY,
          endedAt - DAY,
          JSON.stringify({ chatId, ip: '192.0.2.44', details: { name: 'Cleo' } }),
        );
    closed('chat-old', now - 8 * DAY);
    closed('chat-new', now - 6 * DAY);

    const erased = sweepRetention(db(), settings, now);

    expect(erased).toMatchObject({ leftMessageIps: 1, closedChatIps: 1 });
    expect(db().prepare('SELECT id, ip, message FROM left_messages ORDER BY id').all()).toEqual([
      { id: 'new', ip: '198.51.100.7', message: 'call me' },
      { id: 'old', ip: '', message: 'call me' },
    ]);
    const records = db()
      .prepare('SELECT chat_id, record FROM closed_chats ORDER BY chat_id')
      .all() as { chat_id: string; record: string }[];
    expect(records.map((r) => [r.chat_id, JSON.parse(r.record)])).toEqual([
      ['chat-new', { chatId: 'chat-new', ip: '192.0.2.44', details: { name: 'Cleo' } }],
      ['chat-old', { chatId: 'chat-old', ip: '', details: { name: 'Cleo' } }],
    ]);
    // Nothing of an IP address is left past the period anywhere a sweep reaches.
    expect(sweepRetention(db(), settings, now)).toMatchObject({
      leftMessageIps: 0,
      closedChatIps: 0,
    });
  });
});
