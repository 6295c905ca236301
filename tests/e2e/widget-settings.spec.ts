/**
 * F10 with typing preview turned off by the admin (TYPING_PREVIEW=false): the widget
 * shows no "helpers can see what you type" notice, and the helper sees only that the
 * visitor is typing, never the draft. Own service, started with that setting.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from '@playwright/test';
import { test } from './support/base-test.ts';
import { freePort } from './support/service.ts';
import { LINK_TIMEOUT, fillPreChat, consoleHelper, serviceAt } from './support/widget-drivers.ts';

test('with typing preview off, no notice and no draft: only "is typing"', async ({ browser }) => {
  test.setTimeout(90_000);
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'peerdesk-widget-settings-'));
  const baseURL = `http://127.0.0.1:${port}`;
  const service = await serviceAt(port, dataDir, { TYPING_PREVIEW: 'false' });
  try {
    const visitor = await (await browser.newContext({ baseURL })).newPage();
    await visitor.goto('/widget');
    await fillPreChat(visitor, { name: 'Pia', question: 'Private drafts?' });
    const helper = await consoleHelper(browser, baseURL);
    await helper.getByRole('button', { name: 'Accept chat with Pia' }).click(LINK_TIMEOUT);
    await expect(visitor.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible(
      LINK_TIMEOUT,
    );
    await expect(visitor.getByLabel('Your message')).toBeVisible();
    await expect(visitor.getByText('Helpers can see what you type')).toHaveCount(0);

    await visitor.getByLabel('Your message').fill('secret draft');
    await expect(helper.getByText('Pia is typing…')).toBeVisible(LINK_TIMEOUT);
    await expect(helper.getByText('secret draft')).toHaveCount(0);
    await helper.context().close();
    await visitor.context().close();
  } finally {
    await service.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
