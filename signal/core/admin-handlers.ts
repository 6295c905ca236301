/**
 * What the HTTP admin API changes in the switchboard (SPEC.md SP-A3, SP-A5–SP-A7): settings,
 * the department list (a retired department's chats move, never lost), lifted
 * blocks and the departments a helper takes. Pure like the other handlers: state
 * changes and effects on the board, no I/O.
 */
import type { Board } from './board.ts';
import type { CoreConfig } from './events.ts';
import type { BlockRecord, DepartmentRecord } from './records.ts';

/** SP-A7: the next offer, grace period or welcome uses the new values; offers and
 * deadlines already running keep theirs. */
export function configChanged(board: Board, config: Partial<CoreConfig>): void {
  board.config = { ...board.config, ...config };
}

/** Rebuilds the block lookups from the blocks in force (at start, and after a lift). */
export function restoreBlocks(board: Board, blocks: readonly BlockRecord[]): void {
  board.blocksByVisitor.clear();
  board.blocksByIp.clear();
  for (const b of blocks) {
    if (b.until <= board.now) continue;
    board.blocksByVisitor.set(
      b.visitorId,
      Math.max(b.until, board.blocksByVisitor.get(b.visitorId) ?? 0),
    );
    if (b.ip !== null)
      board.blocksByIp.set(b.ip, Math.max(b.until, board.blocksByIp.get(b.ip) ?? 0));
  }
}

/** SP-A6: a lifted block no longer shuts the visitor (or IP) out; their next request
 * is queued as anyone's. */
export function blocksChanged(board: Board, blocks: readonly BlockRecord[]): void {
  restoreBlocks(board, blocks);
}

/** SP-A5: the new list replaces the old; with `moved`, every chat of the retired
 * department goes to the other one, keeping its place by request time. */
export function departmentsChanged(
  board: Board,
  departments: readonly DepartmentRecord[],
  moved: { from: string; to: string } | undefined,
): void {
  board.departments.clear();
  for (const d of departments) board.departments.set(d.id, d);
  if (moved !== undefined && board.departments.has(moved.to)) {
    for (const chat of [...board.chats.values()]) {
      if (chat.details.department !== moved.from) continue;
      if (chat.status === 'queued') {
        board.dequeue(chat);
        chat.details = { ...chat.details, department: moved.to };
        board.enqueue(chat);
        // The visitors behind it in the old queue move up.
        board.notices.markStale(moved.from);
      } else {
        chat.details = { ...chat.details, department: moved.to };
        for (const p of chat.participants.values()) {
          if (p.role === 'visitor') continue;
          board.send(board.staffConn(p.id), {
            type: 'department_changed',
            chatId: chat.chatId,
            department: moved.to,
          });
        }
      }
      board.persistChat(chat);
    }
  }
  board.offersChanged();
}

/** SP-A3: a helper limited to some departments is offered only their chats. */
export function helperDepartments(
  board: Board,
  accountId: string,
  departments: readonly string[],
): void {
  if (departments.length === 0) board.helperDepartments.delete(accountId);
  else board.helperDepartments.set(accountId, new Set(departments));
  board.offersChanged();
}
