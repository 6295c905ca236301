/**
 * Issue 16: the full XSS corpus (tests/fixtures/xss-corpus.ts, 391 payloads) put
 * through the service's real boundaries cheaply from Node, then each view opened
 * once in Chromium under the guards (support/xss-guards.ts): no script ran, no
 * request went to another host, the CSP reported no violation, and every payload
 * is on screen as text.
 *
 * Visitors: one visitor WebSocket per payload, the protocol the widget speaks,
 * with the payload as name and question; the monitor board lists them all, the
 * helper's console offers them; the corpus as the pre-chat email is refused
 * (bad_frame) and queues nobody; the admin labels and tags each of those chats from a
 * staff socket (the label as /label keeps it, the tag as /tag makes it) and the board
 * shows every label and tag as text. Left messages: the corpus as names and messages,
 * left while nobody is available, becomes tickets; the console's ticket list shows
 * every subject and name. Room: a staff socket posts the corpus to the
 * Contributors room, which another helper has open; every message arrives as text.
 * Each test on a service of its own (queue and tickets are
 * its state).
 */
import type { Page } from '@playwright/test';
import { expect } from './fixtures.ts';
import { XSS_FULL_CORPUS } from '../fixtures/xss-corpus.ts';
import { LIMITS } from '../../protocol/limits.ts';
import { normalizeTag } from '../../protocol/chat-meta.ts';
import { SocketVisitor, signInHelper } from './console-steps.ts';
import { StaffSocket, isolatedTest as test } from './support/widget-drivers.ts';
import { XssGuards } from './support/xss-guards.ts';

// The corpus arrives faster than any person types: the per-IP and per-socket limits
// make room for it (their own tests prove they hold).
test.use({
  serviceEnv: {
    WS_CONNECTIONS_PER_IP_PER_MINUTE: '100000',
    WS_MESSAGES_PER_SECOND: '10000',
    WS_MESSAGE_BURST: '10000',
    ROOM_MESSAGES_PER_MINUTE: '6000',
    CHAT_META_CHANGES_PER_10_SECONDS: '10000',
    // The admin (a staff socket from Node) signs in with the demo accounts' password.
    ADMIN_PASSWORD: 'demo-pass',
  },
});

/** What the service keeps of a payload typed as a name (trimmed, at most 80). */
const asName = (payload: string) => payload.slice(0, LIMITS.maxNameLength).trim();
const asQuestion = (payload: string) => payload.slice(0, LIMITS.maxQuestionLength).trim();

const asMessage = (payload: string) => payload.slice(0, LIMITS.maxLeftMessageLength).trim();

/** A payload typed after /label: one line (staff-console.ts setLabel), cut to fit. */
const asLabel = (payload: string) =>
  payload
    .replace(/\p{Cc}+/gu, ' ')
    .trim()
    .slice(0, LIMITS.maxLabelLength)
    .trim();

/** A ticket's subject: the first line of the message, at most 120 characters. */
function subjectOf(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 120 ? `${line.slice(0, 119)}…` : line;
}

/** Opens one visitor socket per payload, BATCH at a time, and runs `act` on each. */
async function perPayload(
  baseURL: string,
  act: (visitor: SocketVisitor, payload: string, i: number) => Promise<void>,
): Promise<SocketVisitor[]> {
  const visitors: SocketVisitor[] = [];
  const BATCH = 40;
  for (let start = 0; start < XSS_FULL_CORPUS.length; start += BATCH) {
    const batch = XSS_FULL_CORPUS.slice(start, start + BATCH);
    await Promise.all(
      batch.map(async (payload, j) => {
        const visitor = await SocketVisitor.connect(baseURL);
        visitors.push(visitor);
        await act(visitor, payload, start + j);
      }),
    );
  }
  return visitors;
}

/** A chat request as the widget sends it, less name, email and question. */
const REQUEST = {
  type: 'request',
  department: 'general',
  page: { url: 'https://example.test/pricing', title: 'Pricing' },
  browser: { userAgent: 'E2E visitor', language: 'en-GB' },
  sessionStartedAt: Date.now(),
  landingPage: 'https://example.test/',
};

