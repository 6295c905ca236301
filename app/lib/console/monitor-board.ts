/**
 * The monitors' live board in the console (SPEC.md SP-M4–SP-M7) as a pure reducer: the
 * service sends a snapshot, then changes; this folds them into rows the board
 * table renders. No clock here: waits and durations are computed from the times
 * at render, so the rows change only when the service says so.
 */
import type { BoardChat, BoardStaff, ServiceToStaff } from '$protocol';

export type BoardState = {
  /** Chats in queue order: active ones first by start, then queued by queue time. */
  chats: readonly BoardChat[];
  /** Staff by name. */
  staff: readonly BoardStaff[];
  /** SPEC.md SP-P5: participants dropped for breaking the chat rules, newest first. */
  events: readonly SecurityEvent[];
};

export type SecurityEvent = Extract<ServiceToStaff, { type: 'security_event' }>;

/** How many security events the board keeps. */
const EVENTS_KEPT = 20;

export const EMPTY_BOARD: BoardState = { chats: [], staff: [], events: [] };

/** SP-P5: a security event goes on top of the board's list. */
export function addSecurityEvent(board: BoardState, event: SecurityEvent): BoardState {
  return { ...board, events: [event, ...board.events].slice(0, EVENTS_KEPT) };
}

type BoardMessage = Extract<ServiceToStaff, { type: 'board' | 'board_changes' }>;

export function reduceBoard(board: BoardState, msg: BoardMessage): BoardState {
  if (msg.type === 'board') {
    return { chats: sortChats(msg.chats), staff: sortStaff(msg.staff), events: board.events };
  }
  const chats = new Map(board.chats.map((c) => [c.chatId, c]));
  for (const c of msg.chats) chats.set(c.chatId, c);
  for (const id of msg.removed) chats.delete(id);
  const staff = new Map(board.staff.map((s) => [s.id, s]));
  for (const s of msg.staff) staff.set(s.id, s);
  for (const id of msg.staffRemoved) staff.delete(id);
  return {
    chats: sortChats([...chats.values()]),
    staff: sortStaff([...staff.values()]),
    events: board.events,
  };
}

const STATUS_ORDER = { queued: 0, offered: 1, active: 2 } as const;

/** Waiting chats first (oldest at the top), then the active ones, oldest first. */
function sortChats(chats: readonly BoardChat[]): BoardChat[] {
  return [...chats].sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
      (a.startedAt ?? a.enqueuedAt) - (b.startedAt ?? b.enqueuedAt) ||
      (a.chatId < b.chatId ? -1 : 1),
  );
}

function sortStaff(staff: readonly BoardStaff[]): BoardStaff[] {
  return [...staff].sort((a, b) => a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));
}

/** The queue wait: to now while waiting, to the first accept once active. */
export function queueWait(chat: BoardChat, now: number): number {
  return (chat.startedAt ?? now) - chat.enqueuedAt;
}
