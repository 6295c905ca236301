/**
 * A fixed-window counter per key (client IP), with the clock passed in (STYLE.md
 * point 5). Memory stays bounded: windows that ended are dropped as keys are seen,
 * and the table never holds more than `maxKeys` entries.
 *
 * Exports: `createRateLimiter({ limit, windowMs, maxKeys? })` → `RateLimiter` with
 * `take(key, now)` → `{ allowed: true } | { allowed: false, retryAfterMs }`.
 */

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface RateLimiter {
  take(key: string, now: number): RateDecision;
}

export function createRateLimiter(options: {
  limit: number;
  windowMs: number;
  maxKeys?: number;
}): RateLimiter {
  const maxKeys = options.maxKeys ?? 100_000;
  // Map keeps insertion order: the first entries are the oldest windows.
  const windows = new Map<string, { start: number; count: number }>();

  function prune(now: number): void {
    for (const [key, window] of windows) {
      if (now - window.start < options.windowMs && windows.size < maxKeys) break;
      windows.delete(key);
    }
  }

  return {
    take(key, now) {
      prune(now);
      let window = windows.get(key);
      if (window === undefined || now - window.start >= options.windowMs) {
        windows.delete(key);
        window = { start: now, count: 0 };
        windows.set(key, window);
      }
      if (window.count >= options.limit) {
        return { allowed: false, retryAfterMs: window.start + options.windowMs - now };
      }
      window.count += 1;
      return { allowed: true };
    },
  };
}
