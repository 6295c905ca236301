/**
 * Issue 14, follow-ups and linked tickets end to end, as people use them (F7, F25,
 * F26; SPEC.md SP-TK3–SP-TK8), against a REAL SMTP server the test starts itself (the
 * `smtp-server` sink of tests/fixtures, on a free port, given to the service as
 * `SMTP_URL`): a message left when nobody is available becomes a ticket; a helper
 * finds it from the workspace's bar and answers it in the console; the visitor gets
 * the answer by email, follows the mail's link to /follow-up (under the page CSP)
 * and replies; the reply reaches the ticket in the console and the Contributors room.
 * Follow-up links are unguessable, and bad, unknown and withdrawn ones are refused
 * with their error code. One browser context per person; controls by role and label.
 */
import type { Browser, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { closeAllContexts, signInHelper } from './console-steps.ts';
import { cspViolations, recordCspViolations, startDemoChat } from './support/demo-chat.ts';
import { LINK_TIMEOUT, PRIVACY_ACK, ownService } from './support/widget-drivers.ts';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../fixtures/smtp-sink.ts';
import { XSS_CORPUS } from '../fixtures/xss-corpus.ts';
import { Tripwires } from './support/tripwires.ts';
import { shoot } from './support/screenshots.ts';

test.afterEach(closeAllContexts);

/** The first mail to `to` whose subject matches, waited for (the outbox sends it). */
async function mailTo(sink: SmtpSink, to: string, subject: RegExp): Promise<ReceivedMail> {
  const find = () =>
    sink.received.find((m) => m.to.includes(to) && subject.test(m.parsed.subject ?? ''));
  await expect.poll(() => find() !== undefined, { timeout: 30_000 }).toBe(true);
  return find()!;
}

/** The follow-up link in a mail's plain text (the same one is in its HTML). */
function followUpLink(mail: ReceivedMail, baseURL: string): string {
  const escaped = baseURL.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const found = new RegExp(`${escaped}/follow-up#[A-Za-z0-9_-]+`).exec(mail.parsed.text ?? '');
  expect(found, `a follow-up link in:\n${mail.parsed.text}`).not.toBeNull();
  return found![0];
}

/** The visitor leaves a message from the standalone widget while nobody is available. */
async function leaveMessage(browser: Browser, baseURL: string): Promise<Page> {
  const visitor = await (await browser.newContext({ baseURL })).newPage();
  await visitor.goto('/widget');
  await visitor.getByLabel('Name', { exact: true }).fill('Lena');
  await visitor.getByLabel('Question').fill('Printing is slow\nEvery page takes a minute.');
  await visitor.getByRole('checkbox', { name: PRIVACY_ACK }).check();
  await visitor.getByRole('button', { name: 'Start chat' }).click();
  // Nobody is signed in: the queue says so and offers the message form instead.
  await expect(visitor.getByText('No helper is online right now.')).toBeVisible(LINK_TIMEOUT);
  await visitor.getByRole('button', { name: 'Leave a message instead' }).click();
  await expect(visitor.getByRole('heading', { name: 'Leave a message' })).toBeVisible();
  await visitor
    .getByLabel('Email (optional, needed for a reply by email)')
    .fill('lena@example.org');
  await visitor.getByRole('button', { name: 'Send message' }).click();
  await expect(
    visitor.getByRole('status').filter({ hasText: 'your message was sent' }),
  ).toContainText('we emailed lena@example.org a copy');
  return visitor;
}

/** The workspace bar's Tickets link, by keyboard: a tab of its own (the sign-in goes
 * with it, rel=opener), so the live chats stay open in the workspace. */
async function openTickets(helper: Page): Promise<Page> {
  const link = helper.getByRole('link', { name: /^Tickets/ });
  await link.focus();
  await expect(link).toBeFocused();
  const [tickets] = await Promise.all([helper.context().waitForEvent('page'), link.press('Enter')]);
  await expect(tickets.getByRole('heading', { level: 1, name: 'Tickets' })).toBeVisible();
  return tickets;
}

test('F7 F25 SP-TK6–SP-TK8 a left message becomes a ticket; a helper answers by email; the visitor replies from the mailed link; the helper sees it', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const sink = await startSmtpSink();
  const service = await ownService({ SMTP_URL: sink.url });
  const baseURL = service.baseURL;
  try {
    const visitor = await leaveMessage(browser, baseURL);

    // SP-TK8: "we have your message" with a first follow-up link.
    const received = await mailTo(sink, 'lena@example.org', /^We have your message: /);
    expect(received.parsed.subject).toBe('We have your message: Printing is slow');
    const firstLink = followUpLink(received, baseURL);

    // A helper finds it from the workspace's narrow bar.
    const alice = await signInHelper(browser, 'alice', { baseURL });
    const tickets = await openTickets(alice);
    await expect(tickets.getByRole('heading', { level: 1, name: 'Tickets' })).toBeVisible();
    const card = tickets.getByRole('article', { name: 'Printing is slow' });
    await expect(card).toContainText('Open');
    await expect(card).toContainText('Waiting for an answer');
    await expect(card).toContainText('Lena <lena@example.org>');
    await expect(card).toContainText('Message left');
    await expect(card).toContainText('Unassigned');

    await card.getByRole('link', { name: 'Printing is slow' }).click();
    await expect(
      tickets.getByRole('heading', { level: 1, name: 'Printing is slow' }),
    ).toBeVisible();
    const thread = tickets.getByRole('log', { name: 'Conversation with the visitor' });
    await expect(thread).toContainText('Every page takes a minute.');
    await tickets
      .getByLabel('Your answer')
      .fill('Try turning off "print backgrounds".\nThen retry.');
    await tickets.getByRole('button', { name: 'Send answer' }).click();
    await expect(tickets.getByRole('status').filter({ hasText: 'Answer sent' })).toHaveText(
      'Answer sent: it is being emailed to lena@example.org.',
    );
    await expect(thread).toContainText('Alice (helper)');
    const facts = tickets.getByRole('definition');
    await expect(facts.filter({ hasText: 'Answered' })).toBeVisible();

    // SP-TK7: the answer arrives by email, with a fresh link of its own.
    const answered = await mailTo(sink, 'lena@example.org', /^Re: Printing is slow$/);
    expect(answered.parsed.text).toContain('Try turning off "print backgrounds".');
    const answerLink = followUpLink(answered, baseURL);
    expect(answerLink).not.toBe(firstLink);
    // SP-TK3: 32 random bytes, base64url, in the fragment.
    expect(answerLink.split('#')[1]).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // The visitor follows the mailed link, under the service's page CSP.
    const refused = await recordCspViolations(visitor.context());
    const followUp = await visitor.context().newPage();
    const response = await followUp.goto(answerLink);
    expect(response?.headers()['content-security-policy']).toMatch(/script-src 'self'/);
    await expect(
      followUp.getByRole('heading', { level: 1, name: 'Your follow-up: Printing is slow' }),
    ).toBeVisible();
    const messages = followUp.getByRole('log', { name: 'Messages with the support team' });
    await expect(messages).toContainText('Try turning off "print backgrounds".');
    await expect(messages).toContainText('You');
    await followUp.getByLabel('Your reply').fill('That fixed it, thank you!');
    await followUp.getByRole('button', { name: 'Send reply' }).click();
    await expect(followUp.getByRole('status').filter({ hasText: 'reply was sent' })).toBeVisible();
    await expect(messages).toContainText('That fixed it, thank you!');
    expect(await cspViolations(followUp)).toEqual([]);
    expect(refused).toEqual([]);

    // SP-TK6: the Contributors room announces it with the ticket's link ...
    await alice.getByRole('button', { name: /^Contributors room/ }).click();
    const room = alice.getByRole('log', { name: 'Room messages' });
    const alert = room.getByRole('listitem').filter({ hasText: 'Lena replied to the follow-up' });
    await expect(alert).toBeVisible(LINK_TIMEOUT);
    const ticketPath = new URL(tickets.url()).pathname;
    await expect(alert.getByRole('link', { name: 'Open' })).toHaveAttribute('href', ticketPath);
    // ... and the helper's open ticket page shows the reply by itself.
    await expect(thread).toContainText('That fixed it, thank you!', { timeout: 30_000 });
    await expect(facts.filter({ hasText: 'waiting for an answer' })).toBeVisible();

    // The helper closes it; the visitor's page then takes no reply.
    await tickets.getByRole('button', { name: 'Close ticket' }).click();
    await expect(tickets.getByRole('status').filter({ hasText: 'closed' })).toBeVisible();
    await followUp.reload();
    await expect(followUp.getByText('This conversation is closed')).toBeVisible();
    await expect(followUp.getByLabel('Your reply')).toHaveCount(0);
  } finally {
    await service.stop();
    await sink.stop();
  }
});

