/** SP-ML3: the outbox's retry policy, a pure function of the attempt and the clock. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, nextAttempt } from '../../../signal/mail/retry-policy.ts';

const base = { createdAt: 0, responseCode: null };

describe('nextAttempt', () => {
  it('SP-ML3 doubles the wait from 10 s up to 5 minutes', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 10].map((attempts) => {
      const decision = nextAttempt(DEFAULT_RETRY_POLICY, { ...base, attempts, now: 1000 });
      return decision.retry ? decision.at - 1000 : null;
    });
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it('SP-ML3 gives up after three days, and at once on a permanent refusal', () => {
    const late = nextAttempt(DEFAULT_RETRY_POLICY, {
      ...base,
      attempts: 900,
      now: 3 * 24 * 60 * 60_000,
    });
    expect(late).toMatchObject({ retry: false });
    const refused = nextAttempt(DEFAULT_RETRY_POLICY, {
      ...base,
      attempts: 1,
      now: 0,
      responseCode: 550,
    });
    expect(refused).toEqual({ retry: false, reason: 'refused by the mail server (550)' });
    const busy = nextAttempt(DEFAULT_RETRY_POLICY, {
      ...base,
      attempts: 1,
      now: 0,
      responseCode: 451,
    });
    expect(busy).toEqual({ retry: true, at: 10_000 });
  });
});
