/**
 * `Storage` on SQLite through better-sqlite3: WAL journal (readers never wait for the
 * writer, and a killed process loses no committed change), foreign keys on, every
 * statement prepared once.
 *
 * Exports:
 * - `openSqliteStorage(file)` → `SqliteStorage` (a `Storage`); `file` may be
 *   `':memory:'`. Creates the folder and applies pending migrations.
 * - `SqliteStorage` class, also offering `closedChatOutcome(chatId)` and
 *   `pruneSessions(now)` beyond the interface.
 * - `databaseFile(dataDir)`: where the service keeps its database.
 */
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type {
  AccountRecord,
  BlockRecord,
  ChatOutcome,
  DepartmentRecord,
  LeftMessageRecord,
  OpenChatRecord,
  PersistChange,
  Snapshot,
} from '../core/records.ts';
import { ChatMetaStore } from './chat-meta-store.ts';
import { migrate } from './migrations.ts';
import { nicknameKey } from './nickname-key.ts';
import {
  AccountRow,
  BlockRow,
  CountRow,
  DepartmentRow,
  LeftMessageRow,
  OpenChatRow,
  SessionRow,
  SettingRow,
  decodeRow,
} from './row-schemas.ts';
import {
  toAccountRecord,
  type SessionRecord,
  type Storage,
  type StoredAccount,
} from './storage.ts';
import * as v from 'valibot';

export function databaseFile(dataDir: string): string {
  return join(dataDir, 'peerdesk.sqlite');
}

export function openSqliteStorage(file: string): SqliteStorage {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    // NORMAL is safe in WAL mode against process crashes; only power loss can drop
    // the last commits, and fsync on every offer would cost more than it buys.
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    migrate(db);
    return new SqliteStorage(db);
  } catch (error) {
    db.close();
    throw error;
  }
}

type Statements = ReturnType<typeof prepare>;

function prepare(db: Db) {
  const s = (sql: string): Statement => db.prepare(sql);
  return {
    insertAccount: s(`
      INSERT INTO accounts (id, nickname, nickname_key, name, role, chat_limit, password_hash, created_at, disabled)
      VALUES (@id, @nickname, @nicknameKey, @name, @role, @chatLimit, @passwordHash, @createdAt, @disabled)`),
    updateAccount: s(`
      UPDATE accounts SET nickname = @nickname, nickname_key = @nicknameKey, name = @name,
        role = @role, chat_limit = @chatLimit
      WHERE id = @id`),
    accountByKey: s('SELECT * FROM accounts WHERE nickname_key = ?'),
    accountById: s('SELECT * FROM accounts WHERE id = ?'),
    allAccounts: s('SELECT * FROM accounts ORDER BY created_at, id'),
    countAccounts: s('SELECT count(*) AS n FROM accounts'),

    insertSession: s(`
      INSERT INTO sessions (token_hash, account_id, created_at, expires_at, revoked_at)
      VALUES (@tokenHash, @accountId, @createdAt, @expiresAt, @revokedAt)`),
    sessionByHash: s('SELECT * FROM sessions WHERE token_hash = ?'),
    // The first revocation time is kept: revoking twice changes nothing.
    revokeSession: s(
      'UPDATE sessions SET revoked_at = ? WHERE token_hash = ? AND revoked_at IS NULL',
    ),
    revokeSessionsOf: s(
      'UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL',
    ),
    pruneSessions: s('DELETE FROM sessions WHERE expires_at <= ? OR revoked_at IS NOT NULL'),

    // A new department goes last; an upsert keeps a department's place.
    upsertDepartment: s(`
      INSERT INTO departments (id, name, open, position)
      VALUES (@id, @name, @open, (SELECT coalesce(max(position), 0) + 1 FROM departments))
      ON CONFLICT (id) DO UPDATE SET name = excluded.name, open = excluded.open`),
    // Retired departments are history: visitors and routing see only the others, in
    // the order an admin gave them (SP-A5).
    allDepartments: s(
      'SELECT id, name, open FROM departments WHERE retired_at IS NULL ORDER BY position, rowid',
    ),

    upsertBlock: s(`
      INSERT INTO blocks (id, visitor_id, ip, reason, by_participant, created_at, until, chat_id)
      VALUES (@id, @visitorId, @ip, @reason, @by, @createdAt, @until, @chatId)
      ON CONFLICT (id) DO UPDATE SET visitor_id = excluded.visitor_id, ip = excluded.ip,
        reason = excluded.reason, by_participant = excluded.by_participant,
        created_at = excluded.created_at, until = excluded.until, chat_id = excluded.chat_id`),
    activeBlocks: s(
      'SELECT * FROM blocks WHERE until > ? AND lifted_at IS NULL ORDER BY created_at, id',
    ),

    insertLeftMessage: s(`
      INSERT INTO left_messages (id, visitor_id, ip, name, email, department, message, chat_id, created_at)
      VALUES (@id, @visitorId, @ip, @name, @email, @department, @message, @chatId, @createdAt)
      ON CONFLICT (id) DO NOTHING`),
    allLeftMessages: s('SELECT * FROM left_messages ORDER BY created_at, id'),

    upsertOpenChat: s(`
      INSERT INTO open_chats (chat_id, status, department, visitor_id, visitor, ip, details,
        enqueued_at, returned, started_at, rejected_by, participants)
      SELECT @chatId, @status, @department, @visitorId, @visitor, @ip, @details,
        @enqueuedAt, @returned, @startedAt, @rejectedBy, @participants
      -- A chat that has closed stays closed, whatever arrives after.
      WHERE NOT EXISTS (SELECT 1 FROM closed_chats WHERE chat_id = @chatId)
      ON CONFLICT (chat_id) DO UPDATE SET status = excluded.status,
        department = excluded.department, visitor_id = excluded.visitor_id,
        visitor = excluded.visitor, ip = excluded.ip, details = excluded.details,
        enqueued_at = excluded.enqueued_at, returned = excluded.returned,
        started_at = excluded.started_at, rejected_by = excluded.rejected_by,
        participants = excluded.participants`),
    openChats: s('SELECT * FROM open_chats ORDER BY enqueued_at, chat_id'),
    deleteOpenChat: s('DELETE FROM open_chats WHERE chat_id = ?'),
    insertClosedChat: s(`
      INSERT INTO closed_chats (chat_id, outcome, ended_at, department, visitor_id, enqueued_at,
        started_at, record)
      VALUES (@chatId, @outcome, @endedAt, @department, @visitorId, @enqueuedAt, @startedAt, @record)
      ON CONFLICT (chat_id) DO NOTHING`),
    closedOutcome: s('SELECT outcome FROM closed_chats WHERE chat_id = ?'),

    getSetting: s('SELECT value FROM settings WHERE key = ?'),
    setSetting: s(`
      INSERT INTO settings (key, value) VALUES (?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value`),
  };
}

