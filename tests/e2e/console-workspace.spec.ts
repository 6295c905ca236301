/**
 * The helper's workspace (issue 11): the console fills the window, and with three
 * chats of 60 messages each every control of the open chat is on screen without
 * scrolling the page, at 1280×720 and 1440×900; chats switch by keyboard; an
 * arriving offer does not take the keyboard from a reply being written; `?` lists
 * the shortcuts; below 900 px the panes stack behind a switcher. Visitors speak
 * over raw WebSockets (no WebRTC needed for the layout); the helper writes the
 * 60 messages through the reply box.
 */
import type { Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { SocketVisitor, closeAllContexts, offerCard, signInHelper } from './console-steps.ts';
import { shoot } from './support/screenshots.ts';
import { writeReplies } from './support/reply-filler.ts';

test.afterEach(closeAllContexts);

const MESSAGES = 60;

async function chatWith(baseURL: string, helper: Page, name: string): Promise<SocketVisitor> {
  const visitor = await SocketVisitor.connect(baseURL);
  visitor.request(name, `${name} needs help`);
  const card = offerCard(helper, name);
  await card.getByRole('button', { name: 'Accept' }).click();
  await expect(card).toHaveCount(0);
  await visitor.next('chat');
  return visitor;
}

/** Writes `count` numbered replies to the chat with `name` (see reply-filler.ts). */
async function fill(helper: Page, name: string, count: number): Promise<void> {
  await helper.getByRole('tab', { name }).click();
  const panel = helper.getByRole('tabpanel', { name });
  await writeReplies(panel.getByLabel('Your message'), `Message to ${name}`, count);
  // The log renders what fills it (log-fit.ts), not all of a long chat.
  await expect(panel.getByRole('log').getByText(`Message to ${name} ${count}:`)).toBeVisible();
}

/** Whether the whole box of `locator` lies inside the viewport. */
async function inViewport(page: Page, locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const size = page.viewportSize();
  if (box === null || size === null) return false;
  return (
    box.x >= 0 && box.y >= 0 && box.x + box.width <= size.width && box.y + box.height <= size.height
  );
}

async function pageScrolls(page: Page): Promise<boolean> {
  return page.evaluate(
    () =>
      document.scrollingElement!.scrollHeight > window.innerHeight ||
      document.scrollingElement!.scrollTop > 0,
  );
}

for (const viewport of [
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
]) {
  test(`at ${viewport.width}×${viewport.height} the open chat's controls fit the window with three chats of ${MESSAGES} messages`, async ({
    browser,
    baseURL,
  }, testInfo) => {
    test.setTimeout(120_000);
    const alice = await signInHelper(browser, 'alice');
    await alice.setViewportSize(viewport);
    const names = ['Ann', 'Ben', 'Cid'];
    const visitors: SocketVisitor[] = [];
    for (const name of names) visitors.push(await chatWith(baseURL!, alice, name));
    for (const name of names) await fill(alice, name, MESSAGES);

    for (const name of names) {
      await alice.getByRole('tab', { name }).click();
      const panel = alice.getByRole('tabpanel', { name });
      const controls = [
        panel.getByLabel('Your message'),
        panel.getByRole('button', { name: 'Send' }),
        panel.getByRole('button', { name: 'End chat' }),
        panel.getByRole('button', { name: 'Block visitor' }),
        panel.getByRole('button', { name: 'Visitor information' }),
      ];
      for (const control of controls) {
        await expect(control).toBeVisible();
        expect(await inViewport(alice, control), `${name}: ${String(control)}`).toBe(true);
      }
      // The newest message is in sight, and the page itself does not scroll.
      await expect(panel.getByText(`Message to ${name} ${MESSAGES}:`)).toBeInViewport();
      expect(await pageScrolls(alice)).toBe(false);
    }
    // For a person to look at: test-results/<test>/workspace-<size>.png
    await alice.screenshot({
      path: testInfo.outputPath(`workspace-${viewport.width}x${viewport.height}.png`),
    });

    // The visitor panel folds away and comes back.
    const panel = alice.getByRole('tabpanel', { name: 'Cid' });
    const toggle = panel.getByRole('button', { name: 'Visitor information' });
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await expect(panel.getByRole('region', { name: 'Visitor information' })).toBeVisible();
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await expect(panel.getByRole('region', { name: 'Visitor information' })).toBeHidden();
    await toggle.click();
    await expect(panel.getByRole('region', { name: 'Visitor information' })).toBeVisible();

    // Chats by keyboard: Alt+↓ / Alt+↑ open the next / previous chat, focus in its reply box.
    await alice.getByRole('tab', { name: 'Ann' }).click();
    await alice.keyboard.press('Alt+ArrowDown');
    await expect(alice.getByRole('tab', { name: 'Ben' })).toHaveAttribute('aria-selected', 'true');
    await expect(
      alice.getByRole('tabpanel', { name: 'Ben' }).getByLabel('Your message'),
    ).toBeFocused();
    await alice.keyboard.press('Alt+ArrowDown');
    await expect(alice.getByRole('tab', { name: 'Cid' })).toHaveAttribute('aria-selected', 'true');
    await alice.keyboard.press('Alt+ArrowDown');
    await expect(alice.getByRole('tab', { name: 'Ann' })).toHaveAttribute('aria-selected', 'true');
    await alice.keyboard.press('Alt+ArrowUp');
    await expect(alice.getByRole('tab', { name: 'Cid' })).toHaveAttribute('aria-selected', 'true');
    const cidReply = alice.getByRole('tabpanel', { name: 'Cid' }).getByLabel('Your message');
    await expect(cidReply).toBeFocused();
    await alice.getByRole('tab', { name: 'Cid' }).focus();
    await alice.keyboard.press('Alt+r');
    await expect(cidReply).toBeFocused();

    for (const visitor of visitors) await visitor.leave();
  });
}

test('an arriving offer leaves the reply being written focused, is announced and accepted with Alt+A; ? lists the shortcuts', async ({
  browser,
  baseURL,
}) => {
  const alice = await signInHelper(browser, 'alice');
  await alice.setViewportSize({ width: 1280, height: 720 });
  const ann = await chatWith(baseURL!, alice, 'Ann');
  const reply = alice.getByRole('tabpanel', { name: 'Ann' }).getByLabel('Your message');
  await reply.click();
  await reply.pressSequentially('Half a sent');

  const ben = await SocketVisitor.connect(baseURL!);
  ben.request('Ben', 'Where is my parcel?');
  await expect(offerCard(alice, 'Ben')).toBeVisible();
  await expect(reply).toBeFocused();
  await expect(alice.getByRole('status').filter({ hasText: 'Chat offer from Ben' })).toHaveText(
    /Where is my parcel\?/,
  );
  await alice.keyboard.press('Alt+a');
  await expect(offerCard(alice, 'Ben')).toHaveCount(0);
  await expect(alice.getByRole('tab', { name: 'Ben' })).toBeVisible();
  await expect(reply).toBeFocused();
  await expect(reply).toHaveValue('Half a sent');

  // `?` is a character in the reply box, and the help everywhere else.
  await alice.getByRole('tab', { name: 'Ann' }).focus();
  await alice.keyboard.press('?');
  const help = alice.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help).toBeVisible();
  await expect(help).toContainText('Accept the top chat offer');
  await alice.keyboard.press('Escape');
  await expect(help).toBeHidden();

  await ann.leave();
  await ben.leave();
});

