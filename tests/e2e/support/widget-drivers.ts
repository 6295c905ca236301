/**
 * Drivers for the widget's end-to-end tests: a helper in their own browser context
 * in the console (signed in through the HTTP API, so these tests do not depend
 * on the sign-in form), and a helper as a bare staff WebSocket from the test (for
 * actions driven from the test itself, such as blocking). Controls are found by
 * role and label.
 */
import { expect, type Browser, type FrameLocator, type Locator, type Page } from '@playwright/test';
import WebSocket from 'ws';
import { test as base } from './base-test.ts';
import { startService, startServiceAt } from './service.ts';

export const LINK_TIMEOUT = { timeout: 30_000 };

async function signIn(baseURL: string, nickname: string): Promise<string> {
  const response = await fetch(`${baseURL}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nickname, password: 'demo-pass' }),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { token: string };
  return body.token;
}

/** A helper in the real console (/console), available, waiting for an offer. */
export async function consoleHelper(
  browser: Browser,
  baseURL: string,
  nickname = 'alice',
  /** Runs in the page before the app (instrumentation for a test). */
  initScript?: () => void,
): Promise<Page> {
  const token = await signIn(baseURL, nickname);
  const context = await browser.newContext({ baseURL });
  // The service's documents only: a new page's first about:blank frame has no storage
  // of its own, and writing to it throws "Access is denied" (a page error).
  await context.addInitScript(
    ({ t, origin }) => {
      if (location.origin === origin) sessionStorage.setItem('peerdesk.console.token', t);
    },
    { t: token, origin: new URL(baseURL).origin },
  );
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  await page.goto('/console');
  await expect(page.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible(
    LINK_TIMEOUT,
  );
  return page;
}

/** Anything the visitor's widget is in: the standalone page or the iframe on a host page. */
export type WidgetScope = Page | FrameLocator;

export async function fillPreChat(
  widget: WidgetScope,
  details: { name: string; question: string; email?: string; department?: string },
): Promise<void> {
  await widget.getByLabel('Name', { exact: true }).fill(details.name);
  if (details.email !== undefined) {
    await widget.getByLabel('Email (optional, needed for a transcript)').fill(details.email);
  }
  if (details.department !== undefined) {
    await widget.getByLabel('Department').selectOption({ label: details.department });
  }
  await widget.getByLabel('Question').fill(details.question);
  // SP-PN1: the e2e services run in demo mode, which shows a privacy notice (SP-PN2).
  await widget.getByRole('checkbox', { name: PRIVACY_ACK }).check();
  await widget.getByRole('button', { name: 'Start chat' }).click();
}

/** The pre-chat form's acknowledgement of the privacy notice (SPEC.md SP-PN2). */
export const PRIVACY_ACK = 'I have read the privacy notice';

/** The widget's iframe on a host page (the /demo site). */
export const chatFrame = (page: Page): FrameLocator =>
  page.frameLocator('iframe[title="Chat with us"]');

export const conversation = (scope: WidgetScope): Locator =>
  scope.getByRole('log', { name: 'Conversation' });

/** A bare staff connection: enough to accept an offer and act on the chat. */
export class StaffSocket {
  readonly messages: { type: string; [key: string]: unknown }[] = [];
  readonly #waiters: (() => void)[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as { type: string });
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  /** Signed in and welcomed; `available: false` for one who only watches or acts. */
  static async open(
    baseURL: string,
    nickname: string,
    { available = true }: { available?: boolean } = {},
  ): Promise<StaffSocket> {
    const token = await signIn(baseURL, nickname);
    const socket = new WebSocket(`${baseURL.replace(/^http/, 'ws')}/ws/staff`);
    const staff = new StaffSocket(socket);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    staff.send({ type: 'hello', v: 1, session: token, chats: [], available });
    await staff.next((m) => m.type === 'welcome');
    return staff;
  }

  send(msg: object): void {
    this.socket.send(JSON.stringify(msg));
  }

  /** The first message (already heard or still to come) that matches. */
  async next(
    match: (msg: { type: string; [key: string]: unknown }) => boolean,
  ): Promise<{ type: string; [key: string]: unknown }> {
    for (;;) {
      const found = this.messages.find(match);
      if (found) return found;
      await new Promise<void>((wake) => this.#waiters.push(wake));
    }
  }

  close(): void {
    this.socket.close();
  }
}

const SERVICE_START_TIMEOUT_MS = 90_000;

/** The real service on a port and data folder the test chooses, so it can be stopped
 * and started again at the same address with the same data (B1). */
export async function serviceAt(
  port: number,
  dataDir: string,
  env: Record<string, string> = {},
): Promise<{ stop(): Promise<void> }> {
  return startServiceAt(port, dataDir, { env, readyTimeoutMs: SERVICE_START_TIMEOUT_MS });
}

/** A service of the test's own (fresh port and data), for tests that must not share
 * helpers or chats with other tests of the worker. A port lost to another process
 * between its check and the bind is retried on a new one (startService). */
export async function ownService(
  env: Record<string, string> = {},
): Promise<{ baseURL: string; stop(): Promise<void> }> {
  const service = await startService({ env, readyTimeoutMs: SERVICE_START_TIMEOUT_MS });
  return { baseURL: service.url, stop: () => service.stop() };
}

/** The e2e fixtures with `baseURL` pointing at a service of the test's own, started
 * with `serviceEnv` (`test.use({ serviceEnv: { ADMIN_PASSWORD: … } })`) if a file sets it. */
export const isolatedTest = base.extend<{
  serviceEnv: Record<string, string>;
  ownServiceURL: string;
}>({
  serviceEnv: [{}, { option: true }],
  ownServiceURL: [
    async ({ serviceEnv }, use) => {
      const service = await ownService(serviceEnv);
      try {
        await use(service.baseURL);
      } finally {
        await service.stop();
      }
    },
    // Starting a service (tsx compiles it) is slow on a loaded 2-core machine: the fixture
    // has a budget of its own rather than eating the test's.
    { timeout: SERVICE_START_TIMEOUT_MS },
  ],
  baseURL: async ({ ownServiceURL }, use) => use(ownServiceURL),
});
