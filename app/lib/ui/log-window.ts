/**
 * Which entries a long conversation log renders (MessageLog.svelte), as pure rules.
 * A chat of thousands of messages keeps them all in its document, but the log
 * renders only the newest LOG_PAGE while the reader follows the bottom; once they
 * scroll up, what is shown stays put (new entries are added below, none removed
 * above) and "Show earlier messages" adds LOG_PAGE older ones at a time. Back at the
 * bottom, the log returns to the newest LOG_PAGE. This keeps switching between
 * long chats within a frame and the page's memory near what the documents take
 * (benchmark S8).
 */

/** Entries rendered while following the bottom, and added per "Show earlier messages". */
export const LOG_PAGE = 100;

/**
 * Entries rendered in the frame a log appears at its bottom (a chat switched to): more
 * than a screen holds. The rest of LOG_PAGE is added once that frame is drawn, above
 * what is in sight, so a switch costs the frame a screenful of messages (benchmark S8).
 */
export const LOG_FIRST = 30;

/** The index of the first rendered entry of `total`. `pinned` is that index as kept
 * while the reader is away from the bottom; null while they follow it, and then the
 * newest `page` entries are rendered. */
export function firstShown(total: number, pinned: number | null, page = LOG_PAGE): number {
  return pinned === null ? Math.max(0, total - page) : Math.max(0, Math.min(pinned, total));
}

/** After the reader scrolled: follow again at the bottom, else keep what is shown. */
export function pinAfterScroll(
  atBottom: boolean,
  total: number,
  pinned: number | null,
  page = LOG_PAGE,
) {
  if (atBottom) return null;
  return pinned ?? firstShown(total, null, page);
}

/** "Show earlier messages": LOG_PAGE more above what is shown. */
export function pinEarlier(total: number, pinned: number | null, page = LOG_PAGE): number {
  return Math.max(0, firstShown(total, pinned, page) - LOG_PAGE);
}

/** Scrolled up to within half a screen of the top of what is shown, with earlier
 * entries not rendered: they are added (LOG_PAGE more), as "Show earlier messages"
 * would; the browser's scroll anchoring keeps the reader's place. */
export function nearTopOfWindow(
  box: { scrollTop: number; clientHeight: number },
  first: number,
): boolean {
  return first > 0 && box.clientHeight > 0 && box.scrollTop < box.clientHeight / 2;
}