const OutcomeRow = v.object({
  outcome: v.picklist(['cancelled', 'left_message', 'blocked', 'ended']),
});

export class SqliteStorage implements Storage {
  readonly #db: Db;
  readonly #q: Statements;
  readonly #closeChat: (change: Extract<PersistChange, { op: 'close_chat' }>) => void;
  /** Tags and labels (SPEC.md SP-K5–SP-K7); the HTTP API reads its statistics. */
  readonly chatMeta: ChatMetaStore;

  constructor(db: Db) {
    this.#db = db;
    this.#q = prepare(db);
    this.chatMeta = new ChatMetaStore(db);
    // Recording the outcome and removing the open chat happen together or not at all.
    this.#closeChat = db.transaction((change: Extract<PersistChange, { op: 'close_chat' }>) => {
      this.#q.insertClosedChat.run({
        chatId: change.chatId,
        outcome: change.outcome,
        endedAt: change.at,
        department: change.chat.details.department,
        visitorId: change.chat.visitor.visitorId,
        enqueuedAt: change.chat.enqueuedAt,
        startedAt: change.chat.startedAt,
        record: JSON.stringify(change.chat),
      });
      this.#q.deleteOpenChat.run(change.chatId);
    });
  }

  loadSnapshot(now: number): Snapshot {
    // One read transaction: the four lists describe the same moment.
    return this.#db.transaction(() => {
      const openChats = this.#q.openChats.all().map(toOpenChat);
      return {
        accounts: this.listAccounts()
          .filter((account) => !account.disabled)
          .map(toAccountRecord),
        departments: this.listDepartments(),
        blocks: this.listBlocks(now),
        openChats,
        chatMeta: this.chatMeta.metaOf(openChats.map((c) => c.chatId)),
      };
    })();
  }

  apply(change: PersistChange): void {
    switch (change.op) {
      case 'open_chat':
        this.#writeOpenChat(change.chat);
        return;
      case 'close_chat':
        this.#closeChat(change);
        return;
      case 'block':
        this.#writeBlock(change.block);
        return;
      case 'left_message':
        this.#writeLeftMessage(change.message);
        return;
      case 'account':
        // Only an account that exists is updated: the core cannot create accounts
        // (they need a password), and a removed account stays removed.
        this.updateAccount(change.account);
        return;
      case 'chat_meta':
        this.chatMeta.write(change);
        return;
    }
  }

  createAccount(account: StoredAccount): void {
    this.#q.insertAccount.run({
      id: account.id,
      nickname: account.nickname,
      nicknameKey: nicknameKey(account.nickname),
      name: account.name,
      role: account.role,
      chatLimit: account.chatLimit,
      passwordHash: account.passwordHash,
      createdAt: account.createdAt,
      disabled: account.disabled ? 1 : 0,
    });
  }

  findAccountByNickname(nickname: string): StoredAccount | null {
    const row: unknown = this.#q.accountByKey.get(nicknameKey(nickname));
    return row === undefined ? null : toStoredAccount(row);
  }

  findAccountById(id: string): StoredAccount | null {
    const row: unknown = this.#q.accountById.get(id);
    return row === undefined ? null : toStoredAccount(row);
  }

  listAccounts(): StoredAccount[] {
    return this.#q.allAccounts.all().map(toStoredAccount);
  }

  updateAccount(account: AccountRecord): void {
    this.#q.updateAccount.run({
      id: account.id,
      nickname: account.nickname,
      nicknameKey: nicknameKey(account.nickname),
      name: account.name,
      role: account.role,
      chatLimit: account.chatLimit,
    });
  }

  countAccounts(): number {
    return decodeRow(CountRow, 'count', this.#q.countAccounts.get()).n;
  }

  createSession(session: SessionRecord): void {
    this.#q.insertSession.run({ ...session });
  }

  findSession(tokenHash: string): SessionRecord | null {
    const row: unknown = this.#q.sessionByHash.get(tokenHash);
    if (row === undefined) return null;
    const r = decodeRow(SessionRow, 'sessions', row);
    return {
      tokenHash: r.token_hash,
      accountId: r.account_id,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      revokedAt: r.revoked_at,
    };
  }

  revokeSession(tokenHash: string, at: number): void {
    this.#q.revokeSession.run(at, tokenHash);
  }

  revokeSessionsOf(accountId: string, at: number): void {
    this.#q.revokeSessionsOf.run(at, accountId);
  }

  /** Deletes expired and revoked sessions; returns how many. */
  pruneSessions(now: number): number {
    return this.#q.pruneSessions.run(now).changes;
  }

  upsertDepartment(department: DepartmentRecord): void {
    this.#q.upsertDepartment.run({ ...department, open: department.open ? 1 : 0 });
  }

  listDepartments(): DepartmentRecord[] {
    return this.#q.allDepartments.all().map((row) => decodeRow(DepartmentRow, 'departments', row));
  }

  /** Blocks still in force at `now`; expired ones stay in the table as history. */
  listBlocks(now: number): BlockRecord[] {
    return this.#q.activeBlocks.all(now).map((row) => {
      const r = decodeRow(BlockRow, 'blocks', row);
      return {
        id: r.id,
        visitorId: r.visitor_id,
        ip: r.ip,
        reason: r.reason,
        by: r.by_participant,
        createdAt: r.created_at,
        until: r.until,
        chatId: r.chat_id,
      };
    });
  }

  listLeftMessages(): LeftMessageRecord[] {
    return this.#q.allLeftMessages.all().map((row) => {
      const r = decodeRow(LeftMessageRow, 'left_messages', row);
      return {
        id: r.id,
        visitorId: r.visitor_id,
        ip: r.ip,
        name: r.name,
        email: r.email,
        department: r.department,
        message: r.message,
        chatId: r.chat_id,
        createdAt: r.created_at,
      };
    });
  }

  /** How a chat ended, or null while it is open or unknown. */
  closedChatOutcome(chatId: string): ChatOutcome | null {
    const row: unknown = this.#q.closedOutcome.get(chatId);
    return row === undefined ? null : decodeRow(OutcomeRow, 'closed_chats', row).outcome;
  }

  getSetting(key: string): string | null {
    const row: unknown = this.#q.getSetting.get(key);
    return row === undefined ? null : decodeRow(SettingRow, 'settings', row).value;
  }

  setSetting(key: string, value: string): void {
    this.#q.setSetting.run(key, value);
  }

  /** The connection, for stores beside this one on the same database (admin-store.ts). */
  get database(): Db {
    return this.#db;
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #writeOpenChat(chat: OpenChatRecord): void {
    this.#q.upsertOpenChat.run({
      chatId: chat.chatId,
      status: chat.status,
      department: chat.details.department,
      visitorId: chat.visitor.visitorId,
      visitor: JSON.stringify(chat.visitor),
      ip: chat.ip,
      details: JSON.stringify(chat.details),
      enqueuedAt: chat.enqueuedAt,
      returned: chat.returned ? 1 : 0,
      startedAt: chat.startedAt,
      rejectedBy: JSON.stringify(chat.rejectedBy),
      participants: JSON.stringify(chat.participants),
    });
  }

  #writeBlock(block: BlockRecord): void {
    this.#q.upsertBlock.run({ ...block });
  }

  #writeLeftMessage(message: LeftMessageRecord): void {
    this.#q.insertLeftMessage.run({ ...message });
  }
}

function toStoredAccount(row: unknown): StoredAccount {
  const r = decodeRow(AccountRow, 'accounts', row);
  return {
    id: r.id,
    nickname: r.nickname,
    name: r.name,
    role: r.role,
    chatLimit: r.chat_limit,
    passwordHash: r.password_hash,
    createdAt: r.created_at,
    disabled: r.disabled,
  };
}

function toOpenChat(row: unknown): OpenChatRecord {
  const r = decodeRow(OpenChatRow, 'open_chats', row);
  return {
    chatId: r.chat_id,
    visitor: r.visitor,
    ip: r.ip,
    details: r.details,
    enqueuedAt: r.enqueued_at,
    returned: r.returned,
    status: r.status,
    startedAt: r.started_at,
    rejectedBy: r.rejected_by,
    participants: r.participants,
  };
}
