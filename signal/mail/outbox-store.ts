/**
 * The email outbox in SQLite (migration 3). Every email is one row, found again by a
 * `dedupe_key` (`transcript:<chatId>`, `ticket-answer:<entry id>`…), so asking twice
 * for the same email queues it once. A row's life:
 *
 *   waiting ──(transcript archived)──▶ ready ──claim──▶ sending ──250 OK──▶ sent
 *      │                                 ▲                 │
 *      └─(none by its deadline)─▶ no_transcript            ├─(failure)─▶ ready, later (backoff)
 *                                                          └─(5xx, or too old)─▶ failed
 *
 * Exactly once, and the crash in between: a row is claimed (`sending`, committed)
 * before the mail server is contacted, and marked `sent` (committed) when the server
 * has said 250. A crash between the two leaves the row `sending`; at the next start
 * such a row becomes `uncertain` and is NOT sent again, because SMTP gives no way to
 * ask whether the server kept the message. So a crash in that window (milliseconds
 * around the end of one SMTP transaction) may lose that one email but never sends it
 * twice; the row stays visible as `uncertain` with its stable Message-ID. A mailer
 * whose sends are idempotent (the `.eml` file mailer) puts such rows back to `ready`.
 *
 * Exports: `OutboxStore` (class), `OutboxRow`, `OutboxState`, `NewMail`.
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import * as v from 'valibot';
import { decodeRow } from '../storage/row-schemas.ts';

const integer = v.pipe(v.number(), v.integer());

export const OutboxState = v.picklist([
  'waiting',
  'ready',
  'sending',
  'sent',
  'failed',
  'uncertain',
  'no_transcript',
]);
export type OutboxState = v.InferOutput<typeof OutboxState>;

const OutboxRowSchema = v.object({
  id: v.string(),
  dedupe_key: v.string(),
  kind: v.string(),
  recipient: v.string(),
  chat_id: v.nullable(v.string()),
  message_id: v.string(),
  state: OutboxState,
  raw: v.nullable(v.string()),
  attempts: integer,
  next_attempt_at: integer,
  created_at: integer,
  deadline_at: integer,
  claimed_at: v.nullable(integer),
  sent_at: v.nullable(integer),
  last_error: v.nullable(v.string()),
});

export type OutboxRow = {
  id: string;
  dedupeKey: string;
  kind: string;
  recipient: string;
  chatId: string | null;
  messageId: string;
  state: OutboxState;
  raw: string | null;
  attempts: number;
  nextAttemptAt: number;
  createdAt: number;
  deadlineAt: number;
  claimedAt: number | null;
  sentAt: number | null;
  lastError: string | null;
};

export type NewMail = {
  id: string;
  dedupeKey: string;
  kind: string;
  recipient: string;
  chatId: string | null;
  messageId: string;
  /** Null: the message is built later (a transcript not archived yet: `waiting`). */
  raw: string | null;
  at: number;
  /** Until when a `waiting` row may wait for its transcript. */
  deadlineAt: number;
};

function toRow(row: unknown): OutboxRow {
  const r = decodeRow(OutboxRowSchema, 'mail_outbox', row);
  return {
    id: r.id,
    dedupeKey: r.dedupe_key,
    kind: r.kind,
    recipient: r.recipient,
    chatId: r.chat_id,
    messageId: r.message_id,
    state: r.state,
    raw: r.raw,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    createdAt: r.created_at,
    deadlineAt: r.deadline_at,
    claimedAt: r.claimed_at,
    sentAt: r.sent_at,
    lastError: r.last_error,
  };
}