test('SP-TK3 SP-TK4 follow-up links refuse a malformed, an unknown and a withdrawn token with their error code', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const sink = await startSmtpSink();
  const service = await ownService({ SMTP_URL: sink.url });
  const baseURL = service.baseURL;
  try {
    const visitor = await leaveMessage(browser, baseURL);
    const link = followUpLink(
      await mailTo(sink, 'lena@example.org', /^We have your message: /),
      baseURL,
    );
    const page = await visitor.context().newPage();
    const heading = page.getByRole('heading', { level: 1 });
    const refusal = page.getByRole('alert');

    // A link's answer that comes after another link was opened in the tab is stale: it
    // must not replace the page of the link opened since (CI once saw exactly that).
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(
      '**/api/follow-up',
      async (route) => {
        await held;
        await route.continue();
      },
      { times: 1 },
    );
    await page.goto(link);
    await expect(page.getByRole('status').first()).toHaveText('Opening your follow-up…');
    // Malformed: refused by the page itself.
    await page.goto(`${baseURL}/follow-up#not-a-token`);
    await expect(heading).toHaveText('This link does not open a follow-up');
    const stale = page.waitForEvent('requestfinished', (r) => r.url().endsWith('/api/follow-up'));
    release();
    await stale;
    // The answer is read and handled within the next frames.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => setTimeout(done))));
    expect(await heading.textContent()).toBe('This link does not open a follow-up');
    await expect(refusal).toContainText('Error code: unknown_ticket');

    // The link itself, opened again, shows the follow-up.
    await page.goto(link);
    await expect(heading).toHaveText(/^Your follow-up: /);
    await page.goto(`${baseURL}/follow-up#not-a-token`);
    await expect(heading).toHaveText('This link does not open a follow-up');
    await expect(refusal).toContainText('Error code: unknown_ticket');
    // Well-formed but issued by nobody: the service says it is unknown.
    const guess = 'A'.repeat(43);
    await page.goto(`${baseURL}/follow-up#${guess}`);
    await expect(refusal).toContainText('does not work');
    await expect(refusal).toContainText('Error code: unknown_ticket');
    const unknown = await page.request.get(`${baseURL}/api/follow-up`, {
      headers: { authorization: `FollowUp ${guess}` },
    });
    expect(unknown.status()).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe(
      'unknown_ticket',
    );

    // A helper withdraws the ticket's links (SP-TK4).
    const alice = await signInHelper(browser, 'alice', { baseURL });
    const tickets = await openTickets(alice);
    await tickets.getByRole('link', { name: 'Printing is slow' }).click();
    await expect(
      tickets.getByRole('definition').filter({ hasText: '1 working link' }),
    ).toBeVisible();
    await tickets.getByRole('button', { name: 'Withdraw follow-up links…' }).click();
    await tickets.getByRole('button', { name: 'Withdraw the links' }).click();
    await expect(tickets.getByRole('status').filter({ hasText: 'withdrawn' })).toBeVisible();
    await expect(tickets.getByRole('definition').filter({ hasText: 'None working' })).toBeVisible();

    await page.goto(link);
    await expect(refusal).toContainText('withdrawn by the support team');
    await expect(refusal).toContainText('Error code: follow_up_revoked');
    const token = link.split('#')[1]!;
    const revoked = await page.request.post(`${baseURL}/api/follow-up/replies`, {
      headers: { authorization: `FollowUp ${token}` },
      data: { body: 'Still there?' },
    });
    expect(revoked.status()).toBe(410);
    expect(((await revoked.json()) as { error: { code: string } }).error.code).toBe(
      'follow_up_revoked',
    );
  } finally {
    await service.stop();
    await sink.stop();
  }
});