test('below 900 px the panes stack behind one switcher', async ({ browser, baseURL }, testInfo) => {
  const alice = await signInHelper(browser, 'alice');
  await alice.setViewportSize({ width: 390, height: 844 });
  const ann = await chatWith(baseURL!, alice, 'Ann');
  const panes = alice.getByRole('navigation', { name: 'Workspace panes' });
  await panes.getByRole('button', { name: 'Chats' }).click();
  await expect(alice.getByRole('tab', { name: 'Ann' })).toBeVisible();
  await expect(alice.getByRole('tabpanel', { name: 'Ann' })).toBeHidden();
  await alice.getByRole('tab', { name: 'Ann' }).click();
  const panel = alice.getByRole('tabpanel', { name: 'Ann' });
  await expect(panel.getByLabel('Your message')).toBeInViewport();
  await expect(panel.getByRole('button', { name: 'Send' })).toBeInViewport();
  await expect(panel.getByRole('button', { name: 'End chat' })).toBeInViewport();
  await expect(alice.getByRole('tab', { name: 'Ann' })).toBeHidden();
  // For a person to look at: test-results/<test>/workspace-390x844.png
  await alice.screenshot({ path: testInfo.outputPath('workspace-390x844.png') });
  await panes.getByRole('button', { name: 'Visitor' }).click();
  await expect(panel.getByRole('region', { name: 'Visitor information' })).toBeVisible();
  await expect(panel.getByLabel('Your message')).toBeHidden();
  await ann.leave();
});

