/**
 * The helpers who can be offered a chat right now, kept in routing order (SPEC.md
 * SP-O1, SP-O2), and the count of helpers online (SP-Q3). The board calls `update` after
 * every change to a staff member's connection, availability, role, limit, chats,
 * offer or idle time, so that a dispatch reads the best candidate off the front
 * instead of scanning and sorting every helper for every offer.
 */
import { compareCandidates, isHelperOnline, isReadyForOffer, type Candidate } from './routing.ts';
import { SortedList } from './sorted-list.ts';
import type { StaffState } from './state.ts';

export class HelperIndex {
  readonly #ready = new SortedList<Candidate>(compareCandidates);
  /** Each ready helper's entry in `#ready`, as it was inserted (its sort key). */
  readonly #entries = new Map<string, Candidate>();
  readonly #online = new Set<string>();

  /** Re-files one staff member; returns whether the count of helpers online changed. */
  update(s: StaffState): boolean {
    const id = s.account.id;
    const old = this.#entries.get(id);
    const ready = isReadyForOffer(s);
    const unchanged =
      old !== undefined &&
      ready &&
      old.activeChats === s.chats.size &&
      old.lastBusyAt === s.lastBusyAt;
    if (!unchanged) {
      if (old !== undefined) {
        this.#ready.remove(old);
        this.#entries.delete(id);
      }
      if (ready) {
        const entry = { accountId: id, activeChats: s.chats.size, lastBusyAt: s.lastBusyAt };
        this.#ready.insert(entry);
        this.#entries.set(id, entry);
      }
    }
    const wasOnline = this.#online.has(id);
    if (wasOnline === isHelperOnline(s)) return false;
    if (wasOnline) this.#online.delete(id);
    else this.#online.add(id);
    return true;
  }

  /** Forgets a staff member who left the board; returns whether helpers online changed. */
  remove(accountId: string): boolean {
    const old = this.#entries.get(accountId);
    if (old !== undefined) {
      this.#ready.remove(old);
      this.#entries.delete(accountId);
    }
    return this.#online.delete(accountId);
  }

  get readyCount(): number {
    return this.#ready.size;
  }

  get onlineCount(): number {
    return this.#online.size;
  }

  /** The ready helpers, best first (iterate, or `find` without allocating). */
  ready(): Iterable<Candidate> & Pick<SortedList<Candidate>, 'find'> {
    return this.#ready;
  }
}
