/**
 * Switching chats (issue 11, benchmark S8): the console keeps one chat panel mounted and
 * swaps the chat it shows (the reply box stays the same element, with the shown chat's
 * draft), it holds the shown chat's log only, and a chat switched back to is as the
 * helper left it. Alice, in the real
 * console, has a long chat with Petra (the real widget on /demo, over WebRTC) and a
 * second chat. Scrolled up in Petra's chat with half a reply written, she switches to
 * the other chat: Petra's log is gone from the page, the reply box and the staff note
 * box are Ben's (empty); Petra writes meanwhile. Back in Petra's chat, the same messages
 * are where they were, the reply and the note are still there, and "New messages" offers
 * what Petra wrote; it brings it into view.
 */
import { expect } from './fixtures.ts';
import { SocketVisitor, offerCard } from './console-steps.ts';
import { shoot } from './support/screenshots.ts';
import { writeReplies } from './support/reply-filler.ts';
import {
  LINK_TIMEOUT,
  chatFrame,
  consoleHelper,
  fillPreChat,
  isolatedTest as test,
} from './support/widget-drivers.ts';

test('a chat switched back to keeps its place, its drafts and the "New messages" button', async ({
  browser,
  baseURL,
}, testInfo) => {
  test.setTimeout(300_000);
  const visitor = await (
    await browser.newContext({ viewport: { width: 1280, height: 720 } })
  ).newPage();
  await visitor.goto('/demo/printing');
  await visitor.getByRole('button', { name: 'Chat with us' }).click();
  const widget = chatFrame(visitor);
  await fillPreChat(widget, { name: 'Petra', question: 'Why does my printer print blank pages?' });
  const alice = await consoleHelper(browser, baseURL!);
  await alice.setViewportSize({ width: 1280, height: 720 });
  await offerCard(alice, 'Petra').getByRole('button', { name: 'Accept' }).click();
  const petra = alice.getByRole('tabpanel', { name: 'Petra' });
  await expect(widget.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible(
    LINK_TIMEOUT,
  );
  // The question and 110 replies: longer than what the log renders at its bottom.
  await writeReplies(petra.getByLabel('Your message'), 'Reply', 110);
  const log = petra.getByRole('log', { name: 'Conversation with Petra' });
  await expect(log.getByText('Reply 110:')).toBeInViewport(LINK_TIMEOUT);
  expect(await log.getByRole('listitem').count()).toBeLessThan(111);

  // Scrolled up a third of the way, with half a reply written.
  await log.evaluate((node) => (node.scrollTop = Math.round(node.scrollHeight / 3)));
  await expect(log.getByText('Reply 110:')).not.toBeInViewport();
  const offset = await log.evaluate((node) => node.scrollTop);
  expect(offset).toBeGreaterThan(0);
  const rendered = await log.getByRole('listitem').count();
  await petra.getByLabel('Your message').fill('Half a reply');
  await petra.getByLabel('Write a staff note').fill('Asked about the toner');
  const replyBox = await petra.getByLabel('Your message').elementHandle();

  const ben = await SocketVisitor.connect(baseURL!);
  ben.request('Ben', 'Where is my parcel?');
  await offerCard(alice, 'Ben').getByRole('button', { name: 'Accept' }).click();
  await alice.getByRole('tab', { name: 'Ben' }).click();
  await expect(alice.getByRole('tabpanel', { name: 'Ben' })).toBeVisible();
  // Only the shown chat's conversation is in the page.
  await expect(
    alice.getByRole('log', { name: /^Conversation with/, includeHidden: true }),
  ).toHaveCount(1);
  await expect(alice.getByRole('log', { name: 'Conversation with Ben' })).toBeVisible();
  // The same panel shows Ben's chat: its reply box was not made anew, and has Ben's draft.
  const benPanel = alice.getByRole('tabpanel', { name: 'Ben' });
  await expect(benPanel.getByLabel('Your message')).toHaveValue('');
  await expect(benPanel.getByLabel('Write a staff note')).toHaveValue('');
  expect(
    await benPanel.getByLabel('Your message').evaluate((node, before) => node === before, replyBox),
  ).toBe(true);

  // Petra writes while her chat is not shown.
  const visitorBox = widget.getByLabel('Your message');
  await visitorBox.fill('Are you still there?');
  await visitorBox.press('Enter');
  await expect(alice.getByRole('tab', { name: /Petra/ })).toContainText('1 unread', LINK_TIMEOUT);

  await alice.getByRole('tab', { name: /Petra/ }).click();
  await expect(log.getByRole('listitem')).toHaveCount(rendered + 1);
  // Back at the offset once the log is laid out (MessageLog scrolls after layout).
  await expect.poll(() => log.evaluate((node) => node.scrollTop)).toBe(offset);
  await expect(petra.getByLabel('Your message')).toHaveValue('Half a reply');
  await expect(petra.getByLabel('Write a staff note')).toHaveValue('Asked about the toner');
  const jump = petra.getByRole('button', { name: 'New messages' });
  await expect(jump).toBeVisible();
  await expect(log.getByText('Are you still there?')).not.toBeInViewport();
  // For a person to look at: test-results/<test>/switched-back-<width>.png
  await shoot(alice, 'switched-back', testInfo.outputPath.bind(testInfo), 'Conversation');
  await jump.click();
  await expect(log.getByText('Are you still there?')).toBeInViewport();
  await expect(jump).toBeHidden();
  await ben.leave();
});
