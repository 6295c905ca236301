/**
 * Creating staff accounts, the first admin, the default department and the demo
 * seed. New accounts are trainees unless a role is given (F4); nicknames are unique
 * ignoring case (storage compares `nicknameKey`).
 *
 * Exports:
 * - `createAccount(storage, input, options)` → Promise<CreateAccountResult>
 * - `ensureAdmin(storage, { nickname, password, now, defaultChatLimit })` →
 *   Promise<`{ created: false } | { created: true, account, generatedPassword }`>
 * - `ensureDefaultDepartment(storage)`, `seedDemo(storage, options)`
 * - `DEMO_PASSWORD`, `DEMO_ACCOUNTS`, `DEMO_DEPARTMENTS`, `DEFAULT_DEPARTMENT`,
 *   `DEMO_SCRYPT_PARAMS` (the demo accounts' published password needs no costly hash)
 * - `publicAccount(account)` → the protocol's `Account` (no hash, no dates)
 */
import { randomBytes } from 'node:crypto';
import * as v from 'valibot';
import type { Account, AccountRole } from '../../protocol/index.ts';
import { LIMITS, Nickname } from '../../protocol/index.ts';
import type { DepartmentRecord } from '../core/records.ts';
import { toAccountRecord, type Storage, type StoredAccount } from '../storage/storage.ts';
import type { ScryptParams } from './passwords.ts';
import { hashPassword } from './passwords.ts';

export const MIN_PASSWORD_LENGTH = 8;

export const DEFAULT_DEPARTMENT: DepartmentRecord = { id: 'general', name: 'General', open: true };

export const DEMO_DEPARTMENTS: readonly DepartmentRecord[] = [
  DEFAULT_DEPARTMENT,
  { id: 'billing', name: 'Billing', open: true },
];

/** Shown on the sign-in page in demo mode only. */
export const DEMO_PASSWORD = 'demo-pass';

export const DEMO_ACCOUNTS: readonly { nickname: string; name: string; role: AccountRole }[] = [
  { nickname: 'alice', name: 'Alice', role: 'helper' },
  { nickname: 'bob', name: 'Bob', role: 'helper' },
  { nickname: 'tina', name: 'Tina', role: 'trainee' },
  { nickname: 'molly', name: 'Molly', role: 'monitor' },
];

export type NewAccount = {
  nickname: string;
  password: string;
  name?: string;
  role?: AccountRole;
  chatLimit?: number;
};

export type AccountOptions = {
  now: number;
  defaultChatLimit: number;
  /** Lower scrypt cost in tests; the default otherwise. */
  scrypt?: ScryptParams;
};

export type CreateAccountResult =
  | { ok: true; account: StoredAccount }
  | { ok: false; error: 'invalid_nickname' | 'nickname_taken' | 'weak_password' };

export function newAccountId(): string {
  return `a${randomBytes(12).toString('base64url')}`;
}

export async function createAccount(
  storage: Storage,
  input: NewAccount,
  options: AccountOptions,
): Promise<CreateAccountResult> {
  const nickname = v.safeParse(Nickname, input.nickname);
  if (!nickname.success) return { ok: false, error: 'invalid_nickname' };
  if (
    input.password.length < MIN_PASSWORD_LENGTH ||
    input.password.length > LIMITS.maxPasswordLength
  ) {
    return { ok: false, error: 'weak_password' };
  }
  if (storage.findAccountByNickname(nickname.output) !== null) {
    return { ok: false, error: 'nickname_taken' };
  }
  const passwordHash = await hashPassword(input.password, options.scrypt);
  // Checked again after the await: another sign-up may have taken the nickname meanwhile.
  if (storage.findAccountByNickname(nickname.output) !== null) {
    return { ok: false, error: 'nickname_taken' };
  }
  const account: StoredAccount = {
    id: newAccountId(),
    nickname: nickname.output,
    name: (input.name?.trim() || nickname.output).slice(0, LIMITS.maxNameLength),
    role: input.role ?? 'trainee',
    chatLimit: input.chatLimit ?? options.defaultChatLimit,
    passwordHash,
    createdAt: options.now,
    disabled: false,
  };
  storage.createAccount(account);
  return { ok: true, account };
}

export type EnsureAdminResult =
  { created: false } | { created: true; account: StoredAccount; generatedPassword: string | null };

/** On the first start (no admin account yet) creates one. With no password given,
 * generates one and returns it so the service can print it once. */
export async function ensureAdmin(
  storage: Storage,
  options: AccountOptions & { nickname: string; password: string | null },
): Promise<EnsureAdminResult> {
  if (storage.listAccounts().some((account) => account.role === 'admin')) {
    return { created: false };
  }
  const existing = storage.findAccountByNickname(options.nickname);
  if (existing !== null) {
    throw new Error(
      `there is no admin account, and the nickname ${JSON.stringify(options.nickname)} belongs to a ${existing.role}; set ADMIN_NICKNAME to a free nickname`,
    );
  }
  const generatedPassword =
    options.password === null ? randomBytes(15).toString('base64url') : null;
  const result = await createAccount(
    storage,
    {
      nickname: options.nickname,
      password: options.password ?? generatedPassword ?? '',
      name: 'Administrator',
      role: 'admin',
    },
    options,
  );
  if (!result.ok) throw new Error(`could not create the admin account: ${result.error}`);
  return { created: true, account: result.account, generatedPassword };
}

/** The default (non-demo) start needs one department for visitors to ask in. */
export function ensureDefaultDepartment(storage: Storage): void {
  if (storage.listDepartments().length === 0) storage.upsertDepartment(DEFAULT_DEPARTMENT);
}

/** Seeds the demo departments and accounts; running it again changes nothing. */
/**
 * The demo accounts' password is printed on the sign-in page and in the README, so a
 * costly hash of it guards nothing; at the default cost the four of them took 1.5–4 s
 * of every demo start on a loaded machine (each e2e test's own service), and every
 * demo sign-in paid the default cost again. Accounts created or re-passworded later
 * get the default cost.
 */
export const DEMO_SCRYPT_PARAMS: ScryptParams = { logN: 10, r: 8, p: 1 };

export async function seedDemo(storage: Storage, options: AccountOptions): Promise<void> {
  const demoOptions = { ...options, scrypt: options.scrypt ?? DEMO_SCRYPT_PARAMS };
  const known = new Set(storage.listDepartments().map((department) => department.id));
  for (const department of DEMO_DEPARTMENTS) {
    if (!known.has(department.id)) storage.upsertDepartment(department);
  }
  for (const demo of DEMO_ACCOUNTS) {
    if (storage.findAccountByNickname(demo.nickname) !== null) continue;
    const result = await createAccount(storage, { ...demo, password: DEMO_PASSWORD }, demoOptions);
    if (!result.ok && result.error !== 'nickname_taken') {
      throw new Error(`could not create the demo account ${demo.nickname}: ${result.error}`);
    }
  }
}

/** What the console may see of an account. */
export function publicAccount(account: StoredAccount): Account {
  // The console sees exactly what the switchboard sees: no hash, no dates.
  return toAccountRecord(account);
}
