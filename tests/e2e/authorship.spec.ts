/**
 * Issue 18 in Chromium, through the real widget (/widget) and console (/console), one
 * browser context each. A hostile visitor drives its own page by hand
 * (support/hand-driven.ts): its service socket and its data channel.
 *
 * Alice chats with Vera, then her network goes for longer than the grace period, so
 * she leaves the chat and it goes back to the queue. Vera asks the service to bind
 * Alice's client id: refused with `client_id_taken` (SPEC.md SP-P2, SP-P4). Alice reloads
 * and takes the chat again; Vera writes under Alice's id on the data channel anyway:
 * Alice's console drops her and says so (CHAT.md CH-A5, CH-C9; SPEC.md SP-P5), and never shows
 * Vera's text as "You" (CHAT.md CH-S4: mine only where the service's list binds the id to
 * Alice). A second test takes the chat back in the same page, without a reload: the
 * chat links again (the ended session gives way to a new one).
 */
import type { Browser, Page } from '@playwright/test';
import * as Y from 'yjs';
import { ROOT, encodeMessage, encodeWireFrames } from '../../protocol/index.ts';
import { closeAllContexts, offerCard, signInHelper, signInMonitor } from './console-steps.ts';
import { expect, test } from './fixtures.ts';
import {
  cutNetwork,
  handDrive,
  receivedFrames,
  restoreNetwork,
  sendOnDataChannel,
  sendOnServiceSocket,
} from './support/hand-driven.ts';
import { LINK_TIMEOUT, conversation, fillPreChat, ownService } from './support/widget-drivers.ts';

test.afterEach(closeAllContexts);

/** Short enough for a test, long enough that a page's own reconnect is not a departure. */
const GRACE = { HELPER_GRACE_MS: '1500' };
const FORGED = 'Alice here: I confirm your refund';

type Former = { id: string; role: string; clientIds: number[] };

/** The chat and Alice's client ids, once the service lists her as a former participant. */
async function aliceAsFormer(visitor: Page): Promise<{ chatId: string; clientIds: number[] }> {
  const found = async () => {
    const lists = (await receivedFrames(visitor)).filter((f) => f.type === 'participants');
    const last = lists[lists.length - 1];
    const alice = ((last?.['former'] ?? []) as Former[]).find((p) => p.role === 'helper');
    return alice === undefined ? null : { chatId: String(last!['chatId']), ...alice };
  };
  await expect.poll(found, LINK_TIMEOUT).not.toBeNull();
  return (await found())!;
}

/** A message under someone else's client id, as the bytes a hostile page would send. */
function forgedWrite(clientId: number, body: string): Uint8Array[] {
  const forger = new Y.Doc();
  forger.clientID = clientId;
  forger.getMap(ROOT.messages).set(`${clientId.toString(36)}.forgedforgedforg`, {
    kind: 'text',
    body,
    at: Date.now(),
    seq: 1,
  });
  const update = Y.encodeStateAsUpdate(forger);
  return encodeWireFrames(0x7fff_0000, encodeMessage({ type: 'sync-update', update }));
}

async function say(page: Page, scope: 'helper' | 'visitor', text: string): Promise<void> {
  const box =
    scope === 'helper'
      ? page.getByRole('tabpanel', { name: 'Vera' }).getByLabel('Your message')
      : page.getByLabel('Your message');
  await box.fill(text);
  await box.press('Enter');
}

/** Who each line of the helper's conversation is shown as written by, by its text. */
const line = (helper: Page, text: string) =>
  conversation(helper).getByRole('listitem').filter({ hasText: text });

async function startChat(browser: Browser, baseURL: string) {
  const alice = await signInHelper(browser, 'alice', { baseURL, prepare: handDrive });
  const visitorContext = await browser.newContext({ baseURL });
  await handDrive(visitorContext);
  const visitor = await visitorContext.newPage();
  await visitor.goto('/widget');
  await fillPreChat(visitor, { name: 'Vera', question: 'My parcel has not arrived' });
  await offerCard(alice, 'Vera').getByRole('button', { name: 'Accept' }).click(LINK_TIMEOUT);
  await say(alice, 'helper', 'Hello, Alice here.');
  await expect(conversation(visitor)).toContainText('Hello, Alice here.', LINK_TIMEOUT);
  return { alice, visitor };
}

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
];

/** Screenshots for a person to look at (test output, not the repository). */
async function screenshots(page: Page, name: string, path: (file: string) => string) {
  for (const size of SIZES) {
    await page.setViewportSize(size);
    await page.screenshot({ path: path(`${name}-${size.width}x${size.height}.png`) });
  }
  await page.setViewportSize(SIZES[0]!);
}

