/**
 * When to try a link to a peer again after an attempt failed or an open link died.
 * A pure function of the attempt, the reason and a random number (STYLE.md 5, the
 * same shape as app/lib/signal/reconnect-policy.ts), so tests can pin it.
 *
 * The first retry is quick: most deaths are a peer's reload or a network change,
 * and the chat should come back while the person is still looking. After that it
 * backs off exponentially with equal jitter, so two peers who keep failing do not
 * flood the relay (it rate-limits per socket) or each other.
 */
import type { PeerLinkCloseReason } from './peer-link.ts';

export type RelinkContext = {
  /** 0 for the first retry since the link to this peer was last open. */
  attempt: number;
  /** Why the last link or attempt ended. */
  reason: PeerLinkCloseReason;
  /** A number in [0, 1). */
  random: number;
};

const SLOW_REASONS = new Set<PeerLinkCloseReason>(['overflow', 'signal_failed', 'refused']);

export const RELINK = {
  firstMs: 250,
  baseMs: 1_000,
  capMs: 30_000,
} as const;

/** Milliseconds to wait before the next attempt. Links are always retried while the
 * peer is a participant; it is the participant list that ends them. */
export function nextRelinkDelayMs(context: RelinkContext): number {
  const window =
    context.attempt === 0
      ? RELINK.firstMs
      : Math.min(RELINK.capMs, RELINK.baseMs * 2 ** Math.min(context.attempt - 1, 16));
  // A peer that could not keep up (overflow), sent signals we could not apply, or
  // whose bytes our replica refused is not helped by haste.
  const floor = SLOW_REASONS.has(context.reason) ? RELINK.baseMs : 0;
  const jittered = window / 2 + (window / 2) * context.random;
  return Math.round(Math.max(floor, jittered));
}
