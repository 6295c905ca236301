/**
 * Canned responses (issue 12: F18, F17; SPEC.md SP-CN1–SP-CN5, SP-K2) through the real
 * console, one browser context per person. A visitor on the real widget (embedded in
 * /demo); Alice finds a Global and a Personal response by keyboard alone (Alt+C, typing
 * words of the title or of the text, arrows, Enter), gets them in the reply box with
 * the visitor's and her own name filled in (SP-CN3), edits and sends them, and the visitor
 * reads them; a response of the Tags category also tags the chat; ending the chat while
 * the visitor is still writing offers the Following up responses (F19). A second test: a
 * Personal response is Alice's alone (SP-CN2); a suggestion the admin accepts, edited, and
 * a response the admin adds are Global responses for Bob at once, and one the admin
 * deletes is gone for Alice (SP-CN1, SP-CN4, SP-CN5).
 */
import type { Browser, Locator, Page } from '@playwright/test';
import { expect } from './fixtures.ts';
import { SocketVisitor, offerCard, signInHelper } from './console-steps.ts';
import { shoot } from './support/screenshots.ts';
import {
  LINK_TIMEOUT,
  chatFrame,
  conversation,
  fillPreChat,
  isolatedTest as test,
} from './support/widget-drivers.ts';

const ADMIN_PASSWORD = 'admin-e2e-password';
test.use({ serviceEnv: { ADMIN_PASSWORD } });

/** A round trip through the service on a loaded machine. */
const SERVICE = { timeout: 20_000 };

/** The canned-response picker of a chat's reply box, opened by keyboard from the box. */
async function openPicker(panel: Locator): Promise<{ search: Locator; options: Locator }> {
  await panel.getByLabel('Your message').press('Alt+c');
  const search = panel.getByRole('combobox', { name: 'Search canned responses' });
  await expect(search).toBeFocused();
  const options = panel.getByRole('listbox', { name: 'Canned responses' }).getByRole('option');
  // The list comes from the service each time the picker opens (SP-CN1).
  await expect(options.first()).toBeVisible(SERVICE);
  return { search, options };
}

/** Adds a Personal response from the picker's “My responses…” dialog. */
async function addPersonal(
  panel: Locator,
  page: Page,
  response: { category: string; title: string; body: string },
): Promise<Locator> {
  await panel.getByRole('button', { name: 'Responses' }).click();
  await panel.getByRole('button', { name: 'My responses…' }).click();
  const dialog = page.getByRole('dialog', { name: 'My canned responses' });
  await dialog.getByLabel('Category').selectOption(response.category);
  await dialog.getByLabel('Title').fill(response.title);
  await dialog.getByLabel('Text').fill(response.body);
  await dialog.getByRole('button', { name: 'Add response' }).click();
  await expect(dialog.getByRole('status')).toHaveText(`Added “${response.title}”.`, SERVICE);
  await expect(dialog.getByRole('list', { name: 'Your responses' })).toContainText(response.title);
  return dialog;
}

async function signInAdmin(browser: Browser, baseURL: string): Promise<Page> {
  const page = await (await browser.newContext({ baseURL })).newPage();
  await page.goto('/console');
  await page.getByLabel('Nickname').fill('admin');
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible(
    LINK_TIMEOUT,
  );
  return page;
}

