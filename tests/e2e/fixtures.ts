/**
 * Playwright fixtures for Peerdesk. Each worker starts its own real signal service
 * (fresh port and data folder) and points `baseURL` at it, so workers never share
 * state and tests use relative URLs (`page.goto('/console')`).
 */
import { test as base } from './support/base-test.ts';
import { startService, type RunningService } from './support/service.ts';

export { expect } from '@playwright/test';

export const test = base.extend<object, { service: RunningService }>({
  service: [
    // eslint-disable-next-line no-empty-pattern -- Playwright requires the destructuring form.
    async ({}, use) => {
      const service = await startService();
      try {
        await use(service);
      } finally {
        await service.stop();
      }
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  baseURL: async ({ service }, use) => {
    await use(service.url);
  },
});
