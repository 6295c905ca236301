/**
 * The visitor widget at /widget, standalone (issue 4): the pre-chat form, the queue
 * with a live position, a helper (the lab page, in its own browser context) accepts,
 * messages both ways in bubbles, Enter sends and Shift+Enter starts a new line, end
 * chat; leave a message (F7); and the blocked state with when it ends (F28).
 *
 * Each test runs against a service of its own, so no helper or chat of another test
 * (this file's or another's in the same worker) can come between.
 */
import { expect } from './fixtures.ts';
import {
  LINK_TIMEOUT,
  PRIVACY_ACK,
  StaffSocket,
  conversation,
  fillPreChat,
  consoleHelper,
  isolatedTest as test,
} from './support/widget-drivers.ts';

test('pre-chat form, queue position 1, accepted, messages both ways, Enter and Shift+Enter, end', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto('/widget');
  await expect(visitor.getByLabel('Department')).toHaveValue('general');
  await fillPreChat(visitor, {
    name: 'Wanda',
    email: 'wanda@example.org',
    question: 'Where are my bookmarks?',
  });
  await expect(
    visitor.getByRole('status').filter({ hasText: 'number 1 in the queue' }),
  ).toBeVisible();

  const helper = await consoleHelper(browser, baseURL!);
  await helper.getByRole('button', { name: 'Accept chat with Wanda' }).click(LINK_TIMEOUT);
  await expect(visitor.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible(
    LINK_TIMEOUT,
  );
  await expect(
    visitor.getByText('Helpers can see what you type before you send it.'),
  ).toBeVisible();

  // Enter sends; Shift+Enter is a new line inside the same message.
  const box = visitor.getByLabel('Your message');
  await box.fill('First line');
  // F10: typing preview is on by default: the helper sees the draft, and the visitor is told.
  await expect(helper.getByText('Wanda is typing: First line')).toBeVisible(LINK_TIMEOUT);
  await box.press('Shift+Enter');
  await box.pressSequentially('second line');
  await expect(box).toHaveValue('First line\nsecond line');
  await box.press('Enter');
  await expect(box).toHaveValue('');
  await expect(conversation(helper).getByRole('listitem')).toHaveText(
    // The question opens the transcript; the standalone widget is itself the page
    // the visitor views (F11).
    [/Where are my bookmarks\?/, /Chat — Peerdesk/, /First line\nsecond line/],
    LINK_TIMEOUT,
  );

  // The helper types: the visitor sees "is typing", then the reply in a helper bubble.
  await helper.getByLabel('Your message').fill('Hello Wanda');
  await expect(visitor.getByText('is typing…')).toBeVisible(LINK_TIMEOUT);
  await helper.getByRole('button', { name: 'Send' }).click();
  const log = conversation(visitor);
  await expect(log.getByRole('listitem').filter({ hasText: 'Hello Wanda' })).toHaveClass(
    /theirs/,
    LINK_TIMEOUT,
  );
  await expect(log.getByRole('listitem').filter({ hasText: 'First line' })).toHaveClass(/mine/);
  await expect(log).toHaveAttribute('aria-live', 'polite');

  // The Send button works as well as Enter.
  await box.fill('Thanks!');
  await visitor.getByRole('button', { name: 'Send' }).click();
  await expect(conversation(helper).getByRole('listitem')).toHaveText(
    [
      /Where are my bookmarks\?/,
      /Chat — Peerdesk/,
      /First line\nsecond line/,
      /Hello Wanda/,
      /Thanks!/,
    ],
    LINK_TIMEOUT,
  );

  // B2: a reload mid-chat shows the conversation at once and the chat goes on.
  await visitor.reload();
  await expect(conversation(visitor).getByText('Hello Wanda')).toBeVisible(LINK_TIMEOUT);
  await expect(visitor.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible(
    LINK_TIMEOUT,
  );
  await visitor.getByLabel('Your message').fill('Back after a reload');
  await visitor.getByLabel('Your message').press('Enter');
  await expect(conversation(helper).getByRole('listitem').last()).toContainText(
    'Back after a reload',
    LINK_TIMEOUT,
  );

  await visitor.getByRole('button', { name: 'End chat' }).click();
  await expect(
    visitor.getByRole('status').filter({ hasText: 'You ended the chat.' }),
  ).toBeVisible();
  await expect(visitor.getByRole('button', { name: 'Start a new chat' })).toBeVisible();
  await helper.context().close();
  await visitor.context().close();
});

test('leave a message instead of waiting in the queue (F7)', async ({ browser }) => {
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto('/widget');
  await fillPreChat(visitor, { name: 'Lena', question: 'Printing is slow' });
  // Whether or not a helper of an earlier test is still online, the visitor may choose.
  await expect(
    visitor.getByRole('status').filter({ hasText: 'number 1 in the queue' }),
  ).toBeVisible();
  await visitor.getByRole('button', { name: 'Leave a message instead' }).click();
  // The form keeps what the visitor wrote.
  await expect(visitor.getByLabel('Name', { exact: true })).toHaveValue('Lena');
  await expect(visitor.getByLabel('Message', { exact: true })).toHaveValue('Printing is slow');
  await visitor
    .getByLabel('Email (optional, needed for a reply by email)')
    .fill('lena@example.org');
  await visitor.getByRole('button', { name: 'Send message' }).click();
  await expect(visitor.getByRole('status')).toHaveText(/your message was sent/);
});

test('a blocked visitor is told at once, with when the block ends (F28)', async ({
  browser,
  baseURL,
}) => {
  const staff = await StaffSocket.open(baseURL!, 'bob');
  try {
    const visitor = await (await browser.newContext()).newPage();
    await visitor.goto('/widget');
    await fillPreChat(visitor, { name: 'Troll', question: 'spam spam spam' });
    const offer = await staff.next((m) => m.type === 'offer');
    staff.send({ type: 'accept', chatId: offer['chatId'] });
    await staff.next((m) => m.type === 'chat');
    staff.send({ type: 'block', chatId: offer['chatId'], reason: 'Spam', ip: false });
    const blocked = await staff.next((m) => m.type === 'blocked_visitor');
    const until = new Date(blocked['until'] as number);
    const alert = visitor.getByRole('alert');
    await expect(alert).toContainText('You have been blocked from chat until');
    const shown = await visitor.evaluate((at) => new Date(at).toLocaleString(), until.getTime());
    await expect(alert).toContainText(shown);

    // A reload is still blocked: the service refuses the remembered visitor.
    await visitor.reload();
    await expect(visitor.getByRole('alert')).toContainText('You have been blocked from chat until');
    await expect(visitor.getByRole('button', { name: 'Start chat' })).toHaveCount(0);
  } finally {
    staff.close();
  }
});

test('on a phone-sized screen the form fits and works from the keyboard alone', async ({
  browser,
}) => {
  const context = await browser.newContext({
    viewport: { width: 360, height: 640 },
    isMobile: true,
  });
  const visitor = await context.newPage();
  await visitor.goto('/widget');
  const name = visitor.getByLabel('Name', { exact: true });
  await expect(name).toBeVisible();
  // Nothing wider than the screen.
  expect(await visitor.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
    360,
  );
  await name.focus();
  await visitor.keyboard.type('Kim');
  await visitor.keyboard.press('Tab');
  await expect(visitor.getByLabel('Email (optional, needed for a transcript)')).toBeFocused();
  await visitor.keyboard.press('Tab');
  await expect(visitor.getByLabel('Department')).toBeFocused();
  await visitor.keyboard.press('Tab');
  await expect(visitor.getByLabel('Question')).toBeFocused();
  await visitor.keyboard.type('Keyboard only');
  // SP-PN2: the demo's privacy notice is acknowledged with the keyboard too.
  await visitor.keyboard.press('Tab');
  await expect(visitor.getByRole('checkbox', { name: PRIVACY_ACK })).toBeFocused();
  await visitor.keyboard.press('Space');
  await visitor.keyboard.press('Tab');
  await expect(visitor.getByRole('button', { name: 'Start chat' })).toBeFocused();
  await visitor.keyboard.press('Enter');
  await expect(visitor.getByRole('status').filter({ hasText: 'in the queue' })).toBeVisible();
  await visitor.getByRole('button', { name: 'Cancel request' }).click();
  await expect(visitor.getByRole('button', { name: 'Start chat' })).toBeVisible();
  await context.close();
});
