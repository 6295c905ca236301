/**
 * Room monitors (issue 11 item 4, F30; SPEC.md SP-M1–SP-M7, CHAT.md CH-W5, CH-N1–CH-N8), one
 * browser context per person: a visitor on the real widget embedded in /demo, a
 * helper and a monitor in the console. The monitor's board shows the queued
 * visitor, then the accepted chat with its helper, live; Watch shows the history, a
 * new message, the typing preview and a page view; the helper sees the watcher; a
 * staff note from the monitor reaches the helper; join makes the monitor a helper
 * who replies. Everything the visitor's widget received (WebSocket frames and
 * data-channel messages) is kept and checked for any trace of the monitor or the
 * note. Promotion of a trainee from the staff list, then an offer to them.
 *
 * Each test runs against a service of its own: promoting Tina must not reach
 * another file's tests.
 */
import type { Page } from '@playwright/test';
import { expect } from './fixtures.ts';
import { dataMessages, recordingVisitor } from './support/recording-visitor.ts';
import { SocketVisitor, offerCard, signInHelper, signInMonitor } from './console-steps.ts';
import {
  LINK_TIMEOUT,
  conversation,
  fillPreChat,
  isolatedTest as test,
} from './support/widget-drivers.ts';

const chatFrame = (page: Page) => page.frameLocator('iframe[title="Chat with us"]');

test('a monitor watches live from the board, coaches by staff note unseen by the visitor, then joins', async ({
  browser,
  baseURL,
}, testInfo) => {
  test.setTimeout(150_000);
  const { page: visitor, received } = await recordingVisitor(browser, baseURL!);
  await visitor.goto('/demo/printing');
  await visitor.getByRole('button', { name: 'Chat with us' }).click();
  const widget = chatFrame(visitor);

  const molly = await signInMonitor(browser, baseURL!);
  const chats = molly.getByRole('table', { name: 'Chats' });
  await expect(chats.getByRole('columnheader')).toHaveText([
    'Visitor',
    'Department',
    'Status',
    'Helpers',
    'Tags',
    'In queue',
    'Unanswered',
    'Duration',
    'Actions',
  ]);
  await expect(chats.getByRole('cell', { name: 'No chats right now.' })).toBeVisible();

  // SP-M4: the queued visitor appears on the board, pushed by the service.
  await fillPreChat(widget, { name: 'Vera', question: 'My printer prints blank pages' });
  const veraRow = chats.getByRole('row', { name: /Vera/ });
  await expect(veraRow.getByRole('cell').nth(1)).toHaveText('In queue');

  // … then the accepted chat with its helper.
  const alice = await signInHelper(browser, 'alice', { baseURL: baseURL! });
  await offerCard(alice, 'Vera').getByRole('button', { name: 'Accept' }).click();
  await expect(veraRow.getByRole('cell').nth(1)).toHaveText('Active');
  await expect(veraRow.getByRole('cell').nth(2)).toHaveText('Alice');

  // History before the monitor arrives.
  await widget.getByLabel('Your message').fill('It started after the update');
  await widget.getByLabel('Your message').press('Enter');
  const alicePanel = alice.getByRole('tabpanel', { name: /Vera/ });
  await expect(alicePanel.getByText('It started after the update')).toBeVisible(LINK_TIMEOUT);
  await alicePanel.getByLabel('Your message').fill('Which printer model is it?');
  await alicePanel.getByRole('button', { name: 'Send' }).click();
  await expect(conversation(widget).getByText('Which printer model is it?')).toBeVisible(
    LINK_TIMEOUT,
  );

  // The visitor is typing when the monitor starts watching.
  await widget.getByLabel('Your message').fill('Is it the dr');
  await expect(alicePanel.getByText('Vera is typing: Is it the dr')).toBeVisible(LINK_TIMEOUT);

  // SP-M1 SP-M2: Watch opens the chat read-only in a tab, with the whole transcript.
  await molly.getByRole('button', { name: 'Watch chat with Vera' }).click();
  const watch = molly.getByRole('tabpanel', { name: /Vera/ });
  await expect(watch.getByRole('heading', { name: 'Watching Vera' })).toBeVisible();
  // CH-W5 CH-W7: the preview shows at once, her earlier lines in the history notwithstanding.
  await expect(watch.getByText('Vera is typing: Is it the dr')).toBeVisible(LINK_TIMEOUT);
  const watchLog = watch.getByRole('log', { name: 'Conversation with Vera' });
  await expect(watchLog.getByText('It started after the update')).toBeVisible(LINK_TIMEOUT);
  await expect(watchLog.getByText('Which printer model is it?')).toBeVisible();
  await expect(watch.getByLabel('Your message')).toHaveCount(0);
  await expect(watch.getByRole('button', { name: 'Send' })).toHaveCount(0);

  // The helper sees the watcher.
  await expect(alicePanel.getByText('Molly is watching')).toBeVisible(LINK_TIMEOUT);

  // A new message, live; the typing preview (CH-W5); a page view (F11).
  await widget.getByLabel('Your message').fill('A LaserJet 200');
  await widget.getByLabel('Your message').press('Enter');
  await expect(watchLog.getByText('A LaserJet 200')).toBeVisible(LINK_TIMEOUT);
  await widget.getByLabel('Your message').fill('and the toner is n');
  await expect(watch.getByText('Vera is typing: and the toner is n')).toBeVisible(LINK_TIMEOUT);
  await visitor.getByRole('link', { name: 'Paper jams' }).click();
  await expect(watchLog.getByText('Printing help: paper jams')).toBeVisible(LINK_TIMEOUT);

  // CH-N1–CH-N8: a staff note from the monitor reaches the helper.
  const note = 'Ask for the firmware version before anything else';
  await watch.getByLabel('Write a staff note').fill(note);
  await watch.getByRole('button', { name: 'Add note' }).click();
  await expect(alicePanel.getByRole('log', { name: 'Staff notes' }).getByText(note)).toBeVisible(
    LINK_TIMEOUT,
  );

  // Screenshots of the board and the watch view for a person to look at.
  for (const size of [
    { width: 1280, height: 720 },
    { width: 1440, height: 900 },
    { width: 390, height: 844 },
  ]) {
    await molly.setViewportSize(size);
    await molly.screenshot({
      path: testInfo.outputPath(`watch-${size.width}x${size.height}.png`),
    });
  }
  await molly.setViewportSize({ width: 1280, height: 720 });

  // SP-M2, CH-N2: nothing of the monitor or the note reached the visitor: not the page, not a
  // WebSocket frame, not a data-channel message. The control: the chat itself did.
  await expect(widget.getByText('Molly')).toHaveCount(0);
  await expect(widget.getByText(/watching/i)).toHaveCount(0);
  await expect(widget.getByText(note)).toHaveCount(0);
  const socketText = received.socket.join('\n');
  expect(socketText).toContain('"participants"');
  expect(socketText).not.toMatch(/molly|monitor/i);
  const data = dataMessages(received);
  expect(data.some((m) => m.payload.includes('Which printer model is it?'))).toBe(true);
  expect(data.filter((m) => m.type.startsWith('notes'))).toEqual([]);
  expect(data.some((m) => m.payload.includes(note) || /molly/i.test(m.payload))).toBe(false);

  // SP-M6: join turns the monitor into a helper who can reply.
  await watch.getByRole('button', { name: 'Join chat' }).click();
  const joined = molly.getByRole('tabpanel', { name: /Vera/ });
  await joined.getByLabel('Your message').fill('Molly here, I am joining Alice');
  await joined.getByRole('button', { name: 'Send' }).click();
  await expect(conversation(widget).getByText('Molly here, I am joining Alice')).toBeVisible(
    LINK_TIMEOUT,
  );
  await expect(alicePanel.getByText('Molly here, I am joining Alice')).toBeVisible(LINK_TIMEOUT);
});

