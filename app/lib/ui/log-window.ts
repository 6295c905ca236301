/**
 * Which entries a long conversation log renders (MessageLog.svelte), as pure rules.
 * A chat of thousands of messages keeps them all in its document, but the log
 * renders only its newest `page` entries while the reader follows the bottom (the
 * widget: LOG_PAGE; the console: what fills the log, log-fit.ts); once they scroll up,
 * what is shown stays put (new entries are added below, none removed above), and
 * earlier ones are added as they near the top of what is shown (a `page` at a time)
 * or press "Show earlier messages" (LOG_PAGE at a time). Back at the bottom, the log
 * returns to the newest `page`. This keeps switching between long chats within a
 * frame and the page's memory near what the documents take (benchmark S8).
 */

/** Entries rendered while following the bottom, and added per "Show earlier messages". */
export const LOG_PAGE = 100;

/** Entries a console log renders at its bottom before any log was measured
 * (log-fit.ts): more than a screen holds at 1440×900. */
export const LOG_FIRST = 30;

/** The index of the first rendered entry of `total`. `pinned` is that index as kept
 * while the reader is away from the bottom; null while they follow it, and then the
 * newest `page` entries are rendered. */
export function firstShown(total: number, pinned: number | null, page = LOG_PAGE): number {
  return pinned === null ? Math.max(0, total - page) : Math.max(0, Math.min(pinned, total));
}

/**
 * After the reader scrolled: back at the bottom from further up, follow it again (the
 * newest `page`); away from it, keep what is shown. Still at the bottom (a scroll the
 * log's own growth caused, the reader pressed "Show earlier messages" there), what is
 * shown stays: the log only trims when the reader comes back down.
 */
export function pinAfterScroll(
  wasAtBottom: boolean,
  atBottom: boolean,
  total: number,
  pinned: number | null,
  page = LOG_PAGE,
) {
  if (atBottom) return wasAtBottom ? pinned : null;
  return pinned ?? firstShown(total, null, page);
}

/** `step` more entries above what is shown: LOG_PAGE for "Show earlier messages", a
 * `page` as the reader scrolls up. */
export function pinEarlier(
  total: number,
  pinned: number | null,
  page = LOG_PAGE,
  step = LOG_PAGE,
): number {
  return Math.max(0, firstShown(total, pinned, page) - step);
}

/** Scrolled up to within half a screen of the top of what is shown, with earlier
 * entries not rendered: they are added, and the log keeps the reader's place. */
export function nearTopOfWindow(
  box: { scrollTop: number; clientHeight: number },
  first: number,
): boolean {
  return first > 0 && box.clientHeight > 0 && box.scrollTop < box.clientHeight / 2;
}

/** Keys that scroll a log up: at its top, they ask for earlier entries (no scroll event
 * comes when the log cannot scroll further). */
const UP_KEYS = new Set(['ArrowUp', 'PageUp', 'Home']);

/**
 * The reader asks to go further up where the log cannot scroll (at its very top, or a
 * log too short to scroll): a wheel turned up, or an upward key. Earlier entries that
 * are not rendered are then added, as a scroll near the top would.
 */
export function upAtTop(
  box: { scrollTop: number },
  first: number,
  input: { deltaY: number } | { key: string },
): boolean {
  if (first <= 0 || box.scrollTop > 0) return false;
  return 'deltaY' in input ? input.deltaY < 0 : UP_KEYS.has(input.key);
}
