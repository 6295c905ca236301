/**
 * C10: on a deterministic in-memory network of three to five peers, with random
 * delivery order, link failures that lose frames in flight, and reconnections,
 * every replica ends identical after a final flush, with no message lost and none
 * duplicated. Seeds 1..100 run every time (more with PEERDESK_FUZZ_SEEDS=n, one
 * with PEERDESK_FUZZ_SEED=s, longer runs with PEERDESK_FUZZ_STEPS=n); a failing seed is named in the test title and kept
 * below as a regression test.
 */
import { describe, expect, it } from 'vitest';
import { runSeed } from './network-simulation.ts';

function seeds(): number[] {
  const one = process.env['PEERDESK_FUZZ_SEED'];
  if (one) return [Number(one)];
  const count = Number(process.env['PEERDESK_FUZZ_SEEDS'] ?? 100);
  return Array.from({ length: count }, (_, i) => i + 1);
}

describe('C10 in-memory network of replicas', () => {
  it.for(seeds())('C10 replicas converge with nothing lost or doubled, seed %i', (seed) => {
    const outcome = runSeed(seed, Number(process.env['PEERDESK_FUZZ_STEPS'] ?? 250));
    expect(outcome.posted).toBeGreaterThan(0);
  });
});

/** Seeds that caught real mistakes, kept by name. Seeds 1 and 3 failed (h2 refused
 * the visitor, foreign_struct) when a visitor answered sync step 1 with its whole
 * document instead of its own structs (C4); seed 2 then left a message pending. */
describe('C10 regression seeds', () => {
  it('C4 C10 seed 1: a visitor answers step 1 with its own structs only', () => {
    runSeed(1);
  });
  it('C7 C10 seed 2: nothing stays pending after the visitor re-syncs', () => {
    runSeed(2);
  });
  it('C4 C10 seed 3: a reconnecting helper accepts the visitor step 2', () => {
    runSeed(3);
  });
  // Seeds 51 and 54 left a visitor's messages waiting for ever (S8) while the first
  // versions of C12 kept every update behind a held one, and counted no deletions.
  it('C12 C10 seed 51: a write that crossed the sync reply on a fresh link waits for it', () => {
    runSeed(51);
  });
  it('S8 C10 seed 54: deleted messages leave gaps in seq that a late receiver allows', () => {
    runSeed(54);
  });
});