test('F25 F26 SP-TK6 after a chat the widget offers a follow-up; the visitor replies from its link; the chat’s helper is named in the room and finds the ticket assigned', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const sink = await startSmtpSink();
  const service = await ownService({ SMTP_URL: sink.url });
  const baseURL = service.baseURL;
  try {
    const chat = await startDemoChat(browser, {
      helper: 'alice',
      visitorName: 'Vera',
      baseURL,
      question: 'Sync stopped',
    });
    await chat.visitorSays('Sync stopped after I changed my password');
    await chat.helperSays('Sign out of sync and in again');
    await chat.widget.getByRole('button', { name: 'End chat' }).click();

    // The widget's after-chat offer (its own region, under the survey).
    const offer = chat.widget.getByRole('region', { name: 'Follow up later' });
    await expect(offer).toBeVisible(LINK_TIMEOUT);
    const unfold = offer.getByRole('button', { name: 'Follow up by email or link…' });
    await expect(unfold).toHaveAttribute('aria-expanded', 'false');
    await unfold.click();
    await expect(
      offer.getByLabel('Email (optional: we send the link and each answer)'),
    ).toBeFocused();
    await offer
      .getByLabel('Email (optional: we send the link and each answer)')
      .fill('vera@example.org');
    await offer.getByRole('button', { name: 'Get my follow-up link' }).click();
    await expect(offer.getByRole('status')).toHaveText(
      'Your private follow-up link is ready, and we emailed it to vera@example.org.',
    );
    const [followUp] = await Promise.all([
      chat.visitor.context().waitForEvent('page'),
      offer.getByRole('link', { name: 'Open your follow-up page' }).click(),
    ]);
    await expect(
      followUp.getByRole('heading', { level: 1, name: 'Your follow-up: Sync stopped' }),
    ).toBeVisible();
    await followUp.getByLabel('Your reply').fill('It stopped again this morning');
    await followUp.getByRole('button', { name: 'Send reply' }).click();
    await expect(followUp.getByRole('status').filter({ hasText: 'reply was sent' })).toBeVisible();

    // The email the widget promised, with a working link of its own.
    const mail = await mailTo(sink, 'vera@example.org', /Sync stopped/);
    expect(followUpLink(mail, baseURL)).toMatch(/#[A-Za-z0-9_-]{43}$/);

    // SP-TK6: the room names Alice, the chat's helper, and links the ticket.
    const roomButton = chat.helper.getByRole('button', { name: /^Contributors room/ });
    await expect(roomButton).toContainText('1 mentioning you', LINK_TIMEOUT);
    await roomButton.click();
    const alert = chat.helper
      .getByRole('log', { name: 'Room messages' })
      .getByRole('listitem')
      .filter({ hasText: 'Vera replied to the follow-up "Sync stopped"' });
    await expect(alert).toBeVisible(LINK_TIMEOUT);

    // The ticket is Alice's, linked to the chat, waiting for her answer.
    const tickets = await openTickets(chat.helper);
    const card = tickets.getByRole('article', { name: 'Sync stopped' });
    await expect(card).toContainText('Follow-up of a chat');
    await expect(card).toContainText('Assigned to Alice');
    await expect(card).toContainText('Waiting for an answer');
    await card.getByRole('link', { name: 'Sync stopped' }).click();
    await expect(tickets.getByRole('log', { name: 'Conversation with the visitor' })).toContainText(
      'It stopped again this morning',
    );
    await expect(tickets.getByRole('link', { name: 'the chat in the archive' })).toBeVisible();
  } finally {
    await service.stop();
    await sink.stop();
  }
});

