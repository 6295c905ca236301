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
