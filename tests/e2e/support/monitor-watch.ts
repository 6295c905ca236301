/**
 * A room monitor in the console (SPEC.md SP-M1–SP-M3): signed in, not taking chats, and
 * watching one chat read-only from the board. Shared by the tests that check what a
 * monitor sees of a chat (formatted messages, files).
 */
import type { Browser, Locator, Page } from '@playwright/test';
import { expect } from '../fixtures.ts';
import { signInHelper } from '../console-steps.ts';
import type { Tripwires } from './tripwires.ts';

/** Molly in the console, not available for chats (so offers go to the helper), with the
 * tripwires on her context when given. Sign in before the visitor queues. */
export async function signInMonitor(
  browser: Browser,
  options: { baseURL?: string; tripwires?: Tripwires } = {},
): Promise<Page> {
  const molly = await signInHelper(browser, 'molly', {
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
  });
  await options.tripwires?.watch(molly.context());
  const available = molly.getByRole('switch', { name: 'Available for chats' });
  await available.click();
  await expect(available).toHaveAttribute('aria-checked', 'false');
  return molly;
}

/** Opens the watch view of the chat with this visitor from the board; returns its log. */
export async function watchChat(monitor: Page, visitorName: string): Promise<Locator> {
  await monitor.getByRole('button', { name: `Watch chat with ${visitorName}` }).click();
  const watch = monitor.getByRole('tabpanel', { name: new RegExp(visitorName) });
  await expect(watch.getByRole('heading', { name: `Watching ${visitorName}` })).toBeVisible();
  return watch.getByRole('log', { name: `Conversation with ${visitorName}` });
}
