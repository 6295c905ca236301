/**
 * F13 attachments, end to end, peer to peer: a visitor on /demo (the real widget)
 * and a helper in /console, each in a browser context of their own. Files travel
 * over the chat's data channel (CHAT.md CH-X4–CH-X12); every test compares SHA-256 of
 * what arrived with what was sent, and the tripwires fail it if a file name runs
 * script or anything is fetched from another host.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, FrameLocator, Locator, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { closeAllContexts, offerCard, signInHelper } from './console-steps.ts';
import { LINK_TIMEOUT, conversation, fillPreChat } from './support/widget-drivers.ts';
import { Tripwires } from './support/tripwires.ts';
import { noisePng, samplePdf, sha256 } from '../fixtures/sample-files.ts';

test.afterEach(closeAllContexts);

type Chat = {
  helper: Page;
  visitor: Page;
  widget: FrameLocator;
  panel: Locator;
  log: Locator;
  tripwires: Tripwires;
};

async function openChat(browser: Browser, baseURL: string, name: string): Promise<Chat> {
  const tripwires = new Tripwires(new URL(baseURL).origin);
  const helper = await signInHelper(browser, 'alice');
  await tripwires.watch(helper.context());
  const context = await browser.newContext();
  await tripwires.watch(context);
  const visitor = await context.newPage();
  await visitor.goto('/demo/');
  await visitor.getByRole('button', { name: 'Chat with us' }).click();
  const widget = visitor.frameLocator('iframe[title="Chat with us"]');
  await fillPreChat(widget, { name, question: 'Can I send you a file?' });
  await offerCard(helper, name).getByRole('button', { name: 'Accept' }).click();
  await helper.getByRole('tab', { name: new RegExp(`^${name}`) }).click();
  const panel = helper.getByRole('tabpanel', { name });
  const log = panel.getByRole('log', { name: `Conversation with ${name}` });
  await expect(widget.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible(
    LINK_TIMEOUT,
  );
  return { helper, visitor, widget, panel, log, tripwires };
}

async function endChat(chat: Chat): Promise<void> {
  await chat.panel.getByRole('button', { name: 'End chat' }).click();
  await chat.helper
    .getByRole('dialog', { name: 'End this chat?' })
    .getByRole('button', { name: 'End chat' })
    .click();
  // Until the service has the end, closing the contexts (afterEach) would leave Alice's
  // chat alive through her grace period, and the next test's Alice would inherit it.
  await expect(
    chat.panel.getByRole('status').filter({ hasText: 'The chat has ended' }),
  ).toBeVisible();
}

/** The SHA-256 of what a download link saves, as the browser downloads it (the pages'
 * CSP allows no fetch of blob: URLs, so the test reads the file, not the page). */
async function downloadedHash(page: Page, link: Locator): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return sha256(await readFile(await download.path()));
}

/** Records, in the page, whether a progress bar with this label prefix ever showed. */
async function watchProgress(scope: Locator, label: string): Promise<void> {
  await scope.evaluate((root, prefix) => {
    const seen = ((window as unknown as { sawProgress: string[] }).sawProgress ??= []);
    new MutationObserver(() => {
      for (const bar of root.querySelectorAll('progress')) {
        const name = bar.getAttribute('aria-label') ?? '';
        if (name.startsWith(prefix) && !seen.includes(name)) seen.push(name);
      }
    }).observe(root, { subtree: true, childList: true, attributes: true });
  }, label);
}

const sawProgress = (scope: Locator) =>
  scope.evaluate(() => (window as unknown as { sawProgress?: string[] }).sawProgress ?? []);

/** Pastes files into a text box as a clipboard paste would (a screenshot from the clipboard). */
async function paste(box: Locator, name: string, type: string, bytes: Buffer): Promise<void> {
  await box.evaluate(
    (el, file) => {
      const data = new DataTransfer();
      const raw = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
      data.items.add(new File([raw], file.name, { type: file.type }));
      el.dispatchEvent(
        new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
      );
    },
    { name, type, base64: bytes.toString('base64') },
  );
}