/** Each transcript line's body, as the page shows it (plain text: Svelte escapes it). */
async function transcriptBodies(page: Page): Promise<string[]> {
  const fold = page.locator('details.transcript');
  await fold.locator('summary').click();
  const list = page.getByRole('list', { name: 'Chat transcript' });
  await expect(list).toBeVisible();
  // Nothing but the view's own markup inside a line: no element was built from a body.
  await expect(list.locator('li :not(strong, time, span)')).toHaveCount(0);
  return list.locator('.body').allTextContents();
}

test('F26 SP-TK1 after a chat its helper makes a follow-up ticket, asked for the visitor’s email; the XSS corpus stays inert on the ticket and follow-up pages', async ({
  browser,
}, testInfo) => {
  test.setTimeout(240_000);
  const sink = await startSmtpSink();
  const service = await ownService({ SMTP_URL: sink.url });
  const baseURL = service.baseURL;
  const tripwires = new Tripwires(new URL(baseURL).origin);
  try {
    const chat = await startDemoChat(browser, {
      helper: 'alice',
      visitorName: 'Xia',
      baseURL,
      question: 'Bookmarks vanished',
      prepare: (context) => tripwires.watch(context),
    });
    await chat.visitorSays('They were there yesterday');
    const hostile = XSS_CORPUS.slice(0, 8);
    const widgetBox = chat.widget.getByLabel('Your message');
    for (const text of hostile) {
      await widgetBox.fill(text);
      await widgetBox.press('Enter');
      await expect(widgetBox).toHaveValue('');
    }
    const log = chat.panel.getByRole('log', { name: 'Conversation with Xia' });
    await expect(log.locator('.bubble')).toHaveCount(2 + hostile.length, LINK_TIMEOUT);

    await chat.panel.getByRole('button', { name: 'End chat' }).click();
    await chat.helper
      .getByRole('dialog', { name: 'End this chat?' })
      .getByRole('button', { name: 'End chat' })
      .click();
    await expect(
      chat.panel.getByRole('status').filter({ hasText: 'The chat has ended' }),
    ).toContainText('The transcript is archived.', { timeout: 30_000 });

    // Xia gave no email: the console asks for one before the ticket is made.
    await chat.panel.getByRole('button', { name: 'Make a follow-up ticket' }).click();
    const dialog = chat.helper.getByRole('dialog', { name: 'Follow up with Xia' });
    const email = dialog.getByLabel("Visitor's email");
    await expect(email).toHaveValue('');
    await dialog.getByRole('button', { name: 'Make the ticket' }).click();
    await expect(dialog.getByRole('alert')).toHaveText(
      "Enter Xia's email address: the follow-up link is sent there.",
    );
    await email.fill('not an address');
    await dialog.getByRole('button', { name: 'Make the ticket' }).click();
    await expect(dialog.getByRole('alert')).toHaveText('That is not an email address.');
    await shoot(chat.helper, 'ticket-dialog', (f) => testInfo.outputPath(f));
    await email.fill('xia@example.org');
    await dialog.getByRole('button', { name: 'Make the ticket' }).click();
    await expect(dialog).toBeHidden();
    const made = chat.panel.getByRole('status').filter({ hasText: 'follow-up ticket is made' });
    await expect(made).toContainText('Xia gets its link by email');
    await shoot(chat.helper, 'ticket-made', (f) => testInfo.outputPath(f), 'Conversation');

    // The ticket, linked to the chat, with its transcript: every hostile line is text.
    const [ticket] = await Promise.all([
      chat.helper.context().waitForEvent('page'),
      made.getByRole('link', { name: 'Open the ticket' }).click(),
    ]);
    await expect(
      ticket.getByRole('heading', { level: 1, name: 'Bookmarks vanished' }),
    ).toBeVisible();
    expect(await transcriptBodies(ticket)).toEqual(
      expect.arrayContaining(['They were there yesterday', ...hostile]),
    );
    // The helper answers with hostile text too; the visitor reads it as text.
    const answer = XSS_CORPUS.slice(8, 12).join('\n');
    await ticket.getByLabel('Your answer').fill(answer);
    await ticket.getByRole('button', { name: 'Send answer' }).click();
    await expect(ticket.getByRole('status').filter({ hasText: 'Answer sent' })).toBeVisible();

    // SP-TK8: the link mailed to the address the helper gave; the visitor's page.
    const mail = await mailTo(sink, 'xia@example.org', /^Re: Bookmarks vanished$/);
    const followUp = await chat.visitor.context().newPage();
    await followUp.goto(followUpLink(mail, baseURL));
    await expect(
      followUp.getByRole('heading', { level: 1, name: 'Your follow-up: Bookmarks vanished' }),
    ).toBeVisible();
    const messages = followUp.getByRole('log', { name: 'Messages with the support team' });
    for (const line of XSS_CORPUS.slice(8, 12)) await expect(messages).toContainText(line);
    expect(await transcriptBodies(followUp)).toEqual(
      expect.arrayContaining(['They were there yesterday', ...hostile]),
    );
    expect(tripwires.problems).toEqual([]);
  } finally {
    await service.stop();
    await sink.stop();
  }
});