/** The visitor names in the board's Chats table, as text. */
const boardNames = (page: Page) =>
  page
    .getByRole('table', { name: 'Chats' })
    .locator('tbody th[scope="row"]')
    .evaluateAll((cells) => cells.map((cell) => cell.textContent ?? ''));

/** Each row of the board's Chats table: the visitor's name, the label and the tags. */
const boardRows = (page: Page) =>
  page
    .getByRole('table', { name: 'Chats' })
    .locator('tbody tr')
    .evaluateAll((rows) =>
      rows.map((row) => ({
        name: row.querySelector('th')?.textContent ?? '',
        // Less the visually hidden "Label:" before it.
        label: row.querySelector('td.tags .label')?.textContent?.replace(/^Label:\s*/, '') ?? null,
        tags: [...row.querySelectorAll('td.tags .chip > span')].map((s) => s.textContent ?? ''),
      })),
    );

test('F1 F12 F14 F17 F30: 391 hostile visitor names, emails, questions, labels and tags stay inert text on the monitor board and in the offer', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const guards = new XssGuards(new URL(baseURL!).origin);
  const prepare = (context: Parameters<XssGuards['watch']>[0]) => guards.watch(context);
  // Alice takes chats (so visitors queue for her); Molly watches the board.
  const alice = await signInHelper(browser, 'alice', { baseURL: baseURL!, prepare });
  const molly = await signInHelper(browser, 'molly', { baseURL: baseURL!, prepare });
  const available = molly.getByRole('switch', { name: 'Available for chats' });
  await available.click();
  await expect(available).toHaveAttribute('aria-checked', 'false');

  const chatIds: string[] = [];
  const visitors = await perPayload(baseURL!, async (visitor, payload, i) => {
    visitor.send({
      ...REQUEST,
      name: asName(payload),
      email: `visitor${i}@example.test`,
      question: asQuestion(payload),
    });
    chatIds[i] = (await visitor.next('queued', () => true, 30_000)).chatId;
  });

  // The pre-chat email: no payload is an address (the protocol's Email), so the
  // service refuses each request with its code and queues nobody; no view shows one.
  const prober = await SocketVisitor.connect(baseURL!);
  for (const payload of XSS_FULL_CORPUS) {
    prober.send({ ...REQUEST, name: 'Eve', email: payload, question: 'Hello' });
  }
  const refusals = () => prober.messages.filter((m) => m.type === 'error');
  await expect.poll(() => refusals().length, { timeout: 30_000 }).toBe(XSS_FULL_CORPUS.length);
  expect(new Set(refusals().map((m) => m.type === 'error' && m.code))).toEqual(
    new Set(['bad_frame']),
  );
  expect(prober.messages.filter((m) => m.type === 'queued')).toEqual([]);
  prober.close();

  const admin = await StaffSocket.open(baseURL!, 'admin', { available: false });
  try {
    // The board shows every name, exactly as typed, as text.
    const expected = XSS_FULL_CORPUS.map(asName).sort();
    await expect
      .poll(async () => (await boardNames(molly)).length, { timeout: 60_000 })
      .toBe(XSS_FULL_CORPUS.length);
    expect((await boardNames(molly)).sort()).toEqual(expected);

    // The helper is offered the visitors in turn: each offer's name and question as text.
    const offers = alice.getByRole('article', { name: /^Chat offer from/ });
    await expect(offers.first()).toBeVisible({ timeout: 30_000 });
    const shown = await offers.evaluateAll((cards) =>
      cards.map((card) => ({
        name: (card.querySelector('h2')?.textContent ?? '').replace(/^Chat offer from /, ''),
        question: card.querySelector('dd')?.textContent ?? '',
      })),
    );
    const names = new Set(expected);
    const questions = new Set(XSS_FULL_CORPUS.map(asQuestion));
    for (const offer of shown) {
      expect(names.has(offer.name), offer.name).toBe(true);
      expect(questions.has(offer.question), offer.question).toBe(true);
    }

    // The admin labels and tags every queued chat (SP-K3: monitors and admins may, from
    // the board); the board shows each label and tag as text, on its own row.
    const tagOf = XSS_FULL_CORPUS.map(normalizeTag);
    for (const [i, chatId] of chatIds.entries()) {
      admin.send({ type: 'label_set', chatId, label: asLabel(XSS_FULL_CORPUS[i]!) });
      const tag = tagOf[i];
      if (tag !== null && tag !== undefined) admin.send({ type: 'tag_add', chatId, tag });
    }
    const labelled = async () => (await boardRows(molly)).filter((r) => r.label !== null).length;
    await expect.poll(labelled, { timeout: 60_000 }).toBe(XSS_FULL_CORPUS.length);
    const rows = (await boardRows(molly)).map((r) => JSON.stringify(r)).sort();
    const wanted = XSS_FULL_CORPUS.map((payload, i) =>
      JSON.stringify({
        name: asName(payload),
        label: asLabel(payload),
        tags: tagOf[i] ? [tagOf[i]] : [],
      }),
    ).sort();
    expect(rows).toEqual(wanted);
    expect(admin.messages.filter((m) => m.type === 'error')).toEqual([]);

    expect(await guards.fired(molly)).toEqual([]);
    expect(await guards.fired(alice)).toEqual([]);
  } finally {
    admin.close();
    for (const visitor of visitors) visitor.close();
  }
});

