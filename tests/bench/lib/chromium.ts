/**
 * Headless Chromium for the browser scenarios (S5, S7): Debian's chromium with the
 * flags the end-to-end tests use (tests/setup/chromium-plan.mjs) and a fresh profile
 * (Playwright makes one per launch).
 */
import { chromium, type Browser } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../../setup/chromium-plan.mjs';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(process.env['CHROMIUM_PATH']),
    args: [...CHROMIUM_ARGS],
  });
}
