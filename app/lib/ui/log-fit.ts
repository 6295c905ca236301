/**
 * How many entries fill a console log (benchmark S8). A chat switched to renders, in
 * the frame it appears, what its log shows and FIT_SPARE entries more, not a fixed
 * window: at 1280×720 a log shows about a dozen bubbles, and every bubble more is time
 * taken from that frame (half a screen more was a third of the bubbles). Scrolling up
 * adds earlier ones as the reader nears the top (log-window.ts), and a log the guess
 * did not fill adds them at once (MessageLog's `fill`). The log's height and its entries' height are measured by the log shown
 * before (all chats' logs have the same box), so the next one knows before it renders.
 */
import { LOG_FIRST, LOG_PAGE } from './log-window.ts';

/** Never fewer than this, however tall the bubbles: a short log still has context. */
export const FIT_MIN = 8;

/** Entries beyond a screenful: one cut at the top edge, and one for bubbles taller
 * than the average. */
export const FIT_SPARE = 2;

/** Entries that fill a log `height` px tall with entries of `entryPx` on average,
 * and FIT_SPARE more; LOG_FIRST before anything was measured. */
export function fitCount(measured: { height: number; entryPx: number } | null): number {
  if (measured === null || measured.height <= 0 || measured.entryPx <= 0) return LOG_FIRST;
  const fit = Math.ceil(measured.height / measured.entryPx) + FIT_SPARE;
  return Math.min(LOG_PAGE, Math.max(FIT_MIN, fit));
}

let last: { height: number; entryPx: number } | null = null;

/** A shown log's size: its box's height, and its rendered entries' height and count. */
export function noteLogSize(height: number, entriesPx: number, entries: number): void {
  if (height > 0 && entries > 0 && entriesPx > 0) last = { height, entryPx: entriesPx / entries };
}

/** What fills a log now (the last measured size). */
export function entriesToFill(): number {
  return fitCount(last);
}
