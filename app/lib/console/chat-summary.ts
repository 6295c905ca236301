/**
 * What the chat list shows of each chat besides its name (F14): since when the
 * visitor has waited for an answer, and whether they are typing. Pure functions of
 * the session's view, so unit tests need no browser.
 */
import type { SessionView } from '../session/session-view.ts';
import { unansweredSince } from './monitor-board.ts';

/** Since when the visitor has waited for an answer (the board's rule, M5), if they have. */
export function waitingSince(view: SessionView | null): number | null {
  return view === null ? null : unansweredSince(view);
}

/** Whether the visitor is typing right now. */
export function visitorTyping(view: SessionView | null): boolean {
  return view?.presence.some((p) => p.role === 'visitor' && p.typing) ?? false;
}
