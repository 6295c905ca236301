/**
 * F20, SPEC.md SP-CR1–SP-CR9 end to end: two helpers in their own browser contexts talk in
 * the Contributors room; a mention alerts the one named (badge, title, beep,
 * notification); the history is there after a reload and after the service is
 * killed (SIGKILL) and started again on the same data; the queue-wait alert appears
 * in the room. Controls are found by role and label; every wait is for a condition.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { freePort, ServiceProcess } from '../fixtures/service-process.ts';
import { closeAllContexts, signInHelper, SocketVisitor } from './console-steps.ts';
import { expect, test } from './fixtures.ts';
import { LINK_TIMEOUT, ownService } from './support/widget-drivers.ts';

test.afterEach(closeAllContexts);

const roomButton = (page: Page) => page.getByRole('button', { name: /^Contributors room/ });
const roomLog = (page: Page) => page.getByRole('log', { name: 'Room messages' });

async function openRoom(page: Page): Promise<void> {
  await roomButton(page).click();
  await expect(page.getByRole('heading', { name: 'Contributors room' })).toBeVisible();
}

async function say(page: Page, text: string): Promise<void> {
  const box = page.getByLabel('Message to the room');
  await box.fill(text);
  await box.press('Enter');
  await expect(roomLog(page).getByText(text)).toBeVisible(LINK_TIMEOUT);
}

test('SP-CR1 SP-CR2 SP-CR5 SP-CR6 two helpers talk in the room; a mention alerts; the history survives a reload and a killed service', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'peerdesk-room-e2e-'));
  const baseURL = `http://127.0.0.1:${port}`;
  const service = new ServiceProcess(port, dataDir);
  await service.start();
  try {
    const alice = await signInHelper(browser, 'alice', { baseURL });
    const bob = await signInHelper(browser, 'bob', { baseURL, notifications: true });
    await openRoom(alice);
    await expect(alice.getByText('goes through the Peerdesk service and is stored')).toBeVisible();
    await alice.getByText(/^In the room: 2/).click();
    const members = alice.getByRole('list', { name: 'In the room' });
    await expect(members.getByRole('listitem')).toHaveCount(2);
    await expect(members).toContainText('@bob');

    await say(alice, 'Has anyone seen the print bug on 128?');
    // Bob is elsewhere in his console: the room's button counts the new message.
    await expect(roomButton(bob)).toContainText('1 new', LINK_TIMEOUT);
    await say(alice, '@bob could you take the next printing chat?');
    await expect(roomButton(bob)).toContainText('1 mentioning you', LINK_TIMEOUT);
    await expect(bob).toHaveTitle(/^\(1\) Helper console/);
    await expect
      .poll(() => bob.evaluate(() => window.peerdeskAlerts.notifications))
      .toContainEqual(expect.stringContaining('mentioned you'));
    expect(await bob.evaluate(() => window.peerdeskAlerts.beeps)).toBeGreaterThan(0);

    await openRoom(bob);
    await expect(roomLog(bob).getByText('Has anyone seen the print bug on 128?')).toBeVisible();
    await expect(roomLog(bob).locator('mark', { hasText: '@bob' })).toBeVisible();
    await expect(roomButton(bob)).not.toContainText('mentioning you');
    await say(bob, 'Sure, send it my way.');
    await expect(roomLog(alice).getByText('Sure, send it my way.')).toBeVisible(LINK_TIMEOUT);

    // A reload: the history comes back from the service.
    await bob.reload();
    await openRoom(bob);
    for (const text of [
      'Has anyone seen the print bug on 128?',
      '@bob could you take the next printing chat?',
      'Sure, send it my way.',
    ]) {
      await expect(roomLog(bob).getByText(text)).toHaveCount(1, LINK_TIMEOUT);
    }

    // The service is killed and started again on the same data: both consoles come
    // back by themselves, hold each message once, and talk on.
    await service.kill();
    await expect(alice.getByText('Connection lost; reconnecting…')).toBeVisible(LINK_TIMEOUT);
    await alice.getByLabel('Message to the room').fill('Written while the service was down');
    await alice.getByLabel('Message to the room').press('Enter');
    await expect(roomLog(alice).getByText('sending…')).toBeVisible();
    await service.start();
    await expect(alice.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible(
      LINK_TIMEOUT,
    );
    await expect(roomLog(bob).getByText('Written while the service was down')).toHaveCount(
      1,
      LINK_TIMEOUT,
    );
    await expect(roomLog(alice).getByText('sending…')).toHaveCount(0);
    for (const page of [alice, bob]) {
      await expect(roomLog(page).getByText('Sure, send it my way.')).toHaveCount(1);
    }
    await bob.reload();
    await openRoom(bob);
    await expect(roomLog(bob).getByText('Written while the service was down')).toHaveCount(
      1,
      LINK_TIMEOUT,
    );
    await expect(roomLog(bob).getByText('Has anyone seen the print bug on 128?')).toHaveCount(1);
  } finally {
    await service.kill();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('SP-CR7 leave and join the room again', async ({ browser }) => {
  test.setTimeout(120_000);
  const own = await ownService();
  try {
    const alice = await signInHelper(browser, 'alice', { baseURL: own.baseURL });
    const molly = await signInHelper(browser, 'molly', { baseURL: own.baseURL });
    await openRoom(alice);
    await openRoom(molly);
    await molly.getByRole('button', { name: 'Leave room' }).click();
    await expect(molly.getByText('You left the Contributors room')).toBeVisible();
    await alice.getByText(/^In the room: 1/).click();
    await say(alice, 'Only me now');
    // A reload keeps the choice for the tab.
    await molly.reload();
    await openRoom(molly);
    await expect(molly.getByText('You left the Contributors room')).toBeVisible();
    await molly.getByRole('button', { name: 'Join room' }).click();
    await expect(roomLog(molly).getByText('Only me now')).toBeVisible(LINK_TIMEOUT);
    await say(molly, 'Back again');
    await expect(roomLog(alice).getByText('Back again')).toBeVisible(LINK_TIMEOUT);
  } finally {
    await own.stop();
  }
});

test('SP-CR9 a visitor waiting past QUEUE_WAIT_ALERT_MS is announced in the room', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const own = await ownService({ QUEUE_WAIT_ALERT_MS: '1500' });
  try {
    const bob = await signInHelper(browser, 'bob', { baseURL: own.baseURL });
    // Nobody is available, so the visitor waits.
    await bob.getByRole('switch', { name: 'Available for chats' }).click();
    await expect(bob.getByRole('switch', { name: 'Available for chats' })).toHaveAttribute(
      'aria-checked',
      'false',
    );
    await openRoom(bob);
    const visitor = await SocketVisitor.connect(own.baseURL);
    visitor.request('Wendy', 'My bookmarks are gone');
    await expect(roomLog(bob).getByText(/“Wendy”, has waited \d+ s in the queue/)).toBeVisible(
      LINK_TIMEOUT,
    );
    await expect(roomLog(bob).getByText('Peerdesk', { exact: true })).toBeVisible();
  } finally {
    await own.stop();
  }
});
