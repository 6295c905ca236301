import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  AccountRecord,
  BlockRecord,
  LeftMessageRecord,
  OpenChatRecord,
} from '../../../signal/core/records.ts';
import { MIGRATIONS, migrate } from '../../../signal/storage/migrations.ts';
import {
  databaseFile,
  openSqliteStorage,
  type SqliteStorage,
} from '../../../signal/storage/sqlite-storage.ts';
import type { StoredAccount } from '../../../signal/storage/storage.ts';

let dir: string;
let file: string;
let storage: SqliteStorage;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'peerdesk-storage-'));
  file = databaseFile(join(dir, 'data'));
  storage = openSqliteStorage(file);
});

afterEach(() => {
  storage.close();
  rmSync(dir, { recursive: true, force: true });
});

function reopen(): SqliteStorage {
  storage.close();
  storage = openSqliteStorage(file);
  return storage;
}

const account = (over: Partial<StoredAccount> = {}): StoredAccount => ({
  id: 'a1',
  nickname: 'Alice',
  name: 'Alice A.',
  role: 'helper',
  chatLimit: 3,
  passwordHash: 'scrypt$x',
  createdAt: 1000,
  disabled: false,
  ...over,
});

const chat = (over: Partial<OpenChatRecord> = {}): OpenChatRecord => ({
  chatId: 'c1',
  visitor: { visitorId: 'v1', firstVisitAt: 10, firstLandingPage: 'https://site/landing' },
  ip: '203.0.113.7',
  details: {
    name: 'Visitor',
    email: null,
    department: 'general',
    question: 'How do I export bookmarks?',
    page: { url: 'https://site/help', title: 'Help' },
    browser: { userAgent: 'Firefox/140', language: 'en-GB' },
    sessionStartedAt: 100,
    landingPage: 'https://site/landing',
  },
  enqueuedAt: 200,
  returned: false,
  status: 'queued',
  startedAt: null,
  rejectedBy: [],
  participants: [{ id: 'v1', role: 'visitor', name: 'Visitor', clientIds: [] }],
  ...over,
});

const block = (over: Partial<BlockRecord> = {}): BlockRecord => ({
  id: 'b1',
  visitorId: 'v1',
  ip: null,
  reason: 'spam',
  by: 'a1',
  createdAt: 1000,
  until: 5000,
  chatId: 'c1',
  ...over,
});

