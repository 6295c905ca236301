/**
 * Issue 16: the full XSS corpus (391 payloads) as canned responses in the chat's
 * picker (F18; SPEC.md SP-CN1–SP-CN3), and the privacy notice's row on the archived
 * transcript (F32; SP-PN1, SP-PN2), through the real widget (on /demo) and console,
 * one browser context per person, under the guards (support/xss-guards.ts).
 *
 * The admin adds the corpus as Global responses, Alice and Bob as Personal ones (at
 * most LIMITS.maxPersonalCanned each, so they share it), from Node in parallel
 * batches. Each title carries a group word (`gNNx`: at most GROUP per group, as the
 * picker lists 50) and a word of its own (`giNy`, `piNy`) ahead of the payload. In
 * Vera's chat Alice's picker lists each group in turn (one read per group): every
 * Global and Personal title and text as text; one response of every corpus category
 * inserted puts its exact text, names filled (SP-CN3), in the reply box. Bob, in
 * Walt's chat, the same for his. With PRIVACY_NOTICE set, Vera ticked the notice; the
 * archived transcript shows the "Privacy notice" row with the time she did.
 */
import type { Locator, Page } from '@playwright/test';
import {
  CANNED_CATEGORIES,
  LIMITS,
  fillPlaceholders,
  type CannedResponse,
} from '../../protocol/index.ts';
import { XSS_CATEGORIES, XSS_CORPUS, XSS_FULL_CORPUS } from '../fixtures/xss-corpus.ts';
import { SocketVisitor, offerCard, signInHelper } from './console-steps.ts';
import { expect, test } from './fixtures.ts';
import { XssGuards } from './support/xss-guards.ts';
import { STAFF_PASSWORD, callApi, inBatches, staffToken } from './support/xss-views.ts';
import { LINK_TIMEOUT, PRIVACY_ACK, chatFrame, ownService } from './support/widget-drivers.ts';

const NOTICE = 'We keep this chat for 30 days to improve our help. Ask us to erase it any time.';
const SERVICE = { timeout: 20_000 };
/** Responses per group word: the picker lists at most 50 matches. */
const GROUP = 45;

type Made = { category: string; title: string; body: string };

/** The corpus as responses; `scope` names the title's own word (`giNy` / `piNy`). */
function responses(payloads: readonly string[], scope: 'g' | 'p', first = 0): Made[] {
  return payloads.map((p, j) => {
    const i = first + j;
    const group = `${scope}${String(Math.floor(j / GROUP)).padStart(2, '0')}x`;
    return {
      category: CANNED_CATEGORIES[i % CANNED_CATEGORIES.length]!,
      title: `${group} ${scope}i${i}y ${p}`.slice(0, LIMITS.maxCannedTitleLength).trim(),
      body: p.slice(0, LIMITS.maxCannedBodyLength).trim(),
    };
  });
}

const groupOf = (m: Made) => m.title.split(' ')[0]!;
const wordOf = (m: Made) => m.title.split(' ')[1]!;
const key = (r: { title: string; body: string }) => JSON.stringify([r.title, r.body]);

/** Opens the picker from the reply box's Responses button. */
async function openPicker(panel: Locator): Promise<{ search: Locator; options: Locator }> {
  await panel.getByRole('button', { name: 'Responses' }).click();
  const search = panel.getByRole('combobox', { name: 'Search canned responses' });
  await expect(search).toBeFocused();
  const options = panel.getByRole('listbox', { name: 'Canned responses' }).getByRole('option');
  await expect(options.first()).toBeVisible(SERVICE);
  return { search, options };
}

