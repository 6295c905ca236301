/**
 * The transcript archive as staff use it (issue 14 F27, issue 19; SPEC.md SP-U1, SP-U5, SP-U6,
 * SP-U8, SP-U10), through the real widget and the real console, one browser context per
 * person. When a chat ends the helper's console uploads it; Alice finds it from the
 * console's Archive link by a word of the conversation and by its tag, Molly (a
 * monitor) reads the transcript with the formatting intact and the XSS corpus inert.
 * A chat handed over (Alice's browser gone, Bob takes it) keeps Alice's lines,
 * verified by her signatures. A chat nobody uploaded is listed as "not archived".
 */
import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import { XSS_CORPUS } from '../fixtures/xss-corpus.ts';
import { closeAllContexts, offerCard, signInHelper, SocketVisitor } from './console-steps.ts';
import { startDemoChat } from './support/demo-chat.ts';
import { Tripwires } from './support/tripwires.ts';
import {
  LINK_TIMEOUT,
  StaffSocket,
  conversation,
  fillPreChat,
  isolatedTest,
  ownService,
} from './support/widget-drivers.ts';
import { bubblesOf, readWholeLog } from './support/xss-chat-views.ts';

const SERVICE = { timeout: 20_000 };

/** A service of the test's own with the given settings. */
const withSettings = (env: Record<string, string>) =>
  isolatedTest.extend({
    ownServiceURL: [
      // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form.
      async ({}, use) => {
        const service = await ownService(env);
        try {
          await use(service.baseURL);
        } finally {
          await service.stop();
        }
      },
      { scope: 'test', timeout: 90_000 },
    ],
  });

const test = isolatedTest;
const handoverTest = withSettings({ HELPER_GRACE_MS: '8000' });
const sweepTest = withSettings({ ARCHIVE_WAIT_SECONDS: '2' });

test.describe.configure({ timeout: 300_000 });
test.afterEach(closeAllContexts);

const transcriptLog = (page: Page, visitor: string) =>
  page.getByRole('list', { name: `Conversation with ${visitor}` });
const found = (page: Page) => page.getByRole('list', { name: 'Transcripts found' });

async function search(page: Page, fields: { words?: string; tag?: string }): Promise<void> {
  const form = page.getByRole('search', { name: 'Search transcripts' });
  await form.getByLabel('Words').fill(fields.words ?? '');
  await form.getByLabel('Tag').fill(fields.tag ?? '');
  await form.getByRole('button', { name: 'Search' }).click();
}

