/**
 * B3 in the real console (issue 19, CHAT.md CH-K1–CH-K9): Alice's browser vanishes mid-chat,
 * the chat goes back to the queue after her (shortened) grace period, and Bob, who
 * accepts it, sees the whole conversation so far above the live log, who said what,
 * Alice's lines verified by her signatures (CH-V1–CH-V5), then replies after it. The visitor is the real widget; both helpers use /console.
 */
import type { Browser, Locator, Page, TestInfo } from '@playwright/test';
import { expect } from './fixtures.ts';
import { offerCard, signInHelper } from './console-steps.ts';
import {
  LINK_TIMEOUT,
  conversation,
  fillPreChat,
  ownService,
  isolatedTest,
} from './support/widget-drivers.ts';

/** A service of the test's own with a helper grace period of 8 s (a reload of Bob's console under load must come back within it) (SPEC.md SP-G1, SP-G2). */
const test = isolatedTest.extend({
  ownServiceURL: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form.
    async ({}, use) => {
      const service = await ownService({ HELPER_GRACE_MS: '8000' });
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

/** Who said each earlier line, as Bob's console names them (CH-K3, CH-V3). */
const EARLIER_WHO = ['Vera', 'Alice (verified)', 'Vera', 'Alice (verified)'];
const whoSaid = (helper: Page) => bubbles(helper).locator('.who');

const EARLIER = [
  'My printer is on fire',
  'Hello Vera, Alice here. Unplug it first.',
  'Done, it is unplugged',
  'Good. Now open the front cover.',
];

test('B3 CH-K7 the next helper sees the earlier conversation in the console, who said what, and replies after it', async ({
  browser,
}) => {
  test.setTimeout(300_000);
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
  // CH-V1–CH-V3: Alice's console signed her lines; Bob's checks them against the key the
  // service bound with her client id, so they are hers, verified, in order.
  await expect(whoSaid(bob)).toHaveText(EARLIER_WHO, LINK_TIMEOUT);

  // CH-K6: Bob's reply sorts after the conversation it answers, on both sides.
  await reply(bob, 'Bob here, I have read everything above.');
  const all = [...EARLIER, 'Bob here, I have read everything above.'];
  await expect(bubbles(bob).locator('.body')).toHaveText(all, LINK_TIMEOUT);
  await expect(line(bob, all[4]!).locator('.who')).toHaveText('You');
  await expect(conversation(visitor).getByText(all[4]!)).toBeVisible(LINK_TIMEOUT);

  // CH-K7: it stays through a reload of Bob's console, and of the visitor's widget.
  await bob.reload();
  await expect(helperLog(bob).getByRole('heading', { name: 'Earlier conversation' })).toBeVisible(
    LINK_TIMEOUT,
  );
  await expect(bubbles(bob).locator('.body')).toHaveText(all, LINK_TIMEOUT);
  await expect(whoSaid(bob)).toHaveText([...EARLIER_WHO, 'You'], LINK_TIMEOUT);
  await visitor.reload();
  await expect(conversation(visitor).getByText(all[4]!)).toBeVisible(LINK_TIMEOUT);
  await visitorSays(visitor, 'Cover is open');
  await expect(bubbles(bob).locator('.body')).toHaveText([...all, 'Cover is open'], LINK_TIMEOUT);
});

/** Screenshots for a person to look at (STYLE: every changed screen at three sizes),
 * with the earlier conversation's heading scrolled into view. */
async function screenshots(page: Page, shown: Locator, name: string, testInfo: TestInfo) {
  for (const size of [
    { width: 1280, height: 720 },
    { width: 1440, height: 900 },
    { width: 390, height: 844 },
  ]) {
    await page.setViewportSize(size);
    // Below 900 px the panes sit behind a switcher: show the conversation.
    const switcher = page.getByRole('navigation', { name: 'Workspace panes' });
    if (await switcher.isVisible()) {
      await switcher.getByRole('button', { name: 'Conversation' }).click();
    }
    await shown.scrollIntoViewIfNeeded();
    await page.screenshot({
      path: testInfo.outputPath(`${name}-${size.width}x${size.height}.png`),
    });
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

/** Molly, a room monitor, not taking chats herself (monitors get offers too, SP-O1). */
async function signInMonitor(browser: Browser): Promise<Page> {
  const molly = await signInHelper(browser, 'molly');
  const available = molly.getByRole('switch', { name: 'Available for chats' });
  await available.click();
  await expect(available).toHaveAttribute('aria-checked', 'false');
  return molly;
}

async function watchVera(molly: Page) {
  await molly.getByRole('button', { name: 'Watch chat with Vera' }).click(LINK_TIMEOUT);
  const watch = molly.getByRole('tabpanel', { name: /Vera/ });
  await expect(watch.getByRole('heading', { name: 'Watching Vera' })).toBeVisible();
  return watch.getByRole('log', { name: 'Conversation with Vera' });
}

test('B3 CH-K8 SP-G4 a trusted copy first: with a monitor watching, Bob takes the earlier conversation from the monitor', async ({
  browser,
}, testInfo) => {
  test.setTimeout(300_000);
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto('/widget');
  await fillPreChat(visitor, { name: 'Vera', question: EARLIER[0]! });
  const alice = await signInHelper(browser, 'alice');
  await accept(alice);
  await expect(line(alice, EARLIER[0]!)).toBeVisible(LINK_TIMEOUT);
  const molly = await signInMonitor(browser);
  const mollyLog = await watchVera(molly);
  await reply(alice, EARLIER[1]!);
  await visitorSays(visitor, EARLIER[2]!);
  await expect(line(alice, EARLIER[2]!)).toBeVisible(LINK_TIMEOUT);
  await reply(alice, EARLIER[3]!);
  await expect(mollyLog.locator('.bubble .body')).toHaveText(EARLIER, LINK_TIMEOUT);

  // SP-G4: Alice's browser vanishes; Molly keeps watching while the chat waits in the queue.
  await alice.context().close();
  // While it waits there is no chat to join (the service would refuse): Molly is told why.
  const watch = molly.getByRole('tabpanel', { name: /Vera/ });
  const join = watch.getByRole('button', { name: 'Join chat' });
  await expect(watch.getByRole('status').filter({ hasText: 'Back in the queue' })).toBeVisible(
    LINK_TIMEOUT,
  );
  await expect(join).toBeDisabled();
  const bob = await signInHelper(browser, 'bob');
  await accept(bob);
  await expect(join).toBeEnabled(LINK_TIMEOUT);
  await expect(watch.getByText('Back in the queue')).toHaveCount(0);

  // CH-K8 CH-K9: Bob's earlier conversation is Molly's copy, and says so; Alice's lines are
  // hers, verified by their signatures (CH-V3).
  await expect(helperLog(bob).getByText("From Molly's copy (monitor).")).toBeVisible(LINK_TIMEOUT);
  await expect(bubbles(bob).locator('.body')).toHaveText(EARLIER, LINK_TIMEOUT);
  await expect(whoSaid(bob)).toHaveText(EARLIER_WHO, LINK_TIMEOUT);
  await reply(bob, 'Bob here, I have read everything above.');
  const all = [...EARLIER, 'Bob here, I have read everything above.'];
  await expect(bubbles(bob).locator('.body')).toHaveText(all, LINK_TIMEOUT);
  await expect(mollyLog.locator('.bubble .body')).toHaveText(all, LINK_TIMEOUT);
  const bobHeading = helperLog(bob).getByRole('heading', { name: 'Earlier conversation' });
  await screenshots(bob, bobHeading, 'console-earlier', testInfo);
});

test('B3 CH-K8 a monitor who starts watching after the hand-over sees the earlier conversation too, set apart, from the helper’s copy', async ({
  browser,
}, testInfo) => {
  test.setTimeout(300_000);
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto('/widget');
  await fillPreChat(visitor, { name: 'Vera', question: EARLIER[0]! });
  const alice = await signInHelper(browser, 'alice');
  await accept(alice);
  await expect(line(alice, EARLIER[0]!)).toBeVisible(LINK_TIMEOUT);
  await reply(alice, EARLIER[1]!);
  await visitorSays(visitor, EARLIER[2]!);
  await expect(line(alice, EARLIER[2]!)).toBeVisible(LINK_TIMEOUT);
  await reply(alice, EARLIER[3]!);
  await expect(conversation(visitor).getByText(EARLIER[3]!)).toBeVisible(LINK_TIMEOUT);
  await alice.context().close();
  const bob = await signInHelper(browser, 'bob');
  await accept(bob);
  await expect(whoSaid(bob)).toHaveText(EARLIER_WHO, LINK_TIMEOUT);
  await reply(bob, 'Bob here, I have read everything above.');
  const all = [...EARLIER, 'Bob here, I have read everything above.'];

  // Molly's document holds only what Bob's holds (the visitor's words, Bob's reply):
  // Alice's lines reach her as Bob's copy (CH-K8), checked by their signatures (CH-V3).
  const molly = await signInMonitor(browser);
  const log = await watchVera(molly);
  await expect(log.getByRole('heading', { name: 'Earlier conversation' })).toBeVisible(
    LINK_TIMEOUT,
  );
  await expect(log.getByText("From Bob's copy (helper).")).toBeVisible(LINK_TIMEOUT);
  await expect(log.locator('.bubble .body')).toHaveText(all, LINK_TIMEOUT);
  await expect(log.locator('.bubble .who')).toHaveText([...EARLIER_WHO, 'Bob'], LINK_TIMEOUT);
  const heading = log.getByRole('heading', { name: 'Earlier conversation' });
  await screenshots(molly, heading, 'watch-earlier', testInfo);
});
