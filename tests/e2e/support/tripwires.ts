/**
 * F12, F13: what would show that a message or a file name ran script or made the page
 * fetch from another host: dialogs, page errors and console errors, and every request
 * to an origin other than the service's (intercepted and refused).
 */
import type { BrowserContext, Page } from '@playwright/test';

export class Tripwires {
  readonly problems: string[] = [];

  constructor(private readonly origin: string) {}

  async watch(context: BrowserContext): Promise<void> {
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      if (url.origin === this.origin) return route.continue();
      this.problems.push(`request to another host: ${url.href}`);
      return route.abort('blockedbyclient');
    });
    context.on('page', (page) => this.watchPage(page));
    for (const page of context.pages()) this.watchPage(page);
  }

  private watchPage(page: Page): void {
    page.on('dialog', (dialog) => {
      this.problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => this.problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') this.problems.push(`console error: ${message.text()}`);
    });
  }
}
