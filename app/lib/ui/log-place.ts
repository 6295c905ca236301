/**
 * Where a reader is in a conversation log (MessageLog.svelte), kept outside the
 * component: the console mounts only the shown chat's log (benchmark S8), and a log
 * mounted again resumes from its place. A log without a kept place starts fresh.
 */
export type LogPlace = {
  /** Following the bottom: new entries scroll into view. */
  stick: boolean;
  /** How many entries the log held when last rendered: more on return are new. */
  seenCount: number;
  /** The "New messages" button was showing. */
  unseen: boolean;
  /** The first rendered entry while away from the bottom (log-window.ts), else null. */
  pinned: number | null;
  /** The log's scroll offset while away from the bottom. */
  scrollTop: number;
};

export function freshLogPlace(): LogPlace {
  return { stick: true, seenCount: 0, unseen: false, pinned: null, scrollTop: 0 };
}

/**
 * What a log mounted again does first, from its kept place and how many entries it
 * holds now: follow the bottom, or go back to the kept offset, and whether "New
 * messages" shows (entries arrived while it was away and the reader was scrolled up).
 */
export function resumeLog(
  place: LogPlace,
  count: number,
): { scroll: 'bottom' | number; unseen: boolean } {
  if (place.stick) return { scroll: 'bottom', unseen: false };
  return { scroll: place.scrollTop, unseen: place.unseen || count > place.seenCount };
}
