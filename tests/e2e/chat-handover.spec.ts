/**
 * B3 in the real console (issue 19, CHAT.md K1–K9): Alice's browser vanishes mid-chat,
 * the chat goes back to the queue after her (shortened) grace period, and Bob, who
 * accepts it, sees the whole conversation so far above the live log, who said what,
 * then replies after it. The visitor is the real widget; both helpers use /console.
 */
import type { Page } from '@playwright/test';
import { expect } from './fixtures.ts';
import { offerCard, signInHelper } from './console-steps.ts';
import {
  LINK_TIMEOUT,
  conversation,
  fillPreChat,
  ownService,
  isolatedTest,
} from './support/widget-drivers.ts';

/** A service of the test's own with a helper grace period of 2 s (SPEC.md G1, G2). */
const test = isolatedTest.extend({
  ownServiceURL: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form.
    async ({}, use) => {
      const service = await ownService({ HELPER_GRACE_MS: '2000' });
      try {
        await use(service.baseURL);
      } finally {
        await service.stop();
      }
    },
    { scope: 'test', timeout: 90_000 },
  ],
});

const panel = (helper: Page) => helper.getByRole('tabpanel', { name: 'Vera' });
const helperLog = (helper: Page) =>
  panel(helper).getByRole('log', { name: 'Conversation with Vera' });
const bubbles = (helper: Page) => helperLog(helper).locator('.bubble');
const line = (helper: Page, text: string) =>
  helperLog(helper).getByRole('listitem').filter({ hasText: text });

async function reply(helper: Page, text: string): Promise<void> {
  const box = panel(helper).getByLabel('Your message');
  await box.fill(text);
  await box.press('Enter');
  await expect(box).toHaveValue('');
}

async function visitorSays(visitor: Page, text: string): Promise<void> {
  const box = visitor.getByLabel('Your message');
  await box.fill(text);
  await box.press('Enter');
  await expect(box).toHaveValue('');
}

async function accept(helper: Page): Promise<void> {
  const card = offerCard(helper, 'Vera');
  await card.getByRole('button', { name: 'Accept' }).click(LINK_TIMEOUT);
  await expect(helper.getByRole('tab', { name: /Vera/ })).toBeVisible();
}

const EARLIER = [
  'My printer is on fire',
  'Hello Vera, Alice here. Unplug it first.',
  'Done, it is unplugged',
  'Good. Now open the front cover.',
];

test('B3 K7 the next helper sees the earlier conversation in the console, who said what, and replies after it', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto('/widget');
  // The question opens the transcript (issue 11): it is the first earlier line.
  await fillPreChat(visitor, { name: 'Vera', question: EARLIER[0]! });
  const alice = await signInHelper(browser, 'alice');
  await accept(alice);
  await expect(visitor.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible(
    LINK_TIMEOUT,
  );

  await expect(line(alice, EARLIER[0]!)).toBeVisible(LINK_TIMEOUT);
  await reply(alice, EARLIER[1]!);
  await expect(conversation(visitor).getByText(EARLIER[1]!)).toBeVisible(LINK_TIMEOUT);
  await visitorSays(visitor, EARLIER[2]!);
  await expect(line(alice, EARLIER[2]!)).toBeVisible(LINK_TIMEOUT);
  await reply(alice, EARLIER[3]!);
  await expect(conversation(visitor).getByText(EARLIER[3]!)).toBeVisible(LINK_TIMEOUT);

  // Alice's browser vanishes; after her grace period the chat is offered again.
  await alice.context().close();
  const bob = await signInHelper(browser, 'bob');
  await accept(bob);

  const heading = helperLog(bob).getByRole('heading', { name: 'Earlier conversation' });
  await expect(heading).toBeVisible(LINK_TIMEOUT);
  await expect(bubbles(bob).locator('.body')).toHaveText(EARLIER, LINK_TIMEOUT);
  await expect(line(bob, EARLIER[0]!).locator('.who')).toHaveText('Vera');
  await expect(line(bob, EARLIER[1]!).locator('.who')).toHaveText('Helper (unverified)');

  // K6: Bob's reply sorts after the conversation it answers, on both sides.
  await reply(bob, 'Bob here, I have read everything above.');
  const all = [...EARLIER, 'Bob here, I have read everything above.'];
  await expect(bubbles(bob).locator('.body')).toHaveText(all, LINK_TIMEOUT);
  await expect(line(bob, all[4]!).locator('.who')).toHaveText('You');
  await expect(conversation(visitor).getByText(all[4]!)).toBeVisible(LINK_TIMEOUT);

  // K7: it stays through a reload of Bob's console, and of the visitor's widget.
  await bob.reload();
  await expect(helperLog(bob).getByRole('heading', { name: 'Earlier conversation' })).toBeVisible(
    LINK_TIMEOUT,
  );
  await expect(bubbles(bob).locator('.body')).toHaveText(all, LINK_TIMEOUT);
  await visitor.reload();
  await expect(conversation(visitor).getByText(all[4]!)).toBeVisible(LINK_TIMEOUT);
  await visitorSays(visitor, 'Cover is open');
  await expect(bubbles(bob).locator('.body')).toHaveText([...all, 'Cover is open'], LINK_TIMEOUT);
});
