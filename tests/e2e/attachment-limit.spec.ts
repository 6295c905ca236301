/**
 * F13, CHAT.md CH-X2: the attachment size limit is the admin's live setting. On a service
 * of the test's own, one browser context per person: a helper signs in (told the
 * 10 MB default), then the admin lowers the limit to 1 MiB on the Settings page; a
 * visitor who opens the widget afterwards is told the new limit. Her widget refuses a
 * 2 MB file with the limit in words; the helper, connected before the change, may
 * send one, and her widget (the receiver) refuses to fetch it and says why; a file
 * under the limit still arrives byte for byte.
 */
import { readFile } from 'node:fs/promises';
import type { Locator, Page } from '@playwright/test';
import { expect } from '@playwright/test';
import { test } from './support/base-test.ts';
import { closeAllContexts, offerCard, signInHelper } from './console-steps.ts';
import { LINK_TIMEOUT, conversation, fillPreChat, ownService } from './support/widget-drivers.ts';
import { Tripwires } from './support/tripwires.ts';
import { samplePdf, sha256 } from '../fixtures/sample-files.ts';

test.afterEach(closeAllContexts);

async function downloadedHash(page: Page, link: Locator): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  return sha256(await readFile(await download.path()));
}

test('CH-X2 the admin lowers the attachment limit: the next visitor refuses bigger files, sent or received', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const service = await ownService({ ADMIN_PASSWORD: 'demo-pass' });
  try {
    const baseURL = service.baseURL;
    const tripwires = new Tripwires(new URL(baseURL).origin);
    const helper = await signInHelper(browser, 'alice', { baseURL });
    await tripwires.watch(helper.context());

    // The admin sets 1 MiB on the Settings page.
    const admin = await signInHelper(browser, 'admin', { baseURL });
    await admin.getByRole('link', { name: 'Administration' }).click();
    await admin
      .getByRole('navigation', { name: 'Administration' })
      .getByRole('link', { name: 'Settings' })
      .click();
    const limit = admin.getByLabel('Attachment size limit (bytes)', { exact: true });
    await expect(limit).toHaveValue('10485760');
    await limit.fill('1048576');
    await admin.getByRole('button', { name: 'Save settings' }).click();
    await expect(admin.getByRole('status')).toHaveText('Saved; the change applies now.');

    // A visitor who comes after the change.
    const context = await browser.newContext({ baseURL });
    await tripwires.watch(context);
    const visitor = await context.newPage();
    await visitor.goto('/demo/');
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    const widget = visitor.frameLocator('iframe[title="Chat with us"]');
    await fillPreChat(widget, { name: 'Lena', question: 'Can I send you my logs?' });
    await offerCard(helper, 'Lena').getByRole('button', { name: 'Accept' }).click();
    await helper.getByRole('tab', { name: /^Lena/ }).click();
    const panel = helper.getByRole('tabpanel', { name: 'Lena' });
    const log = panel.getByRole('log', { name: 'Conversation with Lena' });
    await expect(widget.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible(
      LINK_TIMEOUT,
    );

    // The sender's check: refused before anything is read or sent.
    await widget.getByLabel('Attach a file').setInputFiles({
      name: 'logs.pdf',
      mimeType: 'application/pdf',
      buffer: samplePdf(2 * 1024 * 1024),
    });
    await expect(widget.getByRole('alert')).toContainText(
      '“logs.pdf” is 2.0 MB: files up to 1.0 MB can be sent.',
    );
    await expect(log.getByRole('group', { name: /logs\.pdf/ })).toHaveCount(0);

    // The receiver's check: the helper, told 10 MB when she connected, sends 2 MB; the
    // visitor's widget never fetches it and says why.
    await panel.getByLabel('Attach a file').setInputFiles({
      name: 'manual.pdf',
      mimeType: 'application/pdf',
      buffer: samplePdf(2 * 1024 * 1024),
    });
    const card = conversation(widget).getByRole('group', { name: 'Attachment manual.pdf' });
    await expect(card.getByRole('alert')).toHaveText(
      'This file is larger than the size limit, so it was not fetched.',
      LINK_TIMEOUT,
    );
    await expect(card.getByRole('link', { name: 'Download manual.pdf' })).toHaveCount(0);

    // Under the limit, a file still goes.
    const small = samplePdf(512 * 1024);
    await widget
      .getByLabel('Attach a file')
      .setInputFiles({ name: 'small.pdf', mimeType: 'application/pdf', buffer: small });
    const link = log.getByRole('link', { name: 'Download small.pdf' });
    await expect(link).toBeVisible(LINK_TIMEOUT);
    expect(await downloadedHash(helper, link)).toBe(sha256(small));
    expect(tripwires.problems).toEqual([]);
  } finally {
    await service.stop();
  }
});
