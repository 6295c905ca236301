/**
 * A whole chat between real people's browsers: a visitor on the /demo host site
 * opens the embedded widget, a helper signed in to /console accepts, and messages
 * go both ways over WebRTC. Each person has their own browser context. Also a
 * recorder of Content-Security-Policy violations in every frame of a context.
 */
import type {
  Browser,
  BrowserContext,
  BrowserContextOptions,
  FrameLocator,
  Locator,
  Page,
} from '@playwright/test';
import { expect } from '../fixtures.ts';
import { offerCard, signInHelper } from '../console-steps.ts';
import { LINK_TIMEOUT, conversation, fillPreChat } from './widget-drivers.ts';

declare global {
  interface Window {
    peerdeskCspViolations: string[];
  }
}

/** Records every `securitypolicyviolation` in every frame of the context, from the
 * first script on; `cspViolations` reads them. Also the console's "Refused to …". */
export async function recordCspViolations(context: BrowserContext): Promise<string[]> {
  const refused: string[] = [];
  await context.addInitScript(() => {
    window.peerdeskCspViolations = [];
    document.addEventListener('securitypolicyviolation', (event) => {
      window.peerdeskCspViolations.push(
        `${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} in ${event.documentURI}`,
      );
    });
  });
  const watch = (page: Page) =>
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
    });
  context.pages().forEach(watch);
  context.on('page', watch);
  return refused;
}

/** The violations every frame of the page recorded so far. */
export async function cspViolations(page: Page): Promise<string[]> {
  const all: string[] = [];
  for (const frame of page.frames()) {
    const seen = await frame
      .evaluate(() => window.peerdeskCspViolations ?? [])
      .catch(() => [] as string[]);
    all.push(...seen);
  }
  return all;
}

export type DemoChat = {
  visitor: Page;
  widget: FrameLocator;
  helper: Page;
  /** The helper's chat panel with this visitor. */
  panel: Locator;
  /** The visitor's message, seen by the helper. */
  visitorSays(text: string): Promise<void>;
  /** The helper's message, seen by the visitor. */
  helperSays(text: string): Promise<void>;
};

export async function startDemoChat(
  browser: Browser,
  options: {
    helper: string;
    visitorName: string;
    /** The service to use when not the worker's (`baseURL` of the fixtures). */
    baseURL?: string;
    question: string;
    /** Options of the visitor's context (the helper's are signInHelper's). */
    visitorContext?: BrowserContextOptions;
    /** Called with each new context before its first page loads. */
    prepare?: (context: BrowserContext, who: 'visitor' | 'helper') => Promise<void>;
  },
): Promise<DemoChat> {
  const helper = await signInHelper(browser, options.helper, {
    ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
    ...(options.prepare === undefined ? {} : { prepare: (c) => options.prepare!(c, 'helper') }),
  });
  const visitorContext = await browser.newContext({
    ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
    ...options.visitorContext,
  });
  await options.prepare?.(visitorContext, 'visitor');
  const visitor = await visitorContext.newPage();
  await visitor.goto('/demo/');
  await visitor.getByRole('button', { name: 'Chat with us' }).click();
  const widget = visitor.frameLocator('iframe[title="Chat with us"]');
  await fillPreChat(widget, { name: options.visitorName, question: options.question });

  const card = offerCard(helper, options.visitorName);
  await card.getByRole('button', { name: 'Accept' }).click(LINK_TIMEOUT);
  await expect(card).toHaveCount(0);
  const panel = helper.getByRole('tabpanel', { name: new RegExp(options.visitorName) });
  const helperLog = panel.getByRole('log', { name: `Conversation with ${options.visitorName}` });

  return {
    visitor,
    widget,
    helper,
    panel,
    async visitorSays(text) {
      await widget.getByLabel('Your message').fill(text);
      await widget.getByLabel('Your message').press('Enter');
      await expect(helperLog).toContainText(text, LINK_TIMEOUT);
    },
    async helperSays(text) {
      await panel.getByLabel('Your message').fill(text);
      await panel.getByLabel('Your message').press('Enter');
      await expect(conversation(widget).getByText(text)).toBeVisible(LINK_TIMEOUT);
    },
  };
}
