/**
 * What only a browser has (issue 3): Chromium's IndexedDB and WebRTC between two
 * browser contexts, through the real service: the visitor in the widget (/widget),
 * alice in the console. A reload on either side shows the stored transcript and
 * merges with the peer, with nothing lost and nothing twice; the question stays the
 * first message throughout. Controls are found by role and label.
 */
import type { Page } from '@playwright/test';
import { expect } from './fixtures.ts';
import { closeAllContexts } from './console-steps.ts';
// A service of its own: a chat another test left on the worker's service would be offered
// to this test's helper too (seen in a full run).
import {
  LINK_TIMEOUT,
  consoleHelper,
  fillPreChat,
  isolatedTest as test,
} from './support/widget-drivers.ts';

test.afterEach(closeAllContexts);

const QUESTION = 'My printer is on fire';

const log = (page: Page) => page.getByRole('log', { name: /^Conversation/ });
const linked = (visitor: Page) => visitor.getByRole('status').filter({ hasText: /^Connected$/ });
/** The console's notice that a peer's frames broke the chat rules (CH-C13: not for a reload). */
const resetNotice = (helper: Page) =>
  helper.getByRole('alert').filter({ hasText: /connection was reset/ });

async function say(page: Page, text: string): Promise<void> {
  await page.getByLabel('Your message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

/** Each text appears exactly once in the conversation, in this order. */
async function expectConversation(page: Page, texts: string[]): Promise<void> {
  await expect(log(page).locator('.bubble .body')).toHaveText([QUESTION, ...texts], LINK_TIMEOUT);
}

test('a reload on either side resumes from IndexedDB and merges, nothing lost or doubled', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const helper = await consoleHelper(browser, baseURL!);
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto('/widget');
  await fillPreChat(visitor, { name: 'Vera', question: QUESTION });

  await helper.getByRole('button', { name: 'Accept chat with Vera' }).click(LINK_TIMEOUT);
  await expect(linked(visitor)).toBeVisible(LINK_TIMEOUT);

  await say(visitor, 'Hello from Vera');
  await say(helper, 'Hello Vera, Alice here');
  await expectConversation(visitor, ['Hello from Vera', 'Hello Vera, Alice here']);
  await expectConversation(helper, ['Hello from Vera', 'Hello Vera, Alice here']);
  await expect(log(visitor)).not.toContainText('Sending', LINK_TIMEOUT);

  // The visitor reloads: the stored transcript, then the chat again.
  await visitor.reload();
  await expectConversation(visitor, ['Hello from Vera', 'Hello Vera, Alice here']);
  await expect(linked(visitor)).toBeVisible(LINK_TIMEOUT);
  await say(visitor, 'Back after a reload');
  await expectConversation(helper, [
    'Hello from Vera',
    'Hello Vera, Alice here',
    'Back after a reload',
  ]);
  // The reloaded page speaks under a new client id as soon as its bind is echoed; the
  // helper may have its frames before the list that binds it, and must wait, not reset.
  await expect(resetNotice(helper)).toHaveCount(0);

  // The helper reloads; meanwhile the visitor writes, and it arrives once.
  await helper.reload();
  await say(visitor, 'Written while Alice reloaded');
  await expectConversation(helper, [
    'Hello from Vera',
    'Hello Vera, Alice here',
    'Back after a reload',
    'Written while Alice reloaded',
  ]);
  await say(helper, 'Still here');
  const all = [
    'Hello from Vera',
    'Hello Vera, Alice here',
    'Back after a reload',
    'Written while Alice reloaded',
    'Still here',
  ];
  await expectConversation(visitor, all);
  await expectConversation(helper, all);
  await expect(log(visitor)).not.toContainText('Sending', LINK_TIMEOUT);
  await expect(log(helper)).not.toContainText('Sending', LINK_TIMEOUT);

  // With no peer at all, a reload still shows everything: it came from IndexedDB.
  await helper.context().close();
  const alone = visitor.getByRole('status').filter({ hasText: /Connecting|Reconnecting/ });
  await expect(alone).toBeVisible(LINK_TIMEOUT);
  await visitor.reload();
  await expectConversation(visitor, all);
  await expect(alone).toBeVisible();
});