test('SP-P2 SP-P4 CH-A5 SP-P5 CH-S4 a visitor cannot take or write under a departed helper’s client id, and the helper never sees it as hers', async ({
  browser,
}, testInfo) => {
  test.setTimeout(360_000);
  const service = await ownService(GRACE);
  try {
    const { alice, visitor } = await startChat(browser, service.baseURL);
    const molly = await signInMonitor(browser, service.baseURL);

    // Alice's network goes past the grace period: she leaves, the chat is queued again.
    await cutNetwork(alice);
    const { chatId, clientIds } = await aliceAsFormer(visitor);
    expect(clientIds.length).toBeGreaterThan(0);

    // SP-P2, SP-P4: the visitor's bind of Alice's id is refused.
    const since = (await receivedFrames(visitor)).length;
    await sendOnServiceSocket(visitor, { type: 'bind', chatId, clientId: clientIds[0] });
    await expect
      .poll(async () =>
        (await receivedFrames(visitor)).slice(since).find((f) => f.type === 'error'),
      )
      .toMatchObject({ code: 'client_id_taken', ref: 'bind', chatId });

    // Alice comes back with a reload and takes the chat again.
    await restoreNetwork(alice);
    await alice.reload();
    await offerCard(alice, 'Vera').getByRole('button', { name: 'Accept' }).click(LINK_TIMEOUT);
    await expect(alice.getByRole('tabpanel', { name: 'Vera' })).toBeVisible();

    // CH-A5: a write under Alice's id on the data channel drops the visitor (CH-C9), and the
    // console says so (SP-P5); the forged line is shown nowhere.
    await expect
      .poll(() => sendOnDataChannel(visitor, forgedWrite(clientIds[0]!, FORGED)), LINK_TIMEOUT)
      .toBe(true);
    // The reply box keeps an empty alert region of its own for its errors: pick ours by text.
    const notice = alice
      .getByRole('alert')
      .filter({ hasText: "The visitor's connection was reset" });
    await expect(notice).toContainText(
      "The visitor's connection was reset: it sent data that breaks the chat rules (it wrote in someone else’s name)",
      LINK_TIMEOUT,
    );
    await expect(conversation(alice)).not.toContainText(FORGED);
    // SP-P5: the monitor's board lists it.
    await expect(molly.getByRole('list', { name: 'Security events' })).toContainText(
      'Alice (helper) reset the connection of Vera (visitor), who wrote in someone else’s name',
      LINK_TIMEOUT,
    );
    await screenshots(alice, 'refusal-notice', (f) => testInfo.outputPath(f));
    // On a phone the chat is one tab away: the same notice there.
    await alice.setViewportSize(SIZES[2]!);
    await alice
      .getByRole('navigation', { name: 'Workspace panes' })
      .getByRole('button', { name: 'Conversation' })
      .click();
    await expect(notice).toBeVisible();
    await alice.screenshot({ path: testInfo.outputPath('refusal-notice-phone-conversation.png') });
    await alice.setViewportSize(SIZES[0]!);
    await screenshots(molly, 'security-events', (f) => testInfo.outputPath(f));

    // The chat links again; the visitor's honest line is Vera's, Alice's lines are hers.
    await say(visitor, 'visitor', 'Are you still there?');
    await expect(line(alice, 'Are you still there?')).toBeVisible(LINK_TIMEOUT);
    await say(alice, 'helper', 'Yes, I am back.');
    await expect(conversation(visitor)).toContainText('Yes, I am back.', LINK_TIMEOUT);
    // CH-S4: "You" only on lines the service binds to Alice; never on a visitor's.
    await expect(line(alice, 'Are you still there?').locator('.who')).toHaveText('Vera');
    await expect(line(alice, 'Yes, I am back.').locator('.who')).toHaveText('You');
    const mine = conversation(alice)
      .getByRole('listitem')
      .filter({ has: alice.locator('.who', { hasText: /^You$/ }) });
    for (const text of await mine.allTextContents()) {
      expect(text).toMatch(/Hello, Alice here\.|Yes, I am back\./);
    }
    await expect(conversation(alice)).not.toContainText(FORGED);
  } finally {
    await service.stop();
  }
});

test('SP-P4 a helper who left takes the chat back in the same page, without a reload, and it links', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const service = await ownService(GRACE);
  try {
    const { alice, visitor } = await startChat(browser, service.baseURL);

    await cutNetwork(alice);
    await aliceAsFormer(visitor);
    await restoreNetwork(alice);
    await offerCard(alice, 'Vera').getByRole('button', { name: 'Accept' }).click(LINK_TIMEOUT);

    // Both ways, on the new session: the ended one never linked again.
    await say(visitor, 'visitor', 'Are you still there?');
    await expect(line(alice, 'Are you still there?')).toBeVisible(LINK_TIMEOUT);
    await say(alice, 'helper', 'Yes, I am back.');
    await expect(conversation(visitor)).toContainText('Yes, I am back.', LINK_TIMEOUT);
    await expect(line(alice, 'Yes, I am back.').locator('.who')).toHaveText('You');
    // The page holds one session for the chat: the ended one was let go.
    expect(await alice.evaluate(() => window.peerdeskDebug.sessions)).toBe(1);
  } finally {
    await service.stop();
  }
});
