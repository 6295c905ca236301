import { defineConfig, devices } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './tests/setup/chromium-plan.mjs';

// Playwright cannot download its browsers here: it drives Debian's chromium
// (DESIGN.md section 8), the same path tests/setup/ensure-chromium.mjs checks.
const executablePath = chromiumPath(process.env['CHROMIUM_PATH']);

export default defineConfig({
  testDir: 'tests/e2e',
  // Each worker runs a real service plus a browser, and each has its own service, so
  // the two never share helpers or chats (tests that depend on queue state also get a
  // service of their own: isolatedTest). On the 2-core CI machine two workers ran 86
  // tests in 16.9 min where one had run 82 in 17.2 min: a small gain, as the tests
  // compute (Chromium, the service) as well as wait.
  workers: process.env['CI'] ? 2 : undefined,
  fullyParallel: false,
  forbidOnly: Boolean(process.env['CI']),
  retries: 0,
  reporter: 'list',
  timeout: 30_000,
  expect: { timeout: 5_000 },
  use: {
    trace: 'retain-on-failure',
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
