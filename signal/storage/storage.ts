/**
 * The storage interface (STYLE.md point 6). SQLite implements it
 * (`sqlite-storage.ts`); tests may run it on a file in a temp folder or `:memory:`.
 * Calls are synchronous: better-sqlite3 is, and the core's effects are applied in order.
 */
import type {
  AccountRecord,
  BlockRecord,
  DepartmentRecord,
  LeftMessageRecord,
  PersistChange,
  Snapshot,
} from '../core/records.ts';

export type StoredAccount = AccountRecord & {
  passwordHash: string;
  createdAt: number;
  disabled: boolean;
};

/** The switchboard's view of an account: no password hash, no sign-in details. */
export function toAccountRecord(account: StoredAccount): AccountRecord {
  return {
    id: account.id,
    nickname: account.nickname,
    name: account.name,
    role: account.role,
    chatLimit: account.chatLimit,
  };
}

export type SessionRecord = {
  tokenHash: string;
  accountId: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
};

export interface Storage {
  /** Everything the switchboard needs to resume after a restart (B1). */
  loadSnapshot(now: number): Snapshot;
  apply(change: PersistChange): void;

  createAccount(account: StoredAccount): void;
  findAccountByNickname(nickname: string): StoredAccount | null;
  findAccountById(id: string): StoredAccount | null;
  listAccounts(): StoredAccount[];
  updateAccount(account: AccountRecord): void;
  countAccounts(): number;

  createSession(session: SessionRecord): void;
  findSession(tokenHash: string): SessionRecord | null;
  revokeSession(tokenHash: string, at: number): void;
  revokeSessionsOf(accountId: string, at: number): void;

  upsertDepartment(department: DepartmentRecord): void;
  listDepartments(): DepartmentRecord[];

  listBlocks(now: number): BlockRecord[];
  listLeftMessages(): LeftMessageRecord[];

  /** Settings kept in the database, such as the key that signs visitor tokens. */
  getSetting(key: string): string | null;
  setSetting(key: string, value: string): void;

  close(): void;
}
