/**
 * Steps shared by the console's end-to-end tests: a helper signed in to /console
 * in their own browser context, and a visitor driven over a real WebSocket from
 * the test (no WebRTC needed for queue, offers, limits, end and block; the chat
 * itself is tested with a browser visitor in the widget). Every wait is for a
 * condition, never a fixed time.
 */
import type { Browser, BrowserContext, Page, TestInfo } from '@playwright/test';
import WebSocket from 'ws';
import * as v from 'valibot';
import { PROTOCOL_VERSION, ServiceToVisitor } from '../../protocol/index.ts';
import { expect } from './fixtures.ts';
import { attachLinkTraces } from './support/base-test.ts';

/** What the alerts spy records in the page (installed before the app loads). */
declare global {
  interface Window {
    peerdeskAlerts: { notifications: string[]; beeps: number };
  }
}

export async function signInHelper(
  browser: Browser,
  nickname: string,
  options: {
    notifications?: boolean;
    baseURL?: string;
    /** Runs on the new context before its first page loads. */
    prepare?: (context: BrowserContext) => Promise<void>;
  } = {},
): Promise<Page> {
  const context = await browser.newContext({
    ...(options.notifications ? { permissions: ['notifications'] } : {}),
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
  });
  await options.prepare?.(context);
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.peerdeskAlerts = { notifications: [], beeps: 0 };
    const Real = window.Notification;
    if (Real) {
      class Spy extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          window.peerdeskAlerts.notifications.push(`${title}: ${options?.body ?? ''}`);
        }
      }
      Object.defineProperty(Spy, 'permission', { get: () => Real.permission });
      window.Notification = Spy;
    }
    const createOscillator = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function (this: AudioContext) {
      window.peerdeskAlerts.beeps += 1;
      return createOscillator.call(this);
    };
  });
  await page.goto('/console');
  await page.getByLabel('Nickname').fill(nickname);
  await page.getByLabel('Password').fill('demo-pass');
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Sign-in took 12 s on a machine at load 26: the wait is for the condition, with room.
  await expect(page.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible({
    timeout: 30_000,
  });
  return page;
}

/** Molly in the console, not taking chats herself: monitors get offers too (SP-O1). */
export async function signInMonitor(browser: Browser, baseURL: string): Promise<Page> {
  const molly = await signInHelper(browser, 'molly', { baseURL });
  const available = molly.getByRole('switch', { name: 'Available for chats' });
  await available.click();
  await expect(available).toHaveAttribute('aria-checked', 'false');
  return molly;
}

/** Closes every browser context a test opened (helpers and browser visitors). */
export async function closeAllContexts(
  { browser }: { browser: Browser },
  testInfo: TestInfo,
): Promise<void> {
  await attachLinkTraces(browser.contexts(), testInfo);
  for (const context of browser.contexts()) await context.close();
}

export const offerCard = (page: Page, name: string) =>
  page.getByRole('article', { name: `Chat offer from ${name}` });

type VisitorMessage = v.InferOutput<typeof ServiceToVisitor>;

/** A visitor on a raw WebSocket, as the widget would speak to the service. */
export class SocketVisitor {
  readonly messages: VisitorMessage[] = [];
  readonly #socket: WebSocket;
  readonly #waiters = new Set<() => void>();
  closeCode: number | null = null;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', (data: Buffer) => {
      this.messages.push(v.parse(ServiceToVisitor, JSON.parse(data.toString('utf8'))));
      for (const wake of [...this.#waiters]) wake();
    });
    socket.on('close', (code: number) => {
      this.closeCode = code;
      for (const wake of [...this.#waiters]) wake();
    });
  }

  /** Connected and welcomed. */
  static async connect(baseURL: string): Promise<SocketVisitor> {
    const visitor = await SocketVisitor.open(baseURL);
    await visitor.next('welcome');
    return visitor;
  }

  /** Connected, hello sent; the answer may be a welcome or a refusal (a block). */
  static async open(baseURL: string): Promise<SocketVisitor> {
    const socket = new WebSocket(`${baseURL.replace(/^http/, 'ws')}/ws/visitor`);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    const visitor = new SocketVisitor(socket);
    visitor.send({ type: 'hello', v: PROTOCOL_VERSION, landingPage: 'https://example.test/' });
    return visitor;
  }

  send(msg: Record<string, unknown>): void {
    this.#socket.send(JSON.stringify(msg));
  }

  request(name: string, question: string, department = 'general'): void {
    const now = Date.now();
    this.send({
      type: 'request',
      name,
      department,
      question,
      page: { url: 'https://example.test/pricing', title: 'Pricing' },
      browser: { userAgent: 'E2E visitor', language: 'en-GB' },
      sessionStartedAt: now,
      landingPage: 'https://example.test/',
    });
  }

  /** The first message of `type` from index `from` on (default: any so far). */
  async next<T extends VisitorMessage['type']>(
    type: T,
    predicate: (msg: Extract<VisitorMessage, { type: T }>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<Extract<VisitorMessage, { type: T }>> {
    const find = () =>
      this.messages.find(
        (m): m is Extract<VisitorMessage, { type: T }> =>
          m.type === type && predicate(m as Extract<VisitorMessage, { type: T }>),
      );
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found) {
          done();
          resolve(found);
        } else if (this.closeCode !== null) {
          done();
          reject(new Error(`socket closed (${this.closeCode}) before a ${type} message`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`no ${type} message within ${timeoutMs} ms: ${JSON.stringify(this.messages)}`),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Ends this visitor's chat or cancels its request, then closes: tests share one
   * service per worker, so nobody is left holding a chat for the next test. */
  async leave(): Promise<void> {
    const ended = new Set(this.messages.flatMap((m) => (m.type === 'ended' ? [m.chatId] : [])));
    const chat = this.messages.findLast((m) => m.type === 'chat');
    const queued = this.messages.findLast((m) => m.type === 'queued');
    if (this.closeCode === null && chat && !ended.has(chat.chatId)) {
      this.send({ type: 'end', chatId: chat.chatId });
      await this.next('ended', (m) => m.chatId === chat.chatId);
    } else if (this.closeCode === null && queued && !chat) {
      this.send({ type: 'cancel' });
      await this.next('cancelled');
    }
    this.close();
  }

  close(): void {
    this.#socket.close();
  }
}
