/**
 * Canned responses and suggestions (migration 5, SPEC.md SP-CN1–SP-CN6). Global responses
 * have no owner; Personal ones belong to one account and are deleted with it. Same
 * database and connection as `SqliteStorage`; rows are decoded, not cast.
 *
 * Exports: `CannedStore` (class), `StoredResponse`, `StoredSuggestion`.
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import * as v from 'valibot';
import { CannedCategory, type CannedBody } from '../../protocol/index.ts';
import { decodeRow } from './row-schemas.ts';

const integer = v.pipe(v.number(), v.integer());

const ResponseRow = v.object({
  id: v.string(),
  owner_id: v.nullable(v.string()),
  category: CannedCategory,
  title: v.string(),
  body: v.string(),
  updated_at: integer,
});
const SuggestionRow = v.object({
  id: v.string(),
  account_id: v.string(),
  nickname: v.string(),
  name: v.string(),
  category: CannedCategory,
  title: v.string(),
  body: v.string(),
  created_at: integer,
  status: v.picklist(['pending', 'accepted', 'declined']),
});
const Count = v.object({ n: integer });

export type StoredResponse = CannedBody & {
  id: string;
  ownerId: string | null;
  updatedAt: number;
};

export type StoredSuggestion = CannedBody & {
  id: string;
  accountId: string;
  by: { nickname: string; name: string };
  createdAt: number;
  status: 'pending' | 'accepted' | 'declined';
};

export class CannedStore {
  readonly #s: Record<string, Statement>;

  constructor(db: Db) {
    const s = (sql: string): Statement => db.prepare(sql);
    this.#s = {
      visible: s(`SELECT * FROM canned_responses WHERE owner_id IS NULL OR owner_id = ?
        ORDER BY owner_id IS NOT NULL, category, title`),
      one: s('SELECT * FROM canned_responses WHERE id = ?'),
      insert:
        s(`INSERT INTO canned_responses (id, owner_id, category, title, body, created_at, updated_at)
        VALUES (@id, @ownerId, @category, @title, @body, @at, @at)`),
      update: s(`UPDATE canned_responses SET category = @category, title = @title, body = @body,
        updated_at = @at WHERE id = @id`),
      remove: s('DELETE FROM canned_responses WHERE id = ?'),
      countOwned: s('SELECT count(*) AS n FROM canned_responses WHERE owner_id = ?'),
      countGlobal: s('SELECT count(*) AS n FROM canned_responses WHERE owner_id IS NULL'),
      suggest:
        s(`INSERT INTO canned_suggestions (id, account_id, category, title, body, created_at, status)
        VALUES (@id, @accountId, @category, @title, @body, @at, 'pending')`),
      suggestions: s(`SELECT s.*, a.nickname, a.name FROM canned_suggestions s
        JOIN accounts a ON a.id = s.account_id WHERE s.status = 'pending' ORDER BY s.created_at`),
      suggestion: s(`SELECT s.*, a.nickname, a.name FROM canned_suggestions s
        JOIN accounts a ON a.id = s.account_id WHERE s.id = ?`),
      pendingOf: s(
        "SELECT count(*) AS n FROM canned_suggestions WHERE account_id = ? AND status = 'pending'",
      ),
      decide: s(`UPDATE canned_suggestions SET status = @status, decided_by = @by, decided_at = @at,
        response_id = @responseId WHERE id = @id AND status = 'pending'`),
    };
  }

  /** SP-CN1: the Global responses and this account's Personal ones. */
  visibleTo(accountId: string): StoredResponse[] {
    return this.#s['visible']!.all(accountId).map(toResponse);
  }

  find(id: string): StoredResponse | null {
    const row = this.#s['one']!.get(id);
    return row === undefined ? null : toResponse(row);
  }

  create(id: string, ownerId: string | null, body: CannedBody, at: number): StoredResponse {
    this.#s['insert']!.run({ id, ownerId, ...body, at });
    return { id, ownerId, ...body, updatedAt: at };
  }

  update(id: string, body: CannedBody, at: number): void {
    this.#s['update']!.run({ id, ...body, at });
  }

  remove(id: string): void {
    this.#s['remove']!.run(id);
  }

  countOwned(accountId: string): number {
    return decodeRow(Count, 'canned_responses', this.#s['countOwned']!.get(accountId)).n;
  }

  countGlobal(): number {
    return decodeRow(Count, 'canned_responses', this.#s['countGlobal']!.get()).n;
  }

  suggest(id: string, accountId: string, body: CannedBody, at: number): void {
    this.#s['suggest']!.run({ id, accountId, ...body, at });
  }

  pendingOf(accountId: string): number {
    return decodeRow(Count, 'canned_suggestions', this.#s['pendingOf']!.get(accountId)).n;
  }

  pending(): StoredSuggestion[] {
    return this.#s['suggestions']!.all().map(toSuggestion);
  }

  suggestion(id: string): StoredSuggestion | null {
    const row = this.#s['suggestion']!.get(id);
    return row === undefined ? null : toSuggestion(row);
  }

  /** Marks a pending suggestion decided; false when it was not pending (SP-CN5). */
  decide(
    id: string,
    status: 'accepted' | 'declined',
    by: string,
    at: number,
    responseId: string | null,
  ): boolean {
    return this.#s['decide']!.run({ id, status, by, at, responseId }).changes === 1;
  }
}

function toResponse(raw: unknown): StoredResponse {
  const row = decodeRow(ResponseRow, 'canned_responses', raw);
  return {
    id: row.id,
    ownerId: row.owner_id,
    category: row.category,
    title: row.title,
    body: row.body,
    updatedAt: row.updated_at,
  };
}

function toSuggestion(raw: unknown): StoredSuggestion {
  const row = decodeRow(SuggestionRow, 'canned_suggestions', raw);
  return {
    id: row.id,
    accountId: row.account_id,
    by: { nickname: row.nickname, name: row.name },
    category: row.category,
    title: row.title,
    body: row.body,
    createdAt: row.created_at,
    status: row.status,
  };
}
