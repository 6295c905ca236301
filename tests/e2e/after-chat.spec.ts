/**
 * After the chat, as people use it (issue 14; FEATURES.md F24, F14, F27; SPEC.md SP-U1,
 * SP-U6, SP-U7, SP-U10): through the real widget on the /demo site and the real console, one
 * browser context per person. Vera ends the chat; the widget asks for stars by
 * keyboard (a radio group) and a comment; the stars reach Alice's chat, Molly's
 * board and the archived transcript, which Alice's console uploaded when the chat
 * ended and Molly reads with Alice's lines verified (CHAT.md CH-V6).
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { closeAllContexts, signInMonitor } from './console-steps.ts';
import { startDemoChat } from './support/demo-chat.ts';
import { LINK_TIMEOUT, isolatedTest as test } from './support/widget-drivers.ts';

test.describe.configure({ timeout: 240_000 });
test.afterEach(closeAllContexts);

const SERVICE = { timeout: 20_000 };

test('SP-U7 F24 the visitor rates the ended chat by keyboard; the stars reach the helper, the monitor’s board and the archive', async ({
  browser,
  baseURL,
}) => {
  const molly = await signInMonitor(browser, baseURL!);
  const chat = await startDemoChat(browser, {
    helper: 'alice',
    visitorName: 'Vera',
    baseURL: baseURL!,
    question: 'My bookmarks vanished',
  });
  await chat.visitorSays('My bookmarks vanished after the update');
  // Formatted (F12): the widget shows Library in bold, not the asterisks.
  await chat.panel
    .getByLabel('Your message')
    .fill('Open the **Library** window and choose Restore');
  await chat.panel.getByLabel('Your message').press('Enter');
  await expect(
    chat.widget
      .getByRole('log', { name: 'Conversation' })
      .locator('strong', { hasText: 'Library' }),
  ).toBeVisible(LINK_TIMEOUT);

  // Vera ends the chat: the widget asks how it was.
  await chat.widget.getByRole('button', { name: 'End chat' }).click();
  const stars = chat.widget.getByRole('group', { name: 'How was this chat?' });
  await expect(stars).toBeVisible(LINK_TIMEOUT);
  await expect(chat.widget.getByRole('button', { name: 'Send rating' })).toBeDisabled();
  // A radio group: Tab lands on it, arrows move, Space picks; the choice is read out.
  await chat.widget.getByRole('radio', { name: '1 star: Poor' }).focus();
  await chat.visitor.keyboard.press('Space');
  await chat.visitor.keyboard.press('ArrowRight');
  await chat.visitor.keyboard.press('ArrowRight');
  await chat.visitor.keyboard.press('ArrowRight');
  await expect(chat.widget.getByRole('radio', { name: '4 stars: Very good' })).toBeChecked();
  await expect(stars.getByText('4 of 5: Very good')).toBeVisible();
  await chat.widget.getByLabel('Comment (optional)').fill('Quick and kind');
  await chat.widget.getByRole('button', { name: 'Send rating' }).click();
  await expect(chat.widget.getByRole('status').filter({ hasText: 'Thank you' })).toHaveText(
    'Thank you for rating this chat.',
  );

  // Alice: the ended chat's notice and its details say 4 of 5 stars.
  await expect(
    chat.panel.getByRole('status').filter({ hasText: 'The chat has ended' }),
  ).toContainText('The transcript is archived.', SERVICE);
  await expect(chat.panel.getByRole('img', { name: '4 of 5 stars' }).first()).toBeVisible(SERVICE);
  await expect(chat.helper.getByText(/Rating:/)).toContainText(/Rating:\s*★★★★/);

  // Molly's board: the rating, who gave it and a link to the transcript.
  const ratings = molly.getByRole('list', { name: 'Recent ratings' });
  const rating = ratings.getByRole('listitem').filter({ hasText: 'Vera rated the chat' });
  await expect(rating).toContainText('Vera rated the chat with Alice', SERVICE);
  await expect(rating.getByRole('img', { name: '4 of 5 stars' })).toBeVisible();
  await rating.getByRole('link', { name: 'Transcript' }).click();
  await expectTranscript(molly);
  expect(await seriousViolations(molly)).toEqual([]);
  await molly.getByRole('link', { name: 'Back to the archive' }).click();
  await expect(molly.getByRole('heading', { name: 'Transcript archive' })).toBeVisible();
  await expect(molly.getByRole('list', { name: 'Transcripts found' })).toBeVisible(SERVICE);
  expect(await seriousViolations(molly)).toEqual([]);
});

test('F24 the survey can be skipped: the chat stays unrated and the widget offers a new chat', async ({
  browser,
  baseURL,
}) => {
  const chat = await startDemoChat(browser, {
    helper: 'alice',
    visitorName: 'Sam',
    baseURL: baseURL!,
    question: 'Sync question',
  });
  await chat.visitorSays('Does sync keep my tabs?');
  await chat.widget.getByRole('button', { name: 'End chat' }).click();
  await expect(chat.widget.getByRole('group', { name: 'How was this chat?' })).toBeVisible(
    LINK_TIMEOUT,
  );
  // Screen readers: axe finds nothing serious in the survey, light or dark.
  expect(await seriousViolations(chat.visitor)).toEqual([]);
  await chat.widget.getByRole('button', { name: 'Skip' }).click();
  await expect(chat.widget.getByRole('group', { name: 'How was this chat?' })).toHaveCount(0);
  await expect(chat.widget.getByRole('button', { name: 'Start a new chat' })).toBeVisible();
  await expect(
    chat.panel.getByRole('status').filter({ hasText: 'The chat has ended' }),
  ).toContainText('The transcript is archived.', SERVICE);
  await expect(chat.helper.getByText(/Rating:/)).toContainText('not rated yet');
});

/** The transcript page Molly reached: the stars, the comment, Alice's line verified
 * with its formatting, Vera's line under her name. */
async function expectTranscript(page: Page): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Vera with Alice', SERVICE);
  await expect(page.getByRole('img', { name: '4 of 5 stars' })).toBeVisible();
  await expect(page.getByText('Quick and kind')).toBeVisible();
  const log = page.getByRole('list', { name: 'Conversation with Vera' });
  const alice = log.getByRole('listitem').filter({ hasText: 'Library' });
  await expect(alice).toContainText('Alice (verified)');
  await expect(alice.locator('strong')).toHaveText('Library');
  const vera = log.getByRole('listitem').filter({ hasText: 'My bookmarks vanished after' });
  await expect(vera).toContainText('Vera');
  await expect(log.getByText('Helper (unverified)')).toHaveCount(0);
}

/** The serious and critical violations axe finds (frames included), in both schemes. */
async function seriousViolations(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const results = await new AxeBuilder({ page }).analyze();
    for (const violation of results.violations) {
      if (violation.impact !== 'serious' && violation.impact !== 'critical') continue;
      for (const node of violation.nodes) {
        found.push(`${scheme}: ${violation.id} at ${node.target.join(' ')}`);
      }
    }
  }
  await page.emulateMedia({ colorScheme: null });
  return found;
}