export class OutboxStore {
  readonly #q: Record<string, Statement>;
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
    const s = (sql: string): Statement => db.prepare(sql);
    this.#q = {
      insert: s(`
        INSERT INTO mail_outbox (id, dedupe_key, kind, recipient, chat_id, message_id, state, raw,
          attempts, next_attempt_at, created_at, deadline_at)
        VALUES (@id, @dedupeKey, @kind, @recipient, @chatId, @messageId, @state, @raw, 0, @at, @at,
          @deadlineAt)
        ON CONFLICT (dedupe_key) DO NOTHING`),
      byKey: s('SELECT * FROM mail_outbox WHERE dedupe_key = ?'),
      byId: s('SELECT * FROM mail_outbox WHERE id = ?'),
      due: s(`
        SELECT * FROM mail_outbox WHERE state IN ('waiting', 'ready') AND next_attempt_at <= ?
        ORDER BY next_attempt_at, id LIMIT ?`),
      nextDue: s(
        "SELECT min(next_attempt_at) AS at FROM mail_outbox WHERE state IN ('waiting', 'ready')",
      ),
      ready: s(
        "UPDATE mail_outbox SET state = 'ready', raw = ?, next_attempt_at = ? WHERE id = ? AND state = 'waiting'",
      ),
      postpone: s(
        "UPDATE mail_outbox SET next_attempt_at = ? WHERE id = ? AND state IN ('waiting', 'ready')",
      ),
      noTranscript: s(
        "UPDATE mail_outbox SET state = 'no_transcript' WHERE id = ? AND state = 'waiting'",
      ),
      claim: s(`
        UPDATE mail_outbox SET state = 'sending', claimed_at = ?, attempts = attempts + 1
        WHERE id = ? AND state = 'ready'`),
      // The message is no longer needed once sent: it may hold a follow-up link.
      sent: s(
        "UPDATE mail_outbox SET state = 'sent', sent_at = ?, raw = NULL, last_error = NULL WHERE id = ? AND state = 'sending'",
      ),
      retry: s(
        "UPDATE mail_outbox SET state = 'ready', next_attempt_at = ?, last_error = ? WHERE id = ? AND state = 'sending'",
      ),
      failed: s(
        "UPDATE mail_outbox SET state = 'failed', raw = NULL, last_error = ? WHERE id = ? AND state = 'sending'",
      ),
      interrupted: s(
        "UPDATE mail_outbox SET state = ?, last_error = 'the service stopped during the send' WHERE state = 'sending'",
      ),
      all: s('SELECT * FROM mail_outbox ORDER BY created_at, id'),
    };
  }

  /** Queues an email unless one with the same key exists; returns the row either way. */
  add(mail: NewMail): { row: OutboxRow; added: boolean } {
    const added =
      this.#q['insert']!.run({ ...mail, state: mail.raw === null ? 'waiting' : 'ready' })
        .changes === 1;
    return { row: toRow(this.#q['byKey']!.get(mail.dedupeKey)), added };
  }

  /** Queues an email only if `stillStored()` says what it is about is still stored,
   * checked in the same transaction as the insert (SP-PV11): an email built while "forget
   * this visitor" erased them is dropped, never written after the erasure. */
  addIfStored(mail: NewMail, stillStored: () => boolean): boolean {
    return this.#db.transaction(() => {
      if (!stillStored()) return false;
      return this.add(mail).added;
    })();
  }

  byKey(key: string): OutboxRow | null {
    const row: unknown = this.#q['byKey']!.get(key);
    return row === undefined ? null : toRow(row);
  }

  byId(id: string): OutboxRow | null {
    const row: unknown = this.#q['byId']!.get(id);
    return row === undefined ? null : toRow(row);
  }

  due(now: number, limit: number): OutboxRow[] {
    return this.#q['due']!.all(now, limit).map(toRow);
  }

  /** The earliest time a row is due, or null when nothing waits. */
  nextDue(): number | null {
    const row = this.#q['nextDue']!.get() as { at: number | null } | undefined;
    return typeof row?.at === 'number' ? row.at : null;
  }

  markReady(id: string, raw: string, at: number): void {
    this.#q['ready']!.run(raw, at, id);
  }

  postpone(id: string, at: number): void {
    this.#q['postpone']!.run(at, id);
  }

  markNoTranscript(id: string): void {
    this.#q['noTranscript']!.run(id);
  }

  /** Takes a ready row for one attempt; false when someone else has it or it is not ready. */
  claim(id: string, now: number): boolean {
    return this.#q['claim']!.run(now, id).changes === 1;
  }

  markSent(id: string, now: number): void {
    this.#q['sent']!.run(now, id);
  }

  retryAt(id: string, at: number, error: string): void {
    this.#q['retry']!.run(at, error.slice(0, 500), id);
  }

  markFailed(id: string, error: string): void {
    this.#q['failed']!.run(error.slice(0, 500), id);
  }

  /** At start: rows a crash left `sending`. Returns how many were found. */
  recoverInterrupted(resendable: boolean): number {
    return this.#q['interrupted']!.run(resendable ? 'ready' : 'uncertain').changes;
  }

  all(): OutboxRow[] {
    return this.#q['all']!.all().map(toRow);
  }
}
