/**
 * Playwright's `test` with one automatic fixture every e2e file gets: the browser
 * contexts a test opens (one per person, `browser.newContext()`) are closed when it
 * ends, passed or failed. The browser is the worker's, so a context left open outlived
 * its test: a helper's console still signed in and available took offers meant for a
 * later test's helper, and pages of stopped services kept reconnecting, all in the
 * same two cores. A failed test's screenshots are taken before this teardown.
 */
import { test as playwrightTest } from '@playwright/test';

export const test = playwrightTest.extend<{ closeContexts: undefined }>({
  closeContexts: [
    async ({ browser }, use) => {
      const before = new Set(browser.contexts());
      await use(undefined);
      const opened = browser.contexts().filter((context) => !before.has(context));
      await Promise.all(opened.map((context) => context.close().catch(() => undefined)));
    },
    { auto: true },
  ],
});
