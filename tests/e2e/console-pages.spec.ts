/**
 * F11 and unread counts in the console, with the real widget as the visitor: a
 * host page on another origin (served by the test) frames /widget and tells it
 * the pages the visitor views, as the embed loader does. Page views, before and
 * during the chat, appear in the helper's conversation as notices; a message
 * in a tab not shown counts as unread on its tab.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';
import { SocketVisitor, closeAllContexts, offerCard, signInHelper } from './console-steps.ts';
import { PRIVACY_ACK, ownService } from './support/widget-drivers.ts';

// The worker's service outlives a test: signed-in helpers must not stay available for the next.
test.afterEach(closeAllContexts);

const LINK_TIMEOUT = { timeout: 30_000 };

/** A host site page that frames the widget and reports page views by postMessage. */
async function hostPage(browser: Browser, baseURL: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  const widgetOrigin = new URL(baseURL).origin;
  const html = `<!doctype html><title>Home</title>
<iframe id="w" title="Chat" style="width:400px;height:600px"
  src="${baseURL}/widget?host=${encodeURIComponent(HOST)}"></iframe>
<script>
  const start = Date.now();
  const pages = [{ url: '${HOST}/host-site/', title: 'Home', at: start }];
  const frame = document.getElementById('w');
  function tell() {
    frame.contentWindow.postMessage(
      { type: 'peerdesk:host', sessionStartedAt: start, landingPage: '${HOST}/host-site/', pages },
      '${widgetOrigin}',
    );
  }
  addEventListener('message', (event) => {
    if (event.origin === '${widgetOrigin}' && event.data?.type === 'peerdesk:ready') tell();
  });
  window.visit = (url, title) => {
    pages.push({ url, title, at: Date.now() });
    tell();
  };
</script>`;
  hostHtml = html;
  await page.goto(`${HOST}/host-site/`);
  return page;
}

// The host site is a real server on loopback, on its own port (so its own origin):
// Chromium refuses a page without an address (a routed one) framing a loopback one.
let hostServer: Server;
let HOST = '';
let hostHtml = '';
// The widget may be framed only by the allowed embedding origins (frame-ancestors), so
// this file has a service of its own that lists the host site.
let service: { baseURL: string; stop(): Promise<void> };
test.beforeAll(async () => {
  test.setTimeout(120_000);
  hostServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' }).end(hostHtml);
  });
  await new Promise<void>((resolve) => hostServer.listen(0, '127.0.0.1', resolve));
  HOST = `http://127.0.0.1:${(hostServer.address() as AddressInfo).port}`;
  service = await ownService({ ALLOWED_ORIGINS: HOST });
});
test.afterAll(async () => {
  await service.stop();
  await new Promise((resolve) => hostServer.close(resolve));
});

test('F11 page views show in the chat as notices; messages in a hidden tab count as unread', async ({
  browser,
}) => {
  test.setTimeout(90_000);
  const baseURL = service.baseURL;
  const alice = await signInHelper(browser, 'alice', { baseURL });
  const host = await hostPage(browser, baseURL);
  const widget = host.frameLocator('iframe[title="Chat"]');
  await widget.getByLabel('Name').fill('Vera');
  await widget.getByLabel('Question').fill('Which plan do I need?');
  await widget.getByRole('checkbox', { name: PRIVACY_ACK }).check();
  await widget.getByRole('button', { name: 'Start chat' }).click();

  await offerCard(alice, 'Vera').getByRole('button', { name: 'Accept' }).click();
  const panel = alice.getByRole('tabpanel', { name: 'Vera' });
  const log = panel.getByRole('log', { name: 'Conversation with Vera' });
  await expect(log).toContainText('Vera is viewing Home', LINK_TIMEOUT);

  // A pushState-style navigation on the host site, during the chat.
  await host.evaluate(() =>
    (window as unknown as { visit: (u: string, t: string) => void }).visit(
      `${location.origin}/host-site/pricing`,
      'Pricing',
    ),
  );
  await expect(log).toContainText('Vera is viewing Pricing', LINK_TIMEOUT);
  await expect(log).toContainText('/host-site/pricing');

  // Another chat takes the screen; Vera's message then waits as unread on her tab.
  const ben = await SocketVisitor.connect(baseURL);
  ben.request('Ben', 'Hello?');
  await offerCard(alice, 'Ben').getByRole('button', { name: 'Accept' }).click();
  await alice.getByRole('tab', { name: 'Ben' }).click();
  await widget.getByLabel('Your message').fill('Is the yearly plan cheaper?');
  await widget.getByLabel('Your message').press('Enter');
  const veraTab = alice.getByRole('tab', { name: /Vera/ });
  await expect(veraTab).toContainText('1 unread', LINK_TIMEOUT);
  await veraTab.click();
  await expect(veraTab).not.toContainText('unread');
  await expect(log).toContainText('Is the yearly plan cheaper?');
  await ben.leave();
  await panel.getByRole('button', { name: 'End chat' }).click();
  await alice
    .getByRole('dialog', { name: 'End this chat?' })
    .getByRole('button', { name: 'End chat' })
    .click();
  await expect(panel.getByRole('status').filter({ hasText: 'The chat has ended' })).toBeVisible();
});
