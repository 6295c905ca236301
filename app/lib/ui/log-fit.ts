/**
 * How many entries fill a console log (benchmark S8). A chat switched to renders, in
 * the frame it appears, what its log shows plus half a screen, not a fixed window: at
 * 1280×720 a log shows about a dozen bubbles, and every bubble more is time taken from
 * that frame. The log's height and its entries' height are measured by the log shown
 * before (all chats' logs have the same box), so the next one knows before it renders.
 */
import { LOG_FIRST, LOG_PAGE } from './log-window.ts';

/** Never fewer than this, however tall the bubbles: a short log still has context. */
export const FIT_MIN = 8;

/** Entries that fill a log `height` px tall with entries of `entryPx` on average,
 * and half as many again; LOG_FIRST before anything was measured. */
export function fitCount(measured: { height: number; entryPx: number } | null): number {
  if (measured === null || measured.height <= 0 || measured.entryPx <= 0) return LOG_FIRST;
  const fit = Math.ceil((1.5 * measured.height) / measured.entryPx);
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
