/**
 * Follow-up link secrets (SPEC.md SP-TK3): 32 bytes from the system's CSPRNG, given to
 * the visitor once (in the widget or an email) and stored only as their SHA-256, so
 * a copy of the database opens no ticket. The link carries the secret in the URL
 * fragment (`/follow-up#<token>`): browsers never send a fragment to a server, in a
 * request or a Referer.
 *
 * Exports: `newFollowUpToken()`, `hashFollowUpToken(token)`, `followUpPath(token)`.
 */
import { createHash, randomBytes } from 'node:crypto';

export function newFollowUpToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashFollowUpToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function followUpPath(token: string): string {
  return `/follow-up#${token}`;
}
