/**
 * SPEC.md SP-U7: a rating arrives after the chat has ended, so the core no longer holds
 * the chat; the archive names its helpers. Each of them who is online, and every
 * monitor on the board, is told once.
 */
import type { Board } from './board.ts';
import type { ConnId, CoreEvent } from './events.ts';

export function chatRated(board: Board, event: Extract<CoreEvent, { type: 'chat_rated' }>): void {
  const msg = {
    type: 'chat_rated' as const,
    chatId: event.chatId,
    stars: event.stars,
    at: event.at,
    visitor: event.visitor,
    helpers: event.helpers,
  };
  const told = new Set<ConnId>();
  for (const id of event.helperIds) {
    const conn = board.staff.get(id)?.conn ?? null;
    if (conn === null || told.has(conn)) continue;
    told.add(conn);
    board.send(conn, msg);
  }
  for (const conn of board.feed.subscribers()) {
    if (!told.has(conn)) board.send(conn, msg);
  }
}