test('SP-U5 SP-U6 F27 staff find a transcript by a word and by its tag and read it with its formatting; the XSS corpus stays inert', async ({
  browser,
  baseURL,
}) => {
  const tripwires = new Tripwires(new URL(baseURL!).origin);
  const chat = await startDemoChat(browser, {
    helper: 'alice',
    visitorName: 'Pia',
    baseURL: baseURL!,
    question: 'The printer jams on page two',
    prepare: (context) => tripwires.watch(context),
  });
  await chat.visitorSays('It happens with every document');
  const box = chat.panel.getByLabel('Your message');
  await box.fill('Use **tray 2** and `restart` the printer');
  await box.press('Enter');
  await expect(box).toHaveValue('');
  // The corpus from the visitor's side, as a visitor would paste it.
  const widgetBox = chat.widget.getByLabel('Your message');
  for (const text of XSS_CORPUS) {
    await widgetBox.fill(text);
    await widgetBox.press('Enter');
    await expect(widgetBox).toHaveValue('');
  }
  const log = chat.panel.getByRole('log', { name: 'Conversation with Pia' });
  // Every message has reached the console before the chat ends. The log renders what
  // fills it (log-fit.ts), so the whole log is read, earlier messages included.
  await expect
    .poll(async () => bubblesOf(await readWholeLog(log)).length, LINK_TIMEOUT)
    .toBe(3 + XSS_CORPUS.length);
  // SP-K1: the tag the helper gives the chat.
  await box.fill('/tag printer');
  await box.press('Enter');
  const chips = chat.panel.getByRole('list', { name: 'Tags of the chat with Pia' });
  await expect(chips.getByRole('listitem')).toHaveText([/printer/], SERVICE);

  await chat.widget.getByRole('button', { name: 'End chat' }).click();
  await chat.widget.getByRole('button', { name: 'Skip' }).click(LINK_TIMEOUT);
  await expect(
    chat.panel.getByRole('status').filter({ hasText: 'The chat has ended' }),
  ).toContainText('The transcript is archived.', SERVICE);

  // Alice opens the archive from the console's top bar (a new tab, still signed in).
  const [archive] = await Promise.all([
    chat.helper.context().waitForEvent('page'),
    chat.helper.getByRole('link', { name: 'Archive' }).click(),
  ]);
  await expect(archive.getByRole('heading', { name: 'Transcript archive' })).toBeVisible();
  await search(archive, { words: 'jams' });
  await expect(found(archive).getByRole('link')).toHaveText(['Pia with Alice'], SERVICE);
  await search(archive, { words: 'nothing like this' });
  await expect(archive.getByRole('status').filter({ hasText: 'transcripts' })).toHaveText(
    '0 transcripts',
    SERVICE,
  );
  await search(archive, { tag: 'printer' });
  await expect(found(archive).getByRole('link')).toHaveText(['Pia with Alice'], SERVICE);
  await expect(found(archive).getByRole('list', { name: 'Tags' })).toHaveText('printer');

  // Molly, a monitor in her own browser, reads it.
  const molly = await signInHelper(browser, 'molly', {
    baseURL: baseURL!,
    prepare: (context) => tripwires.watch(context),
  });
  await molly.goto('/console/archive?text=tray');
  await found(molly).getByRole('link', { name: 'Pia with Alice' }).click();
  const transcript = transcriptLog(molly, 'Pia');
  await expect(transcript.locator('.bubble')).toHaveCount(3 + XSS_CORPUS.length, SERVICE);
  const formatted = transcript.locator('.bubble').filter({ hasText: 'tray 2' });
  await expect(formatted.locator('strong')).toHaveText('tray 2');
  await expect(formatted.locator('code')).toHaveText('restart');
  await expect(formatted.locator('.who')).toHaveText('Alice (verified)');
  await expectInert(transcript);
  await expect(molly.getByRole('definition').filter({ hasText: 'printer' })).toBeVisible();
  expect(tripwires.problems).toEqual([]);
});

/** Nothing but the formatting subset was built from any line; links only to safe
 * schemes; the script tag shows as the text it is. */
async function expectInert(scope: Locator): Promise<void> {
  await expect(
    scope.locator('.formatted :not(p, br, strong, em, del, code, pre, a, ul, ol, li, blockquote)'),
  ).toHaveCount(0);
  for (const href of await scope
    .locator('.formatted a')
    .evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href))) {
    expect(href).toMatch(/^(https?:|mailto:)/);
  }
  await expect(
    scope.locator('.bubble').filter({ hasText: '<script>alert("script tag")</script>' }),
  ).toHaveCount(1);
}

const EARLIER = [
  'My printer is on fire',
  'Hello Vera, Alice here. Unplug it first.',
  'Done, it is unplugged',
];

