/**
 * Accessibility (issue 11, Done when): axe-core finds no serious or critical
 * violation on the console (signed in, a chat open, the monitor board and a watched
 * chat), the widget (pre-chat and in a chat, inside its iframe on /demo, and the
 * standalone /widget page) and /demo, in light and dark colour schemes. One browser
 * context per person: a visitor on /demo, alice helping, molly monitoring.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from '@playwright/test';
import { expect } from './fixtures.ts';
import { SocketVisitor, offerCard, signInHelper } from './console-steps.ts';
import {
  LINK_TIMEOUT,
  chatFrame,
  fillPreChat,
  isolatedTest as test,
} from './support/widget-drivers.ts';

/** The serious and critical violations axe finds on the page (its frames included),
 * one line each: rule, impact, and the elements it names. */
async function seriousViolations(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const results = await new AxeBuilder({ page }).analyze();
    for (const violation of results.violations) {
      if (violation.impact !== 'serious' && violation.impact !== 'critical') continue;
      for (const node of violation.nodes) {
        found.push(
          `${scheme}: ${violation.id} (${violation.impact}) at ${node.target.join(' ')}: ${node.failureSummary ?? ''}`,
        );
      }
    }
  }
  await page.emulateMedia({ colorScheme: null });
  return found;
}

/** A visitor on /demo with the widget open, and its frame. */
async function demoVisitor(browser: Browser, baseURL: string) {
  const visitor = await (await browser.newContext({ baseURL })).newPage();
  await visitor.goto('/demo/printing');
  await visitor.getByRole('button', { name: 'Chat with us' }).click();
  const widget = chatFrame(visitor);
  await expect(widget.getByRole('button', { name: 'Start chat' })).toBeVisible(LINK_TIMEOUT);
  return { visitor, widget };
}

// Each axe run (two colour schemes, every frame) takes tens of seconds on a loaded
// machine: every test has room for its own.
test.describe.configure({ timeout: 240_000 });

test('axe: /demo, and the widget before the chat (in its frame and on its own page)', async ({
  browser,
  baseURL,
}) => {
  const page = await (await browser.newContext({ baseURL: baseURL! })).newPage();
  await page.goto('/demo/printing');
  expect(await seriousViolations(page), '/demo').toEqual([]);

  const { visitor } = await demoVisitor(browser, baseURL!);
  expect(await seriousViolations(visitor), 'widget, pre-chat').toEqual([]);
  const standalone = await (await browser.newContext({ baseURL: baseURL! })).newPage();
  await standalone.goto('/widget');
  await expect(standalone.getByRole('button', { name: 'Start chat' })).toBeVisible(LINK_TIMEOUT);
  expect(await seriousViolations(standalone), '/widget, pre-chat').toEqual([]);
});

test('axe: a chat open in the console and in the widget', async ({ browser, baseURL }) => {
  const { visitor, widget } = await demoVisitor(browser, baseURL!);
  const alice = await signInHelper(browser, 'alice', { baseURL: baseURL! });
  await fillPreChat(widget, { name: 'Vera', question: 'My printer prints blank pages' });
  await offerCard(alice, 'Vera').getByRole('button', { name: 'Accept' }).click();
  const panel = alice.getByRole('tabpanel', { name: /Vera/ });
  await widget.getByLabel('Your message').fill('It started after the update');
  await widget.getByLabel('Your message').press('Enter');
  await expect(panel.getByText('It started after the update')).toBeVisible(LINK_TIMEOUT);
  await panel.getByLabel('Your message').fill('Which printer model is it?');
  await panel.getByRole('button', { name: 'Send' }).click();
  await expect(widget.getByText('Which printer model is it?')).toBeVisible(LINK_TIMEOUT);
  expect(await seriousViolations(alice), 'console, chat open').toEqual([]);
  expect(await seriousViolations(visitor), 'widget, in a chat').toEqual([]);
});

test('axe: the monitor board and a watched chat', async ({ browser, baseURL }) => {
  const molly = await signInHelper(browser, 'molly', { baseURL: baseURL! });
  await molly.getByRole('switch', { name: 'Available for chats' }).click();
  const visitor = await SocketVisitor.connect(baseURL!);
  visitor.request('Vera', 'My printer prints blank pages');
  await visitor.next('queued');
  const board = molly.getByRole('table', { name: 'Chats' });
  await expect(board.getByRole('row', { name: /Vera/ })).toBeVisible();
  expect(await seriousViolations(molly), 'monitor board').toEqual([]);

  // Alice takes the chat and writes; molly watches it (read-only tab).
  const alice = await signInHelper(browser, 'alice', { baseURL: baseURL! });
  await offerCard(alice, 'Vera').getByRole('button', { name: 'Accept' }).click();
  const panel = alice.getByRole('tabpanel', { name: /Vera/ });
  await panel.getByLabel('Your message').fill('Which printer model is it?');
  await panel.getByRole('button', { name: 'Send' }).click();
  await molly.getByRole('button', { name: 'Watch chat with Vera' }).click();
  const watch = molly.getByRole('tabpanel', { name: /Vera/ });
  await expect(watch.getByText('Which printer model is it?')).toBeVisible(LINK_TIMEOUT);
  expect(await seriousViolations(molly), 'monitor, watching').toEqual([]);
  visitor.close();
});
