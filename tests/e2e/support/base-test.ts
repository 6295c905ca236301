/**
 * Playwright's `test` with one automatic fixture every e2e file gets: the browser
 * contexts a test opens (one per person, `browser.newContext()`) are closed when it
 * ends, passed or failed. The browser is the worker's, so a context left open outlived
 * its test: a helper's console still signed in and available took offers meant for a
 * later test's helper, and pages of stopped services kept reconnecting, all in the
 * same two cores. A failed test's screenshots are taken before this teardown.
 *
 * When a test fails, every page and frame it opened first attaches its link trace
 * (`peerdeskDebug.linkTrace`, app/lib/peer/link-trace.ts): what each side decided about
 * its WebRTC links, which no screenshot shows and a rare race needs.
 */
import { test as playwrightTest, type BrowserContext, type TestInfo } from '@playwright/test';

export const test = playwrightTest.extend<{ closeContexts: undefined }>({
  closeContexts: [
    async ({ browser }, use, testInfo) => {
      const before = new Set(browser.contexts());
      await use(undefined);
      const opened = browser.contexts().filter((context) => !before.has(context));
      await attachLinkTraces(opened, testInfo);
      await Promise.all(opened.map((context) => context.close().catch(() => undefined)));
    },
    { auto: true },
  ],
});

/**
 * A failed test's link traces of these contexts, attached once (a spec's own afterEach
 * that closes contexts calls this first, as it runs before this file's teardown).
 */
export async function attachLinkTraces(
  contexts: readonly BrowserContext[],
  testInfo: TestInfo,
): Promise<void> {
  if (testInfo.status === testInfo.expectedStatus) return;
  if (testInfo.attachments.some((a) => a.name === 'link-trace')) return;
  const traces = await Promise.all(contexts.map((context) => linkTraces(context)));
  const body = traces.flat().join('\n\n');
  if (body !== '') await testInfo.attach('link-trace', { body, contentType: 'text/plain' });
}

/** What a failure prints of each frame's trace (CI keeps only the run's output): the
 * lines of the last test timeout and a bit, at most this many. */
const TRACE_KEPT = { windowMs: 40_000, most: 60 };

/** Each frame's recent trace in one context, headed by its URL. */
async function linkTraces(context: BrowserContext): Promise<string[]> {
  const out: string[] = [];
  for (const page of context.pages()) {
    for (const frame of page.frames()) {
      const lines = await frame
        .evaluate(({ windowMs, most }) => {
          const debug = (globalThis as { peerdeskDebug?: { linkTrace?: string[] } }).peerdeskDebug;
          const since = performance.now() - windowMs;
          const recent = (debug?.linkTrace ?? []).filter((line) => parseFloat(line) >= since);
          return recent.slice(-most);
        }, TRACE_KEPT)
        .catch(() => []);
      if (lines.length > 0) out.push([`# ${frame.url()}`, ...lines].join('\n'));
    }
  }
  return out;
}
