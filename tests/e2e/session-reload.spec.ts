/**
 * What only a browser has (issue 3): Chromium's IndexedDB and WebRTC between two
 * browser contexts, through the real service. A reload on either side shows the
 * stored transcript and merges with the peer, with nothing lost and nothing twice.
 * Controls are found by role and label, as assistive technology finds them.
 */
import type { Browser, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

const LINK_TIMEOUT = { timeout: 30_000 };

async function helperPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto('/console');
  await page.getByLabel('Nickname').fill('alice');
  await page.getByLabel('Password').fill('demo-pass');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Helper console', exact: true })).toBeVisible();
  await page.goto('/lab/chat');
  return page;
}

async function visitorPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto('/lab/chat');
  await page.getByLabel('Your name').fill('Vera');
  await page.getByLabel('Your question').fill('My printer is on fire');
  await page.getByRole('button', { name: 'Start chat' }).click();
  return page;
}

const log = (page: Page) => page.getByRole('log', { name: 'Conversation' });

async function say(page: Page, text: string): Promise<void> {
  await page.getByLabel('Your message').fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

/** Each text appears exactly once in the conversation, in this order. */
async function expectConversation(page: Page, texts: string[]): Promise<void> {
  await expect(log(page).locator('.body')).toHaveText(texts, LINK_TIMEOUT);
}

test('a reload on either side resumes from IndexedDB and merges, nothing lost or doubled', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const helper = await helperPage(browser);
  const visitor = await visitorPage(browser);

  await helper.getByRole('button', { name: 'Accept chat with Vera' }).click(LINK_TIMEOUT);
  await expect(visitor.getByRole('status')).toHaveText('Connected to 1 person', LINK_TIMEOUT);
  await expect(helper.getByRole('status')).toHaveText('Connected to 1 person', LINK_TIMEOUT);

  await say(visitor, 'Hello from Vera');
  await say(helper, 'Hello Vera, Alice here');
  await expectConversation(visitor, ['Hello from Vera', 'Hello Vera, Alice here']);
  await expectConversation(helper, ['Hello from Vera', 'Hello Vera, Alice here']);
  await expect(log(visitor)).not.toContainText('sending', LINK_TIMEOUT);

  // The visitor reloads: the stored transcript, then the chat again.
  await visitor.reload();
  await expectConversation(visitor, ['Hello from Vera', 'Hello Vera, Alice here']);
  await expect(visitor.getByRole('status')).toHaveText('Connected to 1 person', LINK_TIMEOUT);
  await say(visitor, 'Back after a reload');
  await expectConversation(helper, [
    'Hello from Vera',
    'Hello Vera, Alice here',
    'Back after a reload',
  ]);

  // The helper reloads; meanwhile the visitor writes, and it arrives once.
  await helper.reload();
  await say(visitor, 'Written while Alice reloaded');
  await expectConversation(helper, [
    'Hello from Vera',
    'Hello Vera, Alice here',
    'Back after a reload',
    'Written while Alice reloaded',
  ]);
  await expect(helper.getByRole('status')).toHaveText('Connected to 1 person', LINK_TIMEOUT);
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
  await expect(log(visitor)).not.toContainText('sending', LINK_TIMEOUT);
  await expect(log(helper)).not.toContainText('sending', LINK_TIMEOUT);

  // With no peer at all, a reload still shows everything: it came from IndexedDB.
  await helper.context().close();
  await expect(visitor.getByRole('status')).toHaveText(/Connecting|Offline/, LINK_TIMEOUT);
  await visitor.reload();
  await expectConversation(visitor, all);
  await expect(visitor.getByRole('status')).toHaveText(/Connecting|Offline/);
});
