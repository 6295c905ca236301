import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../../signal/http/rate-limiter.ts';

describe('rate limiter', () => {
  it('allows `limit` per window per key, then says when to retry', () => {
    const limiter = createRateLimiter({ limit: 3, windowMs: 60_000 });
    for (let i = 0; i < 3; i += 1) expect(limiter.take('a', 1000 + i).allowed).toBe(true);
    expect(limiter.take('a', 2000)).toEqual({ allowed: false, retryAfterMs: 59_000 });
    expect(limiter.take('b', 2000).allowed).toBe(true);
    expect(limiter.take('a', 61_000).allowed).toBe(true);
  });

  it('stays bounded in memory', () => {
    const limiter = createRateLimiter({ limit: 1, windowMs: 60_000, maxKeys: 10 });
    for (let i = 0; i < 1000; i += 1) limiter.take(`ip${i}`, 0);
    // The oldest keys were dropped, so the first is allowed again: bounded beats exact.
    expect(limiter.take('ip0', 1).allowed).toBe(true);
    expect(limiter.take('ip999', 1).allowed).toBe(false);
  });
});
