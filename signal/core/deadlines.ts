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

export type Deadline = { at: number; key: DeadlineKey };

export class DeadlineHeap {
  readonly #items: Deadline[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(at: number, key: DeadlineKey): void {
    const items = this.#items;
    items.push({ at, key });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]!.at <= items[i]!.at) break;
      [items[parent], items[i]] = [items[i]!, items[parent]!];
      i = parent;
    }
  }

  peek(): Deadline | undefined {
    return this.#items[0];
  }

  /** Removes and returns the earliest deadline at or before `now`. */
  popDue(now: number): Deadline | undefined {
    const items = this.#items;
    const top = items[0];
    if (top === undefined || top.at > now) return undefined;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && items[l]!.at < items[m]!.at) m = l;
        if (r < items.length && items[r]!.at < items[m]!.at) m = r;
        if (m === i) break;
        [items[m], items[i]] = [items[i]!, items[m]!];
        i = m;
      }
    }
    return top;
  }
}
