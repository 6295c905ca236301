/**
 * Headless Chromium for the browser scenarios (S5, S7): Debian's chromium with the
 * flags the end-to-end tests use (tests/setup/chromium-plan.mjs) and a fresh profile
 * (Playwright makes one per launch).
 */
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumPath } from '../../setup/chromium-plan.mjs';

const ON_EVERY_CORE = fileURLToPath(new URL('./chromium-on-every-core.sh', import.meta.url));

/** `everyCore`: the browser may use every core, not only the runner's (see the script). */
export function launchChromium(options: { everyCore?: boolean } = {}): Promise<Browser> {
  const browser = chromiumPath(process.env['CHROMIUM_PATH']);
  return chromium.launch({
    executablePath: options.everyCore ? ON_EVERY_CORE : browser,
    args: [...CHROMIUM_ARGS],
    ...(options.everyCore ? { env: { ...process.env, PEERDESK_CHROMIUM: browser } } : {}),
  });
}

/**
 * A context whose pages can run functions of this process's source: tsx compiles it
 * with esbuild's keepNames, which wraps inner functions in `__name(fn, "name")`, and
 * `page.evaluate` sends the function's text, helper calls included, to a page that
 * has no `__name`. An identity stands in for it.
 */
export async function evaluatingContext(
  browser: Browser,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<BrowserContext> {
  const context = await browser.newContext(options);
  await context.addInitScript('globalThis.__name ??= (fn) => fn;');
  return context;
}
