/**
 * The transcript archive's tables (migration 3, archive-schema.ts; SPEC.md SP-U1–SP-U9):
 * transcripts with their text in an FTS5 index, kept file bytes, and survey ratings.
 * Same database and connection as `SqliteStorage`; rows are decoded, not cast
 * (STYLE.md point 3). Nothing here checks an upload: `signal/archive/transcript-check.ts`
 * does that before anything is stored.
 *
 * Exports: `ArchiveStore` (class), `ClosedChat`, `StoredTranscript`, `SearchFilter`.
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import * as v from 'valibot';
import {
  ArchivedFile,
  ArchivedMessage,
  TranscriptHelper,
  type ChatRating,
  type Transcript,
  type TranscriptStatus,
  type TranscriptSummary,
} from '../../protocol/index.ts';
import {
  ParticipantJson,
  RequestDetailsJson,
  VisitorIdentityJson,
  decodeRow,
  json,
} from './row-schemas.ts';

const integer = v.pipe(v.number(), v.integer());

/** An ended chat as the switchboard recorded it when it closed (closed_chats). */
export type ClosedChat = v.InferOutput<typeof ClosedChatRow>;

const ClosedChatRow = v.object({
  chat_id: v.string(),
  outcome: v.picklist(['cancelled', 'left_message', 'blocked', 'ended']),
  ended_at: integer,
  department: v.string(),
  started_at: v.nullable(integer),
  record: json(
    v.object({
      visitor: VisitorIdentityJson,
      details: RequestDetailsJson,
      participants: v.array(ParticipantJson),
    }),
  ),
});

const TranscriptRow = v.object({
  chat_id: v.string(),
  status: v.picklist(['archived', 'not_archived']),
  department: v.string(),
  visitor_id: v.string(),
  visitor_name: v.string(),
  visitor_email: v.nullable(v.string()),
  started_at: v.nullable(integer),
  ended_at: integer,
  archived_at: v.nullable(integer),
  helpers: json(v.array(TranscriptHelper)),
  messages: json(v.array(ArchivedMessage)),
  files: json(v.array(ArchivedFile)),
});

const SummaryRow = v.object({
  chat_id: v.string(),
  status: v.picklist(['archived', 'not_archived']),
  department: v.string(),
  visitor_name: v.string(),
  helpers: json(v.array(TranscriptHelper)),
  ended_at: integer,
  stars: v.nullable(integer),
  snippet: v.nullable(v.string()),
  message_count: integer,
});

const RatingRow = v.object({ stars: integer, comment: v.nullable(v.string()), rated_at: integer });
const ChatIdRow = v.object({ chat_id: v.string() });
const TagRow = v.object({ tag: v.string() });
const FileRow = v.object({ bytes: v.instance(Uint8Array) });

/** What `store` writes: a checked transcript and the names it is shown with. */
export type StoredTranscript = {
  chatId: string;
  department: string;
  visitor: { id: string; name: string; email: string | null };
  startedAt: number | null;
  endedAt: number;
  archivedAt: number;
  uploadedBy: string;
  helpers: { id: string; name: string }[];
  messages: ArchivedMessage[];
  files: ArchivedFile[];
  doc: Uint8Array;
  docSha256: string;
  /** The bytes kept per file (SP-U4), by SHA-256. */
  fileBytes: Map<string, Uint8Array>;
};

export type SearchFilter = {
  /** An FTS5 query already made safe (see `ftsQuery` in archive-search.ts), or null. */
  match: string | null;
  helper: string | null;
  department: string | null;
  stars: number | null;
  from: number | null;
  to: number | null;
  /** Only chats carrying this tag (chat_tags, SPEC.md SP-K5), or null for any. */
  tag: string | null;
  limit: number;
};

type Statements = ReturnType<typeof prepare>;

