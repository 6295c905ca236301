/**
 * Issue 16: steps the XSS corpus specs share to put payloads through the service's
 * HTTP API from Node (signed in as demo staff, or the admin) and to open a view once
 * in Chromium under the guards (xss-guards.ts): a staff page with the console's
 * sign-in, and the emails the service sent, rendered as a mail reader would.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { simpleParser } from 'mailparser';
import { expect } from '../fixtures.ts';
import {
  parseMessage,
  type BlockNode,
  type InlineNode,
} from '../../../app/lib/messages/message-format.ts';
import type { FollowUpStarted } from '../../../protocol/index.ts';
import { XSS_FLAG } from '../../fixtures/xss-corpus.ts';
import { SocketVisitor } from '../console-steps.ts';
import { startService } from './service.ts';
import type { XssGuards } from './xss-guards.ts';

/** The password of every demo account; the specs give the admin the same one. */
export const STAFF_PASSWORD = 'demo-pass';

/** A service of the test's own with no SMTP server: it writes each email it sends as
 * an `.eml` file in DATA_DIR/mail (the mailer's file mode), which `emailsSent` reads.
 * The admin signs in with the demo accounts' password. */
export async function serviceWithMailFolder(
  env: Record<string, string> = {},
): Promise<{ baseURL: string; emailsSent(): Promise<SentEmail[]>; stop(): Promise<void> }> {
  const service = await startService({
    env: { ADMIN_PASSWORD: STAFF_PASSWORD, ...env },
    readyTimeoutMs: 90_000,
  });
  const folder = join(service.dataDir, 'mail');
  return {
    baseURL: service.url,
    async emailsSent() {
      const files = (await readdir(folder).catch(() => [] as string[])).filter((f) =>
        f.endsWith('.eml'),
      );
      return Promise.all(
        files.map(async (file) => {
          const mail = await simpleParser(await readFile(join(folder, file)));
          const to = Array.isArray(mail.to) ? mail.to : mail.to === undefined ? [] : [mail.to];
          return {
            to: to.flatMap((a) => a.value.map((v) => v.address ?? '')),
            subject: mail.subject ?? '',
            html: typeof mail.html === 'string' ? mail.html : '',
          };
        }),
      );
    },
    stop: () => service.stop(),
  };
}

export type SentEmail = { to: string[]; subject: string; html: string };

