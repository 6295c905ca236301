/**
 * The signed-in console shell (issue 4, F3, F4): connection state, the
 * availability switch and the chat limit as the service confirms them, and the
 * trainee notice. Controls are found by role and label.
 */
import { expect, test } from './fixtures.ts';
import { startService } from './support/service.ts';
import { SocketVisitor, closeAllContexts, offerCard, signInHelper } from './console-steps.ts';

// The worker's service outlives a test: signed-in helpers must not stay available for the next.
test.afterEach(closeAllContexts);

test('the shell connects, switches availability and sets the chat limit within the maximum', async ({
  browser,
}) => {
  const alice = await signInHelper(browser, 'alice');
  await expect(alice.getByRole('main')).toContainText('Signed in as Alice (alice)');

  const available = alice.getByRole('switch', { name: 'Available for chats' });
  await expect(available).toBeChecked();
  await available.click();
  await expect(available).not.toBeChecked();
  // A reload (and so a reconnect) keeps the helper unavailable.
  await alice.reload();
  await expect(available).not.toBeChecked();
  await expect(alice.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible();
  await expect(available).not.toBeChecked();
  await available.press('Space');
  await expect(available).toBeChecked();

  const limit = alice.getByLabel('Chat limit');
  await expect(limit).toHaveValue('3');
  await limit.fill('0');
  await limit.press('Enter');
  await expect(limit).toHaveAttribute('aria-invalid', 'true');
  await expect(alice.getByText(/must be a whole number from 1 to \d+/)).toBeVisible();

  await limit.fill('2');
  await limit.press('Enter');
  await expect(limit).toHaveAttribute('aria-invalid', 'false');
  // The service keeps it: a reload shows the confirmed limit.
  await alice.reload();
  await expect(alice.getByLabel('Chat limit')).toHaveValue('2');
  // Back to the default: the service (one per worker) outlives this test.
  await alice.getByLabel('Chat limit').fill('3');
  await alice.getByLabel('Chat limit').press('Enter');
  await alice.reload();
  await expect(alice.getByLabel('Chat limit')).toHaveValue('3');
});

test('F4 a trainee sees the notice and gets no offer; a helper gets the chat', async ({
  browser,
  baseURL,
}) => {
  const tina = await signInHelper(browser, 'tina');
  await expect(tina.getByRole('note')).toContainText('no automatic chat offers until');

  const visitor = await SocketVisitor.connect(baseURL!);
  visitor.request('Vera', 'Where is my order?');
  await visitor.next('queued');

  // The chat waits for a helper: alice, signing in later, is offered it; tina never is.
  const alice = await signInHelper(browser, 'alice');
  await expect(offerCard(alice, 'Vera')).toBeVisible();
  await expect(tina.getByRole('article')).toHaveCount(0);
  await visitor.leave();
});

test('the shell says when the connection is lost and it is reconnecting', async ({ browser }) => {
  // A service of its own: this test stops it.
  const own = await startService();
  try {
    const alice = await signInHelper(browser, 'alice', { baseURL: own.url });
    await own.stop();
    await expect(alice.getByRole('status').filter({ hasText: 'reconnecting' })).toHaveText(
      'Connection lost; reconnecting…',
    );
    await expect(alice.getByRole('switch', { name: 'Available for chats' })).toBeDisabled();
  } finally {
    await own.stop();
  }
});
