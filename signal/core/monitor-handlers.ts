/** What the switchboard does for room monitors and admins beyond watching (SPEC.md
 * SP-M4–SP-M6): the live board, joining a watched chat as a helper, and the helpers'
 * reports of how long the visitor has waited for an answer. */
import type { StaffToService } from '../../protocol/index.ts';
import type { Board } from './board.ts';
import type { ConnId } from './events.ts';
import type { StaffState } from './state.ts';
import { canWatch } from './state.ts';

type MonitorMessage = Extract<
  StaffToService,
  { type: 'board_subscribe' | 'board_unsubscribe' | 'join' | 'unanswered' }
>;

export function monitorMessage(
  board: Board,
  conn: ConnId,
  s: StaffState,
  msg: MonitorMessage,
): void {
  switch (msg.type) {
    case 'board_subscribe':
      if (!canWatch(s.account)) return board.error(conn, 'forbidden', msg.type);
      return board.feed.subscribe(conn);
    case 'board_unsubscribe':
      return board.feed.unsubscribe(conn);
    case 'join':
      return join(board, conn, s, msg.chatId);
    case 'unanswered': {
      const chat = board.chats.get(msg.chatId);
      if (chat?.status !== 'active' || chat.participants.get(s.account.id)?.role !== 'helper') {
        return board.error(conn, 'not_participant', msg.type, msg.chatId);
      }
      // A clock ahead of the service's would show a negative wait.
      const since = msg.since === null ? null : Math.min(msg.since, board.now);
      return board.feed.setUnanswered(chat.chatId, since);
    }
  }
}

/** SP-M6: a watching monitor becomes a helper of the chat, within their chat limit. */
function join(board: Board, conn: ConnId, s: StaffState, chatId: string): void {
  if (!canWatch(s.account)) return board.error(conn, 'forbidden', 'join', chatId);
  const chat = board.chats.get(chatId);
  if (chat?.status !== 'active') return board.error(conn, 'unknown_chat', 'join', chatId);
  const me = chat.participants.get(s.account.id);
  if (me?.role !== 'monitor') return board.error(conn, 'not_participant', 'join', chatId);
  if (s.chats.size >= s.account.chatLimit) {
    return board.error(conn, 'at_chat_limit', 'join', chatId);
  }
  board.uninvite(chat, s.account.id);
  chat.participants.set(s.account.id, { ...me, role: 'helper' });
  board.staffJoins(s, chatId, 'helper');
  board.persistChat(chat);
  board.sendChatTo(chat, s.account.id);
  board.broadcastParticipants(chat);
  board.sendStatus(s);
}
