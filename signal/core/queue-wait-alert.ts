/**
 * SPEC.md SP-CR9: a visitor who has waited in the queue for `queueWaitAlertMs` is
 * announced once in the Contributors room. The core only says so (a `queue_wait`
 * effect at the deadline); the shell writes the alert into the room.
 */
import type { DeadlineKey } from './deadlines.ts';
import type { CoreConfig, Effect } from './events.ts';
import type { ChatState, QueuedChat } from './state.ts';

/** What the alert needs of the board: the time, the setting, a deadline, the chats. */
export interface QueueWaitHost {
  readonly now: number;
  readonly config: Pick<CoreConfig, 'queueWaitAlertMs'>;
  readonly chats: ReadonlyMap<string, ChatState>;
  readonly out: Effect[];
  schedule(at: number, key: DeadlineKey): void;
}

/** Called whenever a chat joins a queue. A chat whose deadline has already passed
 * (restored after a restart, or returned to the queue) is not announced again. The
 * key names the queue time it was armed for, so an admin's new setting (SP-A7) applies
 * to visitors who join next and the deadlines already running keep theirs. */
export function armQueueWaitAlert(board: QueueWaitHost, chat: QueuedChat): void {
  const waitMs = board.config.queueWaitAlertMs;
  if (waitMs <= 0) return;
  const at = chat.enqueuedAt + waitMs;
  if (at <= board.now) return;
  board.schedule(at, {
    kind: 'queue_wait',
    chatId: chat.chatId,
    enqueuedAt: chat.enqueuedAt,
  });
}

/** The deadline fired: still queued (offered or not) since the same time, it is told. */
export function queueWaitDue(board: QueueWaitHost, chatId: string, enqueuedAt: number): void {
  const chat = board.chats.get(chatId);
  if (chat?.status !== 'queued') return;
  if (chat.enqueuedAt !== enqueuedAt) return;
  board.out.push({
    kind: 'queue_wait',
    chatId,
    department: chat.details.department,
    visitorName: chat.details.name,
    waitedMs: board.now - chat.enqueuedAt,
  });
}