function prepare(db: Db) {
  const s = (sql: string): Statement => db.prepare(sql);
  return {
    closedChat: s(
      'SELECT chat_id, outcome, ended_at, department, started_at, record FROM closed_chats WHERE chat_id = ?',
    ),
    // Ended chats with no transcript row, ended at or before a time (SP-U8).
    unarchivedEnded: s(`
      SELECT c.chat_id, c.outcome, c.ended_at, c.department, c.started_at, c.record
      FROM closed_chats c LEFT JOIN transcripts t ON t.chat_id = c.chat_id
      WHERE c.outcome = 'ended' AND c.ended_at <= ? AND c.ended_at >= ? AND t.chat_id IS NULL
      ORDER BY c.ended_at LIMIT 500`),
    status: s('SELECT status FROM transcripts WHERE chat_id = ?'),
    // An archived transcript is never replaced (SP-U3); a "not archived" mark is, by a
    // late upload.
    upsert: s(`
      INSERT INTO transcripts (chat_id, status, department, visitor_id, visitor_name,
        visitor_email, started_at, ended_at, archived_at, uploaded_by, helpers, messages, files,
        doc, doc_sha256)
      VALUES (@chatId, @status, @department, @visitorId, @visitorName, @visitorEmail,
        @startedAt, @endedAt, @archivedAt, @uploadedBy, @helpers, @messages, @files, @doc,
        @docSha256)
      ON CONFLICT (chat_id) DO UPDATE SET status = excluded.status,
        archived_at = excluded.archived_at, uploaded_by = excluded.uploaded_by,
        helpers = excluded.helpers, messages = excluded.messages, files = excluded.files,
        doc = excluded.doc, doc_sha256 = excluded.doc_sha256
      WHERE transcripts.status = 'not_archived' AND excluded.status = 'archived'`),
    rowid: s('SELECT rowid AS id FROM transcripts WHERE chat_id = ?'),
    insertHelper: s(
      'INSERT INTO transcript_helpers (chat_id, account_id) VALUES (?, ?) ON CONFLICT DO NOTHING',
    ),
    deleteText: s('DELETE FROM transcript_text WHERE rowid = ?'),
    insertText: s('INSERT INTO transcript_text (rowid, body) VALUES (?, ?)'),
    insertFile: s(
      'INSERT INTO transcript_files (chat_id, sha256, bytes) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    file: s('SELECT bytes FROM transcript_files WHERE chat_id = ? AND sha256 = ?'),
    transcript: s('SELECT * FROM transcripts WHERE chat_id = ?'),
    rate: s(`
      INSERT INTO chat_ratings (chat_id, stars, comment, rated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (chat_id) DO NOTHING`),
    rating: s('SELECT stars, comment, rated_at FROM chat_ratings WHERE chat_id = ?'),
    tags: s('SELECT tag FROM chat_tags WHERE chat_id = ? ORDER BY added_at, rowid'),
    // SP-PN3: the time the visitor acknowledged the privacy notice, from the chat's record.
    privacyAck: s(
      "SELECT json_extract(record, '$.details.privacyAcknowledgedAt') FROM closed_chats WHERE chat_id = ?",
    ),
    expiredTranscripts: s('SELECT chat_id FROM transcripts WHERE ended_at < ?'),
    deleteTranscript: s('DELETE FROM transcripts WHERE chat_id = ?'),
    deleteRatings: s('DELETE FROM chat_ratings WHERE rated_at < ?'),
  };
}

export class ArchiveStore {
  readonly #db: Db;
  readonly #q: Statements;

  constructor(db: Db) {
    this.#db = db;
    this.#q = prepare(db);
  }

  closedChat(chatId: string): ClosedChat | null {
    const row: unknown = this.#q.closedChat.get(chatId);
    return row === undefined ? null : decodeRow(ClosedChatRow, 'closed_chats', row);
  }

  /** Ended chats no helper archived, ended between `endedAfter` and `endedBy` (SP-U8):
   * a chat retention has already removed is not marked again. */
  unarchivedEnded(endedBy: number, endedAfter: number): ClosedChat[] {
    return this.#q.unarchivedEnded
      .all(endedBy, endedAfter)
      .map((row) => decodeRow(ClosedChatRow, 'closed_chats', row));
  }

  status(chatId: string): TranscriptStatus | null {
    const row = this.#q.status.get(chatId) as { status?: unknown } | undefined;
    return row?.status === 'archived' || row?.status === 'not_archived' ? row.status : null;
  }

  /**
   * Stores a checked transcript with its search text and kept files, all or nothing.
   * Returns false, and changes nothing, when the chat is archived already (SP-U3).
   */
  store(t: StoredTranscript): boolean {
    return this.#db.transaction(() => {
      const changes = this.#q.upsert.run({
        chatId: t.chatId,
        status: 'archived',
        department: t.department,
        visitorId: t.visitor.id,
        visitorName: t.visitor.name,
        visitorEmail: t.visitor.email,
        startedAt: t.startedAt,
        endedAt: t.endedAt,
        archivedAt: t.archivedAt,
        uploadedBy: t.uploadedBy,
        helpers: JSON.stringify(t.helpers),
        messages: JSON.stringify(t.messages),
        files: JSON.stringify(t.files),
        doc: t.doc,
        docSha256: t.docSha256,
      }).changes;
      if (changes === 0) return false;
      this.#index(t.chatId, t.helpers, searchText(t.messages, t.visitor.name));
      for (const [sha256, bytes] of t.fileBytes) this.#q.insertFile.run(t.chatId, sha256, bytes);
      return true;
    })();
  }

  /** SP-U8: the chat ended and nobody uploaded it; its facts stay findable. */
  markNotArchived(chat: ClosedChat): void {
    const visitor = chat.record.participants.find((p) => p.role === 'visitor');
    const helpers = helpersOf(chat);
    this.#db.transaction(() => {
      const changes = this.#q.upsert.run({
        chatId: chat.chat_id,
        status: 'not_archived',
        department: chat.department,
        visitorId: chat.record.visitor.visitorId,
        visitorName: visitor?.name ?? chat.record.details.name,
        visitorEmail: chat.record.details.email,
        startedAt: chat.started_at,
        endedAt: chat.ended_at,
        archivedAt: null,
        uploadedBy: null,
        helpers: JSON.stringify(helpers),
        messages: '[]',
        files: '[]',
        doc: null,
        docSha256: null,
      }).changes;
      if (changes > 0) this.#index(chat.chat_id, helpers, chat.record.details.name);
    })();
  }

  #index(chatId: string, helpers: readonly { id: string }[], text: string): void {
    const rowid = (this.#q.rowid.get(chatId) as { id: number } | undefined)?.id;
    if (rowid === undefined) return;
    this.#q.deleteText.run(rowid);
    this.#q.insertText.run(rowid, text);
    for (const helper of helpers) this.#q.insertHelper.run(chatId, helper.id);
  }

  /** The chat's tags as the service keeps them (SPEC.md SP-K1–SP-K5), in the order added. */
  tagsOf(chatId: string): string[] {
    return this.#q.tags.all(chatId).map((row) => decodeRow(TagRow, 'chat_tags', row).tag);
  }

  /** The transcript as staff read it. */
  transcript(chatId: string): Transcript | null {
    const raw: unknown = this.#q.transcript.get(chatId);
    if (raw === undefined) return null;
    const row = decodeRow(TranscriptRow, 'transcripts', raw);
    return {
      chatId: row.chat_id,
      status: row.status,
      department: row.department,
      visitor: { id: row.visitor_id, name: row.visitor_name, email: row.visitor_email },
      helpers: row.helpers,
      startedAt: row.started_at,
      endedAt: row.ended_at,
      archivedAt: row.archived_at,
      rating: this.rating(chatId),
      tags: this.tagsOf(chatId),
      ...this.#privacyAck(chatId),
      messages: row.messages,
      files: row.files,
    };
  }

  #privacyAck(chatId: string): { privacyAcknowledgedAt?: number } {
    const at: unknown = this.#q.privacyAck.pluck().get(chatId);
    return typeof at === 'number' ? { privacyAcknowledgedAt: at } : {};
  }

  file(chatId: string, sha256: string): Uint8Array | null {
    const row: unknown = this.#q.file.get(chatId, sha256);
    return row === undefined ? null : decodeRow(FileRow, 'transcript_files', row).bytes;
  }

  search(filter: SearchFilter): TranscriptSummary[] {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit };
    let from = 'transcripts t';
    let snippet = "substr(json_extract(t.messages, '$[0].body'), 1, 160)";
    if (filter.match !== null) {
      from += ' JOIN transcript_text x ON x.rowid = t.rowid';
      where.push('transcript_text MATCH @match');
      params['match'] = filter.match;
      snippet = "snippet(transcript_text, 0, '[', ']', '…', 16)";
    }
    if (filter.helper !== null) {
      where.push(
        'EXISTS (SELECT 1 FROM transcript_helpers h WHERE h.chat_id = t.chat_id AND h.account_id = @helper)',
      );
      params['helper'] = filter.helper;
    }
    if (filter.department !== null) {
      where.push('t.department = @department');
      params['department'] = filter.department;
    }
    if (filter.stars !== null) {
      where.push('r.stars = @stars');
      params['stars'] = filter.stars;
    }
    if (filter.from !== null) {
      where.push('t.ended_at >= @from');
      params['from'] = filter.from;
    }
    if (filter.to !== null) {
      where.push('t.ended_at < @to');
      params['to'] = filter.to;
    }
    if (filter.tag !== null) {
      where.push('EXISTS (SELECT 1 FROM chat_tags g WHERE g.chat_id = t.chat_id AND g.tag = @tag)');
      params['tag'] = filter.tag;
    }
    const sql = `
      SELECT t.chat_id, t.status, t.department, t.visitor_name, t.helpers, t.ended_at,
        r.stars AS stars, ${snippet} AS snippet, json_array_length(t.messages) AS message_count
      FROM ${from} LEFT JOIN chat_ratings r ON r.chat_id = t.chat_id
      ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY t.ended_at DESC, t.chat_id LIMIT @limit`;
    return this.#db
      .prepare(sql)
      .all(params)
      .map((raw) => {
        const row = decodeRow(SummaryRow, 'transcripts', raw);
        return {
          chatId: row.chat_id,
          status: row.status,
          department: row.department,
          visitorName: row.visitor_name,
          helpers: row.helpers,
          endedAt: row.ended_at,
          stars: row.stars,
          tags: this.tagsOf(row.chat_id),
          snippet: (row.snippet ?? '').slice(0, 1000),
          messages: row.message_count,
        } satisfies TranscriptSummary;
      });
  }

  /** The helpers and departments transcripts have, for the search form (SP-U5). */
  filters(): { helpers: { id: string; name: string }[]; departments: string[] } {
    const helpers = this.#db
      .prepare(
        `SELECT j.value ->> '$.id' AS id, max(j.value ->> '$.name') AS name
         FROM transcripts t, json_each(t.helpers) j GROUP BY 1 ORDER BY 2 LIMIT 1000`,
      )
      .all()
      .map((row) => decodeRow(TranscriptHelper, 'transcripts', row));
    const departments = this.#db
      .prepare('SELECT DISTINCT department AS id FROM transcripts ORDER BY 1 LIMIT 1000')
      .all()
      .map((row) => decodeRow(v.object({ id: v.string() }), 'transcripts', row).id);
    return { helpers, departments };
  }

  /** F24: the first answer counts; false when the chat was rated already. */
  rate(chatId: string, stars: number, comment: string | null, at: number): boolean {
    return this.#q.rate.run(chatId, stars, comment, at).changes > 0;
  }

  rating(chatId: string): ChatRating | null {
    const raw: unknown = this.#q.rating.get(chatId);
    if (raw === undefined) return null;
    const row = decodeRow(RatingRow, 'chat_ratings', raw);
    return { stars: row.stars, comment: row.comment, at: row.rated_at };
  }

  /** SP-U9: deletes transcripts of chats ended before `cutoff`, their text, files and
   * helpers, and ratings given before it. Returns the transcripts deleted. */
  deleteBefore(cutoff: number): string[] {
    return this.#db.transaction(() => {
      const expired = this.#q.expiredTranscripts
        .all(cutoff)
        .map((row) => decodeRow(ChatIdRow, 'transcripts', row).chat_id);
      for (const chatId of expired) {
        const rowid = (this.#q.rowid.get(chatId) as { id: number } | undefined)?.id;
        if (rowid !== undefined) this.#q.deleteText.run(rowid);
        this.#q.deleteTranscript.run(chatId);
      }
      this.#q.deleteRatings.run(cutoff);
      return expired;
    })();
  }
}

/** The helpers who took part, in the order they joined, monitors left out. */
export function helpersOf(chat: ClosedChat): { id: string; name: string }[] {
  return chat.record.participants
    .filter((p) => p.role === 'helper')
    .map((p) => ({ id: p.id, name: p.name }));
}

/** What full-text search looks in: the visitor's name and every line's words,
 * attachment names and page titles. */
function searchText(messages: readonly ArchivedMessage[], visitorName: string): string {
  const parts = [visitorName];
  for (const m of messages) {
    parts.push(m.body);
    if (m.attachment) parts.push(m.attachment.name);
    if (m.page) parts.push(m.page.title);
  }
  return parts.join('\n');
}