describe('SQLite storage', () => {
  it('migrates an empty database to the latest schema, in WAL mode with foreign keys on', () => {
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => (row as { name: string }).name);
    expect(tables).toEqual([
      'account_departments',
      'accounts',
      'audit_log',
      'blocks',
      'canned_responses',
      'canned_suggestions',
      'chat_labels',
      'chat_ratings',
      'chat_tags',
      'closed_chats',
      'departments',
      'follow_up_links',
      'left_messages',
      'mail_outbox',
      'open_chats',
      'password_links',
      'room_messages',
      'sessions',
      'settings',
      'sign_in_failures',
      'sqlite_sequence',
      'ticket_alerts',
      'ticket_messages',
      'tickets',
      'transcript_files',
      'transcript_helpers',
      // FTS5 keeps the index in shadow tables beside the virtual one.
      'transcript_text',
      'transcript_text_config',
      'transcript_text_content',
      'transcript_text_data',
      'transcript_text_docsize',
      'transcript_text_idx',
      'transcripts',
    ]);
    db.close();
    const mem = new Database(':memory:');
    migrate(mem);
    expect(migrate(mem)).toBe(MIGRATIONS.length); // a second run applies nothing
    mem.close();
  });

  it('refuses a database from a newer Peerdesk', () => {
    storage.close();
    const db = new Database(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openSqliteStorage(file)).toThrow(/newer than this Peerdesk/);
    storage = openSqliteStorage(':memory:');
  });

  it('keeps everything across a reopen (SP-S1)', () => {
    storage.createAccount(account());
    storage.upsertDepartment({ id: 'general', name: 'General', open: true });
    storage.apply({ op: 'open_chat', chat: chat() });
    storage.apply({ op: 'block', block: block() });
    storage.setSetting('k', 'v');
    const before = storage.loadSnapshot(2000);
    const after = reopen().loadSnapshot(2000);
    expect(after).toEqual(before);
    expect(after.accounts).toHaveLength(1);
    expect(after.openChats).toHaveLength(1);
    expect(storage.getSetting('k')).toBe('v');
  });

  it('accounts: unique nickname ignoring case, found by either case, updated by the account op', () => {
    storage.createAccount(account());
    expect(() => storage.createAccount(account({ id: 'a2', nickname: 'ALICE' }))).toThrow();
    expect(storage.findAccountByNickname('aLiCe')?.id).toBe('a1');
    expect(storage.findAccountById('a1')?.nickname).toBe('Alice');
    expect(storage.findAccountById('nope')).toBeNull();
    const change: AccountRecord = {
      id: 'a1',
      nickname: 'Alice',
      name: 'Alice',
      role: 'monitor',
      chatLimit: 5,
    };
    storage.apply({ op: 'account', account: change });
    storage.apply({ op: 'account', account: change });
    expect(storage.loadSnapshot(0).accounts).toEqual([change]);
    expect(storage.findAccountById('a1')?.passwordHash).toBe('scrypt$x');
    // An account op for an unknown account creates nothing.
    storage.apply({ op: 'account', account: { ...change, id: 'ghost', nickname: 'ghost' } });
    expect(storage.countAccounts()).toBe(1);
  });

  it('disabled accounts are not given to the switchboard', () => {
    storage.createAccount(account({ disabled: true }));
    expect(storage.listAccounts()).toHaveLength(1);
    expect(storage.loadSnapshot(0).accounts).toEqual([]);
  });

  it('open_chat round-trips and is idempotent; a later open_chat replaces the record', () => {
    const queued = chat();
    storage.apply({ op: 'open_chat', chat: queued });
    storage.apply({ op: 'open_chat', chat: queued });
    expect(storage.loadSnapshot(0).openChats).toEqual([queued]);
    const active = chat({
      status: 'active',
      startedAt: 300,
      rejectedBy: ['a2'],
      details: { ...queued.details, email: 'v@example.org' },
      participants: [
        { id: 'v1', role: 'visitor', name: 'Visitor', clientIds: [1, 2] },
        { id: 'a1', role: 'helper', name: 'Alice', clientIds: [4294967295] },
        // SP-P4: a helper who left keeps their ids through a restart.
        { id: 'a3', role: 'helper', name: 'Cleo', clientIds: [7], left: true },
      ],
    });
    storage.apply({ op: 'open_chat', chat: active });
    expect(reopen().loadSnapshot(0).openChats).toEqual([active]);
  });

  it('open chats load in queue order (SP-Q1: by enqueue time)', () => {
    storage.apply({ op: 'open_chat', chat: chat({ chatId: 'late', enqueuedAt: 900 }) });
    storage.apply({ op: 'open_chat', chat: chat({ chatId: 'early', enqueuedAt: 100 }) });
    storage.apply({
      op: 'open_chat',
      chat: chat({ chatId: 'back', enqueuedAt: 500, returned: true }),
    });
    const chats = storage.loadSnapshot(0).openChats;
    expect(chats.map((c) => c.chatId)).toEqual(['early', 'back', 'late']);
    expect(chats[1]?.returned).toBe(true);
  });

  it('close_chat moves the chat out of the open set, once, and it never reopens', () => {
    const open = chat({ status: 'active', startedAt: 300 });
    storage.apply({ op: 'open_chat', chat: open });
    storage.apply({ op: 'close_chat', chatId: 'c1', outcome: 'ended', at: 900, chat: open });
    storage.apply({ op: 'close_chat', chatId: 'c1', outcome: 'cancelled', at: 950, chat: open });
    expect(storage.loadSnapshot(0).openChats).toEqual([]);
    expect(storage.closedChatOutcome('c1')).toBe('ended');
    storage.apply({ op: 'open_chat', chat: open });
    expect(reopen().loadSnapshot(0).openChats).toEqual([]);
    expect(storage.closedChatOutcome('c1')).toBe('ended');
    expect(storage.closedChatOutcome('c2')).toBeNull();
  });

  it('blocks round-trip and are idempotent; expired blocks are not loaded', () => {
    const b = block({ ip: '198.51.100.4' });
    storage.apply({ op: 'block', block: b });
    storage.apply({ op: 'block', block: b });
    storage.apply({ op: 'block', block: block({ id: 'b2', until: 1500, chatId: null }) });
    expect(storage.loadSnapshot(1000).blocks).toEqual([
      b,
      block({ id: 'b2', until: 1500, chatId: null }),
    ]);
    expect(storage.loadSnapshot(1500).blocks).toEqual([b]);
    expect(storage.loadSnapshot(5000).blocks).toEqual([]);
    expect(storage.listBlocks(4999)).toEqual([b]);
  });

  it('left messages round-trip and are idempotent', () => {
    const message: LeftMessageRecord = {
      id: 'm1',
      visitorId: 'v1',
      ip: '203.0.113.7',
      name: 'Visitor',
      email: 'v@example.org',
      department: 'general',
      message: 'Please call me back',
      chatId: 'c1',
      createdAt: 700,
    };
    storage.apply({ op: 'left_message', message });
    storage.apply({ op: 'left_message', message });
    storage.apply({
      op: 'left_message',
      message: { ...message, id: 'm2', email: null, chatId: null },
    });
    expect(reopen().listLeftMessages()).toEqual([
      message,
      { ...message, id: 'm2', email: null, chatId: null },
    ]);
  });

  it('departments upsert and keep their creation order', () => {
    storage.upsertDepartment({ id: 'general', name: 'General', open: true });
    storage.upsertDepartment({ id: 'billing', name: 'Billing', open: true });
    storage.upsertDepartment({ id: 'general', name: 'General help', open: false });
    expect(reopen().loadSnapshot(0).departments).toEqual([
      { id: 'general', name: 'General help', open: false },
      { id: 'billing', name: 'Billing', open: true },
    ]);
  });

  it('sessions: found by hash, revoked once, revoked for a whole account, pruned', () => {
    storage.createAccount(account());
    storage.createAccount(account({ id: 'a2', nickname: 'bob' }));
    const base = { accountId: 'a1', createdAt: 0, expiresAt: 10_000, revokedAt: null };
    storage.createSession({ ...base, tokenHash: 'h1' });
    storage.createSession({ ...base, tokenHash: 'h2' });
    storage.createSession({ ...base, tokenHash: 'h3', accountId: 'a2' });
    expect(storage.findSession('h1')).toEqual({ ...base, tokenHash: 'h1' });
    storage.revokeSession('h1', 50);
    storage.revokeSession('h1', 60);
    expect(storage.findSession('h1')?.revokedAt).toBe(50);
    storage.revokeSessionsOf('a1', 70);
    expect(storage.findSession('h2')?.revokedAt).toBe(70);
    expect(storage.findSession('h3')?.revokedAt).toBeNull();
    expect(storage.findSession('nope')).toBeNull();
    expect(storage.pruneSessions(100)).toBe(2);
    expect(storage.findSession('h3')).not.toBeNull();
  });

  it('a session must belong to an existing account (foreign keys are on)', () => {
    expect(() =>
      storage.createSession({
        tokenHash: 'h',
        accountId: 'missing',
        createdAt: 0,
        expiresAt: 1,
        revokedAt: null,
      }),
    ).toThrow(/FOREIGN KEY/);
  });

  it('settings: absent is null, set overwrites', () => {
    expect(storage.getSetting('x')).toBeNull();
    storage.setSetting('x', '1');
    storage.setSetting('x', '2');
    expect(storage.getSetting('x')).toBe('2');
  });

  it('a damaged row fails with a message naming the table, not a crash elsewhere', () => {
    storage.apply({ op: 'open_chat', chat: chat() });
    storage.close();
    const db = new Database(file);
    db.prepare("UPDATE open_chats SET participants = '{not json'").run();
    db.close();
    storage = openSqliteStorage(file);
    expect(() => storage.loadSnapshot(0)).toThrow(/unreadable open_chats row \(participants/);
  });
});
