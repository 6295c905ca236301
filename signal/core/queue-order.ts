/**
 * The order of a department's queue (SPEC.md Q1, Q2): chats returned after their
 * helpers left go first, then by the time the visitor first joined the queue.
 */
export type QueueKey = { chatId: string; returned: boolean; enqueuedAt: number };

export function compareQueueKeys(a: QueueKey, b: QueueKey): number {
  if (a.returned !== b.returned) return a.returned ? -1 : 1;
  if (a.enqueuedAt !== b.enqueuedAt) return a.enqueuedAt - b.enqueuedAt;
  return a.chatId < b.chatId ? -1 : a.chatId > b.chatId ? 1 : 0;
}

/** A department queue kept sorted; inserts by binary search. */
export class DepartmentQueue {
  readonly #items: QueueKey[] = [];

  get length(): number {
    return this.#items.length;
  }

  items(): readonly QueueKey[] {
    return this.#items;
  }

  insert(key: QueueKey): void {
    let lo = 0;
    let hi = this.#items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compareQueueKeys(this.#items[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    this.#items.splice(lo, 0, key);
  }

  remove(chatId: string): boolean {
    const i = this.#items.findIndex((k) => k.chatId === chatId);
    if (i < 0) return false;
    this.#items.splice(i, 1);
    return true;
  }
}
