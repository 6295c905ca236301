/**
 * The README's "Try a whole chat" walk-through, done by a browser against a running
 * `npm run demo` (default http://localhost:8080): a visitor on /demo asks through the
 * widget, alice accepts in /console, they write both ways. It fails on any step that
 * does not work as the README says, and writes the README's screenshot (both windows
 * side by side) to app/static/demo/screenshots/two-windows.png. Two more visitors ask and
 * alice takes them too: her workspace with three chats goes to workspace.png. Then molly,
 * the room monitor, watches the chat from her live board and writes a staff note
 * (monitor-watching.png, monitor-board.png). Last, Petra ends the chat and rates it in
 * the widget's survey, and alice finds the archived transcript by a word and reads it.
 *
 * For a person to look at, every screen of the tour (the visitor's page with the widget,
 * alice's workspace, molly's board and watch view) is also written at 1280×720, 1440×900
 * and 390×844 to a review folder outside the repository (TOUR_REVIEW_DIR, default
 * <tmp>/peerdesk-tour).
 *
 *   npm run demo              # in one terminal
 *   npm run tour [-- URL]     # in another
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, expect, type Browser, type Page } from '@playwright/test';
import { chromiumPath } from '../setup/chromium-plan.mjs';

const base = process.argv[2] ?? 'http://localhost:8080';
const OUT = fileURLToPath(new URL('../../app/static/demo/screenshots/', import.meta.url));
const WAIT = { timeout: 30_000 };
const SIZE = { width: 720, height: 900 };
const REVIEW = process.env['TOUR_REVIEW_DIR'] ?? join(tmpdir(), 'peerdesk-tour');
const REVIEW_SIZES = [
  { width: 1280, height: 720 },
  { width: 1440, height: 900 },
  { width: 390, height: 844 },
];

/** `page` at each review size, as `<name>-<width>x<height>.png`; then its own size again. */
async function review(page: Page, name: string): Promise<void> {
  const own = page.viewportSize();
  mkdirSync(REVIEW, { recursive: true });
  for (const size of REVIEW_SIZES) {
    await page.setViewportSize(size);
    // Wait for the layout at the new size before the picture: two animation frames.
    await page.evaluate(
      () =>
        new Promise<void>((resolve) =>
          requestAnimationFrame(() => requestAnimationFrame(() => resolve())),
        ),
    );
    await page.screenshot({ path: join(REVIEW, `${name}-${size.width}x${size.height}.png`) });
  }
  if (own !== null) await page.setViewportSize(own);
}

/** Another visitor asks through the widget on /demo; returns their page. */
async function anotherVisitor(browser: Browser, name: string, question: string): Promise<Page> {
  const page = await (await browser.newContext({ baseURL: base, viewport: SIZE })).newPage();
  await page.goto('/demo/bookmarks');
  await page.getByRole('button', { name: 'Chat with us' }).click();
  const frame = page.frameLocator('iframe[title="Chat with us"]');
  await frame.getByLabel('Name', { exact: true }).fill(name);
  await frame.getByLabel('Question').fill(question);
  await frame.getByRole('checkbox', { name: 'I have read the privacy notice' }).check();
  await frame.getByRole('button', { name: 'Start chat' }).click();
  return page;
}

