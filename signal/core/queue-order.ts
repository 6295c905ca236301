/**
 * The order of a department's queue (SPEC.md SP-Q1, SP-Q2): chats returned after their
 * helpers left go first, then by the time the visitor first joined the queue.
 */
import { SortedList } from './sorted-list.ts';

export type QueueKey = { chatId: string; returned: boolean; enqueuedAt: number };

export function compareQueueKeys(a: QueueKey, b: QueueKey): number {
  if (a.returned !== b.returned) return a.returned ? -1 : 1;
  if (a.enqueuedAt !== b.enqueuedAt) return a.enqueuedAt - b.enqueuedAt;
  return a.chatId < b.chatId ? -1 : a.chatId > b.chatId ? 1 : 0;
}

/** Chats in queue order: a department's queue, or every chat waiting for an offer. */
export class QueueList<K extends QueueKey> extends SortedList<K> {
  constructor() {
    super(compareQueueKeys);
  }
}
