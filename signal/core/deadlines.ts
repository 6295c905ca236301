/**
 * A min-heap of deadlines, each with what it is for. Entries are never removed
 * eagerly: the switchboard checks on pop that the deadline still matches its state
 * (lazy deletion), so cancelling a timer is free and `nextDeadline` is O(1).
 */

/** What a deadline is for: the switchboard's `tick` switches on `kind`, and the ids
 * travel as fields (never joined into a string and split apart again). */
export type DeadlineKey =
  /** SP-O4: an offer not accepted in time. */
  | { kind: 'offer'; chatId: string }
  /** SP-G2: a disconnected helper's grace period. */
  | { kind: 'staff'; accountId: string }
  /** SP-Q6: a disconnected visitor's grace period (then a queued request is cancelled). */
  | { kind: 'visitor'; visitorId: string }
  /** SP-I2: an invitation not answered in time. */
  | { kind: 'invite'; chatId: string; helperId: string }
  /** SP-Q3: queued visitors are told their positions again. */
  | { kind: 'positions' }
  /** The positions walk goes on, one step at a time. */
  | { kind: 'positions_step' }
  /** SP-M1: the monitor board's batched changes go out. */
  | { kind: 'board' }
  /** SP-CR9: a visitor queued since `enqueuedAt` has waited long enough to be announced. */
  | { kind: 'queue_wait'; chatId: string; enqueuedAt: number };

/** Times and keys in two parallel arrays, moved by hole-sifting: a push or pop
 * allocates nothing (no entry object per deadline, no array per swap), so a walk that
 * schedules one step per millisecond leaves no garbage for the next scavenge. */
export class DeadlineHeap {
  readonly #at: number[] = [];
  readonly #keys: DeadlineKey[] = [];
  /** When the deadline `popDue` returned last was due. */
  #poppedAt = 0;

  get size(): number {
    return this.#at.length;
  }

  push(at: number, key: DeadlineKey): void {
    const times = this.#at;
    const keys = this.#keys;
    let i = times.length;
    times.push(at);
    keys.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent]! <= at) break;
      times[i] = times[parent]!;
      keys[i] = keys[parent]!;
      i = parent;
    }
    times[i] = at;
    keys[i] = key;
  }

  /** The earliest deadline's time, or null when there is none. */
  nextAt(): number | null {
    return this.#at.length === 0 ? null : this.#at[0]!;
  }

  /** Removes and returns the key of the earliest deadline at or before `now`
   * (`poppedAt` says when it was due), or undefined when none is due. */
  popDue(now: number): DeadlineKey | undefined {
    const times = this.#at;
    const keys = this.#keys;
    if (times.length === 0 || times[0]! > now) return undefined;
    const top = keys[0]!;
    this.#poppedAt = times[0]!;
    const lastAt = times.pop()!;
    const lastKey = keys.pop()!;
    const n = times.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const m = r < n && times[r]! < times[l]! ? r : l;
        if (times[m]! >= lastAt) break;
        times[i] = times[m]!;
        keys[i] = keys[m]!;
        i = m;
      }
      times[i] = lastAt;
      keys[i] = lastKey;
    }
    return top;
  }

  /** When the deadline last returned by `popDue` was due. */
  get poppedAt(): number {
    return this.#poppedAt;
  }
}
