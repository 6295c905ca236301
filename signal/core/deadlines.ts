/**
 * A min-heap of deadlines keyed by string. Entries are never removed eagerly: the
 * switchboard checks on pop that the deadline still matches its state (lazy
 * deletion), so cancelling a timer is free and `nextDeadline` is O(1).
 */
export type Deadline = { at: number; key: string };

export class DeadlineHeap {
  readonly #items: Deadline[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(at: number, key: string): void {
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
