/**
 * A list kept sorted by a total order, stored in chunks (the layout of Python's
 * `sortedcontainers`): each chunk is a sorted array of at most `2 × CHUNK` items,
 * and the chunks follow one another in order. Insert and remove cost a binary
 * search over the chunks, one within a chunk and a splice of that chunk only —
 * not a splice of the whole list, which at ten thousand queued chats is what made
 * every accept slow. `rank` and `at` add a walk over the chunk lengths (n / CHUNK).
 *
 * The comparator must be total: two items compare equal only if they are the same
 * entry (ties broken by an id), since `remove` finds its item by comparing.
 */
const CHUNK = 256;

export class SortedList<T> implements Iterable<T> {
  readonly #chunks: T[][] = [];
  #size = 0;

  constructor(readonly compare: (a: T, b: T) => number) {}

  get size(): number {
    return this.#size;
  }

  first(): T | undefined {
    return this.#chunks[0]?.[0];
  }

  insert(item: T): void {
    const chunks = this.#chunks;
    this.#size++;
    if (chunks.length === 0) {
      chunks.push([item]);
      return;
    }
    // Past every chunk's last item: it goes at the end of the last chunk.
    const c = Math.min(this.#chunkFor(item), chunks.length - 1);
    const chunk = chunks[c]!;
    chunk.splice(this.#lowerBound(chunk, item), 0, item);
    if (chunk.length > 2 * CHUNK) chunks.splice(c + 1, 0, chunk.splice(CHUNK));
  }

  /** Removes the entry that compares equal to `item`; false if there is none. */
  remove(item: T): boolean {
    const c = this.#chunkFor(item);
    const chunk = this.#chunks[c];
    if (chunk === undefined) return false;
    const i = this.#lowerBound(chunk, item);
    if (i >= chunk.length || this.compare(chunk[i]!, item) !== 0) return false;
    chunk.splice(i, 1);
    this.#size--;
    this.#rebalance(c);
    return true;
  }

  /** The 0-based place of the entry equal to `item`, or -1. */
  rank(item: T): number {
    const c = this.#chunkFor(item);
    const chunk = this.#chunks[c];
    if (chunk === undefined) return -1;
    const i = this.#lowerBound(chunk, item);
    if (i >= chunk.length || this.compare(chunk[i]!, item) !== 0) return -1;
    let before = 0;
    for (let k = 0; k < c; k++) before += this.#chunks[k]!.length;
    return before + i;
  }

  /** The entry at 0-based place `index`, or undefined. */
  at(index: number): T | undefined {
    if (index < 0) return undefined;
    let rest = index;
    for (const chunk of this.#chunks) {
      if (rest < chunk.length) return chunk[rest];
      rest -= chunk.length;
    }
    return undefined;
  }

  /** Copies up to `max` entries from 0-based place `index` on into the start of
   * `into` and returns how many it copied. Unlike iterating, it allocates nothing, so
   * a walk over ten thousand entries a step at a time leaves no iterator results behind. */
  copyFrom(index: number, max: number, into: (T | undefined)[]): number {
    let skip = Math.max(0, index);
    let n = 0;
    const chunks = this.#chunks;
    for (let c = 0; c < chunks.length && n < max; c++) {
      const chunk = chunks[c]!;
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      for (let i = skip; i < chunk.length && n < max; i++) into[n++] = chunk[i]!;
      skip = 0;
    }
    return n;
  }

  /** The first entry, in order, that `test` accepts; allocates nothing. */
  find(test: (item: T) => boolean): T | undefined {
    const chunks = this.#chunks;
    for (let c = 0; c < chunks.length; c++) {
      const chunk = chunks[c]!;
      for (let i = 0; i < chunk.length; i++) if (test(chunk[i]!)) return chunk[i];
    }
    return undefined;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.from(0);
  }

  /** The entries from 0-based place `index` on, in order. */
  *from(index: number): Generator<T> {
    let skip = Math.max(0, index);
    for (const chunk of this.#chunks) {
      if (skip >= chunk.length) {
        skip -= chunk.length;
        continue;
      }
      for (let i = skip; i < chunk.length; i++) yield chunk[i]!;
      skip = 0;
    }
  }

  /** The first chunk whose last item is not before `item` (chunks.length if none). */
  #chunkFor(item: T): number {
    const chunks = this.#chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const chunk = chunks[mid]!;
      if (this.compare(chunk[chunk.length - 1]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #lowerBound(chunk: readonly T[], item: T): number {
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.compare(chunk[mid]!, item) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops an empty chunk and folds a small one into its neighbour, so that the
   * number of chunks stays about size / CHUNK whatever the pattern of removals. */
  #rebalance(c: number): void {
    const chunks = this.#chunks;
    const chunk = chunks[c]!;
    if (chunk.length === 0) {
      chunks.splice(c, 1);
      return;
    }
    if (chunk.length >= CHUNK / 2 || chunks.length === 1) return;
    const left = c > 0 ? c - 1 : c;
    const merged = chunks[left]!.concat(chunks[left + 1]!);
    chunks.splice(left, 2, merged);
    if (merged.length > 2 * CHUNK) chunks.splice(left + 1, 0, merged.splice(merged.length >> 1));
  }
}
