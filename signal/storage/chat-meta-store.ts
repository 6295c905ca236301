/**
 * Chat tags and labels in SQLite (SPEC.md SP-K5–SP-K7), beside the main storage on the
 * same database. A change replaces the chat's tags and label in one transaction;
 * the rows stay after the chat ends, so the statistics (SP-K6) count every chat.
 *
 * Exports: `ChatMetaStore` (class).
 */
import type { Database as Db } from 'better-sqlite3';
import * as v from 'valibot';
import {
  LIMITS,
  dayStart,
  periodOf,
  periodsOf,
  type TagStatsQuery,
  type TagStatsView,
  type UsedTagsView,
} from '../../protocol/index.ts';
import type { ChatMetaRecord, PersistChange } from '../core/records.ts';
import { decodeRow } from './row-schemas.ts';

const DAY_MS = 86_400_000;

const TagRow = v.object({ chat_id: v.string(), tag: v.string() });
const LabelRow = v.object({ chat_id: v.string(), label: v.string() });
const TagAtRow = v.object({ tag: v.string(), chat_at: v.number() });
const UsedRow = v.object({ tag: v.string(), chats: v.number() });

function prepare(db: Db) {
  const s = (sql: string) => db.prepare(sql);
  return {
    addTag: s(
      'INSERT INTO chat_tags (chat_id, tag, chat_at, added_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    dropTagsBut: s(
      'DELETE FROM chat_tags WHERE chat_id = ? AND tag NOT IN (SELECT value FROM json_each(?))',
    ),
    setLabel: s(`
      INSERT INTO chat_labels (chat_id, label, updated_at) VALUES (?, ?, ?)
      ON CONFLICT (chat_id) DO UPDATE SET label = excluded.label, updated_at = excluded.updated_at`),
    dropLabel: s('DELETE FROM chat_labels WHERE chat_id = ?'),
    tagsOfChats: s(
      'SELECT chat_id, tag FROM chat_tags WHERE chat_id IN (SELECT value FROM json_each(?)) ORDER BY added_at, rowid',
    ),
    labelsOfChats: s(
      'SELECT chat_id, label FROM chat_labels WHERE chat_id IN (SELECT value FROM json_each(?))',
    ),
    tagsBetween: s('SELECT tag, chat_at FROM chat_tags WHERE chat_at >= ? AND chat_at < ?'),
    used: s(
      'SELECT tag, COUNT(*) AS chats FROM chat_tags GROUP BY tag ORDER BY chats DESC, tag LIMIT ?',
    ),
  };
}

export class ChatMetaStore {
  readonly #q: ReturnType<typeof prepare>;
  readonly #write: (change: Extract<PersistChange, { op: 'chat_meta' }>) => void;

  constructor(db: Db) {
    this.#q = prepare(db);
    this.#write = db.transaction((change: Extract<PersistChange, { op: 'chat_meta' }>) => {
      const { chatId, chatAt, at, meta } = change;
      this.#q.dropTagsBut.run(chatId, JSON.stringify(meta.tags));
      for (const tag of meta.tags) this.#q.addTag.run(chatId, tag, chatAt, at);
      if (meta.label === '') this.#q.dropLabel.run(chatId);
      else this.#q.setLabel.run(chatId, meta.label, at);
    });
  }

  /** SP-K5: applies a `chat_meta` change; idempotent, like every persisted change. */
  write(change: Extract<PersistChange, { op: 'chat_meta' }>): void {
    this.#write(change);
  }

  /** The tags and labels of the chats named (open chats at start, SP-K5). */
  metaOf(chatIds: readonly string[]): Record<string, ChatMetaRecord> {
    const out: Record<string, ChatMetaRecord> = {};
    const ids = JSON.stringify(chatIds);
    const entry = (chatId: string) => (out[chatId] ??= { tags: [], label: '' });
    for (const row of this.#q.tagsOfChats.all(ids)) {
      const r = decodeRow(TagRow, 'chat_tags', row);
      entry(r.chat_id).tags.push(r.tag);
    }
    for (const row of this.#q.labelsOfChats.all(ids)) {
      const r = decodeRow(LabelRow, 'chat_labels', row);
      entry(r.chat_id).label = r.label;
    }
    return out;
  }

  /** SP-K6: chats per tag per period of the range, most used tags first. */
  tagStats(query: TagStatsQuery): TagStatsView {
    const periods = periodsOf(query.from, query.to, query.bucket);
    const index = new Map(periods.map((p, i) => [p, i]));
    const counts = new Map<string, number[]>();
    const rows = this.#q.tagsBetween.all(dayStart(query.from), dayStart(query.to) + DAY_MS);
    for (const row of rows) {
      const r = decodeRow(TagAtRow, 'chat_tags', row);
      const i = index.get(periodOf(r.chat_at, query.bucket));
      if (i === undefined) continue;
      let line = counts.get(r.tag);
      if (line === undefined) {
        line = periods.map(() => 0);
        counts.set(r.tag, line);
      }
      line[i] = (line[i] ?? 0) + 1;
    }
    const tags = [...counts]
      .map(([tag, line]) => ({ tag, total: line.reduce((a, b) => a + b, 0), counts: line }))
      .sort((a, b) => b.total - a.total || (a.tag < b.tag ? -1 : 1));
    return { from: query.from, to: query.to, bucket: query.bucket, periods, tags };
  }

  /** SP-K7: the team's tags, most used first. */
  usedTags(): UsedTagsView {
    const rows = this.#q.used.all(LIMITS.maxUsedTags);
    return { tags: rows.map((row) => decodeRow(UsedRow, 'chat_tags', row)) };
  }
}
