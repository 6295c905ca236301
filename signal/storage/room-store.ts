/**
 * The Contributors room's history (migration 5, SPEC.md SP-CR2–SP-CR6): append a message
 * (once per author and id), read after a seq (catch-up), before a seq (paging).
 * Same database and connection as `SqliteStorage`; rows are decoded, not cast.
 *
 * Exports: `RoomStore` (class), `NewRoomMessage`.
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import * as v from 'valibot';
import type { RoomEntry } from '../../protocol/index.ts';
import { decodeRow } from './row-schemas.ts';

const integer = v.pipe(v.number(), v.integer());

const RoomRow = v.object({
  seq: integer,
  id: v.string(),
  kind: v.picklist(['message', 'alert']),
  author_nickname: v.nullable(v.string()),
  author_name: v.nullable(v.string()),
  text: v.string(),
  mentions: v.string(),
  link: v.nullable(v.string()),
  at: integer,
});
const Mentions = v.array(v.string());

export type NewRoomMessage = {
  id: string;
  kind: RoomEntry['kind'];
  author: { accountId: string; nickname: string; name: string } | null;
  text: string;
  mentions: string[];
  link?: string;
  at: number;
};

export class RoomStore {
  readonly #insert: Statement;
  readonly #byAuthor: Statement;
  readonly #after: Statement;
  readonly #before: Statement;
  readonly #latest: Statement;
  readonly #countAfter: Statement;
  readonly #minSeq: Statement;

  constructor(db: Db) {
    this.#insert = db.prepare(`
      INSERT INTO room_messages (id, kind, author_id, author_nickname, author_name, text, mentions, link, at)
      VALUES (@id, @kind, @authorId, @nickname, @name, @text, @mentions, @link, @at)`);
    this.#byAuthor = db.prepare('SELECT * FROM room_messages WHERE author_id = ? AND id = ?');
    this.#after = db.prepare('SELECT * FROM room_messages WHERE seq > ? ORDER BY seq LIMIT ?');
    this.#before = db.prepare(
      'SELECT * FROM room_messages WHERE seq < ? ORDER BY seq DESC LIMIT ?',
    );
    this.#latest = db.prepare('SELECT * FROM room_messages ORDER BY seq DESC LIMIT ?');
    this.#countAfter = db.prepare('SELECT count(*) AS n FROM room_messages WHERE seq > ?');
    this.#minSeq = db.prepare('SELECT min(seq) AS s FROM room_messages');
  }

  /** The message this author stored under `id`, if any (SP-CR6: a resend). */
  find(accountId: string, id: string): RoomEntry | null {
    const row = this.#byAuthor.get(accountId, id);
    return row === undefined ? null : toEntry(row);
  }

  /** SP-CR2: stores the message and returns it with its seq; a message this author
   * already stored under `id` is returned as stored (`fresh: false`), not stored again. */
  append(message: NewRoomMessage): { entry: RoomEntry; fresh: boolean } {
    if (message.author !== null) {
      const existing = this.#byAuthor.get(message.author.accountId, message.id);
      if (existing !== undefined) return { entry: toEntry(existing), fresh: false };
    }
    const result = this.#insert.run({
      id: message.id,
      kind: message.kind,
      authorId: message.author?.accountId ?? null,
      nickname: message.author?.nickname ?? null,
      name: message.author?.name ?? null,
      text: message.text,
      mentions: JSON.stringify(message.mentions),
      link: message.link ?? null,
      at: message.at,
    });
    const seq = Number(result.lastInsertRowid);
    const entry: RoomEntry = {
      seq,
      id: message.id,
      kind: message.kind,
      from:
        message.author === null
          ? null
          : { nickname: message.author.nickname, name: message.author.name },
      text: message.text,
      at: message.at,
      mentions: message.mentions,
    };
    if (message.link !== undefined) entry.link = message.link;
    return { entry, fresh: true };
  }

  /** Up to `limit` messages after `seq`, oldest first. */
  after(seq: number, limit: number): RoomEntry[] {
    return this.#after.all(seq, limit).map(toEntry);
  }

  /** Up to `limit` messages before `seq`, returned oldest first. */
  before(seq: number, limit: number): RoomEntry[] {
    return this.#before.all(seq, limit).map(toEntry).reverse();
  }

  /** The latest `limit` messages, oldest first. */
  latest(limit: number): RoomEntry[] {
    return this.#latest.all(limit).map(toEntry).reverse();
  }

  countAfter(seq: number): number {
    return decodeRow(v.object({ n: integer }), 'room_messages', this.#countAfter.get(seq)).n;
  }

  /** Whether any message older than `seq` exists. */
  hasBefore(seq: number): boolean {
    const row = decodeRow(
      v.object({ s: v.nullable(integer) }),
      'room_messages',
      this.#minSeq.get(),
    );
    return row.s !== null && row.s < seq;
  }
}

function toEntry(raw: unknown): RoomEntry {
  const row = decodeRow(RoomRow, 'room_messages', raw);
  const mentions = v.safeParse(Mentions, JSON.parse(row.mentions) as unknown);
  const entry: RoomEntry = {
    seq: row.seq,
    id: row.id,
    kind: row.kind,
    from:
      row.author_nickname === null || row.author_name === null
        ? null
        : { nickname: row.author_nickname, name: row.author_name },
    text: row.text,
    at: row.at,
    mentions: mentions.success ? mentions.output : [],
  };
  if (row.link !== null) entry.link = row.link;
  return entry;
}
