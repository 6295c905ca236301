/** The relink policy is pure: pinned inputs give pinned delays. */
import { describe, expect, it } from 'vitest';
import { nextRelinkDelayMs, RELINK } from '../../../app/lib/peer/relink-policy.ts';
import { initiates, shouldLink } from '../../../app/lib/peer/link-pairs.ts';

describe('relink policy', () => {
  it('retries quickly first, then backs off exponentially up to the cap, with equal jitter', () => {
    const at = (attempt: number, random: number) =>
      nextRelinkDelayMs({ attempt, reason: 'ice_failed', random });
    expect(at(0, 0)).toBe(RELINK.firstMs / 2);
    expect(at(0, 0.999_999)).toBe(RELINK.firstMs);
    expect(at(1, 0)).toBe(RELINK.baseMs / 2);
    expect(at(3, 0)).toBe((RELINK.baseMs * 4) / 2);
    expect(at(40, 0.999_999)).toBe(RELINK.capMs);
    for (let attempt = 0; attempt < 20; attempt++) {
      expect(at(attempt + 1, 0.5)).toBeGreaterThanOrEqual(at(attempt, 0.5));
    }
  });

  it('a peer that overflowed, sent bad signals or was refused is not retried in haste', () => {
    expect(nextRelinkDelayMs({ attempt: 0, reason: 'refused', random: 0 })).toBe(RELINK.baseMs);
    expect(nextRelinkDelayMs({ attempt: 0, reason: 'overflow', random: 0 })).toBe(RELINK.baseMs);
    expect(nextRelinkDelayMs({ attempt: 0, reason: 'signal_failed', random: 0 })).toBe(
      RELINK.baseMs,
    );
  });
});

describe('link pairs', () => {
  it('SP-R1 SP-M2 visitor–monitor and monitor–monitor never link; every pair with a helper does', () => {
    expect(shouldLink('visitor', 'monitor')).toBe(false);
    expect(shouldLink('monitor', 'visitor')).toBe(false);
    expect(shouldLink('monitor', 'monitor')).toBe(false);
    expect(shouldLink('visitor', 'helper')).toBe(true);
    expect(shouldLink('helper', 'helper')).toBe(true);
    expect(shouldLink('helper', 'monitor')).toBe(true);
  });

  it('exactly one side of a pair initiates', () => {
    expect(initiates('a', 'b')).toBe(true);
    expect(initiates('b', 'a')).toBe(false);
  });
});
