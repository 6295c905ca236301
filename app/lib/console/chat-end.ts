/**
 * F19: ending a chat before the visitor is done. The console first suggests inviting
 * another helper or sending a follow-up message (the seeds' "Following up" responses);
 * a follow-up is ended only once a peer holds it, so the visitor is not cut off
 * before it arrives.
 */
import type { MessageView, SessionView } from '../session/session-view.ts';
import type { ConsoleChatSession } from './console-ports.ts';

/** How recently the visitor must have written for the chat to look unfinished. */
export const STILL_TALKING_MS = 2 * 60 * 1000;

/** How long a follow-up may wait for a peer to hold it before the chat ends anyway. */
export const FOLLOW_UP_DEADLINE_MS = 10_000;

/** What the follow-up box holds at first; the helper edits it before sending. */
export const DEFAULT_FOLLOW_UP =
  'I have to end our chat now, sorry. If this has not solved it, start a new chat from this page at any time and another helper will carry on from here.';

export function visitorMayNotBeDone(view: SessionView | null, now: number): boolean {
  if (view === null) return false;
  const last = view.messageSummary.visitorLastTextAt;
  const typing = view.presence.some((p) => p.role === 'visitor' && p.typing);
  return typing || (last !== null && now - last < STILL_TALKING_MS);
}

export type Timers = {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

/**
 * Sends `text` in the chat, then calls `end` once no peer is missing it (it is no
 * longer pending) or after the deadline, whichever comes first; `end` runs once.
 * Returns false, and ends nothing, when the message cannot be sent.
 */
export function followUpThenEnd(
  session: Pick<ConsoleChatSession, 'send' | 'subscribe'>,
  text: string,
  end: () => void,
  timers: Timers = globalThis as Timers,
  deadlineMs = FOLLOW_UP_DEADLINE_MS,
): boolean {
  const sent = session.send(text);
  if (!sent.ok) return false;
  let done = false;
  let off: (() => void) | null = null;
  const finish = () => {
    if (done) return;
    done = true;
    timers.clearTimeout(timer);
    off?.();
    end();
  };
  const timer = timers.setTimeout(finish, deadlineMs);
  off = session.subscribe((view) => {
    // A signed write (CHAT.md CH-V2) gets its id when written: `send` returned a local one.
    const message = newestFirst(view, (m) => m.id === sent.id || m.localId === sent.id);
    if (message !== undefined && !message.pending) finish();
  });
  if (done) off();
  return true;
}

/** The newest message of `view` that `match` takes, read from the end a window at a
 * time: a message just sent is among the last, and a long chat makes no view per
 * message for it (benchmark S8). */
function newestFirst(
  view: SessionView,
  match: (message: MessageView) => boolean,
): MessageView | undefined {
  const WINDOW = 50;
  for (let end = view.messageCount; end > 0; end -= WINDOW) {
    const found = view.messagesBetween(Math.max(0, end - WINDOW), end).findLast((m) => match(m));
    if (found !== undefined) return found;
  }
  return undefined;
}