test('F18 a Global and a Personal response found and inserted by keyboard, names filled, edited, sent and read by the visitor; a Tags response tags the chat', async ({
  browser,
  baseURL,
}, testInfo) => {
  // A WebRTC chat and screenshots at three sizes, on a machine often at load 30+.
  test.setTimeout(300_000);
  const visitor = await (await browser.newContext({ baseURL: baseURL! })).newPage();
  await visitor.goto('/demo/printing');
  await visitor.getByRole('button', { name: 'Chat with us' }).click();
  const widget = chatFrame(visitor);
  await fillPreChat(widget, { name: 'Vera', question: 'My pages print blank' });
  const alice = await signInHelper(browser, 'alice', { baseURL: baseURL! });
  await offerCard(alice, 'Vera').getByRole('button', { name: 'Accept' }).click();
  const panel = alice.getByRole('tabpanel', { name: /Vera/ });
  const box = panel.getByLabel('Your message');
  const log = conversation(widget);

  // Alice's own response, with both placeholders (SP-CN3).
  const dialog = await addPersonal(panel, alice, {
    category: 'Troubleshooting',
    title: 'Printer driver',
    body: 'Thanks {visitor}. {helper} here again: which printer model is it? An outdated driver often prints blank pages.',
  });
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toBeHidden();
  await box.focus();

  // A Global response (demo starter set), by its title: Alt+C, type, Enter.
  let picker = await openPicker(panel);
  await shoot(alice, 'canned-picker', (f) => testInfo.outputPath(f), 'Conversation');
  await picker.search.pressSequentially('greet');
  await expect(picker.options).toHaveText([/Greeting.*Common instructions · Global/]);
  await picker.search.press('Enter');
  await expect(picker.search).toBeHidden();
  await expect(box).toBeFocused();
  await expect(box).toHaveValue(
    'Hi Vera, I am Alice, a volunteer here. Let me read your question and I will be right with you.',
  );
  // Edited before sending: the visitor reads the edited text.
  await box.press('End');
  await box.pressSequentially(' Which printer is it?');
  await box.press('Enter');
  await expect(box).toHaveValue('');
  await expect(
    log.getByText(
      'Hi Vera, I am Alice, a volunteer here. Let me read your question and I will be right with you. Which printer is it?',
    ),
  ).toBeVisible(LINK_TIMEOUT);

  // The Personal one, by a word of its text only ("outdated"); arrows choose among several.
  picker = await openPicker(panel);
  await picker.search.pressSequentially('outdated');
  await expect(picker.options).toHaveText([/Printer driver.*Troubleshooting · Personal/]);
  await picker.search.fill('');
  await picker.search.pressSequentially('print');
  // Both titles match; the helper's own phrasing comes first among equals.
  await expect(picker.options).toHaveText([/Printer driver/, /Pages will not print/]);
  await picker.search.press('ArrowDown');
  await expect(picker.options.nth(1)).toHaveAttribute('aria-selected', 'true');
  await picker.search.press('ArrowUp');
  await expect(picker.options.nth(0)).toHaveAttribute('aria-selected', 'true');
  await picker.search.press('Enter');
  await expect(box).toHaveValue(
    'Thanks Vera. Alice here again: which printer model is it? An outdated driver often prints blank pages.',
  );
  await box.press('Enter');
  await expect(log.getByText('Thanks Vera. Alice here again: which printer model')).toBeVisible(
    LINK_TIMEOUT,
  );

  // A Tags response inserts its text and applies its tag, as /tag would (SP-K2).
  picker = await openPicker(panel);
  await picker.search.pressSequentially('solved');
  // The title match first ("Ending: start a new chat" has "solved" in its text).
  await expect(picker.options.first()).toHaveText(
    /solved.*Tags · Global.*Also tags the chat “solved”/,
  );
  await expect(picker.options.first()).toHaveAttribute('aria-selected', 'true');
  await picker.search.press('Enter');
  const chips = panel.getByRole('list', { name: 'Tags of the chat with Vera' });
  await expect(chips.getByRole('listitem')).toHaveText([/solved/], SERVICE);
  await expect(box).toHaveValue(
    'Glad that worked, Vera! Is there anything else I can help with today?',
  );
  await box.press('Enter');
  await expect(log.getByText('Glad that worked, Vera!')).toBeVisible(LINK_TIMEOUT);
  // The tag is staff data (SP-K1): the visitor's widget never shows it.
  await expect(widget.getByText('solved')).toHaveCount(0);

  // Escape closes the picker and hands the keyboard back to the reply box.
  picker = await openPicker(panel);
  await picker.search.press('Escape');
  await expect(picker.search).toBeHidden();
  await expect(box).toBeFocused();

  // F19: Vera has just written, so ending offers the Following up responses, names filled.
  await widget.getByLabel('Your message').fill('One more thing, the preview is blank too');
  await widget.getByRole('button', { name: 'Send' }).click();
  await expect(
    panel.getByText('One more thing, the preview is blank too', { exact: true }),
  ).toBeVisible(LINK_TIMEOUT);
  await panel.getByRole('button', { name: 'End chat' }).click();
  const confirm = alice.getByRole('dialog', { name: 'End this chat?' });
  await confirm.getByLabel('Following up responses').selectOption('Ending: post in the forum');
  await expect(confirm.getByLabel('Follow-up message')).toHaveValue(
    /^This needs more digging .* Thanks for your patience, Vera!$/,
  );
  await confirm.getByRole('button', { name: 'Send follow-up and end' }).click();
  await expect(log.getByText('Thanks for your patience, Vera!')).toBeVisible(LINK_TIMEOUT);
  await expect(widget.getByRole('status').filter({ hasText: 'The chat has ended.' })).toBeVisible(
    LINK_TIMEOUT,
  );
});

