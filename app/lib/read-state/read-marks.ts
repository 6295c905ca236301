/**
 * Read receipts (F9), as pure functions. A message of someone else counts as read
 * by this participant once it has been on screen while the chat was visible (the
 * page visible and the chat widget open). The read state is one mark per
 * participant, "everything up to this message, at this time" (CHAT.md S2, S6);
 * it only moves forward, in conversation order (S5).
 */
import type { MessageId, ReadEntry } from '../../../protocol/index.ts';

export type OrderedMessage = {
  readonly id: MessageId;
  /** Whether this participant wrote it (its own messages need no receipt). */
  readonly mine: boolean;
};

/**
 * The mark to write, or null when it would not move forward: the last message by
 * someone else that has been seen, if it comes after the current mark.
 */
export function nextReadMark(
  messages: readonly OrderedMessage[],
  seen: ReadonlySet<MessageId>,
  current: MessageId | undefined,
): MessageId | null {
  const currentIndex = current === undefined ? -1 : messages.findIndex((m) => m.id === current);
  for (let i = messages.length - 1; i > currentIndex; i--) {
    const message = messages[i]!;
    if (!message.mine && seen.has(message.id)) return message.id;
  }
  return null;
}

/**
 * Who has read `messageId` and when: every participant whose mark is at or after
 * it. `order` maps message ids to their place in the conversation.
 */
export function readersOf(
  messageId: MessageId,
  order: ReadonlyMap<MessageId, number>,
  marks: ReadonlyMap<string, ReadEntry>,
): { participant: string; at: number }[] {
  const place = order.get(messageId);
  if (place === undefined) return [];
  const out: { participant: string; at: number }[] = [];
  for (const [participant, mark] of marks) {
    const upTo = order.get(mark.upTo);
    if (upTo !== undefined && upTo >= place) out.push({ participant, at: mark.at });
  }
  return out;
}
