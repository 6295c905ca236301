/**
 * Read receipts (F9), as pure functions. A message of someone else counts as read
 * by this participant once it has been on screen while the chat was visible (the
 * page visible and the chat widget open). The read state is one mark per
 * participant, "everything up to this message, at this time" (CHAT.md CH-S2, CH-S6);
 * it only moves forward, in conversation order (CH-S5).
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

/** A message where the conversation order puts it (by `seq`, then by id). */
export type PlacedMessage = OrderedMessage & { readonly seq: number };

function comesAfter(a: PlacedMessage, b: { seq: number; id: MessageId }): boolean {
  return a.seq > b.seq || (a.seq === b.seq && a.id > b.id);
}

/**
 * The same mark as `nextReadMark`, from the messages seen since the last call only
 * (and the message of the current mark, undefined when there is none or it is gone):
 * the mark only moves forward, so the last seen message of someone else among the new
 * ones is the candidate. O(new) instead of O(messages): a long chat marks as it is read.
 */
export function laterReadMark(
  fresh: readonly PlacedMessage[],
  current: { seq: number; id: MessageId } | undefined,
): MessageId | null {
  let best: PlacedMessage | undefined;
  for (const message of fresh) {
    if (message.mine) continue;
    if (best === undefined || comesAfter(message, best)) best = message;
  }
  if (best === undefined) return null;
  return current === undefined || comesAfter(best, current) ? best.id : null;
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

export type Reader = { participant: string; at: number };

/**
 * Who has read each message of `messageIds` (in conversation order), for all of them
 * at once: the same answer as `readersOf` per message, in O(messages + marks). The
 * marks split the conversation into bands; every message of a band shares one frozen
 * array, so a view of a long chat holds a handful of reader lists, not one per
 * message (benchmark S8). Readers are in the marks' iteration order.
 */
export function readersByPlace(
  messageIds: readonly MessageId[],
  order: ReadonlyMap<MessageId, number>,
  marks: ReadonlyMap<string, ReadEntry>,
): readonly (readonly Reader[])[] {
  /** Each mark's place, with the participant's position among the marks. */
  const placed: { upTo: number; rank: number; reader: Reader }[] = [];
  let rank = 0;
  for (const [participant, mark] of marks) {
    const upTo = order.get(mark.upTo);
    if (upTo !== undefined) placed.push({ upTo, rank, reader: { participant, at: mark.at } });
    rank++;
  }
  placed.sort((a, b) => b.upTo - a.upTo);
  const out: (readonly Reader[])[] = new Array<readonly Reader[]>(messageIds.length);
  const none: readonly Reader[] = Object.freeze([]);
  let current = none;
  let active: typeof placed = [];
  let next = 0;
  // From the newest message back: a mark at or after a message covers it.
  for (let i = messageIds.length - 1; i >= 0; i--) {
    const place = order.get(messageIds[i]!);
    if (place === undefined) {
      out[i] = none;
      continue;
    }
    let grew = false;
    while (next < placed.length && placed[next]!.upTo >= place) {
      active = [...active, placed[next]!];
      next++;
      grew = true;
    }
    if (grew) {
      current = Object.freeze(
        [...active].sort((a, b) => a.rank - b.rank).map((entry) => entry.reader),
      );
    }
    out[i] = current;
  }
  return out;
}