test('SP-T3 SP-M7 a monitor promotes a trainee from the staff list; the trainee is offered the next chat', async ({
  browser,
  baseURL,
}, testInfo) => {
  test.setTimeout(90_000);
  const molly = await signInMonitor(browser, baseURL!);
  const tina = await signInHelper(browser, 'tina', { baseURL: baseURL! });
  await expect(tina.getByRole('note')).toContainText('no automatic chat offers');
  const staffTable = molly.getByRole('table', { name: 'Staff' });
  const tinaRow = staffTable.getByRole('row', { name: /Tina/ });
  await expect(tinaRow.getByRole('cell').nth(0)).toHaveText('Trainee helper');
  await expect(tinaRow.getByRole('cell').nth(1)).toHaveText('Available');
  await expect(staffTable.getByRole('row', { name: /Molly/ }).getByRole('cell').nth(1)).toHaveText(
    'Not available',
  );

  const ada = await SocketVisitor.connect(baseURL!);
  ada.request('Ada', 'Where is my invoice?');
  await ada.next('queued');
  await expect(
    molly.getByRole('table', { name: 'Chats' }).getByRole('row', { name: /Ada/ }),
  ).toBeVisible();
  await expect(offerCard(tina, 'Ada')).toHaveCount(0);
  for (const size of [
    { width: 1280, height: 720 },
    { width: 1440, height: 900 },
    { width: 390, height: 844 },
  ]) {
    await molly.setViewportSize(size);
    await molly.screenshot({
      path: testInfo.outputPath(`board-${size.width}x${size.height}.png`),
      fullPage: true,
    });
  }
  await molly.setViewportSize({ width: 1280, height: 720 });

  await staffTable.getByRole('button', { name: 'Promote Tina to helper' }).click();
  await expect(tinaRow.getByRole('cell').nth(0)).toHaveText('Helper');
  await expect(staffTable.getByRole('button', { name: 'Promote Tina to helper' })).toHaveCount(0);
  await expect(offerCard(tina, 'Ada')).toBeVisible();
  await expect(tina.getByRole('note').filter({ hasText: 'no automatic chat offers' })).toHaveCount(
    0,
  );
  await ada.leave();
});
