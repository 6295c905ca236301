/**
 * Smoke test of the foundation against the real service in demo mode: the service
 * is healthy, and the console's sign-in page works with a keyboard-and-label view
 * of the page (roles and labels, as assistive technology sees it).
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

/** The console's token in sessionStorage (SvelteKit keeps its own keys there too). */
const storedToken = (page: Page) =>
  page.evaluate(() => sessionStorage.getItem('peerdesk.console.token'));

test('GET /healthz answers ok', async ({ request }) => {
  const response = await request.get('/healthz');
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ status: 'ok' });
});

test('the landing page links to the console', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Peerdesk' })).toBeVisible();
  await page.getByRole('link', { name: 'Open the helper console' }).click();
  await expect(page).toHaveURL(/\/console$/);
  await expect(page.getByRole('heading', { name: 'Sign in to the helper console' })).toBeVisible();
});

test('the console sign-in page renders with labelled fields', async ({ page }) => {
  await page.goto('/console');
  await expect(page.getByRole('heading', { name: 'Sign in to the helper console' })).toBeVisible();
  await expect(page.getByLabel('Nickname')).toBeEditable();
  await expect(page.getByLabel('Password')).toHaveAttribute('type', 'password');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
});

test('demo mode shows the demo credentials', async ({ page }) => {
  await page.goto('/console');
  const demo = page.getByRole('region', { name: 'Demo accounts' });
  await expect(demo).toBeVisible();
  const alice = demo.getByRole('row').filter({ hasText: 'alice' });
  await expect(alice).toContainText('demo-pass');
});

test('a wrong password shows an alert and signs nobody in', async ({ page }) => {
  await page.goto('/console');
  await page.getByLabel('Nickname').fill('alice');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).not.toBeEmpty();
  await expect(page.getByRole('button', { name: 'Sign out' })).toHaveCount(0);
  // The password is cleared and focused for the next attempt.
  await expect(page.getByLabel('Password')).toBeFocused();
  await expect(page.getByLabel('Password')).toHaveValue('');
  expect(await storedToken(page)).toBeNull();
});

test('alice signs in with the keyboard, survives a reload, and signs out', async ({
  page,
  request,
}) => {
  await page.goto('/console');
  await page.getByLabel('Nickname').fill('alice');
  await page.getByLabel('Password').fill('demo-pass');
  await page.getByLabel('Password').press('Enter');

  // Focus moves to the signed-in view; the demo helper alice is called Alice.
  await expect(page.getByRole('heading', { name: 'Helper console' })).toBeFocused();
  await expect(page.getByRole('main')).toContainText('Signed in as Alice (alice)');

  // The token lives in sessionStorage: a reload resumes the session.
  await page.reload();
  await expect(page.getByRole('main')).toContainText('Signed in as Alice (alice)');

  const token = await storedToken(page);
  expect(token).not.toBeNull();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to the helper console' })).toBeVisible();
  expect(await storedToken(page)).toBeNull();

  // The service revoked the token, not just the page forgetting it.
  const after = await request.get('/api/me', { headers: { authorization: `Bearer ${token}` } });
  expect(after.status()).toBe(401);
});
