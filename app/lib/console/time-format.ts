/** How the console words times and durations. */

/** "0:07", "12:30", "1:02:03" for a number of milliseconds (negative counts as 0). */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0
    ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}`
    : `${minutes}:${seconds}`;
}

/** Seconds left until `expiresAt`, never negative. */
export function secondsLeft(expiresAt: number, now: number): number {
  return Math.max(0, Math.ceil((expiresAt - now) / 1000));
}

/** The same words as `toLocaleTimeString()`, with one formatter for every message
 * (a formatter made per call was a good part of mounting a chat's log, benchmark S8). */
let timeFormat: Intl.DateTimeFormat | null = null;

export function formatTime(at: number): string {
  timeFormat ??= new Intl.DateTimeFormat(undefined, {
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return timeFormat.format(at);
}

/** The same words as `toLocaleString()` (its defaults, spelled out), with one formatter. */
let dateTimeFormat: Intl.DateTimeFormat | null = null;

export function formatDateTime(at: number): string {
  dateTimeFormat ??= new Intl.DateTimeFormat(undefined, {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  return dateTimeFormat.format(at);
}

/**
 * Makes the console's formatters while the page is idle. A page's first formatter of a
 * kind loads the locale's date patterns (ICU): 7–14 ms of the main thread here. Made on
 * first use, that fell on a helper's Accept (the visitor's details in the new chat's
 * panel) and held the link's offer back behind it (benchmark S5 accept → open).
 */
export function warmTimeFormats(): void {
  formatTime(0);
  formatDateTime(0);
}

/** Runs `work` when the page is idle (within `timeoutMs`); a browser without idle
 * callbacks runs it on a timer. */
export function whenIdle(work: () => void, timeoutMs = 2000): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(work, { timeout: timeoutMs });
  else setTimeout(work, 0);
}
