import { describe, expect, it } from 'vitest';
import {
  BASE_LOCK_MS,
  MAX_LOCK_MS,
  createSignInLockout,
  lockFor,
} from '../../../signal/auth/sign-in-lockout.ts';
import type { FailureRecord } from '../../../signal/storage/admin-store.ts';
import { withWidgetFraming } from '../../../signal/http/admin/widget-framing.ts';

describe('sign-in lockout (SPEC.md A9)', () => {
  it('A9 four wrong passwords are free, then the lock doubles up to its ceiling', () => {
    expect([1, 2, 3, 4].map(lockFor)).toEqual([0, 0, 0, 0]);
    expect(lockFor(5)).toBe(BASE_LOCK_MS);
    expect(lockFor(6)).toBe(2 * BASE_LOCK_MS);
    expect(lockFor(7)).toBe(4 * BASE_LOCK_MS);
    expect(lockFor(50)).toBe(MAX_LOCK_MS);
  });

  it('A9 locks after the fifth failure, unlocks when the time is up, clears on success', () => {
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

describe('widget framing (SPEC.md A7)', () => {
  const page = { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>' };

  it('A7 with no allowed origins the widget may be framed anywhere', () => {
    expect(withWidgetFraming('/widget', page, [])).toBe(page);
  });

  it('A7 allowed origins become frame-ancestors of the widget page only', () => {
    const framed = withWidgetFraming('/widget', page, ['https://help.example.org']);
    expect(framed.headers?.['content-security-policy']).toBe(
      "frame-ancestors 'self' https://help.example.org",
    );
    expect(withWidgetFraming('/console', page, ['https://help.example.org'])).toBe(page);
  });

  it('A7 another policy keeps its other directives; its frame-ancestors gives way', () => {
    const withPolicy = {
      ...page,
      headers: { 'content-security-policy': "default-src 'self'; frame-ancestors 'none'" },
    };
    expect(
      withWidgetFraming('/widget', withPolicy, ['https://a.example']).headers?.[
        'content-security-policy'
      ],
    ).toBe("default-src 'self'; frame-ancestors 'self' https://a.example");
  });
});
