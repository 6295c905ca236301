/**
 * axe-core finds no serious or critical violation (issue 11) on the console signed
 * in with a chat open, the widget before and during a chat, and /demo with the
 * widget open. Each person has their own browser context; the light colour scheme
 * and the dark one are both checked where colours matter.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect } from './fixtures.ts';
import { offerCard } from './console-steps.ts';
import {
  LINK_TIMEOUT,
  chatFrame,
  consoleHelper,
  fillPreChat,
  isolatedTest as test,
} from './support/widget-drivers.ts';

/** Serious and critical violations, as "rule: target" lines (empty when clean). */
async function seriousViolations(page: Page, include?: string): Promise<string[]> {
  let builder = new AxeBuilder({ page });
  if (include) builder = builder.include(include);
  const results = await builder.analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} (${v.help})`));
}

for (const colorScheme of ['light', 'dark'] as const) {
  test(`no serious violations in the widget, the console with a chat open, and /demo (${colorScheme})`, async ({
    browser,
    baseURL,
  }) => {
    test.setTimeout(120_000);
    const visitor = await (await browser.newContext({ colorScheme })).newPage();
    await visitor.goto('/widget');
    await expect(visitor.getByLabel('Question')).toBeVisible();
    expect(await seriousViolations(visitor), 'widget pre-chat').toEqual([]);

    await fillPreChat(visitor, { name: 'Ada', question: 'Can you read this page?' });
    const helper = await consoleHelper(browser, baseURL!);
    await helper.emulateMedia({ colorScheme });
    await offerCard(helper, 'Ada').getByRole('button', { name: 'Accept' }).click();
    await expect(visitor.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible(
      LINK_TIMEOUT,
    );
    await helper.getByLabel('Your message').fill('Yes, every word');
    await helper.getByLabel('Your message').press('Enter');
    await expect(visitor.getByRole('log', { name: 'Conversation' })).toContainText(
      'Yes, every word',
      LINK_TIMEOUT,
    );
    expect(await seriousViolations(visitor), 'widget in chat').toEqual([]);
    await expect(helper.getByRole('tabpanel', { name: 'Ada' }).getByRole('log')).toContainText(
      'Can you read this page?',
    );
    expect(await seriousViolations(helper), 'console with a chat open').toEqual([]);

    const demo = await (await browser.newContext({ colorScheme })).newPage();
    await demo.goto('/demo/');
    expect(await seriousViolations(demo), '/demo').toEqual([]);
    await demo.getByRole('button', { name: 'Chat with us' }).click();
    await expect(chatFrame(demo).getByLabel('Question')).toBeVisible();
    expect(await seriousViolations(demo), '/demo with the widget open').toEqual([]);
  });
}