const browser = await chromium.launch({
  executablePath: chromiumPath(process.env['CHROMIUM_PATH']),
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  // Window 1: the visitor on the demo site.
  const visitor = await (await browser.newContext({ baseURL: base, viewport: SIZE })).newPage();
  await visitor.goto('/demo/');
  await visitor.getByRole('link', { name: 'Printing help' }).click();
  await visitor.getByRole('button', { name: 'Chat with us' }).click();
  const widget = visitor.frameLocator('iframe[title="Chat with us"]');
  await widget.getByLabel('Name', { exact: true }).fill('Petra');
  await widget.getByLabel('Question').fill('My printer prints blank pages');
  await widget.getByRole('checkbox', { name: 'I have read the privacy notice' }).check();
  await widget.getByRole('button', { name: 'Start chat' }).click();
  await expect(widget.getByText(/in the queue/)).toBeVisible(WAIT);

  // Window 2: alice in the console, with the credentials the sign-in page shows in demo mode.
  const helper = await (
    await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 720 } })
  ).newPage();
  await helper.goto('/console');
  await expect(helper.getByText('alice')).toBeVisible();
  await helper.getByLabel('Nickname').fill('alice');
  await helper.getByLabel('Password').fill('demo-pass');
  await helper.getByRole('button', { name: 'Sign in' }).click();
  await helper.getByRole('button', { name: /^Accept/ }).click(WAIT);

  const say = async (page: Page | ReturnType<Page['frameLocator']>, text: string) => {
    await page.getByLabel('Your message').fill(text);
    await page.getByLabel('Your message').press('Enter');
  };
  const helperLog = helper.getByRole('log', { name: 'Conversation with Petra' });
  await expect(widget.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible(WAIT);
  await say(widget, 'Every page comes out blank, but the preview looks fine.');
  await expect(helperLog).toContainText('comes out blank', WAIT);
  await say(helper, 'Let us check the ink first: open the printer settings and run a test page.');
  await expect(widget.getByRole('log', { name: 'Conversation' })).toContainText('ink', WAIT);
  await widget.getByLabel('Your message').fill('Running the test page now');
  await expect(helper.getByText('Petra is typing: Running the test page now')).toBeVisible(WAIT);
  await expect(helperLog.getByTitle(/^Read at /)).toBeVisible(WAIT);

  const shots = [await visitor.screenshot(), await helper.screenshot()];
  await review(visitor, 'visitor-in-chat');

  // Two more visitors: alice's workspace with three chats, Petra's open.
  for (const [name, question] of [
    ['Quinn', 'How do I export my bookmarks?'],
    ['Ravi', 'Bookmarks bar disappeared after the update'],
  ] as const) {
    await anotherVisitor(browser, name, question);
    await helper.getByRole('button', { name: `Accept chat with ${name}` }).click(WAIT);
    await expect(helper.getByRole('tab', { name: new RegExp(name) })).toBeVisible(WAIT);
  }
  await helper.getByRole('tab', { name: /Petra/ }).click();
  await expect(helperLog).toBeVisible();
  mkdirSync(OUT, { recursive: true });
  writeFileSync(`${OUT}workspace.png`, await helper.screenshot());
  await review(helper, 'workspace-three-chats');

  // Window 3: molly, the room monitor, watches the chat from her live board, unseen by Petra.
  const monitor = await (
    await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 720 } })
  ).newPage();
  await monitor.goto('/console');
  await monitor.getByLabel('Nickname').fill('molly');
  await monitor.getByLabel('Password').fill('demo-pass');
  await monitor.getByRole('button', { name: 'Sign in' }).click();
  // Monitors can take chats too; molly only watches.
  const available = monitor.getByRole('switch', { name: 'Available for chats' });
  await expect(available).toHaveAttribute('aria-checked', 'true', WAIT);
  await available.click();
  const petraRow = monitor
    .getByRole('table', { name: 'Chats' })
    .getByRole('row', { name: /Petra/ });
  await expect(petraRow).toContainText('Alice', WAIT);
  await monitor.getByRole('button', { name: 'Watch chat with Petra' }).click();
  await expect(monitor.getByRole('heading', { name: 'Watching Petra' })).toBeVisible(WAIT);
  await expect(monitor.getByRole('log', { name: 'Conversation with Petra' })).toContainText(
    'comes out blank',
    WAIT,
  );
  await expect(helper.getByText('Molly is watching')).toBeVisible(WAIT);
  await monitor.getByLabel('Write a staff note').fill('Nice: ask for the printer model next.');
  await monitor.getByRole('button', { name: 'Add note' }).click();
  await expect(helper.getByRole('log', { name: 'Staff notes' })).toContainText(
    'printer model',
    WAIT,
  );
  await expect(widget.getByText('Molly')).toHaveCount(0);
  mkdirSync(OUT, { recursive: true });
  writeFileSync(`${OUT}monitor-watching.png`, await monitor.screenshot());
  await review(monitor, 'monitor-watching');
  await monitor.getByRole('button', { name: 'Live board' }).click();
  writeFileSync(`${OUT}monitor-board.png`, await monitor.screenshot());
  await review(monitor, 'monitor-board');
  await review(helper, 'workspace-watched');
  // Both windows side by side, composed by the browser itself.
  const board = await (
    await browser.newContext({ viewport: { width: 2080, height: 940 } })
  ).newPage();
  await board.setContent(
    `<body style="margin:0;padding:20px;background:#e5e7eb;display:flex;gap:20px">${shots
      .map(
        (png) =>
          `<img style="box-shadow:0 2px 12px #0005" src="data:image/png;base64,${png.toString('base64')}">`,
      )
      .join('')}</body>`,
  );
  mkdirSync(OUT, { recursive: true });
  writeFileSync(`${OUT}two-windows.png`, await board.screenshot());
  // After the chat (issue 14): Petra ends it and rates it in the widget; alice's console
  // archives it, and she finds and reads it in the transcript archive.
  await widget.getByRole('button', { name: 'End chat' }).click();
  await expect(widget.getByRole('group', { name: 'How was this chat?' })).toBeVisible(WAIT);
  await review(visitor, 'visitor-survey');
  await widget.getByRole('radio', { name: '5 stars: Excellent' }).check();
  await widget.getByLabel('Comment (optional)').fill('The test page showed the ink was out.');
  await review(visitor, 'visitor-survey-filled');
  await widget.getByRole('button', { name: 'Send rating' }).click();
  await expect(widget.getByText('Thank you for rating this chat.')).toBeVisible(WAIT);
  await helper.getByRole('tab', { name: /Petra/ }).click();
  await expect(helper.getByText('The transcript is archived.')).toBeVisible(WAIT);
  await review(helper, 'workspace-chat-ended');
  await helper.goto('/console/archive?text=blank');
  const found = helper.getByRole('list', { name: 'Transcripts found' });
  await expect(found.getByRole('link', { name: 'Petra with Alice' })).toBeVisible(WAIT);
  await review(helper, 'archive-search');
  await found.getByRole('link', { name: 'Petra with Alice' }).click();
  await expect(helper.getByRole('img', { name: '5 of 5 stars' })).toBeVisible(WAIT);
  await expect(helper.getByText('Alice (verified)').first()).toBeVisible(WAIT);
  await review(helper, 'archive-transcript');
  console.log(
    `The tour worked against ${base}; README screenshots in ${OUT}, every screen at three ` +
      `sizes in ${REVIEW}`,
  );
} finally {
  await browser.close();
}
