/**
 * Staff sign-in sessions. A session token is 32 random bytes (base64url, 43
 * characters) given to the browser once; storage keeps only its SHA-256, so a copy
 * of the database signs no one in. Sessions expire and can be revoked one by one or
 * all at once for an account (password change, account disabled).
 *
 * Exports:
 * - `createSessions(storage, { ttlMs, newToken? })` → `Sessions`
 * - `Sessions`: `create(accountId, now)`, `resolve(token, now)`, `revoke(token, now)`,
 *   `revokeAll(accountId, now)`
 * - `ResolvedSession`, `newSessionToken()`, `hashSessionToken(token)`,
 *   `isSessionTokenShape(token)`
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Storage, StoredAccount } from '../storage/storage.ts';

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

export function isSessionTokenShape(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export type ResolvedSession = { account: StoredAccount; tokenHash: string; expiresAt: number };

export interface Sessions {
  /** A new session; the token is returned once and never stored. */
  create(accountId: string, now: number): { token: string; expiresAt: number };
  /** The account behind a live session, or null: unknown, malformed, expired,
   * revoked, or the account is gone or disabled. */
  resolve(token: string, now: number): ResolvedSession | null;
  /** Revokes a live session; false when there was none to revoke. */
  revoke(token: string, now: number): boolean;
  revokeAll(accountId: string, now: number): void;
}

export function createSessions(
  storage: Storage,
  options: { ttlMs: number; newToken?: () => string },
): Sessions {
  const newToken = options.newToken ?? newSessionToken;

  function resolve(token: string, now: number): ResolvedSession | null {
    // A malformed token is not hashed or looked up: it cannot be one of ours.
    if (!isSessionTokenShape(token)) return null;
    const tokenHash = hashSessionToken(token);
    const session = storage.findSession(tokenHash);
    if (session === null || session.revokedAt !== null || session.expiresAt <= now) return null;
    const account = storage.findAccountById(session.accountId);
    if (account === null || account.disabled) return null;
    return { account, tokenHash, expiresAt: session.expiresAt };
  }

  return {
    create(accountId, now) {
      const token = newToken();
      const expiresAt = now + options.ttlMs;
      storage.createSession({
        tokenHash: hashSessionToken(token),
        accountId,
        createdAt: now,
        expiresAt,
        revokedAt: null,
      });
      return { token, expiresAt };
    },
    resolve,
    revoke(token, now) {
      const live = resolve(token, now);
      if (live === null) return false;
      storage.revokeSession(live.tokenHash, now);
      return true;
    },
    revokeAll(accountId, now) {
      storage.revokeSessionsOf(accountId, now);
    },
  };
}