handoverTest(
  'SP-U10 B3 a chat handed over is archived with the earlier helper’s lines, verified, before the next helper’s',
  async ({ browser }, testInfo) => {
    const visitor = await (await browser.newContext()).newPage();
    await visitor.goto('/widget');
    await fillPreChat(visitor, { name: 'Vera', question: EARLIER[0]! });
    const alice = await signInHelper(browser, 'alice');
    await accept(alice, 'Vera');
    const alicePanel = alice.getByRole('tabpanel', { name: 'Vera' });
    // Alice answers the question once she has it, so her line's seq comes after it (CH-S5).
    await expect(alicePanel.getByText(EARLIER[0]!)).toBeVisible(LINK_TIMEOUT);
    await alicePanel.getByLabel('Your message').fill(EARLIER[1]!);
    await alicePanel.getByLabel('Your message').press('Enter');
    await expect(conversation(visitor).getByText(EARLIER[1]!)).toBeVisible(LINK_TIMEOUT);
    await visitor.getByLabel('Your message').fill(EARLIER[2]!);
    await visitor.getByLabel('Your message').press('Enter');
    await expect(alicePanel.getByText(EARLIER[2]!)).toBeVisible(LINK_TIMEOUT);

    // Alice's browser vanishes; after her grace period Bob takes the chat.
    await alice.context().close();
    const bob = await signInHelper(browser, 'bob');
    await accept(bob, 'Vera');
    const bobPanel = bob.getByRole('tabpanel', { name: 'Vera' });
    const bobLog = bobPanel.getByRole('log', { name: 'Conversation with Vera' });
    await expect(bobLog.locator('.bubble .who')).toHaveText(
      ['Vera', 'Alice (verified)', 'Vera'],
      LINK_TIMEOUT,
    );
    await bobPanel.getByLabel('Your message').fill('Bob here: now open the front cover');
    await bobPanel.getByLabel('Your message').press('Enter');
    await expect(conversation(visitor).getByText('now open the front cover')).toBeVisible(
      LINK_TIMEOUT,
    );
    await visitor.getByRole('button', { name: 'End chat' }).click();
    await expect(
      bobPanel.getByRole('status').filter({ hasText: 'The chat has ended' }),
    ).toContainText('The transcript is archived.', SERVICE);

    await bob.goto('/console/archive?text=unplug');
    await found(bob)
      .getByRole('link', { name: /^Vera with / })
      .click();
    const transcript = transcriptLog(bob, 'Vera');
    await expect(transcript.locator('.bubble')).toHaveText(
      [
        /^Vera\s*My printer is on fire/,
        /^Alice \(verified\), earlier\s*Hello Vera, Alice here/,
        /^Vera\s*Done, it is unplugged/,
        /^Bob \(verified\)\s*Bob here: now open the front cover/,
      ],
      SERVICE,
    );
    await expect(bob.getByText(/Lines marked "earlier" were written before/)).toBeVisible();
    await screenshots(bob, 'transcript-handed-over', testInfo);
  },
);

sweepTest(
  'SP-U8 a chat no helper’s console uploaded is listed as not archived, with its facts',
  async ({ browser, baseURL }, testInfo) => {
    // Both sides without a console: a bare staff socket never uploads anything.
    const helper = await StaffSocket.open(baseURL!, 'bob');
    const visitor = await SocketVisitor.connect(baseURL!);
    visitor.request('Nora', 'Nobody keeps this one');
    const offer = await helper.next((m) => m.type === 'offer');
    helper.send({ type: 'accept', chatId: offer['chatId'] });
    await visitor.next('participants');
    helper.send({ type: 'end', chatId: offer['chatId'] });
    await visitor.next('ended');

    const molly = await signInHelper(browser, 'molly', { baseURL: baseURL! });
    await molly.goto('/console/archive?text=Nora');
    // The sweep marks it within seconds here (ARCHIVE_WAIT_SECONDS=2); search again until.
    await expect(async () => {
      await search(molly, { words: 'Nora' });
      await expect(found(molly).getByRole('article')).toContainText('Not archived', {
        timeout: 1000,
      });
    }).toPass(SERVICE);
    await found(molly).getByRole('link', { name: 'Nora with Bob' }).click();
    await expect(molly.getByRole('heading', { level: 1 })).toHaveText('Nora with Bob');
    await expect(molly.getByRole('status').filter({ hasText: 'Not archived' })).toContainText(
      "no helper's console uploaded this chat",
    );
    await screenshots(molly, 'transcript-not-archived', testInfo);
    helper.close();
  },
);

/** Screenshots for a person to look at (STYLE: every changed screen at three sizes). */
async function screenshots(page: Page, name: string, testInfo: TestInfo): Promise<void> {
  for (const size of [
    { width: 1280, height: 720 },
    { width: 1440, height: 900 },
    { width: 390, height: 844 },
  ]) {
    await page.setViewportSize(size);
    await page.screenshot({
      path: testInfo.outputPath(`${name}-${size.width}.png`),
      fullPage: true,
    });
  }
}

async function accept(helper: Page, name: string): Promise<void> {
  const card = offerCard(helper, name);
  await card.getByRole('button', { name: 'Accept' }).click(LINK_TIMEOUT);
  await expect(helper.getByRole('tab', { name: new RegExp(name) })).toBeVisible();
}
