import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../protocol/index.ts';
import {
  VISITOR_TOKEN_KEY_SETTING,
  createVisitorTokens,
  loadVisitorTokenKey,
  newVisitorIdentity,
} from '../../../signal/auth/visitor-token.ts';
import { openSqliteStorage } from '../../../signal/storage/sqlite-storage.ts';

const key = Buffer.alloc(32, 7);
const tokens = createVisitorTokens(key);
const identity = {
  visitorId: 'vAbc_123-xyz',
  firstVisitAt: 1_700_000_000_000,
  firstLandingPage: 'https://help.example.org/kb/export?x=1',
};

function resign(payloadJson: string): string {
  const payload = Buffer.from(payloadJson).toString('base64url');
  return `${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`;
}

describe('visitor tokens (SP-V1)', () => {
  it('SP-V1 a signed token verifies back to the same identity', () => {
    const token = tokens.sign(identity);
    expect(tokens.verify(token)).toEqual(identity);
  });

  it('SP-V1 a token signed under another key is refused', () => {
    const other = createVisitorTokens(Buffer.alloc(32, 8));
    expect(tokens.verify(other.sign(identity))).toBeNull();
  });

  it('SP-V1 any changed character of a token is refused', () => {
    const token = tokens.sign(identity);
    for (let i = 0; i < token.length; i += 1) {
      for (const c of ['A', 'z', '.', '_']) {
        if (token[i] === c) continue;
        const tampered = token.slice(0, i) + c + token.slice(i + 1);
        expect(tokens.verify(tampered), `position ${i} → ${c}`).toBeNull();
      }
    }
  });

  it('SP-V1 a rewritten payload with the old signature is refused', () => {
    const [, signature] = tokens.sign(identity).split('.');
    const forged = Buffer.from(
      JSON.stringify({ v: 1, id: 'vSomeoneElse', at: 1, lp: 'https://x' }),
    ).toString('base64url');
    expect(tokens.verify(`${forged}.${signature ?? ''}`)).toBeNull();
  });

  it('SP-V1 a correctly signed payload of the wrong shape is refused', () => {
    expect(tokens.verify(resign('not json'))).toBeNull();
    expect(tokens.verify(resign('[]'))).toBeNull();
    expect(tokens.verify(resign('{"v":2,"id":"v1","at":1,"lp":""}'))).toBeNull();
    expect(tokens.verify(resign('{"v":1,"id":"bad id!","at":1,"lp":""}'))).toBeNull();
    expect(tokens.verify(resign('{"v":1,"id":"v1","at":-1,"lp":""}'))).toBeNull();
    expect(tokens.verify(resign('{"v":1,"id":"v1","at":1,"lp":"","x":1}'))).toBeNull();
    expect(
      tokens.verify(resign('{"v":1,"id":"v1","at":1,"lp":"","__proto__":{"a":1}}')),
    ).toBeNull();
    expect(tokens.verify(resign('{"v":1,"id":"v1","at":1,"lp":""}'))).toEqual({
      visitorId: 'v1',
      firstVisitAt: 1,
      firstLandingPage: '',
    });
  });

  it('SP-V1 malformed and oversized tokens are refused', () => {
    const token = tokens.sign(identity);
    for (const bad of [
      '',
      '.',
      'abc',
      `${token}.x`,
      `.${token}`,
      token.replace('.', '..'),
      `${token}\n`,
      'a'.repeat(LIMITS.maxTokenLength + 1),
      `${'a'.repeat(LIMITS.maxTokenLength)}.${token.split('.')[1] ?? ''}`,
    ]) {
      expect(tokens.verify(bad)).toBeNull();
    }
  });

  it('SP-V1 verify never throws on any string', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 2000 }), (s) => {
        expect(tokens.verify(s)).toBeNull();
      }),
      { numRuns: 2000 },
    );
  });

  it('SP-V1 a long landing page is shortened so the token fits the protocol limit', () => {
    const long = { ...identity, firstLandingPage: `https://x/${'é"\u0001'.repeat(700)}` };
    const token = tokens.sign(long);
    expect(token.length).toBeLessThanOrEqual(LIMITS.maxTokenLength);
    const back = tokens.verify(token);
    expect(back?.visitorId).toBe(identity.visitorId);
    expect(long.firstLandingPage.startsWith(back?.firstLandingPage ?? '?')).toBe(true);
  });

  it('the key is generated once and kept in settings', () => {
    const storage = openSqliteStorage(':memory:');
    const first = loadVisitorTokenKey(storage);
    expect(first).toHaveLength(32);
    expect(loadVisitorTokenKey(storage).equals(first)).toBe(true);
    storage.setSetting(VISITOR_TOKEN_KEY_SETTING, 'short');
    expect(() => loadVisitorTokenKey(storage)).toThrow(/damaged/);
    storage.close();
  });

  it('new visitors get a fresh id that survives a round trip', () => {
    const a = newVisitorIdentity(5, 'https://site/');
    const b = tokens.mint(5, 'https://site/');
    expect(a.visitorId).not.toBe(b.visitorId);
    expect(b).toMatchObject({ firstVisitAt: 5, firstLandingPage: 'https://site/' });
    expect(tokens.verify(tokens.sign(a))).toEqual(a);
  });
});
