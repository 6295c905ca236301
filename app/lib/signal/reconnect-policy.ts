/**
 * When to try the signal service again after a connection is lost (SPEC.md SP-S3).
 * A pure function of the attempt, the close code and a random number (STYLE.md
 * point 5, after LiveKit's ReconnectPolicy), so tests can pin it.
 *
 * Exponential backoff with jitter: after a restart thousands of clients lose the
 * socket at the same instant, and without jitter they would all come back at the
 * same instants too.
 */
export type ReconnectContext = {
  /** 0 for the first retry after a connection was lost. */
  attempt: number;
  /** The close code of the lost connection (1006 when it just dropped). */
  closeCode: number;
  /** A number in [0, 1). */
  random: number;
};

/** Close codes after which reconnecting cannot help (protocol/errors.ts). */
const FINAL_CLOSE_CODES = new Set([
  4001, // unauthorized: sign in again
  4002, // bad_version: reload
  4004, // bad_origin
  4005, // blocked
  4006, // replaced by a newer connection
]);

export const RECONNECT = {
  baseMs: 500,
  capMs: 30_000,
  /** A service that says it is restarting (1012) is given a wider first window. */
  restartWindowMs: 3_000,
} as const;

/** Milliseconds to wait before the next attempt, or null to stop trying. */
export function nextRetryDelayMs(context: ReconnectContext): number | null {
  if (FINAL_CLOSE_CODES.has(context.closeCode)) return null;
  const exponential = Math.min(
    RECONNECT.capMs,
    RECONNECT.baseMs * 2 ** Math.min(context.attempt, 16),
  );
  const window =
    context.closeCode === 1012 ? Math.max(exponential, RECONNECT.restartWindowMs) : exponential;
  // "Equal jitter": half fixed, half random, so a retry is never immediate.
  return Math.round(window / 2 + (window / 2) * context.random);
}
