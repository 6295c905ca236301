import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  DEMO_SCRYPT_PARAMS,
  createAccount,
  ensureAdmin,
  ensureDefaultDepartment,
  publicAccount,
  seedDemo,
} from '../../../signal/auth/accounts.ts';
import {
  DEFAULT_SCRYPT_PARAMS,
  FAST_SCRYPT_PARAMS,
  verifyPassword,
} from '../../../signal/auth/passwords.ts';
import { openSqliteStorage, type SqliteStorage } from '../../../signal/storage/sqlite-storage.ts';

let storage: SqliteStorage;
const options = { now: 1000, defaultChatLimit: 3, scrypt: FAST_SCRYPT_PARAMS };

beforeEach(() => {
  storage = openSqliteStorage(':memory:');
});
afterEach(() => storage.close());

describe('accounts', () => {
  it('SP-T1 new accounts are trainees unless a role is given', async () => {
    const trainee = await createAccount(
      storage,
      { nickname: 'tina', password: 'password1' },
      options,
    );
    const helper = await createAccount(
      storage,
      { nickname: 'hal', password: 'password1', role: 'helper', name: 'Hal H.' },
      options,
    );
    expect(trainee.ok && trainee.account).toMatchObject({
      nickname: 'tina',
      name: 'tina',
      role: 'trainee',
      chatLimit: 3,
      createdAt: 1000,
      disabled: false,
    });
    expect(helper.ok && helper.account).toMatchObject({ role: 'helper', name: 'Hal H.' });
    if (!trainee.ok) throw new Error('unreachable');
    expect(await verifyPassword('password1', trainee.account.passwordHash)).toBe(true);
    expect(await verifyPassword('password2', trainee.account.passwordHash)).toBe(false);
  });

  it('nicknames are unique ignoring case', async () => {
    await createAccount(storage, { nickname: 'Alice', password: 'password1' }, options);
    expect(
      await createAccount(storage, { nickname: 'ALICE', password: 'password1' }, options),
    ).toEqual({ ok: false, error: 'nickname_taken' });
  });

  it('refuses a bad nickname or a short password', async () => {
    expect(
      await createAccount(storage, { nickname: 'has space', password: 'password1' }, options),
    ).toEqual({ ok: false, error: 'invalid_nickname' });
    expect(await createAccount(storage, { nickname: 'ok', password: 'short' }, options)).toEqual({
      ok: false,
      error: 'weak_password',
    });
  });

  it('first start: creates an admin with a generated password, once', async () => {
    const first = await ensureAdmin(storage, { ...options, nickname: 'admin', password: null });
    if (!first.created) throw new Error('expected an admin');
    expect(first.account.role).toBe('admin');
    expect(first.generatedPassword).toMatch(/^[\w-]{20}$/);
    expect(await verifyPassword(first.generatedPassword ?? '', first.account.passwordHash)).toBe(
      true,
    );
    expect(await ensureAdmin(storage, { ...options, nickname: 'admin', password: null })).toEqual({
      created: false,
    });
    expect(storage.countAccounts()).toBe(1);
  });

  it('first start with ADMIN_PASSWORD set: uses it and generates nothing', async () => {
    const result = await ensureAdmin(storage, {
      ...options,
      nickname: 'root',
      password: 'chosen-pass',
    });
    expect(result.created && result.generatedPassword).toBeNull();
    const root = storage.findAccountByNickname('root');
    expect(await verifyPassword('chosen-pass', root?.passwordHash ?? '')).toBe(true);
  });

  it('an admin nickname held by a non-admin is a clear error', async () => {
    await createAccount(storage, { nickname: 'admin', password: 'password1' }, options);
    await expect(
      ensureAdmin(storage, { ...options, nickname: 'admin', password: null }),
    ).rejects.toThrow(/ADMIN_NICKNAME/);
  });

  it('the default start creates the general department only when there is none', () => {
    ensureDefaultDepartment(storage);
    ensureDefaultDepartment(storage);
    expect(storage.listDepartments()).toEqual([{ id: 'general', name: 'General', open: true }]);
    storage.upsertDepartment({ id: 'general', name: 'Renamed', open: false });
    ensureDefaultDepartment(storage);
    expect(storage.listDepartments()).toEqual([{ id: 'general', name: 'Renamed', open: false }]);
  });

  it('demo seeding: departments, four accounts with the demo password, idempotent', async () => {
    await seedDemo(storage, options);
    await seedDemo(storage, options);
    expect(storage.listDepartments()).toEqual([
      { id: 'general', name: 'General', open: true },
      { id: 'billing', name: 'Billing', open: true },
    ]);
    expect(DEMO_ACCOUNTS.map((a) => `${a.nickname}:${a.role}`)).toEqual([
      'alice:helper',
      'bob:helper',
      'tina:trainee',
      'molly:monitor',
    ]);
    for (const demo of DEMO_ACCOUNTS) {
      const account = storage.findAccountByNickname(demo.nickname);
      expect(account?.role).toBe(demo.role);
      expect(await verifyPassword(DEMO_PASSWORD, account?.passwordHash ?? '')).toBe(true);
    }
    expect(storage.countAccounts()).toBe(4);
    // The admin is created too when demo seeding ran first.
    expect(
      (await ensureAdmin(storage, { ...options, nickname: 'admin', password: null })).created,
    ).toBe(true);
  });

  it('the demo accounts (published password) get a cheap hash; the admin and new accounts the default cost', async () => {
    const production = { now: 1000, defaultChatLimit: 3 };
    await seedDemo(storage, production);
    await ensureAdmin(storage, { ...production, nickname: 'admin', password: 'admin-pass-1' });
    const created = await createAccount(
      storage,
      { nickname: 'newcomer', password: 'password1' },
      production,
    );
    if (!created.ok) throw new Error(created.error);
    const costOf = (nickname: string) =>
      storage.findAccountByNickname(nickname)?.passwordHash.split('$').slice(1, 4).map(Number);
    const { logN, r, p } = DEMO_SCRYPT_PARAMS;
    for (const demo of DEMO_ACCOUNTS) expect(costOf(demo.nickname)).toEqual([logN, r, p]);
    const { logN: n15, r: r8, p: p1 } = DEFAULT_SCRYPT_PARAMS;
    expect(costOf('admin')).toEqual([n15, r8, p1]);
    expect(costOf('newcomer')).toEqual([n15, r8, p1]);
    const alice = storage.findAccountByNickname('alice');
    expect(await verifyPassword(DEMO_PASSWORD, alice?.passwordHash ?? '')).toBe(true);
  });

  it('publicAccount drops the hash and dates', async () => {
    const result = await createAccount(storage, { nickname: 'x', password: 'password1' }, options);
    if (!result.ok) throw new Error('unreachable');
    expect(publicAccount(result.account)).toEqual({
      id: result.account.id,
      nickname: 'x',
      name: 'x',
      role: 'trainee',
      chatLimit: 3,
    });
  });
});
