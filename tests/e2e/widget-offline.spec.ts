/**
 * B1 as the visitor sees it: the service stops mid-chat; the widget says "Service
 * offline — your chat continues" and messages still flow peer to peer; when the
 * service is back, the widget is connected again. Own service, stopped and started
 * at the same port with the same data.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from '@playwright/test';
import { test } from './support/base-test.ts';
import { freePort } from './support/service.ts';
import {
  LINK_TIMEOUT,
  conversation,
  fillPreChat,
  consoleHelper,
  serviceAt,
} from './support/widget-drivers.ts';

test('the service stops mid-chat: the chat goes on, and the widget says so', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'peerdesk-widget-offline-'));
  const baseURL = `http://127.0.0.1:${port}`;
  let service = await serviceAt(port, dataDir);
  try {
    const visitor = await (await browser.newContext({ baseURL })).newPage();
    await visitor.goto('/widget');
    await fillPreChat(visitor, { name: 'Olga', question: 'Is this thing on?' });
    const helper = await consoleHelper(browser, baseURL);
    await helper.getByRole('button', { name: 'Accept chat with Olga' }).click(LINK_TIMEOUT);
    const status = visitor.getByRole('status').first();
    await expect(status).toHaveText('Connected', LINK_TIMEOUT);

    await service.stop();
    await expect(status).toHaveText('Service offline — your chat continues', LINK_TIMEOUT);
    await visitor.getByLabel('Your message').fill('Still there?');
    await visitor.getByLabel('Your message').press('Enter');
    await expect(conversation(helper).locator('.body').last()).toHaveText(
      'Still there?',
      LINK_TIMEOUT,
    );

    service = await serviceAt(port, dataDir);
    await expect(status).toHaveText('Connected', LINK_TIMEOUT);
    await helper.getByLabel('Your message').fill('Yes, and the service is back');
    await helper.getByRole('button', { name: 'Send' }).click();
    await expect(conversation(visitor).getByText('Yes, and the service is back')).toBeVisible(
      LINK_TIMEOUT,
    );
    await helper.context().close();
    await visitor.context().close();
  } finally {
    await service.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
