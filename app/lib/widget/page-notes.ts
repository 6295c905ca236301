/**
 * Which host page views to post into the chat as page notes (F11). The loader
 * sends every page view of the browsing session, oldest first; the widget posts
 * those newer than the last one it posted for this chat, so pages viewed before
 * the chat give the helper context and a reload or a new host page never posts
 * the same view twice.
 */
import type { HostPageView } from './host-protocol.ts';

/** Page views before the chat that are worth a note: the most recent few. */
export const MAX_NOTES_AT_START = 10;

export function pagesToPost(
  pages: readonly HostPageView[],
  lastPostedAt: number | null,
): HostPageView[] {
  const fresh = pages.filter((p) => lastPostedAt === null || p.at > lastPostedAt);
  return fresh.slice(-MAX_NOTES_AT_START);
}

/** Remembers, per chat, the time of the last page view posted (in the widget's storage). */
export function postedMarks(storage: Pick<Storage, 'getItem' | 'setItem'>) {
  const key = (chatId: string) => `peerdesk.widget.pagesPosted.${chatId}`;
  return {
    get(chatId: string): number | null {
      try {
        const raw = storage.getItem(key(chatId));
        const at = raw === null ? NaN : Number(raw);
        return Number.isSafeInteger(at) ? at : null;
      } catch {
        return null;
      }
    },
    set(chatId: string, at: number): void {
      try {
        storage.setItem(key(chatId), String(at));
      } catch {
        // Not remembered: a reload may post the latest page once more.
      }
    },
  };
}
