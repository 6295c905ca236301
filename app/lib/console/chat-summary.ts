/**
 * What the chat list shows of each chat besides its name (F14): since when the
 * visitor has waited for an answer, and whether they are typing. Pure functions of
 * the session's view, so unit tests need no browser.
 */
import type { SessionView } from '../session/session-view.ts';

/**
 * When the visitor wrote the oldest of their messages that no helper has answered
 * yet; null when the last word is a helper's (or nobody wrote). Page views and
 * system notices neither start nor end the wait.
 */
export function waitingSince(view: SessionView | null): number | null {
  // Counted as the view is built (message-views.ts): no view per message for a list row.
  return view?.messageSummary.visitorWaitingSince ?? null;
}

/** Whether the visitor is typing right now. */
export function visitorTyping(view: SessionView | null): boolean {
  return view?.presence.some((p) => p.role === 'visitor' && p.typing) ?? false;
}
