/** F19: whether ending now may cut the visitor short, so the console suggests an invite first. */
import type { SessionView } from '../session/session-view.ts';

/** How recently the visitor must have written for the chat to look unfinished. */
export const STILL_TALKING_MS = 2 * 60 * 1000;

export function visitorMayNotBeDone(view: SessionView | null, now: number): boolean {
  if (view === null) return false;
  const last = view.messages
    .filter((m) => m.author?.role === 'visitor' && m.kind === 'text')
    .at(-1);
  const typing = view.presence.some((p) => p.role === 'visitor' && p.typing);
  return typing || (last !== undefined && now - last.at < STILL_TALKING_MS);
}
