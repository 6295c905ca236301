/**
 * The widget fits the screen and the question opens the transcript (issue 11).
 * A visitor on /demo asks through the embedded widget; alice accepts in the real
 * console (own browser context each). With a 60-message chat, at 1280×720 and on a
 * 390×844 phone, the reply box, Send and End chat are inside the viewport, the
 * newest message is visible, and the launcher covers none of the panel's controls.
 * The question is the first message on both sides, also after both reload; the
 * visitor sees "Alice joined the chat"; a visitor who scrolled up keeps their place
 * and gets a "New messages" button.
 */
import type { Browser, Locator, Page } from '@playwright/test';
import { expect } from './fixtures.ts';
import { offerCard } from './console-steps.ts';
import { writeReplies } from './support/reply-filler.ts';
import {
  LINK_TIMEOUT,
  chatFrame,
  consoleHelper,
  fillPreChat,
  isolatedTest as test,
} from './support/widget-drivers.ts';

const QUESTION = 'Why does my printer print blank pages?';

async function demoChat(
  browser: Browser,
  baseURL: string,
  name: string,
  viewport: { width: number; height: number },
) {
  const visitor = await (await browser.newContext({ viewport })).newPage();
  await visitor.goto('/demo/printing');
  await visitor.getByRole('button', { name: 'Chat with us' }).click();
  const widget = chatFrame(visitor);
  await fillPreChat(widget, { name, question: QUESTION });
  const helper = await consoleHelper(browser, baseURL);
  await offerCard(helper, name).getByRole('button', { name: 'Accept' }).click();
  const panel = helper.getByRole('tabpanel', { name: new RegExp(name) });
  await expect(widget.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible(
    LINK_TIMEOUT,
  );
  return { visitor, widget, helper, panel };
}

type Box = { x: number; y: number; width: number; height: number };

function inside(box: Box, size: { width: number; height: number }): boolean {
  return (
    box.x >= 0 && box.y >= 0 && box.x + box.width <= size.width && box.y + box.height <= size.height
  );
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

async function boxOf(locator: Locator): Promise<Box> {
  const box = await locator.boundingBox();
  expect(box, String(locator)).not.toBeNull();
  return box!;
}

/** Every control of the widget's chat is in the viewport and clear of the launcher. */
async function controlsFit(visitor: Page, widget: ReturnType<typeof chatFrame>): Promise<void> {
  const size = visitor.viewportSize()!;
  const launcher = visitor.getByRole('button', { name: /^Chat with us/ });
  const launcherBox = (await launcher.isVisible()) ? await launcher.boundingBox() : null;
  for (const control of [
    widget.getByLabel('Your message'),
    widget.getByRole('button', { name: 'Send' }),
    widget.getByRole('button', { name: 'End chat' }),
    widget.getByRole('button', { name: 'Minimise chat' }),
  ]) {
    const box = await boxOf(control);
    expect(inside(box, size), `${String(control)} inside ${size.width}×${size.height}`).toBe(true);
    if (launcherBox)
      expect(overlaps(box, launcherBox), `launcher over ${String(control)}`).toBe(false);
  }
}

for (const viewport of [
  { width: 1280, height: 720 },
  { width: 390, height: 844 },
]) {
  test(`at ${viewport.width}×${viewport.height} a 60-message chat keeps the widget's reply box, Send and the newest message in view`, async ({
    browser,
    baseURL,
  }, testInfo) => {
    test.setTimeout(120_000);
    const { visitor, widget, panel } = await demoChat(browser, baseURL!, 'Petra', viewport);
    const log = widget.getByRole('log', { name: 'Conversation' });
    // The question plus 59 replies: a 60-message chat.
    await writeReplies(panel.getByLabel('Your message'), 'Reply', 59);
    await expect(log.getByText('Reply 59:')).toBeVisible(LINK_TIMEOUT);
    await expect(log.getByText('Reply 59:')).toBeInViewport();
    const newest = await boxOf(log.getByText('Reply 59:'));
    expect(inside(newest, visitor.viewportSize()!)).toBe(true);
    await controlsFit(visitor, widget);
    await visitor.screenshot({
      path: testInfo.outputPath(`widget-${viewport.width}x${viewport.height}.png`),
    });

    // Scrolled up, the visitor keeps their place; a "New messages" button brings them down.
    await log.evaluate((node) => (node.scrollTop = 0));
    await expect(log.getByText(QUESTION)).toBeInViewport();
    await panel.getByLabel('Your message').fill('One more thing');
    await panel.getByLabel('Your message').press('Enter');
    const jump = widget.getByRole('button', { name: 'New messages' });
    await expect(jump).toBeVisible(LINK_TIMEOUT);
    await expect(log.getByText(QUESTION)).toBeInViewport();
    await jump.click();
    await expect(log.getByText('One more thing')).toBeInViewport();
    await expect(jump).toBeHidden();
  });
}

test('the question is the first message on both sides, also after both reload; the visitor sees who joined', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const { visitor, widget, helper, panel } = await demoChat(browser, baseURL!, 'Quinn', {
    width: 1280,
    height: 720,
  });
  const widgetLog = widget.getByRole('log', { name: 'Conversation' });
  const helperLog = panel.getByRole('log', { name: 'Conversation with Quinn' });
  const firstBubble = (log: Locator) => log.locator('.bubble').first();
  await expect(firstBubble(widgetLog)).toContainText(QUESTION);
  await expect(firstBubble(helperLog)).toContainText(QUESTION, LINK_TIMEOUT);
  await expect(widgetLog.getByText('Alice joined the chat')).toBeVisible(LINK_TIMEOUT);

  await helper.getByLabel('Your message').fill('Let us check the toner');
  await helper.getByLabel('Your message').press('Enter');
  await expect(widgetLog).toContainText('Let us check the toner', LINK_TIMEOUT);

  await visitor.reload();
  const reopened = chatFrame(visitor).getByRole('log', { name: 'Conversation' });
  await expect(reopened).toContainText('Let us check the toner', LINK_TIMEOUT);
  await expect(firstBubble(reopened)).toContainText(QUESTION);
  await expect(reopened.getByText(QUESTION)).toHaveCount(1);
  await expect(reopened.getByText('Alice joined the chat')).toBeVisible();

  await helper.reload();
  const helperAgain = helper
    .getByRole('tabpanel', { name: /Quinn/ })
    .getByRole('log', { name: 'Conversation with Quinn' });
  await expect(helperAgain).toContainText('Let us check the toner', LINK_TIMEOUT);
  await expect(firstBubble(helperAgain)).toContainText(QUESTION);
  await expect(helperAgain.getByText(QUESTION)).toHaveCount(1);
});
