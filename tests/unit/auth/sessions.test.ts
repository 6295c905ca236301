import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createSessions,
  hashSessionToken,
  isSessionTokenShape,
  newSessionToken,
  type Sessions,
} from '../../../signal/auth/sessions.ts';
import { openSqliteStorage, type SqliteStorage } from '../../../signal/storage/sqlite-storage.ts';

let storage: SqliteStorage;
let sessions: Sessions;
const HOUR = 3_600_000;

beforeEach(() => {
  storage = openSqliteStorage(':memory:');
  for (const [id, nickname] of [
    ['a1', 'alice'],
    ['a2', 'bob'],
  ] as const) {
    storage.createAccount({
      id,
      nickname,
      name: nickname,
      role: 'helper',
      chatLimit: 3,
      passwordHash: 'x',
      createdAt: 0,
      disabled: false,
    });
  }
  sessions = createSessions(storage, { ttlMs: HOUR });
});

afterEach(() => storage.close());

describe('sessions', () => {
  it('tokens are 32 random bytes in base64url', () => {
    const token = newSessionToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(newSessionToken()).not.toBe(token);
    expect(isSessionTokenShape(token)).toBe(true);
    expect(isSessionTokenShape(`${token}=`)).toBe(false);
  });

  it('stores only the SHA-256 of the token', () => {
    const { token } = sessions.create('a1', 0);
    expect(storage.findSession(token)).toBeNull();
    const stored = storage.findSession(hashSessionToken(token));
    expect(stored).toMatchObject({ accountId: 'a1', createdAt: 0, expiresAt: HOUR });
    expect(hashSessionToken(token)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('resolves a live session to its account until it expires', () => {
    const { token, expiresAt } = sessions.create('a1', 1000);
    expect(expiresAt).toBe(1000 + HOUR);
    expect(sessions.resolve(token, 1000 + HOUR - 1)?.account.nickname).toBe('alice');
    expect(sessions.resolve(token, 1000 + HOUR)).toBeNull();
  });

  it('unknown and malformed tokens resolve to null', () => {
    expect(sessions.resolve(newSessionToken(), 0)).toBeNull();
    expect(sessions.resolve('', 0)).toBeNull();
    expect(sessions.resolve('x'.repeat(5000), 0)).toBeNull();
  });

  it('revoke ends one session; revoking again reports nothing to revoke', () => {
    const one = sessions.create('a1', 0);
    const two = sessions.create('a1', 0);
    expect(sessions.revoke(one.token, 10)).toBe(true);
    expect(sessions.revoke(one.token, 11)).toBe(false);
    expect(sessions.resolve(one.token, 12)).toBeNull();
    expect(sessions.resolve(two.token, 12)).not.toBeNull();
  });

  it('revokeAll ends every session of one account only', () => {
    const alice1 = sessions.create('a1', 0);
    const alice2 = sessions.create('a1', 0);
    const bob = sessions.create('a2', 0);
    sessions.revokeAll('a1', 5);
    expect(sessions.resolve(alice1.token, 6)).toBeNull();
    expect(sessions.resolve(alice2.token, 6)).toBeNull();
    expect(sessions.resolve(bob.token, 6)?.account.id).toBe('a2');
  });

  it('a disabled account has no live session', () => {
    const { token } = sessions.create('a2', 0);
    storage.close();
    storage = openSqliteStorage(':memory:');
    storage.createAccount({
      id: 'a2',
      nickname: 'bob',
      name: 'bob',
      role: 'helper',
      chatLimit: 3,
      passwordHash: 'x',
      createdAt: 0,
      disabled: true,
    });
    storage.createSession({
      tokenHash: hashSessionToken(token),
      accountId: 'a2',
      createdAt: 0,
      expiresAt: HOUR,
      revokedAt: null,
    });
    expect(createSessions(storage, { ttlMs: HOUR }).resolve(token, 1)).toBeNull();
  });
});