test('F7 F25: 391 hostile left messages become tickets whose list shows every subject and name as text', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const guards = new XssGuards(new URL(baseURL!).origin);
  // Nobody is available: each visitor leaves a message, which becomes a ticket.
  const visitors = await perPayload(baseURL!, async (visitor, payload, i) => {
    visitor.send({
      type: 'leave_message',
      name: asName(payload),
      email: `visitor${i}@example.test`,
      department: 'general',
      message: asMessage(payload),
    });
    await visitor.next('message_left', () => true, 30_000);
  });
  for (const visitor of visitors) visitor.close();

  const alice = await signInHelper(browser, 'alice', {
    baseURL: baseURL!,
    prepare: (context) => guards.watch(context),
  });
  await alice.goto('/console/tickets');
  await expect(alice.getByRole('heading', { level: 1, name: 'Tickets' })).toBeVisible();
  const list = alice.getByRole('list', { name: 'Tickets' });
  await expect(list.getByRole('article')).toHaveCount(XSS_FULL_CORPUS.length, { timeout: 30_000 });
  const subjects = await list
    .getByRole('article')
    .evaluateAll((cards) => cards.map((card) => card.querySelector('h2')?.textContent ?? ''));
  expect(subjects.sort()).toEqual(XSS_FULL_CORPUS.map((p) => subjectOf(asMessage(p))).sort());
  const listText = (await list.textContent()) ?? '';
  for (const payload of XSS_FULL_CORPUS) expect(listText).toContain(asName(payload));

  expect(await guards.fired(alice)).toEqual([]);
});

test('F20 SP-CR1: 391 hostile Contributors room messages arrive live as text', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(180_000);
  const guards = new XssGuards(new URL(baseURL!).origin);
  const alice = await signInHelper(browser, 'alice', {
    baseURL: baseURL!,
    prepare: (context) => guards.watch(context),
  });
  await alice.getByRole('button', { name: /^Contributors room/ }).click();
  await expect(alice.getByRole('heading', { name: 'Contributors room' })).toBeVisible();
  const log = alice.getByRole('log', { name: 'Room messages' });

  const texts = XSS_FULL_CORPUS.map((p) => p.slice(0, LIMITS.maxRoomMessageLength));
  const bob = await StaffSocket.open(baseURL!, 'bob');
  try {
    bob.send({ type: 'room_join' });
    await bob.next((m) => m.type === 'room_joined');
    for (const [i, text] of texts.entries()) bob.send({ type: 'room_send', id: `xss${i}`, text });
    const shown = log.getByRole('listitem').locator('p.text');
    await expect(shown).toHaveCount(texts.length, { timeout: 60_000 });
    const seen = await shown.evaluateAll((ps) => ps.map((p) => (p.textContent ?? '').trim()));
    expect(seen).toEqual(texts.map((t) => t.trim()));
  } finally {
    bob.close();
  }
  expect(await guards.fired(alice)).toEqual([]);
});
