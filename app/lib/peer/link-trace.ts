/**
 * The page's last link events (offers, restarts, opens, closes, refusals), one short
 * line each, kept in a ring. Links fail in ways no screen shows (an offer that went to a
 * page that had gone, a request the other side judged stale), and the only trace of a
 * rare race is what each page decided: a failed e2e test attaches every page's lines
 * (tests/e2e/support/base-test.ts), and a person can read them in the devtools as
 * `peerdeskDebug.linkTrace` (resource-counts.ts). No message content is ever traced:
 * ids, kinds and reasons only.
 */
export type LinkTrace = (line: string) => void;

/** Lines kept; the oldest go first. */
export const LINK_TRACE_LINES = 600;

const lines: string[] = [];

/** Adds one line, stamped with the page's clock in ms. */
export const traceLink: LinkTrace = (line) => {
  lines.push(`${Math.round(performance.now())} ${line}`);
  if (lines.length > LINK_TRACE_LINES) lines.shift();
};

/** A copy of the lines kept, oldest first. */
export function linkTrace(): string[] {
  return [...lines];
}

/** The first characters of an id: enough to tell the ids of one trace apart. */
export function shortId(id: string): string {
  return id.slice(0, 6);
}
