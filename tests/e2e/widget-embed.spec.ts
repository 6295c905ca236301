/**
 * The widget on a host site (issue 4): the /demo pages include /embed.js; the
 * launcher opens the chat in an iframe; the pages the visitor viewed before the chat,
 * a history.pushState navigation during it, and a full page load (after which the
 * chat reopens by itself) all reach the helper as page notes (F11). Also the loader
 * on a page of another origin, talking to the Peerdesk iframe by postMessage.
 *
 * Each test runs against a service of its own, so no helper or chat of another test
 * (this file's or another's in the same worker) can come between.
 */
import { gzipSync } from 'node:zlib';
import type { Browser, Locator } from '@playwright/test';
import { expect } from './fixtures.ts';
import { offerCard, signInHelper } from './console-steps.ts';
import {
  LINK_TIMEOUT,
  StaffSocket,
  chatFrame,
  conversation,
  fillPreChat,
  consoleHelper,
  isolatedTest as test,
} from './support/widget-drivers.ts';

test('a visitor on /demo chats, and the helper sees the pages they view, pushState included', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto('/demo/');
  const launcher = visitor.getByRole('button', { name: 'Chat with us' });
  await expect(launcher).toHaveAttribute('aria-expanded', 'false');
  // The chat is loaded only when opened.
  await expect(visitor.locator('iframe')).toHaveCount(0);
  await visitor.getByRole('link', { name: 'Bookmarks help' }).click();
  await expect(visitor.getByRole('heading', { level: 1, name: 'Bookmarks help' })).toBeVisible();
  await visitor.getByRole('link', { name: 'Printing help' }).click();
  await expect(visitor.getByRole('heading', { level: 1, name: 'Printing help' })).toBeVisible();

  await visitor.getByRole('button', { name: 'Chat with us' }).click();
  await expect(visitor.getByRole('button', { name: 'Chat with us' })).toHaveAttribute(
    'aria-expanded',
    'true',
  );
  const widget = chatFrame(visitor);
  await fillPreChat(widget, { name: 'Petra', question: 'My printer jams' });
  await expect(
    widget.getByRole('status').filter({ hasText: 'number 1 in the queue' }),
  ).toBeVisible();

  // Bob, so that this file and widget-page.spec.ts never share a helper's open chats.
  const helper = await consoleHelper(browser, baseURL!, 'bob');
  await helper.getByRole('button', { name: 'Accept chat with Petra' }).click(LINK_TIMEOUT);
  // The question opens the transcript, then the pages the visitor viewed.
  const notes = conversation(helper).getByRole('listitem');
  await expect(notes).toHaveText(
    [
      /My printer jams/,
      /Foxfire Support — Home/,
      /Foxfire Support — Bookmarks help/,
      /Foxfire Support — Printing help/,
    ],
    LINK_TIMEOUT,
  );

  // A single-page navigation on the host page (history.pushState).
  await visitor.getByRole('link', { name: 'Paper jams' }).click();
  await expect(visitor).toHaveURL(/\/demo\/printing\?topic=jams$/);
  await expect(notes.last()).toContainText('Printing help: paper jams', LINK_TIMEOUT);

  // Messages both ways through the iframe.
  await widget.getByLabel('Your message').fill('It jams on every page');
  await widget.getByLabel('Your message').press('Enter');
  await expect(notes.last()).toContainText('It jams on every page', LINK_TIMEOUT);
  await helper.getByLabel('Your message').fill('Try the steps on that page');
  await helper.getByRole('button', { name: 'Send' }).click();
  await expect(conversation(widget).getByText('Try the steps on that page')).toBeVisible(
    LINK_TIMEOUT,
  );

  // A full page load: the chat reopens on the new page and the view is noted.
  await visitor.getByRole('link', { name: 'Bookmarks help' }).click();
  await expect(visitor.getByRole('heading', { level: 1, name: 'Bookmarks help' })).toBeVisible();
  await expect(chatFrame(visitor).getByText('Try the steps on that page')).toBeVisible(
    LINK_TIMEOUT,
  );
  await expect(notes.last()).toContainText('Foxfire Support — Bookmarks help', LINK_TIMEOUT);

  // Minimise from inside the widget hands focus back to the launcher.
  await chatFrame(visitor).getByRole('button', { name: 'Minimise chat' }).click();
  await expect(visitor.getByRole('button', { name: 'Chat with us' })).toHaveAttribute(
    'aria-expanded',
    'false',
  );
  await expect(visitor.getByRole('button', { name: 'Chat with us' })).toBeFocused();

  // End the chat so the shared service is left clean for the next test.
  await visitor.getByRole('button', { name: 'Chat with us' }).click();
  await chatFrame(visitor).getByRole('button', { name: 'End chat' }).click();
  await expect(chatFrame(visitor).getByRole('button', { name: 'Start a new chat' })).toBeVisible();
  await helper.context().close();
  await visitor.context().close();
});