test('a long chat renders what fills its log; scrolling up brings the rest a screen at a time, also at the very top; back at the bottom it trims; "Show earlier messages" at the bottom stays', async ({
  browser,
  baseURL,
}, testInfo) => {
  // 130 messages written a frame apart took over two minutes at load 40.
  test.setTimeout(300_000);
  const alice = await signInHelper(browser, 'alice');
  await alice.setViewportSize({ width: 1280, height: 720 });
  const ann = await chatWith(baseURL!, alice, 'Ann');
  const panel = alice.getByRole('tabpanel', { name: 'Ann' });
  await writeReplies(panel.getByLabel('Your message'), 'Message to Ann', 130);
  const log = panel.getByRole('log', { name: 'Conversation with Ann' });
  const items = log.getByRole('listitem');
  await expect(panel.getByText('Message to Ann 130:')).toBeInViewport();
  // More than the log shows (its first entry is above the fold), far fewer than 130.
  const atBottom = await items.count();
  expect(atBottom).toBeLessThanOrEqual(30);
  await expect(items.first()).not.toBeInViewport();
  await expect(
    log.getByRole('button', { name: `Show earlier messages (${130 - atBottom} more)` }),
  ).toBeAttached();

  // The reader turns the wheel up over the log until the first message: every time the
  // top of what is shown comes near, earlier ones are added above and the reader keeps
  // their place, so the wheel keeps going up; at the very top (offset 0, where the
  // browser's scroll anchoring does nothing) too.
  const box = (await log.boundingBox())!;
  await alice.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await expect(async () => {
    await alice.mouse.wheel(0, -1500);
    await expect(items.first()).toContainText('Message to Ann 1:', { timeout: 1000 });
  }).toPass({ timeout: 60_000 });
  await expect(items).toHaveCount(130);
  await expect(log.getByRole('button', { name: /Show earlier messages/ })).toHaveCount(0);

  // Back at the bottom: the newest again, trimmed.
  await log.evaluate((element) => (element.scrollTop = element.scrollHeight));
  await expect(items).toHaveCount(atBottom);
  await expect(panel.getByText('Message to Ann 130:')).toBeInViewport();

  // "Show earlier messages" pressed while the log is at its bottom (a keyboard or screen
  // reader press does not scroll): the earlier messages stay, the reader stays at the
  // newest. Before, the scroll the growth caused found the reader at the bottom and
  // trimmed the log back.
  await log.getByRole('button', { name: /Show earlier messages/ }).dispatchEvent('click');
  await expect(items).toHaveCount(130);
  await alice.evaluate(
    () =>
      new Promise<void>((done) =>
        requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 0))),
      ),
  );
  await expect(items).toHaveCount(130);
  await expect(panel.getByText('Message to Ann 130:')).toBeInViewport();
  // For a person to look at: test-results/<test>/long-chat-<width>.png
  await shoot(alice, 'long-chat', testInfo.outputPath.bind(testInfo), 'Conversation');
  await ann.leave();
});