test('F13 a screenshot pasted by the visitor and a PDF sent by the helper arrive byte for byte, with progress', async ({
  browser,
  baseURL,
}) => {
  // Two files of a few MB each way through two browsers: minutes on a loaded 2-core machine.
  test.setTimeout(240_000);
  const chat = await openChat(browser, baseURL!, 'Pia');
  const screenshot = noisePng(3 * 1024 * 1024);
  const pdf = samplePdf(2 * 1024 * 1024);

  await watchProgress(chat.log, 'Receiving');
  await watchProgress(conversation(chat.widget), 'Sending');
  await paste(chat.widget.getByLabel('Your message'), 'screenshot.png', 'image/png', screenshot);
  const image = chat.log.getByRole('img', { name: 'Preview of screenshot.png' });
  await expect(image).toBeVisible(LINK_TIMEOUT);
  const link = chat.log.getByRole('link', { name: 'Download screenshot.png' });
  expect(await downloadedHash(chat.helper, link)).toBe(sha256(screenshot));
  expect(await sawProgress(chat.log)).toContain('Receiving screenshot.png');
  expect(await sawProgress(conversation(chat.widget))).toContain('Sending screenshot.png');
  // The sender shows its own screenshot too.
  await expect(
    conversation(chat.widget).getByRole('img', { name: 'Preview of screenshot.png' }),
  ).toBeVisible();

  await watchProgress(conversation(chat.widget), 'Receiving');
  await chat.panel
    .getByLabel('Attach a file')
    .setInputFiles({ name: 'guide.pdf', mimeType: 'application/pdf', buffer: pdf });
  const pdfLink = conversation(chat.widget).getByRole('link', { name: 'Download guide.pdf' });
  await expect(pdfLink).toBeVisible(LINK_TIMEOUT);
  await expect(pdfLink).toHaveAttribute('download', 'guide.pdf');
  expect(await downloadedHash(chat.visitor, pdfLink)).toBe(sha256(pdf));
  expect(await sawProgress(conversation(chat.widget))).toContain('Receiving guide.pdf');
  // Not an image: download only.
  await expect(conversation(chat.widget).getByRole('img')).toHaveCount(1);

  expect(chat.tripwires.problems).toEqual([]);
  await endChat(chat);
});

test('F13 a transfer cut by a reload resumes and completes', async ({ browser, baseURL }) => {
  test.setTimeout(150_000);
  const chat = await openChat(browser, baseURL!, 'Rolf');
  const big = samplePdf(6 * 1024 * 1024);
  await chat.widget
    .getByLabel('Attach a file')
    .setInputFiles({ name: 'logs.pdf', mimeType: 'application/pdf', buffer: big });
  // Cut it once a batch (64 chunks) is stored and acknowledged: the console reloads.
  const bar = chat.log.getByRole('progressbar', { name: 'Receiving logs.pdf' });
  await expect
    .poll(
      async () => Number((await bar.getAttribute('value').catch(() => null)) ?? 0),
      LINK_TIMEOUT,
    )
    .toBeGreaterThan(80);
  await chat.helper.reload();
  await chat.helper.getByRole('tab', { name: /^Rolf/ }).click();
  const link = chat.log.getByRole('link', { name: 'Download logs.pdf' });
  await expect(link).toBeVisible(LINK_TIMEOUT);
  expect(await downloadedHash(chat.helper, link)).toBe(sha256(big));
  expect(chat.tripwires.problems).toEqual([]);
  await endChat(chat);
});

test('F13 over the cap is refused with the reason; lying bytes and hostile names stay inert', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const chat = await openChat(browser, baseURL!, 'Otto');
  const widgetLog = conversation(chat.widget);

  // 11 MB against the 10 MB default cap: refused before anything is read or sent.
  await chat.widget.getByLabel('Attach a file').setInputFiles({
    name: 'huge.bin',
    mimeType: 'application/octet-stream',
    buffer: Buffer.alloc(11 * 1024 * 1024, 7),
  });
  await expect(chat.widget.getByRole('alert')).toContainText(
    '“huge.bin” is 11.0 MB: files up to 10.0 MB can be sent.',
  );
  await expect(chat.log.getByRole('group', { name: /huge\.bin/ })).toHaveCount(0);

  // A "PNG" whose bytes are HTML: arrives, but as a download only.
  const liar = Buffer.from('<html><script>alert("liar")</script></html>');
  await chat.panel
    .getByLabel('Attach a file')
    .setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: liar });
  const liarLink = widgetLog.getByRole('link', { name: 'Download photo.png' });
  await expect(liarLink).toBeVisible(LINK_TIMEOUT);
  expect(await downloadedHash(chat.visitor, liarLink)).toBe(sha256(liar));
  await expect(
    widgetLog.getByText("No preview: the file's bytes are not the image type it claims."),
  ).toBeVisible();
  await expect(widgetLog.getByRole('img')).toHaveCount(0);

  // Hostile names from the XSS corpus: shown and saved as inert, path-free names.
  const names = [
    '<img src=x onerror=alert("name")>.png',
    'invoice\u202Efdp.exe',
    '../../etc/passwd',
    '<svg onload=alert(1)>.svg',
  ];
  await chat.widget
    .getByLabel('Attach a file')
    .setInputFiles(names.map((name) => ({ name, mimeType: 'image/png', buffer: noisePng(2000) })));
  const groups = chat.log.getByRole('group', { name: /^Attachment / });
  await expect(groups).toHaveCount(names.length + 1, LINK_TIMEOUT);
  const downloads = chat.log.getByRole('link', { name: /^Download / });
  await expect(downloads).toHaveCount(names.length + 1, LINK_TIMEOUT);
  const saved = await downloads.evaluateAll((links) =>
    links.map((a) => a.getAttribute('download') ?? ''),
  );
  expect(saved).toHaveLength(names.length + 1);
  for (const name of saved) {
    expect(name).not.toMatch(/[/\\<>"\u202a-\u202e\u2066-\u2069]/);
    expect(name).not.toMatch(/^\./);
  }
  await expect(chat.log.locator('.attachment svg, .attachment script')).toHaveCount(0);
  expect(chat.tripwires.problems).toEqual([]);
  await endChat(chat);
});