/** A visitor on the demo site's printing page in a chat that alice accepted in /console. */
async function demoChat(browser: Browser, baseURL: string, name: string) {
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto('/demo/printing');
  await visitor.getByRole('button', { name: 'Chat with us' }).click();
  const widget = chatFrame(visitor);
  await fillPreChat(widget, { name, question: 'Where is my print queue?' });

  const helper = await signInHelper(browser, 'alice', { baseURL });
  await offerCard(helper, name).getByRole('button', { name: 'Accept' }).click();
  const log = helper
    .getByRole('tabpanel', { name: new RegExp(name) })
    .getByRole('log', { name: `Conversation with ${name}` });
  await expect(widget.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible(
    LINK_TIMEOUT,
  );
  return { visitor, widget, helper, log };
}

test('F9 a reply that comes while the chat is minimised is not read until the visitor opens it', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(90_000);
  const { visitor, widget, helper, log } = await demoChat(browser, baseURL!, 'Rosa');

  // Minimised, the reply arrives (the launcher counts it) but is not read.
  await widget.getByRole('button', { name: 'Minimise chat' }).click();
  await helper.getByLabel('Your message').fill('Are you still there?');
  await helper.getByLabel('Your message').press('Enter');
  await expect(visitor.getByRole('button', { name: 'Chat with us, 1 new' })).toBeVisible(
    LINK_TIMEOUT,
  );
  // The visitor's next change (a page view) reaches the helper after any read mark
  // written before it: the chat's updates travel in order on one data channel.
  await visitor.getByRole('link', { name: 'Paper jams' }).click();
  await expect(log.getByText('Printing help: paper jams')).toBeVisible(LINK_TIMEOUT);
  await expect(log.getByTitle(/^Read at /)).toHaveCount(0);

  // Opened, the reply is on screen: the double tick, with the time on hover.
  await visitor.getByRole('button', { name: 'Chat with us, 1 new' }).click();
  await expect(visitor.getByRole('button', { name: 'Chat with us', exact: true })).toBeVisible();
  const tick = log.getByTitle(/^Read at /);
  await expect(tick).toBeVisible(LINK_TIMEOUT);
  await tick.hover();
  await expect(tick).toHaveAttribute('title', /^Read at \d{1,2}:\d{2}/);

  await widget.getByRole('button', { name: 'End chat' }).click();
  await expect(widget.getByRole('button', { name: 'Start a new chat' })).toBeVisible();
  await helper.context().close();
  await visitor.context().close();
});

test('B2 the console and the widget each reload mid-chat and go on, nothing lost or doubled', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const { visitor, widget, helper, log } = await demoChat(browser, baseURL!, 'Sam');
  const texts = (scope: Locator) => scope.locator('.bubble .body');
  await widget.getByLabel('Your message').fill('The queue is empty');
  await widget.getByLabel('Your message').press('Enter');
  await helper.getByLabel('Your message').fill('Is the printer online?');
  await helper.getByLabel('Your message').press('Enter');
  const both = ['Where is my print queue?', 'The queue is empty', 'Is the printer online?'];
  await expect(texts(conversation(widget))).toHaveText(both, LINK_TIMEOUT);

  // The helper reloads; meanwhile the visitor writes: the console shows it all, once.
  await helper.reload();
  await widget.getByLabel('Your message').fill('It says offline');
  await widget.getByLabel('Your message').press('Enter');
  const three = [...both, 'It says offline'];
  await expect(texts(log)).toHaveText(three, LINK_TIMEOUT);

  // The visitor reloads (the chat reopens on the page); meanwhile the helper writes.
  await visitor.reload();
  await helper.getByLabel('Your message').fill('Switch it off and on');
  await helper.getByLabel('Your message').press('Enter');
  const four = [...three, 'Switch it off and on'];
  await expect(texts(conversation(chatFrame(visitor)))).toHaveText(four, LINK_TIMEOUT);
  await expect(texts(log)).toHaveText(four);
  await expect(
    chatFrame(visitor)
      .getByRole('status')
      .filter({ hasText: /^Connected$/ }),
  ).toBeVisible(LINK_TIMEOUT);

  await chatFrame(visitor).getByRole('button', { name: 'End chat' }).click();
  await expect(
    helper.getByRole('tabpanel', { name: /Sam/ }).getByRole('status').filter({ hasText: 'ended' }),
  ).toBeVisible(LINK_TIMEOUT);
  await helper.context().close();
  await visitor.context().close();
});

