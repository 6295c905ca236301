/**
 * Signed visitor tokens (SPEC.md SP-V1). A token carries the visitor's id, first visit
 * time and first landing page, signed with HMAC-SHA256 under a key generated once
 * and kept in settings, so a visitor cannot claim another's id or rewrite their
 * history. Format: `<payload base64url>.<signature base64url>`, at most
 * `LIMITS.maxTokenLength` characters (a long landing page is shortened to fit).
 *
 * Exports:
 * - `loadVisitorTokenKey(storage)` → Buffer (creates and stores it on first use)
 * - `createVisitorTokens(key)` → `VisitorTokens` (the gateway's `VisitorTokenService`):
 *   `sign(identity)` → string, `verify(token)` → `VisitorIdentity | null` (never
 *   throws), `mint(now, landingPage)` → a new identity
 * - `newVisitorIdentity(now, landingPage)` → `VisitorIdentity` with a fresh random id
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as v from 'valibot';
import { Id, LIMITS, Timestamp, Url } from '../../protocol/index.ts';
import type { VisitorIdentity } from '../core/records.ts';
import type { Storage } from '../storage/storage.ts';

export const VISITOR_TOKEN_KEY_SETTING = 'visitor_token_key';
const KEY_BYTES = 32;
const SIGNATURE_CHARS = 43; // 32 bytes of HMAC-SHA256 as base64url

/** Reads the signing key from settings, creating it on the first start. */
export function loadVisitorTokenKey(storage: Storage): Buffer {
  const stored = storage.getSetting(VISITOR_TOKEN_KEY_SETTING);
  if (stored !== null) {
    const key = Buffer.from(stored, 'base64url');
    if (key.length === KEY_BYTES) return key;
    throw new Error(`the setting ${VISITOR_TOKEN_KEY_SETTING} is damaged`);
  }
  const key = randomBytes(KEY_BYTES);
  storage.setSetting(VISITOR_TOKEN_KEY_SETTING, key.toString('base64url'));
  return key;
}

export function newVisitorIdentity(now: number, landingPage: string): VisitorIdentity {
  return {
    visitorId: `v${randomBytes(12).toString('base64url')}`,
    firstVisitAt: now,
    firstLandingPage: landingPage,
  };
}

/** Short keys keep the token small; `v` versions the payload. */
const Payload = v.strictObject({ v: v.literal(1), id: Id, at: Timestamp, lp: Url });

export interface VisitorTokens {
  sign(identity: VisitorIdentity): string;
  verify(token: string): VisitorIdentity | null;
  mint(now: number, landingPage: string): VisitorIdentity;
}

export function createVisitorTokens(key: Uint8Array): VisitorTokens {
  const mac = (payload: string): Buffer => createHmac('sha256', key).update(payload).digest();

  function encode(identity: VisitorIdentity, landingPage: string): string {
    const payload = Buffer.from(
      JSON.stringify({ v: 1, id: identity.visitorId, at: identity.firstVisitAt, lp: landingPage }),
    ).toString('base64url');
    return `${payload}.${mac(payload).toString('base64url')}`;
  }

  return {
    mint: newVisitorIdentity,
    sign(identity) {
      // Shorten the landing page by code points until the token fits the protocol's
      // token limit (escaped or multi-byte characters make the size hard to predict).
      let page = Array.from(identity.firstLandingPage.slice(0, LIMITS.maxUrlLength));
      let token = encode(identity, page.join(''));
      while (token.length > LIMITS.maxTokenLength && page.length > 0) {
        page = page.slice(0, Math.floor(page.length * 0.8));
        token = encode(identity, page.join(''));
      }
      return token;
    },

    verify(token) {
      if (typeof token !== 'string' || token.length > LIMITS.maxTokenLength) return null;
      const dot = token.indexOf('.');
      if (dot <= 0 || token.indexOf('.', dot + 1) !== -1) return null;
      const payload = token.slice(0, dot);
      const signature = token.slice(dot + 1);
      if (!/^[A-Za-z0-9_-]+$/.test(payload) || !/^[A-Za-z0-9_-]+$/.test(signature)) return null;
      if (signature.length !== SIGNATURE_CHARS) return null;
      const given = Buffer.from(signature, 'base64url');
      // base64url's last character has spare bits; only the canonical form is ours.
      if (given.toString('base64url') !== signature) return null;
      // Compare the signature before reading the payload: unsigned bytes are never parsed.
      const expected = mac(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      let json: unknown;
      try {
        json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return null;
      }
      const parsed = v.safeParse(Payload, json);
      if (!parsed.success) return null;
      return {
        visitorId: parsed.output.id,
        firstVisitAt: parsed.output.at,
        firstLandingPage: parsed.output.lp,
      };
    },
  };
}
