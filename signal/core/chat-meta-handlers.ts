/**
 * The handler of `tag_add`, `tag_remove` and `label_set` (SPEC.md SP-K2–SP-K4): who may
 * change a chat's tags and label, the change budget, and who is told. The book that
 * holds them is `chat-meta.ts`.
 */
import type { StaffToService } from '../../protocol/index.ts';
import { LIMITS } from '../../protocol/index.ts';
import type { Board } from './board.ts';
import type { ConnId } from './events.ts';
import type { ChatMetaRecord } from './records.ts';
import type { ChatState, StaffState } from './state.ts';
import { canWatch } from './state.ts';

type ChatMetaChange = Extract<StaffToService, { type: 'tag_add' | 'tag_remove' | 'label_set' }>;

/** SP-K3: a helper of the active chat, or any monitor or admin for any open chat. */
export function mayChangeMeta(chat: ChatState, s: StaffState): boolean {
  if (canWatch(s.account)) return true;
  return chat.status === 'active' && chat.participants.get(s.account.id)?.role === 'helper';
}

export function chatMetaMessage(
  board: Board,
  conn: ConnId,
  s: StaffState,
  msg: ChatMetaChange,
): void {
  const chat = board.chats.get(msg.chatId);
  if (chat === undefined) return board.error(conn, 'unknown_chat', msg.type, msg.chatId);
  if (!mayChangeMeta(chat, s)) {
    return board.error(conn, 'not_participant', msg.type, msg.chatId);
  }
  if (!board.meta.allowChange(s.account.id, board.now, board.config.metaChangesPerWindow)) {
    return board.error(conn, 'rate_limited', msg.type, msg.chatId);
  }
  const before = board.meta.get(chat.chatId);
  const after = changed(before, msg);
  if (after === 'full') return board.error(conn, 'too_many_tags', msg.type, msg.chatId);
  // SP-K2: adding a tag the chat has, or removing one it has not, changes nothing.
  if (after === null) return;
  board.meta.set(chat.chatId, after);
  board.feed.markChat(chat.chatId);
  board.out.push({
    kind: 'persist',
    change: {
      op: 'chat_meta',
      chatId: chat.chatId,
      chatAt: chat.enqueuedAt,
      at: board.now,
      meta: { tags: [...after.tags], label: after.label },
    },
  });
  // SP-K4: every staff participant online hears of it at once; the visitor never does.
  const told = board.meta.message(chat.chatId);
  for (const p of chat.participants.values()) {
    if (p.role !== 'visitor') board.send(board.staffConn(p.id), told);
  }
  // A monitor who changed it from the board, without watching, sees it confirmed too.
  if (!chat.participants.has(s.account.id)) board.send(conn, told);
}

function changed(before: ChatMetaRecord, msg: ChatMetaChange): ChatMetaRecord | 'full' | null {
  switch (msg.type) {
    case 'tag_add':
      if (before.tags.includes(msg.tag)) return null;
      if (before.tags.length >= LIMITS.maxTagsPerChat) return 'full';
      return { tags: [...before.tags, msg.tag], label: before.label };
    case 'tag_remove':
      if (!before.tags.includes(msg.tag)) return null;
      return { tags: before.tags.filter((t) => t !== msg.tag), label: before.label };
    case 'label_set': {
      const label = msg.label.trim();
      return label === before.label ? null : { tags: before.tags, label };
    }
  }
}