test('the loader on another origin talks to the Peerdesk iframe by postMessage', async ({
  browser,
  baseURL,
}) => {
  // Both origins are on this machine: Chromium's Local Network Access asks before a
  // page of one loopback origin loads from another, so the test grants it (a host site
  // on the internet embedding a public Peerdesk is not affected).
  const context = await browser.newContext({ permissions: ['local-network-access'] });
  const visitor = await context.newPage();
  // A host site on another origin (localhost, where Peerdesk is 127.0.0.1), served by the test.
  const host = baseURL!.replace('127.0.0.1', 'localhost');
  expect(host).not.toBe(baseURL);
  await visitor.route(`${host}/shop/**`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html lang="en"><head><title>Shop home</title></head><body>
        <h1>Shop</h1><a href="#cart">Cart</a>
        <script src="${baseURL}/embed.js"></script></body></html>`,
    }),
  );
  await visitor.goto(`${host}/shop/`);
  await visitor.getByRole('button', { name: 'Chat with us' }).click();
  const frame = visitor.locator('iframe[title="Chat with us"]');
  await expect(frame).toHaveAttribute('src', `${baseURL}/widget?host=${encodeURIComponent(host)}`);
  const widget = chatFrame(visitor);
  await expect(widget.getByRole('button', { name: 'Start chat' })).toBeVisible(LINK_TIMEOUT);

  // A hash change is a page view too; the widget heard it from the right origin.
  await visitor.getByRole('link', { name: 'Cart' }).click();
  await expect
    .poll(() =>
      visitor.evaluate(() => JSON.parse(sessionStorage.getItem('peerdesk.host') ?? '{}').pages),
    )
    .toMatchObject([{ url: `${host}/shop/` }, { url: `${host}/shop/#cart` }]);

  // The whole chat works in the third-party iframe, though the browser denies it
  // localStorage and IndexedDB there (the widget falls back to memory).
  await fillPreChat(widget, { name: 'Xena', question: 'Does it work from a shop?' });
  const helper = await consoleHelper(browser, baseURL!, 'bob');
  await helper.getByRole('button', { name: 'Accept chat with Xena' }).click(LINK_TIMEOUT);
  await expect(widget.getByRole('status').first()).toHaveText('Connected', LINK_TIMEOUT);
  await expect(conversation(helper).getByRole('listitem')).toHaveText(
    // The question, then the shop's front page and its #cart (a hash change), both
    // titled "Shop home".
    [/Does it work from a shop\?/, /Shop home/, /Shop home/],
    LINK_TIMEOUT,
  );
  await widget.getByLabel('Your message').fill('Hello from the shop');
  await widget.getByLabel('Your message').press('Enter');
  await expect(conversation(helper).getByRole('listitem').last()).toContainText(
    'Hello from the shop',
    LINK_TIMEOUT,
  );
  await widget.getByRole('button', { name: 'End chat' }).click();
  await expect(widget.getByRole('button', { name: 'Start a new chat' })).toBeVisible();
  await helper.context().close();

  await context.close();
});

test('helpers get the visitor details: browser, language, session start, landing page, first visit (F15)', async ({
  browser,
  baseURL,
}) => {
  const staff = await StaffSocket.open(baseURL!, 'alice');
  const context = await browser.newContext({ locale: 'de-DE' });
  try {
    const visitor = await context.newPage();
    await visitor.goto('/demo/bookmarks');
    await visitor.getByRole('link', { name: 'Printing help' }).click();
    await expect(visitor.getByRole('heading', { level: 1, name: 'Printing help' })).toBeVisible();
    const openedAt = Date.now();
    await visitor.getByRole('button', { name: 'Chat with us' }).click();
    await fillPreChat(chatFrame(visitor), {
      name: 'Dora',
      email: 'dora@example.org',
      question: 'Which details do you see?',
    });
    const offer = await staff.next((m) => m.type === 'offer');
    const summary = offer['visitor'] as Record<string, unknown>;
    expect(summary).toMatchObject({
      name: 'Dora',
      email: 'dora@example.org',
      department: 'general',
      landingPage: `${baseURL}/demo/bookmarks`,
      firstLandingPage: `${baseURL}/demo/bookmarks`,
      page: { url: `${baseURL}/demo/printing`, title: 'Foxfire Support — Printing help' },
      browser: { language: 'de-DE' },
      ip: '127.0.0.1',
    });
    expect(summary['browser']).toMatchObject({ userAgent: expect.stringContaining('Chrome') });
    expect(summary['sessionStartedAt']).toBeLessThanOrEqual(openedAt);
    staff.send({ type: 'reject', chatId: offer['chatId'] });
    await chatFrame(visitor).getByRole('button', { name: 'Cancel request' }).click();
    await expect(chatFrame(visitor).getByRole('button', { name: 'Start chat' })).toBeVisible();
  } finally {
    staff.close();
    await context.close();
  }
});

test('the loader stays tiny: /embed.js is under 4 KB gzipped', async ({ request }) => {
  const response = await request.get('/embed.js');
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toMatch(/^text\/javascript/);
  const body = await response.body();
  expect(gzipSync(body, { level: 9 }).byteLength).toBeLessThan(4 * 1024);
});