/** Every response lists in the picker, group by group, title and text as text. */
async function expectListed(panel: Locator, made: readonly Made[]): Promise<void> {
  const { search, options } = await openPicker(panel);
  const groups = [...new Set(made.map(groupOf))];
  const shown: string[] = [];
  for (const group of groups) {
    await search.fill(group);
    await expect(options).toHaveCount(made.filter((m) => groupOf(m) === group).length);
    shown.push(
      ...(await options.evaluateAll((lis) =>
        lis.map((li) =>
          JSON.stringify([
            li.querySelector('.title')?.textContent ?? '',
            li.querySelector('.preview')?.textContent ?? '',
          ]),
        ),
      )),
    );
  }
  expect(shown.sort()).toEqual(made.map(key).sort());
  await search.press('Escape');
}

/** Chosen by its own word and Enter: the reply box holds its exact text, names in. */
async function expectInserted(
  panel: Locator,
  made: readonly Made[],
  names: { visitor: string; helper: string },
): Promise<void> {
  const box = panel.getByLabel('Your message');
  for (const response of made) {
    const { search, options } = await openPicker(panel);
    await search.fill(wordOf(response));
    await expect(options).toHaveCount(1);
    await search.press('Enter');
    await expect(box).toBeFocused();
    await expect(box).toHaveValue(fillPlaceholders(response.body, names));
    await box.fill('');
  }
}

/** One payload of every corpus category (and of the hand-written list). */
const SAMPLES = [XSS_CORPUS[0]!, ...Object.values(XSS_CATEGORIES).map((list) => list[0]!)];

async function personalCount(baseURL: string, token: string): Promise<number> {
  const { responses: all } = await callApi<{ responses: CannedResponse[] }>(
    baseURL,
    `Bearer ${token}`,
    'GET',
    '/api/canned',
  );
  return all.filter((r) => r.scope === 'personal').length;
}

