/**
 * Per-account lockout after wrong passwords (SPEC.md SP-A9), beside the per-IP limit:
 * a guesser spread over many addresses still gets only a few tries per account.
 * The first `FREE_FAILURES` wrong passwords in a row cost nothing; each one after
 * locks the account for twice as long as the last, from `BASE_LOCK_MS` up to
 * `MAX_LOCK_MS`. A right password (while not locked) clears the count.
 *
 * Exports: `lockFor(failures)` (the pure policy), `createSignInLockout(store)` →
 * `SignInLockout`, `memoryFailureStore(limit)` (for nicknames no account has, so the
 * answers do not tell which nicknames exist), and the constants.
 */
import type { FailureRecord } from '../storage/admin-store.ts';

export const FREE_FAILURES = 4;
export const BASE_LOCK_MS = 30_000;
export const MAX_LOCK_MS = 15 * 60_000;

/** How long the account locks after its `failures`-th wrong password in a row. */
export function lockFor(failures: number): number {
  if (failures <= FREE_FAILURES) return 0;
  return Math.min(MAX_LOCK_MS, BASE_LOCK_MS * 2 ** (failures - FREE_FAILURES - 1));
}

export interface FailureStore {
  failures(accountId: string): FailureRecord | null;
  setFailures(accountId: string, record: FailureRecord): void;
  clearFailures(accountId: string): void;
}

export interface SignInLockout {
  /** When the account may try again, or null when it may now. */
  lockedUntil(accountId: string, now: number): number | null;
  /** Counts a wrong password; returns the new lock end, or null when not locked. */
  failed(accountId: string, now: number): number | null;
  succeeded(accountId: string): void;
  /** An admin reset the password: the count starts again. */
  reset(accountId: string): void;
}

export function createSignInLockout(store: FailureStore): SignInLockout {
  return {
    lockedUntil(accountId, now) {
      const record = store.failures(accountId);
      return record !== null && record.lockedUntil > now ? record.lockedUntil : null;
    },
    failed(accountId, now) {
      const failures = (store.failures(accountId)?.failures ?? 0) + 1;
      const lock = lockFor(failures);
      const lockedUntil = lock === 0 ? 0 : now + lock;
      store.setFailures(accountId, { failures, lockedUntil });
      return lock === 0 ? null : lockedUntil;
    },
    succeeded: (accountId) => store.clearFailures(accountId),
    reset: (accountId) => store.clearFailures(accountId),
  };
}

/** Failures kept in memory, the oldest dropped past `limit` keys: a guesser trying
 * nicknames no account has is locked the same way, so a lock says nothing about
 * whether the nickname exists (SP-A9), and cannot grow the process without bound. */
export function memoryFailureStore(limit: number): FailureStore {
  const records = new Map<string, FailureRecord>();
  return {
    failures: (key) => records.get(key) ?? null,
    setFailures(key, record) {
      records.delete(key);
      records.set(key, record);
      if (records.size > limit) records.delete(records.keys().next().value as string);
    },
    clearFailures: (key) => void records.delete(key),
  };
}
