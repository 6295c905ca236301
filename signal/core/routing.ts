/**
 * The routing policy (SPEC.md O1, O2) as a pure function over a snapshot of
 * candidates (STYLE.md point 5): fewest active chats, then idle longest, then the
 * lowest account id so that ties are decided the same way every time.
 */
export type Candidate = {
  accountId: string;
  activeChats: number;
  /** Last offer or accept; a lower value means idle longer. */
  lastBusyAt: number;
};

export function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.activeChats !== b.activeChats) return a.activeChats - b.activeChats;
  if (a.lastBusyAt !== b.lastBusyAt) return a.lastBusyAt - b.lastBusyAt;
  return a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0;
}

/** The best candidate not excluded, or null. `sorted` must be in `compareCandidates` order. */
export function chooseHelper(
  sorted: readonly Candidate[],
  excluded: ReadonlySet<string>,
): Candidate | null {
  for (const candidate of sorted) {
    if (!excluded.has(candidate.accountId)) return candidate;
  }
  return null;
}
