import { defineConfig, devices } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './tests/setup/chromium-plan.mjs';

// Playwright cannot download its browsers here: it drives Debian's chromium
// (DESIGN.md section 8), the same path tests/setup/ensure-chromium.mjs checks.
const executablePath = chromiumPath(process.env['CHROMIUM_PATH']);

export default defineConfig({
  testDir: 'tests/e2e',
  // Builds the service once for every test's own service (tests/e2e/support/service-bundle.ts).
  globalSetup: './tests/e2e/global-setup.ts',
  // Each worker runs a real service plus a browser, and each has its own service, so
  // the two never share helpers or chats (tests that depend on queue state also get a
  // service of their own: isolatedTest). On the 2-core CI machine two workers ran 86
  // tests in 16.9 min where one had run 82 in 17.2 min: a small gain, as the tests
  // compute (Chromium, the service) as well as wait.
  workers: process.env['CI'] ? 2 : undefined,
  fullyParallel: false,
  forbidOnly: Boolean(process.env['CI']),
  retries: 0,
  // A failed test's link traces come after the summary (link-trace-reporter.ts).
  reporter: [['list'], ['./tests/e2e/support/link-trace-reporter.ts']],
  timeout: 30_000,
  expect: { timeout: 5_000 },
  use: {
    // A failed test keeps its trace (actions, DOM snapshots, network), without the
    // screencast: recording screenshots of every action for every test cost the most.
    // console-chats.spec.ts (4 tests, one worker, a loaded machine): 55–63 s of CPU with
    // screenshots (its heaviest test twice over its 30 s limit), 48.5 s without, 45.2 s
    // with no trace at all. A failure still leaves its own screenshot (below).
    // In CI nobody can open a trace (only the run's output is kept), so none is recorded.
    trace: process.env['CI']
      ? 'off'
      : { mode: 'retain-on-failure', screenshots: false, snapshots: true, sources: false },
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath,
          args: [...CHROMIUM_ARGS],
        },
      },
    },
  ],
});
