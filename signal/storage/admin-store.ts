/**
 * The administration's tables beside the switchboard's (migration 2): department
 * order and retirement, lifted blocks, the departments each helper takes, the audit
 * log, one-time set-password links, per-account sign-in failures and setting
 * overrides. Same database and connection as `SqliteStorage`; rows are decoded, not
 * cast (STYLE.md point 3).
 *
 * Exports: `AdminStore` (class), `AuditRecord`, `AdminDepartmentRecord`, `FailureRecord`.
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import * as v from 'valibot';
import type { BlockRecord } from '../core/records.ts';
import { decodeRow } from './row-schemas.ts';

const integer = v.pipe(v.number(), v.integer());

const DepartmentAdminRow = v.object({
  id: v.string(),
  name: v.string(),
  open: v.pipe(
    v.number(),
    v.transform((n) => n !== 0),
  ),
  position: v.nullable(integer),
  retired_at: v.nullable(integer),
});
const AuditRow = v.object({
  id: integer,
  at: integer,
  actor_id: v.string(),
  actor: v.string(),
  action: v.string(),
  target: v.string(),
  detail: v.string(),
});
const BlockAdminRow = v.object({
  id: v.string(),
  visitor_id: v.string(),
  ip: v.nullable(v.string()),
  reason: v.string(),
  by_participant: v.string(),
  created_at: integer,
  until: integer,
  chat_id: v.nullable(v.string()),
  lifted_at: v.nullable(integer),
});
const LinkRow = v.object({
  account_id: v.string(),
  expires_at: integer,
  used_at: v.nullable(integer),
});
const FailureRow = v.object({ failures: integer, locked_until: integer });
const PairRow = v.object({ account_id: v.string(), department_id: v.string() });
const KeyValueRow = v.object({ key: v.string(), value: v.string() });

export type AdminDepartmentRecord = {
  id: string;
  name: string;
  open: boolean;
  position: number;
  retiredAt: number | null;
};

export type AuditRecord = {
  id: number;
  at: number;
  actorId: string;
  actor: string;
  action: string;
  target: string;
  detail: string;
};

export type FailureRecord = { failures: number; lockedUntil: number };

function prepare(db: Db) {
  const s = (sql: string): Statement => db.prepare(sql);
  return {
    departments: s('SELECT * FROM departments ORDER BY retired_at IS NOT NULL, position, rowid'),
    rename: s('UPDATE departments SET name = ? WHERE id = ?'),
    position: s('UPDATE departments SET position = ? WHERE id = ?'),
    retire: s('UPDATE departments SET retired_at = ? WHERE id = ? AND retired_at IS NULL'),
    pairs: s('SELECT account_id, department_id FROM account_departments ORDER BY rowid'),
    clearPairs: s('DELETE FROM account_departments WHERE account_id = ?'),
    clearDepartmentPairs: s('DELETE FROM account_departments WHERE department_id = ?'),
    addPair: s(
      'INSERT OR IGNORE INTO account_departments (account_id, department_id) VALUES (?, ?)',
    ),
    setDisabled: s('UPDATE accounts SET disabled = ? WHERE id = ?'),
    setHash: s('UPDATE accounts SET password_hash = ? WHERE id = ?'),
    block: s('SELECT * FROM blocks WHERE id = ?'),
    lift: s('UPDATE blocks SET lifted_at = ?, lifted_by = ? WHERE id = ? AND lifted_at IS NULL'),
    audit: s(
      'INSERT INTO audit_log (at, actor_id, actor, action, target, detail) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    auditPage: s('SELECT * FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?'),
    insertLink: s(
      'INSERT INTO password_links (token_hash, account_id, created_at, expires_at) VALUES (?, ?, ?, ?)',
    ),
    link: s('SELECT account_id, expires_at, used_at FROM password_links WHERE token_hash = ?'),
    useLink: s('UPDATE password_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL'),
    dropLinks: s('UPDATE password_links SET used_at = ? WHERE account_id = ? AND used_at IS NULL'),
    failures: s('SELECT failures, locked_until FROM sign_in_failures WHERE account_id = ?'),
    setFailures: s(`
      INSERT INTO sign_in_failures (account_id, failures, locked_until) VALUES (?, ?, ?)
      ON CONFLICT (account_id) DO UPDATE SET failures = excluded.failures,
        locked_until = excluded.locked_until`),
    clearFailures: s('DELETE FROM sign_in_failures WHERE account_id = ?'),
    settings: s("SELECT key, value FROM settings WHERE key LIKE 'env:%'"),
    deleteSetting: s('DELETE FROM settings WHERE key = ?'),
  };
}

export class AdminStore {
  readonly #q: ReturnType<typeof prepare>;
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
    this.#q = prepare(db);
  }

  /** Every department, retired ones last. */
  departments(): AdminDepartmentRecord[] {
    return this.#q.departments.all().map((row, index) => {
      const r = decodeRow(DepartmentAdminRow, 'departments', row);
      return {
        id: r.id,
        name: r.name,
        open: r.open,
        position: r.position ?? index + 1,
        retiredAt: r.retired_at,
      };
    });
  }

  renameDepartment(id: string, name: string): void {
    this.#q.rename.run(name, id);
  }

  /** Puts the named departments first, in this order; the rest keep theirs after. */
  orderDepartments(order: readonly string[]): void {
    const rest = this.departments()
      .map((d) => d.id)
      .filter((id) => !order.includes(id));
    this.#db.transaction(() => {
      [...order, ...rest].forEach((id, index) => this.#q.position.run(index + 1, id));
    })();
  }

  /** Retires a department; helpers who took it take `moveTo` instead (its chats go
   * there). Returns the helpers whose list changed, with their new lists. */
  retireDepartment(id: string, at: number, moveTo: string): Map<string, string[]> {
    return this.#db.transaction(() => {
      this.#q.retire.run(at, id);
      const before = this.helperDepartments();
      this.#q.clearDepartmentPairs.run(id);
      const changed = new Map<string, string[]>();
      for (const [accountId, departments] of before) {
        if (!departments.includes(id)) continue;
        if (!departments.includes(moveTo)) this.#q.addPair.run(accountId, moveTo);
        changed.set(accountId, this.helperDepartments().get(accountId) ?? []);
      }
      return changed;
    })();
  }

  /** Helper account id → the departments it takes (only accounts with a list). */
  helperDepartments(): Map<string, string[]> {
    const map = new Map<string, string[]>();
    for (const row of this.#q.pairs.all()) {
      const r = decodeRow(PairRow, 'account_departments', row);
      map.set(r.account_id, [...(map.get(r.account_id) ?? []), r.department_id]);
    }
    return map;
  }

  setHelperDepartments(accountId: string, departments: readonly string[]): void {
    this.#db.transaction(() => {
      this.#q.clearPairs.run(accountId);
      for (const id of departments) this.#q.addPair.run(accountId, id);
    })();
  }

  setDisabled(accountId: string, disabled: boolean): void {
    this.#q.setDisabled.run(disabled ? 1 : 0, accountId);
  }

  setPasswordHash(accountId: string, hash: string): void {
    this.#q.setHash.run(hash, accountId);
  }

  /** A block by id with whether it was lifted, or null. */
  block(id: string): (BlockRecord & { liftedAt: number | null }) | null {
    const row: unknown = this.#q.block.get(id);
    if (row === undefined) return null;
    const r = decodeRow(BlockAdminRow, 'blocks', row);
    return {
      id: r.id,
      visitorId: r.visitor_id,
      ip: r.ip,
      reason: r.reason,
      by: r.by_participant,
      createdAt: r.created_at,
      until: r.until,
      chatId: r.chat_id,
      liftedAt: r.lifted_at,
    };
  }

  /** Lifts a block; false when it was already lifted. */
  liftBlock(id: string, at: number, by: string): boolean {
    return this.#q.lift.run(at, by, id).changes > 0;
  }

  audit(entry: Omit<AuditRecord, 'id'>): void {
    this.#q.audit.run(
      entry.at,
      entry.actorId,
      entry.actor,
      entry.action,
      entry.target,
      entry.detail,
    );
  }

  /** Newest first, ids below `before`. */
  auditPage(before: number, limit: number): AuditRecord[] {
    return this.#q.auditPage.all(before, limit).map((row) => {
      const r = decodeRow(AuditRow, 'audit_log', row);
      return {
        id: r.id,
        at: r.at,
        actorId: r.actor_id,
        actor: r.actor,
        action: r.action,
        target: r.target,
        detail: r.detail,
      };
    });
  }

  /** A new one-time link; earlier unused links of the account stop working. */
  createPasswordLink(tokenHash: string, accountId: string, now: number, expiresAt: number): void {
    this.#db.transaction(() => {
      this.#q.dropLinks.run(now, accountId);
      this.#q.insertLink.run(tokenHash, accountId, now, expiresAt);
    })();
  }

  /** Uses a link once: the account it was for, or null (unknown, used, expired). */
  usePasswordLink(tokenHash: string, now: number): string | null {
    return this.#db.transaction(() => {
      const row: unknown = this.#q.link.get(tokenHash);
      if (row === undefined) return null;
      const r = decodeRow(LinkRow, 'password_links', row);
      if (r.used_at !== null || r.expires_at <= now) return null;
      this.#q.useLink.run(now, tokenHash);
      return r.account_id;
    })();
  }

  failures(accountId: string): FailureRecord | null {
    const row: unknown = this.#q.failures.get(accountId);
    if (row === undefined) return null;
    const r = decodeRow(FailureRow, 'sign_in_failures', row);
    return { failures: r.failures, lockedUntil: r.locked_until };
  }

  setFailures(accountId: string, record: FailureRecord): void {
    this.#q.setFailures.run(accountId, record.failures, record.lockedUntil);
  }

  clearFailures(accountId: string): void {
    this.#q.clearFailures.run(accountId);
  }

  /** Setting overrides, by environment variable name. */
  settingOverrides(): Map<string, string> {
    const map = new Map<string, string>();
    for (const row of this.#q.settings.all()) {
      const r = decodeRow(KeyValueRow, 'settings', row);
      map.set(r.key.slice('env:'.length), r.value);
    }
    return map;
  }

  deleteSettingOverride(name: string): void {
    this.#q.deleteSetting.run(`env:${name}`);
  }
}
