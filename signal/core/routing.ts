/**
 * The routing policy (SPEC.md SP-O1, SP-O2) as pure functions (STYLE.md point 5): who
 * may be offered a chat, and in which order — fewest active chats, then idle
 * longest, then the lowest account id so that ties are decided the same way
 * every time. The switchboard keeps the candidates in this order as their state
 * changes (helper-index.ts) instead of sorting them for every dispatch.
 */
import type { StaffState } from './state.ts';
import { canTakeOffers } from './state.ts';

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

/** Counted as a helper online in queue notices (SP-Q3): could take offers when free. */
export function isHelperOnline(s: StaffState): boolean {
  return s.conn !== null && s.available && canTakeOffers(s.account);
}

/** May be offered a chat now (SP-O1, SP-O3, SP-L1); per chat, those who rejected it are skipped too. */
export function isReadyForOffer(s: StaffState): boolean {
  return isHelperOnline(s) && s.offer === null && s.chats.size < s.account.chatLimit;
}

const takesEvery = (): boolean => true;

/** The best candidate not excluded that takes the chat's department (SP-A3), or null.
 * `sorted` must be in `compareCandidates` order (a SortedList or an array). */
export function chooseHelper(
  sorted: { find(test: (candidate: Candidate) => boolean): Candidate | undefined },
  excluded: ReadonlySet<string>,
  takes: (accountId: string) => boolean = takesEvery,
): Candidate | null {
  return (
    sorted.find((candidate) => !excluded.has(candidate.accountId) && takes(candidate.accountId)) ??
    null
  );
}
