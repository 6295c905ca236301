/**
 * When the outbox tries a failed email again (STYLE.md point 5: a pure policy). Each
 * failure doubles the wait, from `baseMs` up to `capMs`; after `giveUpMs` from the
 * email's creation it is given up. A permanent refusal (an SMTP 5xx reply: unknown
 * mailbox, refused sender) is given up at once: sending it again cannot help.
 *
 * Exports: `RetryPolicy`, `DEFAULT_RETRY_POLICY`, `nextAttempt(policy, context)`.
 */

export type RetryPolicy = { baseMs: number; capMs: number; giveUpMs: number };

/** 10 s, 20 s, 40 s … then every 5 minutes, for three days. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseMs: 10_000,
  capMs: 5 * 60_000,
  giveUpMs: 3 * 24 * 60 * 60_000,
};

export type RetryContext = {
  /** Failed attempts so far, this one included (1 after the first failure). */
  attempts: number;
  createdAt: number;
  now: number;
  /** The SMTP reply code when the server answered, else null (no connection). */
  responseCode: number | null;
};

export type RetryDecision = { retry: true; at: number } | { retry: false; reason: string };

export function nextAttempt(policy: RetryPolicy, context: RetryContext): RetryDecision {
  if (context.responseCode !== null && context.responseCode >= 500) {
    return { retry: false, reason: `refused by the mail server (${context.responseCode})` };
  }
  const exponent = Math.min(Math.max(context.attempts - 1, 0), 30);
  const delay = Math.min(policy.baseMs * 2 ** exponent, policy.capMs);
  const at = context.now + delay;
  if (at - context.createdAt > policy.giveUpMs) {
    return { retry: false, reason: `still failing after ${context.attempts} attempts` };
  }
  return { retry: true, at };
}
