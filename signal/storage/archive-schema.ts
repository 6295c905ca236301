/**
 * The archive's tables (migration 3; SPEC.md SP-U1–SP-U9). Kept in their own file so the
 * migration list stays short. Never edit once shipped: append a migration instead.
 */
export const ARCHIVE_SCHEMA_SQL = `
  -- One row per ended chat that was archived, or marked as not archived because no
  -- helper uploaded it in time (SP-U8). Visitor and helper names are copied from the
  -- closed chat so a transcript reads the same after its accounts change.
  CREATE TABLE transcripts (
    chat_id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('archived', 'not_archived')),
    department TEXT NOT NULL,
    visitor_id TEXT NOT NULL,
    visitor_name TEXT NOT NULL,
    visitor_email TEXT,
    started_at INTEGER,
    ended_at INTEGER NOT NULL,
    archived_at INTEGER,
    uploaded_by TEXT,
    helpers TEXT NOT NULL,          -- JSON [{id, name}]
    messages TEXT NOT NULL,         -- JSON ArchivedMessage[] (protocol/archive-views.ts)
    files TEXT NOT NULL,            -- JSON ArchivedFile[]
    doc BLOB,                       -- the uploaded Yjs update, as checked (SP-U2)
    doc_sha256 TEXT
  ) STRICT;
  CREATE INDEX transcripts_by_ended_at ON transcripts (ended_at);

  -- Who helped in which chat, for the helper filter (SP-U5).
  CREATE TABLE transcript_helpers (
    chat_id TEXT NOT NULL REFERENCES transcripts (chat_id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    PRIMARY KEY (chat_id, account_id)
  ) STRICT;
  CREATE INDEX transcript_helpers_by_account ON transcript_helpers (account_id);

  -- The words of each transcript for full-text search (FTS5). Its rowid is the
  -- transcripts rowid; rows are written and deleted with the transcript.
  CREATE VIRTUAL TABLE transcript_text USING fts5 (
    body,
    tokenize = 'unicode61 remove_diacritics 2'
  );

  -- File bytes, only when ARCHIVE_FILE_BYTES allows them (SP-U4).
  CREATE TABLE transcript_files (
    chat_id TEXT NOT NULL REFERENCES transcripts (chat_id) ON DELETE CASCADE,
    sha256 TEXT NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (chat_id, sha256)
  ) STRICT;

  -- The visitor's survey (F24): one per chat, whether or not it was archived.
  CREATE TABLE chat_ratings (
    chat_id TEXT PRIMARY KEY,
    stars INTEGER NOT NULL CHECK (stars BETWEEN 1 AND 5),
    comment TEXT,
    rated_at INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX chat_ratings_by_rated_at ON chat_ratings (rated_at);
`;
