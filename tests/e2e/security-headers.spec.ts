/**
 * Issue 16, pages hardened, in a real browser against the real build: the console,
 * the widget, the /demo host site with its embed loader, and a whole chat between
 * them work under the service's Content-Security-Policy without a single
 * `securitypolicyviolation`; a page on an origin that is not an allowed embedding
 * origin cannot frame the widget, and no page at all can frame the console.
 */
import type { Browser, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { closeAllContexts } from './console-steps.ts';
import { cspViolations, recordCspViolations, startDemoChat } from './support/demo-chat.ts';
import { LINK_TIMEOUT } from './support/widget-drivers.ts';

test.afterEach(closeAllContexts);

test('the console, widget and /demo with a whole chat run under the CSP with no violation', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  // One live list of the browser's "Refused to …" console messages per context.
  const refused: string[][] = [];
  const chat = await startDemoChat(browser, {
    helper: 'alice',
    visitorName: 'Cora',
    question: 'Is the policy strict?',
    prepare: async (context) => {
      refused.push(await recordCspViolations(context));
    },
  });
  await chat.visitorSays('Scripts only from the service');
  await chat.helperSays('And no inline script left unhashed');

  // The standalone widget page and the landing page too.
  const page = await (await browser.newContext()).newPage();
  refused.push(await recordCspViolations(page.context()));
  await page.goto('/widget');
  await expect(page.getByRole('button', { name: 'Start chat' })).toBeVisible();
  await page.goto('/');
  await expect(page.locator('body')).not.toBeEmpty();

  for (const p of [chat.visitor, chat.helper, page]) expect(await cspViolations(p)).toEqual([]);
  // The pages really are under the policy: the header the browser got says so.
  const response = await page.request.get('/console');
  expect(response.headers()['content-security-policy']).toMatch(/script-src 'self' 'sha256-/);
  expect(refused.flat()).toEqual([]);
});

/** A host page on `origin` (served by the test) framing `target` of the service. */
async function framedFrom(
  browser: Browser,
  origin: string,
  target: string,
): Promise<{ page: Page; refused: string[] }> {
  // Both origins are on this machine: Chromium's Local Network Access asks first.
  const context = await browser.newContext({ permissions: ['local-network-access'] });
  const page = await context.newPage();
  const refused: string[] = [];
  page.on('console', (message) => {
    if (/frame-ancestors/.test(message.text())) refused.push(message.text());
  });
  await page.route(`${origin}/host`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html lang="en"><head><title>Host</title></head><body>
        <iframe title="Framed" src="${target}"></iframe></body></html>`,
    }),
  );
  await page.goto(`${origin}/host`);
  return { page, refused };
}

test('only the allowed embedding origins may frame the widget; nobody frames the console', async ({
  browser,
  baseURL,
}) => {
  // Allowed (ALLOWED_ORIGINS of tests/e2e/support/service.ts): the widget loads.
  const allowed = baseURL!.replace('127.0.0.1', 'localhost');
  const good = await framedFrom(browser, allowed, `${baseURL}/widget`);
  await expect(
    good.page.frameLocator('iframe[title="Framed"]').getByRole('button', { name: 'Start chat' }),
  ).toBeVisible(LINK_TIMEOUT);
  expect(good.refused).toEqual([]);

  // Not allowed: the browser refuses to render the widget in the frame.
  // (A loopback name too, so that only the policy, not Local Network Access, decides.)
  const other = baseURL!.replace('127.0.0.1', 'elsewhere.localhost');
  const evil = await framedFrom(browser, other, `${baseURL}/widget`);
  await expect.poll(() => evil.refused.length).toBeGreaterThan(0);
  expect(evil.refused[0]).toContain(`frame-ancestors 'self' ${allowed}`);
  await expect(
    evil.page.frameLocator('iframe[title="Framed"]').getByRole('button', { name: 'Start chat' }),
  ).toHaveCount(0);

  // The console: not even an allowed embedding origin may frame it.
  const console = await framedFrom(browser, allowed, `${baseURL}/console`);
  await expect.poll(() => console.refused.length).toBeGreaterThan(0);
  expect(console.refused[0]).toContain("frame-ancestors 'none'");
  await expect(
    console.page.frameLocator('iframe[title="Framed"]').getByLabel('Password'),
  ).toHaveCount(0);
});
