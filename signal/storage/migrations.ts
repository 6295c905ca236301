/**
 * The SQLite schema as an ordered list of migrations. `PRAGMA user_version` holds
 * the number of migrations applied; each pending one runs in its own transaction
 * together with the version bump, so a crash never leaves half a migration.
 * Append new migrations; never edit one that has shipped.
 *
 * Exports: `MIGRATIONS`, `Migration`, `migrate(db)` → the schema version reached.
 */
import type { Database } from 'better-sqlite3';
import { ARCHIVE_SCHEMA_SQL } from './archive-schema.ts';

export type Migration = { version: number; description: string; sql: string };

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'accounts, sessions, departments, blocks, left messages, chats, settings',
    sql: `
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        nickname TEXT NOT NULL,
        -- Nicknames are unique ignoring case (see nickname-key.ts); SQLite's NOCASE
        -- folds ASCII only.
        nickname_key TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('trainee', 'helper', 'monitor', 'admin')),
        chat_limit INTEGER NOT NULL,
        password_hash TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0
      ) STRICT;

      -- Only the SHA-256 of a session token is stored: a copy of the database
      -- does not let anyone sign in.
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        revoked_at INTEGER
      ) STRICT;
      CREATE INDEX sessions_by_account ON sessions (account_id);

      CREATE TABLE departments (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        open INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE blocks (
        id TEXT PRIMARY KEY,
        visitor_id TEXT NOT NULL,
        ip TEXT,
        reason TEXT NOT NULL,
        by_participant TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        until INTEGER NOT NULL,
        chat_id TEXT
      ) STRICT;
      CREATE INDEX blocks_by_until ON blocks (until);

      -- Messages left when no helper was available (F7), kept for follow-up.
      CREATE TABLE left_messages (
        id TEXT PRIMARY KEY,
        visitor_id TEXT NOT NULL,
        ip TEXT NOT NULL,
        name TEXT NOT NULL,
        email TEXT,
        department TEXT NOT NULL,
        message TEXT NOT NULL,
        chat_id TEXT,
        created_at INTEGER NOT NULL
      ) STRICT;

      -- Chats the switchboard still routes or tracks (queued or active, SP-S1).
      CREATE TABLE open_chats (
        chat_id TEXT PRIMARY KEY,
        status TEXT NOT NULL CHECK (status IN ('queued', 'active')),
        department TEXT NOT NULL,
        visitor_id TEXT NOT NULL,
        visitor TEXT NOT NULL,          -- JSON VisitorIdentity
        ip TEXT NOT NULL,
        details TEXT NOT NULL,          -- JSON RequestDetails
        enqueued_at INTEGER NOT NULL,
        returned INTEGER NOT NULL,
        started_at INTEGER,
        rejected_by TEXT NOT NULL,      -- JSON string[]
        participants TEXT NOT NULL      -- JSON ParticipantRecord[]
      ) STRICT;

      -- Chats that ended, with the last open record; the archive builds on these.
      CREATE TABLE closed_chats (
        chat_id TEXT PRIMARY KEY,
        outcome TEXT NOT NULL CHECK (outcome IN ('cancelled', 'left_message', 'blocked', 'ended')),
        ended_at INTEGER NOT NULL,
        department TEXT NOT NULL,
        visitor_id TEXT NOT NULL,
        enqueued_at INTEGER NOT NULL,
        started_at INTEGER,
        record TEXT NOT NULL            -- JSON OpenChatRecord as it was when it closed
      ) STRICT;
      CREATE INDEX closed_chats_by_ended_at ON closed_chats (ended_at);

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    description:
      'administration: department order and retirement, lifted blocks, helper departments, audit log, set-password links, sign-in lockout',
    sql: `
      ALTER TABLE departments ADD COLUMN position INTEGER;
      ALTER TABLE departments ADD COLUMN retired_at INTEGER;
      UPDATE departments SET position = rowid;

      ALTER TABLE blocks ADD COLUMN lifted_at INTEGER;
      ALTER TABLE blocks ADD COLUMN lifted_by TEXT;

      -- The departments a helper takes chats for; none listed means all of them.
      CREATE TABLE account_departments (
        account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        department_id TEXT NOT NULL,
        PRIMARY KEY (account_id, department_id)
      ) STRICT;

      -- Every admin action, kept (SP-A8).
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor_id TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        detail TEXT NOT NULL
      ) STRICT;

      -- One-time set-password links; like sessions, only the token's hash is kept.
      CREATE TABLE password_links (
        token_hash TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      ) STRICT;

      -- Wrong passwords in a row per account, and until when it is locked (SP-A9).
      CREATE TABLE sign_in_failures (
        account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
        failures INTEGER NOT NULL,
        locked_until INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    description: 'chat tags and labels, kept after the chat ends (SPEC.md SP-K5, SP-K6)',
    sql: `
      -- One row per tag of a chat. chat_at is when the visitor asked for the chat:
      -- the statistics count chats by it (SP-K6).
      CREATE TABLE chat_tags (
        chat_id TEXT NOT NULL,
        tag TEXT NOT NULL,
        chat_at INTEGER NOT NULL,
        added_at INTEGER NOT NULL,
        PRIMARY KEY (chat_id, tag)
      ) STRICT;
      CREATE INDEX chat_tags_by_chat_at ON chat_tags (chat_at);

      CREATE TABLE chat_labels (
        chat_id TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    description:
      'transcript archive (F27): transcripts, their text for search, kept files, ratings',
    sql: ARCHIVE_SCHEMA_SQL,
  },
  {
    version: 5,
    description: 'the Contributors room history, canned responses and suggestions',
    sql: `
      -- SP-CR2: every room message, in order; seq is the history's order and the
      -- catch-up cursor. (author_id, id) is unique so a message sent again after a
      -- reconnect is stored once (alerts have no author and a random id).
      CREATE TABLE room_messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('message', 'alert')),
        author_id TEXT,
        author_nickname TEXT,
        author_name TEXT,
        text TEXT NOT NULL,
        mentions TEXT NOT NULL,
        link TEXT,
        at INTEGER NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX room_messages_by_author ON room_messages (author_id, id)
        WHERE author_id IS NOT NULL;

      -- F18: canned responses. Global ones (owner_id NULL) are curated by admins;
      -- personal ones belong to one account.
      CREATE TABLE canned_responses (
        id TEXT PRIMARY KEY,
        owner_id TEXT REFERENCES accounts (id) ON DELETE CASCADE,
        category TEXT NOT NULL,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX canned_by_owner ON canned_responses (owner_id);

      -- Helpers' suggestions of new global responses, until an admin decides.
      CREATE TABLE canned_suggestions (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
        category TEXT NOT NULL,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined')),
        decided_by TEXT,
        decided_at INTEGER,
        response_id TEXT
      ) STRICT;
    `,
  },
  {
    version: 6,
    description: 'tickets, follow-up links, ticket alerts, mail outbox',
    sql: `
      -- Follow-ups (F7, F25, F26): a ticket is linked to a chat or made of a message left
      -- when nobody was available; one ticket per chat and per left message.
      CREATE TABLE tickets (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL CHECK (source IN ('chat', 'left_message')),
        chat_id TEXT UNIQUE,
        left_message_id TEXT UNIQUE,
        visitor_id TEXT NOT NULL,
        visitor_name TEXT NOT NULL,
        email TEXT,
        department TEXT NOT NULL,
        subject TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'answered', 'closed')),
        assignee_id TEXT,
        created_by TEXT,              -- account id; NULL when a left message made it
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX tickets_by_status ON tickets (status, updated_at);

      CREATE TABLE ticket_messages (
        id INTEGER PRIMARY KEY,
        ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
        author_role TEXT NOT NULL CHECK (author_role IN ('visitor', 'helper')),
        author_id TEXT,
        author_name TEXT NOT NULL,
        body TEXT NOT NULL,
        at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX ticket_messages_by_ticket ON ticket_messages (ticket_id, id);

      -- Private follow-up links: like sessions, only the SHA-256 of the token is kept.
      CREATE TABLE follow_up_links (
        token_hash TEXT PRIMARY KEY,
        ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        revoked_at INTEGER
      ) STRICT;
      CREATE INDEX follow_up_links_by_ticket ON follow_up_links (ticket_id);

      -- A visitor replied: the chat's helpers see it in their console until they open it.
      CREATE TABLE ticket_alerts (
        id INTEGER PRIMARY KEY,
        account_id TEXT NOT NULL,
        ticket_id TEXT NOT NULL REFERENCES tickets (id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        seen_at INTEGER
      ) STRICT;
      CREATE INDEX ticket_alerts_by_account ON ticket_alerts (account_id, seen_at);

      -- Emails to send (F23), each at most once (signal/mail/outbox-store.ts says how).
      CREATE TABLE mail_outbox (
        id TEXT PRIMARY KEY,
        dedupe_key TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        recipient TEXT NOT NULL,
        chat_id TEXT,
        message_id TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN
          ('waiting', 'ready', 'sending', 'sent', 'failed', 'uncertain', 'no_transcript')),
        raw TEXT,
        attempts INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        deadline_at INTEGER NOT NULL,
        claimed_at INTEGER,
        sent_at INTEGER,
        last_error TEXT
      ) STRICT;
      CREATE INDEX mail_outbox_due ON mail_outbox (state, next_attempt_at);
    `,
  },
];

/** Applies every pending migration. Refuses a database written by a newer version. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const latest = migrations.length;
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migration ${index + 1} is numbered ${migration.version}`);
    }
  });
  const current = db.pragma('user_version', { simple: true });
  if (typeof current !== 'number') throw new Error('could not read the schema version');
  if (current > latest) {
    throw new Error(
      `the database has schema version ${current}, newer than this Peerdesk knows (${latest}); upgrade Peerdesk`,
    );
  }
  for (const migration of migrations.slice(current)) {
    db.transaction(() => {
      db.exec(migration.sql);
      // PRAGMA takes no bound parameters; the version is our own integer.
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return latest;
}
