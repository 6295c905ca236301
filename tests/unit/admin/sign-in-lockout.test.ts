import { describe, expect, it } from 'vitest';
import {
  BASE_LOCK_MS,
  MAX_LOCK_MS,
  createSignInLockout,
  lockFor,
} from '../../../signal/auth/sign-in-lockout.ts';
import type { FailureRecord } from '../../../signal/storage/admin-store.ts';

describe('sign-in lockout (SPEC.md SP-A9)', () => {
  it('SP-A9 four wrong passwords are free, then the lock doubles up to its ceiling', () => {
    expect([1, 2, 3, 4].map(lockFor)).toEqual([0, 0, 0, 0]);
    expect(lockFor(5)).toBe(BASE_LOCK_MS);
    expect(lockFor(6)).toBe(2 * BASE_LOCK_MS);
    expect(lockFor(7)).toBe(4 * BASE_LOCK_MS);
    expect(lockFor(50)).toBe(MAX_LOCK_MS);
  });

  it('SP-A9 locks after the fifth failure, unlocks when the time is up, clears on success', () => {
    const rows = new Map<string, FailureRecord>();
    const lockout = createSignInLockout({
      failures: (id) => rows.get(id) ?? null,
      setFailures: (id, record) => rows.set(id, record),
      clearFailures: (id) => rows.delete(id),
    });
    for (let i = 0; i < 4; i++) expect(lockout.failed('a', 1000)).toBeNull();
    expect(lockout.failed('a', 1000)).toBe(1000 + BASE_LOCK_MS);
    expect(lockout.lockedUntil('a', 1000 + BASE_LOCK_MS - 1)).toBe(1000 + BASE_LOCK_MS);
    expect(lockout.lockedUntil('a', 1000 + BASE_LOCK_MS)).toBeNull();
    expect(lockout.lockedUntil('b', 1000)).toBeNull();
    lockout.succeeded('a');
    expect(lockout.failed('a', 2000)).toBeNull();
  });
});