test('F18 F32 SP-CN3 SP-PN2: 391 hostile Global and Personal canned responses stay text in the chat picker and insert as their exact text; the archived transcript shows when the privacy notice was acknowledged', async ({
  browser,
}) => {
  // 1173 responses written, two chats, 20 reads: minutes on a loaded 2-core machine.
  test.setTimeout(420_000);
  const service = await ownService({ ADMIN_PASSWORD: STAFF_PASSWORD, PRIVACY_NOTICE: NOTICE });
  const { baseURL } = service;
  const guards = new XssGuards(new URL(baseURL).origin);
  try {
    const admin = await staffToken(baseURL, 'admin');
    const aliceToken = await staffToken(baseURL, 'alice');
    const bobToken = await staffToken(baseURL, 'bob');
    const globals = responses(XSS_FULL_CORPUS, 'g');
    const room = LIMITS.maxPersonalCanned - (await personalCount(baseURL, aliceToken));
    const alicePersonal = responses(XSS_FULL_CORPUS.slice(0, room), 'p');
    const bobPersonal = responses(XSS_FULL_CORPUS.slice(room), 'p', room);
    expect(bobPersonal.length).toBeLessThanOrEqual(
      LIMITS.maxPersonalCanned - (await personalCount(baseURL, bobToken)),
    );
    const post = (token: string, path: string) => (made: Made) =>
      callApi(baseURL, `Bearer ${token}`, 'POST', path, made);
    await inBatches(globals, 16, post(admin, '/api/admin/canned/global'));
    await inBatches(alicePersonal, 16, post(aliceToken, '/api/canned/personal'));
    await inBatches(bobPersonal, 16, post(bobToken, '/api/canned/personal'));

    // Vera reads the notice the service was given, ticks it and starts a chat; Alice takes it.
    const before = Date.now();
    const alice = await signInHelper(browser, 'alice', {
      baseURL,
      prepare: (c) => guards.watch(c),
    });
    const visitorContext = await browser.newContext({ baseURL });
    await guards.watch(visitorContext);
    const visitor = await visitorContext.newPage();
    await visitor.goto('/demo/');
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    const widget = chatFrame(visitor);
    await expect(widget.getByRole('region', { name: 'Privacy notice' })).toContainText(
      NOTICE,
      LINK_TIMEOUT,
    );
    await widget.getByLabel('Name', { exact: true }).fill('Vera');
    await widget.getByLabel('Question').fill('My pages print blank');
    await widget.getByRole('checkbox', { name: PRIVACY_ACK }).check();
    await widget.getByRole('button', { name: 'Start chat' }).click();
    await offerCard(alice, 'Vera').getByRole('button', { name: 'Accept' }).click(LINK_TIMEOUT);
    const panel = alice.getByRole('tabpanel', { name: /Vera/ });
    await widget.getByLabel('Your message').fill('The preview is blank too');
    await widget.getByLabel('Your message').press('Enter');
    await expect(panel.getByRole('log', { name: 'Conversation with Vera' })).toContainText(
      'The preview is blank too',
      LINK_TIMEOUT,
    );

    await expectListed(panel, [...globals, ...alicePersonal]);
    const byPayload = (made: Made[], p: string) => made.find((m) => m.body === p.trim());
    await expectInserted(
      panel,
      [
        ...SAMPLES.map((p) => byPayload(globals, p)!),
        ...SAMPLES.flatMap((p) => byPayload(alicePersonal, p) ?? []).slice(0, 3),
      ],
      { visitor: 'Vera', helper: 'Alice' },
    );
    expect(await guards.fired(alice)).toEqual([]);

    // Vera ends the chat; Alice's console archives it.
    await widget.getByRole('button', { name: 'End chat' }).click();
    await widget.getByRole('button', { name: 'Skip' }).click(LINK_TIMEOUT);
    await expect(panel.getByRole('status').filter({ hasText: 'The chat has ended' })).toContainText(
      'The transcript is archived.',
      SERVICE,
    );
    expect(await guards.fired(visitor)).toEqual([]);

    // Bob, alone available, takes Walt's chat and finds his own share of the corpus.
    const available = alice.getByRole('switch', { name: 'Available for chats' });
    await available.click();
    await expect(available).toHaveAttribute('aria-checked', 'false');
    const bob = await signInHelper(browser, 'bob', { baseURL, prepare: (c) => guards.watch(c) });
    const walt = await SocketVisitor.connect(baseURL);
    walt.request('Walt', 'Nothing loads at work');
    await offerCard(bob, 'Walt').getByRole('button', { name: 'Accept' }).click(LINK_TIMEOUT);
    const bobPanel = bob.getByRole('tabpanel', { name: /Walt/ });
    await expectListed(bobPanel, bobPersonal);
    await expectInserted(
      bobPanel,
      SAMPLES.flatMap((p) => byPayload(bobPersonal, p) ?? []).slice(0, 3),
      { visitor: 'Walt', helper: 'Bob' },
    );
    expect(await guards.fired(bob)).toEqual([]);
    walt.close();

    // The archived transcript: the notice's row with the moment Vera ticked it.
    await alice.goto('/console/archive?text=blank');
    await alice
      .getByRole('list', { name: 'Transcripts found' })
      .getByRole('link', { name: 'Vera with Alice' })
      .click(SERVICE);
    await expectAcknowledged(alice, before);
  } finally {
    await service.stop();
  }
});

/** The transcript's "Privacy notice" row says Acknowledged, at a time since `since`. */
async function expectAcknowledged(page: Page, since: number): Promise<void> {
  const row = page
    .getByRole('definition')
    .filter({ has: page.locator('time') })
    .filter({
      hasText: /^\s*Acknowledged/,
    });
  await expect(row).toHaveCount(1, SERVICE);
  const label = await row.evaluate((dd) => dd.previousElementSibling?.textContent ?? '');
  expect(label).toBe('Privacy notice');
  const at = Date.parse((await row.locator('time').getAttribute('datetime')) ?? '');
  expect(at).toBeGreaterThanOrEqual(since - 1000);
  expect(at).toBeLessThanOrEqual(Date.now());
  await expect(row.locator('time')).not.toHaveText('');
}
