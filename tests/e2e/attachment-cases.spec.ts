/**
 * F13 cases end to end, one browser context per person (a visitor on /demo with the
 * real widget, a helper and a room monitor in /console): a screenshot dropped on the
 * widget's reply box arrives at the helper byte for byte, and the monitor watching the
 * chat sees its file card (CHAT.md CH-X8, CH-X13); a helper whose copies arrive
 * damaged (the test corrupts her page's outgoing chunks) is told about in the
 * visitor's words, and so is a sender who leaves mid-transfer (CH-X12). Every hash is
 * compared with what was sent.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, FrameLocator, Locator, Page } from '@playwright/test';
import { expect } from './fixtures.ts';
import { closeAllContexts, offerCard, signInHelper } from './console-steps.ts';
import {
  LINK_TIMEOUT,
  conversation,
  fillPreChat,
  isolatedTest as test,
} from './support/widget-drivers.ts';
import { signInMonitor, watchChat } from './support/monitor-watch.ts';
import { Tripwires } from './support/tripwires.ts';
import { noisePng, samplePdf, sha256 } from '../fixtures/sample-files.ts';

test.afterEach(closeAllContexts);
// These chats are left open (their contexts close): on the worker's shared service Alice would
// keep them through her grace period and the next test's Alice would take them back, at her
// limit. Each test has a service of its own.

async function visitorOnDemo(
  browser: Browser,
  tripwires: Tripwires,
  name: string,
): Promise<{ page: Page; widget: FrameLocator }> {
  const context = await browser.newContext();
  await tripwires.watch(context);
  const page = await context.newPage();
  await page.goto('/demo/');
  await page.getByRole('button', { name: 'Chat with us' }).click();
  const widget = page.frameLocator('iframe[title="Chat with us"]');
  await fillPreChat(widget, { name, question: 'I have a file for you' });
  return { page, widget };
}

async function accept(helper: Page, name: string): Promise<Locator> {
  await offerCard(helper, name).getByRole('button', { name: 'Accept' }).click();
  await helper.getByRole('tab', { name: new RegExp(`^${name}`) }).click();
  return helper.getByRole('tabpanel', { name });
}

async function downloadedHash(page: Page, link: Locator): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return sha256(await readFile(await download.path()));
}

/** Drops a file on an element, as dragging it from the desktop does. */
async function drop(target: Locator, name: string, type: string, bytes: Buffer): Promise<void> {
  const dataTransfer = await target.evaluateHandle(
    (_el, file) => {
      const data = new DataTransfer();
      const raw = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
      data.items.add(new File([raw], file.name, { type: file.type }));
      return data;
    },
    { name, type, base64: bytes.toString('base64') },
  );
  await target.dispatchEvent('dragover', { dataTransfer });
  await target.dispatchEvent('drop', { dataTransfer });
}

test('F13 a screenshot dropped on the reply box reaches the helper byte for byte; the monitor watching sees its card', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(240_000);
  const tripwires = new Tripwires(new URL(baseURL!).origin);
  const helper = await signInHelper(browser, 'alice');
  await tripwires.watch(helper.context());
  const monitor = await signInMonitor(browser, { tripwires });
  const { widget } = await visitorOnDemo(browser, tripwires, 'Dora');
  const panel = await accept(helper, 'Dora');
  const log = panel.getByRole('log', { name: 'Conversation with Dora' });
  const watchLog = await watchChat(monitor, 'Dora');
  await expect(widget.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible(
    LINK_TIMEOUT,
  );

  const screenshot = noisePng(300 * 1024);
  await drop(widget.getByLabel('Your message'), 'dropped.png', 'image/png', screenshot);
  await expect(
    conversation(widget).getByRole('img', { name: 'Preview of dropped.png' }),
  ).toBeVisible(LINK_TIMEOUT);
  const link = log.getByRole('link', { name: 'Download dropped.png' });
  await expect(link).toBeVisible(LINK_TIMEOUT);
  expect(await downloadedHash(helper, link)).toBe(sha256(screenshot));

  // The monitor sees the file card (CH-X13: she may fetch the bytes from the helper, never
  // serve them).
  const card = watchLog.getByRole('group', { name: 'Attachment dropped.png' });
  await expect(card).toBeVisible(LINK_TIMEOUT);
  await expect(card).toContainText('300.3 KB');
  expect(tripwires.problems).toEqual([]);
});

test('F13 the visitor is told when copies arrive damaged and when the sender leaves mid-transfer', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(240_000);
  const tripwires = new Tripwires(new URL(baseURL!).origin);
  // Alice's page flips the last byte of every file chunk it sends (CHAT.md CH-X4: a file
  // frame starts with 2, a chunk's kind is 1), as a faulty peer would.
  const helper = await signInHelper(browser, 'alice', {
    prepare: async (context) => {
      await context.addInitScript(() => {
        const send = RTCDataChannel.prototype.send as (this: RTCDataChannel, d: unknown) => void;
        RTCDataChannel.prototype.send = function (this: RTCDataChannel, data: unknown) {
          const view =
            data instanceof ArrayBuffer
              ? new Uint8Array(data)
              : ArrayBuffer.isView(data)
                ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
                : null;
          if (view !== null && view[0] === 2 && view[1] === 1) {
            const bad = view.slice();
            bad[bad.length - 1] = (bad[bad.length - 1]! + 1) % 256;
            return send.call(this, bad);
          }
          return send.call(this, data);
        };
      });
    },
  });
  await tripwires.watch(helper.context());
  const { widget } = await visitorOnDemo(browser, tripwires, 'Edda');
  const panel = await accept(helper, 'Edda');
  await expect(widget.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible(
    LINK_TIMEOUT,
  );
  const widgetLog = conversation(widget);

  // CH-X7: three damaged copies, then the visitor is told it was dropped.
  await panel
    .getByLabel('Attach a file')
    .setInputFiles({ name: 'broken.pdf', mimeType: 'application/pdf', buffer: samplePdf(40_000) });
  const broken = widgetLog.getByRole('group', { name: 'Attachment broken.pdf' });
  await expect(broken.getByRole('alert')).toHaveText(
    'The file kept arriving damaged, so it was dropped.',
    LINK_TIMEOUT,
  );
  await expect(broken.getByRole('link', { name: 'Download broken.pdf' })).toHaveCount(0);

  // CH-X12: the sender leaves mid-transfer; the visitor is told it resumes when someone
  // who has the file is back.
  await panel.getByLabel('Attach a file').setInputFiles({
    name: 'manual.pdf',
    mimeType: 'application/pdf',
    buffer: samplePdf(8 * 1024 * 1024),
  });
  const bar = widgetLog.getByRole('progressbar', { name: 'Receiving manual.pdf' });
  await expect
    .poll(
      async () => Number((await bar.getAttribute('value').catch(() => null)) ?? 0),
      LINK_TIMEOUT,
    )
    .toBeGreaterThan(20);
  await helper.close();
  await expect(
    widgetLog.getByRole('group', { name: 'Attachment manual.pdf' }).getByRole('alert'),
  ).toHaveText(
    'The sender left mid-transfer: it resumes when someone who has the file is back.',
    LINK_TIMEOUT,
  );
  expect(tripwires.problems).toEqual([]);
});
