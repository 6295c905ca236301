import { defineConfig, devices } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from './tests/setup/chromium-plan.mjs';

// Playwright cannot download its browsers here: it drives Debian's chromium
// (DESIGN.md section 8), the same path tests/setup/ensure-chromium.mjs checks.
const executablePath = chromiumPath(process.env['CHROMIUM_PATH']);

export default defineConfig({
  testDir: 'tests/e2e',
  // Each worker runs a real service plus a browser. Most of a test's time is spent
  // waiting (WebRTC links, grace periods, sign-in), not computing: two workers on the
  // 2-core CI machine passed all 82 tests in one run while four other builds and test
  // runs shared the machine. Tests that depend on queue state have a service of
  // their own (isolatedTest), so the two workers never share helpers or chats.
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