/** A staff session token, as the console's sign-in gets one. */
export async function staffToken(baseURL: string, nickname: string): Promise<string> {
  const response = await fetch(`${baseURL}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nickname, password: STAFF_PASSWORD }),
  });
  expect(response.status, `sign-in of ${nickname}`).toBe(200);
  return ((await response.json()) as { token: string }).token;
}

/** One call of the service's HTTP API (`auth`: an Authorization header, or '' for a
 * visitor's call); a status other than `expected` fails the test with the answer. */
export async function callApi<T>(
  baseURL: string,
  auth: string,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  path: string,
  body?: unknown,
  expected = method === 'POST' ? [200, 201] : [200],
): Promise<T> {
  const response = await fetch(`${baseURL}${path}`, {
    method,
    headers: {
      ...(auth === '' ? {} : { authorization: auth }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  expect(expected, `${method} ${path} answered ${response.status}: ${text}`).toContain(
    response.status,
  );
  return JSON.parse(text) as T;
}

/** What a visitor who left a message holds: their token and the message's id. */
export type LeftMessage = { visitorToken: string; messageId: string };

/** Nobody is signed in: Lena leaves a message over the widget's socket, which becomes
 * a ticket (SP-TK1). */
export async function leaveMessage(baseURL: string): Promise<LeftMessage> {
  const visitor = await SocketVisitor.connect(baseURL);
  const welcome = await visitor.next('welcome');
  visitor.send({
    type: 'leave_message',
    name: 'Lena',
    email: 'lena@example.test',
    department: 'general',
    message: 'Printing is slow',
  });
  const left = await visitor.next('message_left');
  visitor.close();
  return { visitorToken: welcome.token, messageId: left.id };
}

/** SP-TK3: the follow-up link of the ticket the message became, as the widget asks for it. */
export function startFollowUp(baseURL: string, left: LeftMessage): Promise<FollowUpStarted> {
  return callApi<FollowUpStarted>(baseURL, '', 'POST', '/api/follow-up/start', left);
}

/** Runs `act` on every item, `size` at a time (HTTP calls in parallel rather than
 * one round trip after another). */
export async function inBatches<T>(
  items: readonly T[],
  size: number,
  act: (item: T, index: number) => Promise<unknown>,
): Promise<void> {
  for (let start = 0; start < items.length; start += size) {
    await Promise.all(items.slice(start, start + size).map((item, j) => act(item, start + j)));
  }
}

/** A console page (`path`) opened once, signed in with `token` as the console keeps
 * it (session storage), under the guards from its first script. */
export async function staffPage(
  browser: Browser,
  baseURL: string,
  token: string,
  guards: XssGuards,
  path: string,
): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  await guards.watch(context);
  // The service's documents only: the new page's first about:blank has no storage.
  await context.addInitScript(
    ({ t, origin }) => {
      if (location.origin === origin) sessionStorage.setItem('peerdesk.console.token', t);
    },
    { t: token, origin: new URL(baseURL).origin },
  );
  const page = await context.newPage();
  await page.goto(path);
  return page;
}

/** Removes every whitespace character: views and emails break lines differently. */
export const squeeze = (text: string) => text.replace(/\s+/g, '');

function inlineText(nodes: readonly InlineNode[]): string {
  return nodes
    .map((n) =>
      n.kind === 'text' || n.kind === 'code'
        ? n.text
        : n.kind === 'break'
          ? '\n'
          : inlineText(n.children),
    )
    .join('');
}

function blockText(nodes: readonly BlockNode[]): string {
  return nodes
    .map((n) => {
      switch (n.kind) {
        case 'paragraph':
          return inlineText(n.children);
        case 'codeblock':
          return n.text;
        case 'quote':
          return blockText(n.children);
        case 'list':
          return n.items.map(blockText).join('');
      }
    })
    .join('');
}

/** The text a formatted message (F12) shows once its markdown is read, whitespace
 * squeezed: what a view's `.formatted` element must hold for the payload, as text. */
export const formattedText = (body: string) => squeeze(blockText(parseMessage(body)));

/** The only elements a formatted message may be built of (F12). */
export const FORMATTED_ELEMENTS = 'p, br, strong, em, del, code, pre, a, ul, ol, li, blockquote';

/**
 * The emails' HTML opened in Chromium as a mail reader shows it: each in an iframe
 * of its own (srcdoc, not sandboxed, so a script in it would run), on a page of the
 * service's origin. With `csp`, the page carries the policy the service sends with
 * its own pages (the frames inherit it), so an attempt shows as a violation; without,
 * nothing but the HTML itself stands between a payload and the page.
 */
export async function openEmails(
  browser: Browser,
  baseURL: string,
  guards: XssGuards,
  htmls: readonly string[],
  csp: boolean,
): Promise<Page> {
  const policy = (await fetch(`${baseURL}/follow-up`)).headers.get('content-security-policy');
  expect(policy, 'the service sends a page policy').toBeTruthy();
  const context = await browser.newContext({ baseURL });
  await guards.watch(context);
  const page = await context.newPage();
  const quote = (html: string) => html.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  await page.route(`${baseURL}/xss-email-preview`, (route) =>
    route.fulfill({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      headers: csp ? { 'content-security-policy': policy! } : {},
      body: [
        '<!doctype html><html><head><meta charset="utf-8"><title>Emails</title></head><body>',
        ...htmls.map(
          (html, i) => `<iframe title="Email ${i + 1}" srcdoc="${quote(html)}"></iframe>`,
        ),
        '</body></html>',
      ].join('\n'),
    }),
  );
  // The load event waits for every frame.
  await page.goto('/xss-email-preview', { waitUntil: 'load', timeout: 60_000 });
  const loaded = await page.evaluate(() =>
    [...document.querySelectorAll('iframe')].map((f) => f.contentDocument?.readyState ?? 'none'),
  );
  expect(loaded).toEqual(htmls.map(() => 'complete'));
  return page;
}

/** Per email: what fired in its frame (nothing, when all is well), its body's text, the text of each formatted entry (whitespace squeezed), every element
 * of its body that is neither the layout's (div) nor the formatting subset's, and
 * its links. */
export async function emailBodies(
  page: Page,
): Promise<
  { text: string; formatted: string[]; foreign: string[]; hrefs: string[]; fired: string[] }[]
> {
  return page.evaluate(
    ({ allowed, flag }) =>
      [...document.querySelectorAll('iframe')].map((frame) => {
        const body = frame.contentDocument!.body;
        // What the guards' init script records in each frame (xss-guards.ts), read
        // from here in one call: one call per frame took seconds each under load.
        const w = frame.contentWindow as unknown as Record<string, unknown>;
        const fired = [
          ...(w[flag] === undefined ? [] : [`${flag} set`]),
          ...((w.peerdeskXssTraps as string[] | undefined) ?? []),
          ...((w.peerdeskCspViolations as string[] | undefined) ?? []),
        ];
        return {
          fired,
          text: body.textContent ?? '',
          formatted: [...body.querySelectorAll('.formatted')].map((f) =>
            (f.textContent ?? '').replace(/\s+/g, ''),
          ),
          foreign: [...body.querySelectorAll('*')]
            .filter((e) => !e.matches(allowed))
            .map((e) => e.outerHTML.slice(0, 200)),
          hrefs: [...body.querySelectorAll('a')].map((a) => a.getAttribute('href') ?? ''),
        };
      }),
    { allowed: `div, ${FORMATTED_ELEMENTS}`, flag: XSS_FLAG },
  );
}