test('F18 a Personal response is its owner’s alone; a suggestion the admin accepts (edited) and one the admin adds are Global for another helper', async ({
  browser,
  baseURL,
}, testInfo) => {
  test.setTimeout(300_000);
  const url = baseURL!;
  // Alice takes Vera's chat; then Bob, the only one available, takes Walt's.
  const alice = await signInHelper(browser, 'alice', { baseURL: url });
  const vera = await SocketVisitor.connect(url);
  vera.request('Vera', 'My proxy settings keep changing');
  await offerCard(alice, 'Vera').getByRole('button', { name: 'Accept' }).click();
  const aliceAvailable = alice.getByRole('switch', { name: 'Available for chats' });
  await aliceAvailable.click();
  await expect(aliceAvailable).toHaveAttribute('aria-checked', 'false');
  const bob = await signInHelper(browser, 'bob', { baseURL: url });
  const walt = await SocketVisitor.connect(url);
  walt.request('Walt', 'Nothing loads at work');
  await offerCard(bob, 'Walt').getByRole('button', { name: 'Accept' }).click();
  const alicePanel = alice.getByRole('tabpanel', { name: /Vera/ });
  const bobPanel = bob.getByRole('tabpanel', { name: /Walt/ });

  // Alice adds a Personal response and suggests it as Global (SP-CN4).
  const dialog = await addPersonal(alicePanel, alice, {
    category: 'Web sites',
    title: 'Proxy at work',
    body: 'At work, {visitor}, a proxy may be required: ask your IT team for its address.',
  });
  await dialog.getByRole('button', { name: 'Suggest as Global Proxy at work' }).click();
  await expect(dialog.getByRole('status')).toHaveText(
    'Suggested “Proxy at work” as a Global response; an admin will decide.',
    SERVICE,
  );
  await dialog.getByRole('button', { name: 'Close' }).click();

  // SP-CN2: Bob does not see it, by title or by text.
  let picker = await openPicker(bobPanel);
  await picker.search.pressSequentially('proxy');
  await expect(bobPanel.getByText('No response matches.')).toBeVisible();
  await expect(picker.options).toHaveCount(0);
  await picker.search.press('Escape');

  // The admin edits the suggestion's title and accepts it (SP-CN5).
  const admin = await signInAdmin(browser, url);
  await admin.getByRole('link', { name: 'Administration' }).click();
  await admin
    .getByRole('navigation', { name: 'Administration' })
    .getByRole('link', { name: 'Canned responses' })
    .click();
  // The form is named by the title as it is edited: found by its author.
  const suggestion = admin.getByRole('form', { name: /^Suggestion “.*” by Alice$/ });
  await expect(suggestion).toBeVisible(SERVICE);
  await shoot(admin, 'canned-admin', (f) => testInfo.outputPath(f));
  await suggestion.getByLabel('Title').fill('Proxy needed at work');
  await suggestion.getByRole('button', { name: 'Accept as Global' }).click();
  const status = (text: string) => admin.getByRole('status').filter({ hasText: text });
  await expect(status('Accepted “Proxy needed at work”: it is a Global response now.')).toBeVisible(
    SERVICE,
  );
  await expect(admin.getByText('No suggestions are waiting.', { exact: false })).toBeVisible();
  await expect(
    admin.getByRole('list', { name: 'Global responses in Web sites' }).getByRole('listitem'),
  ).toContainText(['Proxy needed at work']);

  // The admin adds a Global response of their own on the same page (SP-CN1).
  const editor = admin.getByRole('form', { name: 'New Global response' });
  await editor.getByLabel('Category').selectOption('Resources');
  await editor.getByLabel('Title').fill('Proxy help article');
  await editor.getByLabel('Text').fill('Here is our article on proxy settings, {visitor}.');
  await editor.getByRole('button', { name: 'Add Global response' }).click();
  await expect(status('Added “Proxy help article” for every helper.')).toBeVisible(SERVICE);
  const resources = admin.getByRole('list', { name: 'Global responses in Resources' });
  await expect(resources).toContainText('Proxy help article');
  await shoot(admin, 'canned-admin-global', (f) => testInfo.outputPath(f));

  // Bob finds both Global ones by keyboard; the arrows pick the accepted one, Walt's name in.
  const bobBox = bobPanel.getByLabel('Your message');
  picker = await openPicker(bobPanel);
  await picker.search.pressSequentially('proxy');
  await expect(picker.options).toHaveText([
    /Proxy help article.*Resources · Global/,
    /Proxy needed at work.*Web sites · Global/,
  ]);
  await picker.search.press('ArrowDown');
  await picker.search.press('Enter');
  await expect(bobBox).toHaveValue(
    'At work, Walt, a proxy may be required: ask your IT team for its address.',
  );

  // The admin deletes the article response (after confirming): Alice has her Personal
  // one and the Global one made from it.
  await resources.getByRole('button', { name: 'Delete Proxy help article' }).click();
  await resources.getByRole('button', { name: 'Delete Proxy help article for good' }).click();
  await expect(status('Deleted “Proxy help article”.')).toBeVisible(SERVICE);
  await expect(resources).not.toContainText('Proxy help article');
  picker = await openPicker(alicePanel);
  await picker.search.pressSequentially('proxy');
  await expect(picker.options).toHaveText([
    /Proxy at work.*Personal/,
    /Proxy needed at work.*Global/,
  ]);
  await vera.leave();
  await walt.leave();
});
