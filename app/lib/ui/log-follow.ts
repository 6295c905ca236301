/** When a conversation log follows new entries (MessageLog.svelte), as pure rules. */

/** How close to the bottom (in CSS pixels) still counts as reading the newest entries. */
export const BOTTOM_SLACK_PX = 48;

export function isNearBottom(box: {
  scrollTop: number;
  scrollHeight: number;
  clientHeight: number;
}): boolean {
  return box.scrollHeight - box.scrollTop - box.clientHeight <= BOTTOM_SLACK_PX;
}

/** After entries arrive: scroll to them, or keep the reader's place (and offer a button). */
export function followAfterGrowth(atBottom: boolean, newestMine: boolean): boolean {
  return atBottom || newestMine;
}

/** The log's box as a scroll event finds it. */
export type LogBox = { scrollTop: number; scrollHeight: number; clientHeight: number };

/**
 * Whether the reader is at the bottom after a scroll event. A scroll the log's own
 * resize caused (a narrower window rewraps the messages and moves the bottom, the
 * browser clamps the offset) is not the reader's: it keeps what was, and the resize
 * brings a reader at the bottom back there.
 */
export function stickAfterScroll(was: boolean, box: LogBox, resized: boolean): boolean {
  return resized ? was : isNearBottom(box);
}
