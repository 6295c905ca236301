/**
 * Sessions end when chats end (issue 11): a helper ends 20 chats in one console
 * tab, and the page lets go of every chat's documents, stores and peer connections
 * and stops re-announcing the chats in its hello. Counts come from the app's
 * read-only `window.peerdeskDebug` (app/lib/session/resource-counts.ts) and, for
 * RTCPeerConnections, from the browser's own objects, wrapped before the app loads.
 * The first chat is with a real widget visitor (a real WebRTC link); the other 19
 * visitors speak over raw WebSockets.
 */
import type { Page } from '@playwright/test';
import { expect } from './fixtures.ts';
import { SocketVisitor, offerCard } from './console-steps.ts';
import {
  LINK_TIMEOUT,
  consoleHelper,
  fillPreChat,
  isolatedTest as test,
} from './support/widget-drivers.ts';

declare global {
  interface Window {
    peerdeskDebug: { sessions: number; docs: number; stores: number; heldChats: number };
    openPeerConnections: () => number;
  }
}

function countPeerConnections(): void {
  const Real = window.RTCPeerConnection;
  const all = new Set<RTCPeerConnection>();
  window.RTCPeerConnection = class extends Real {
    constructor(...args: ConstructorParameters<typeof RTCPeerConnection>) {
      super(...args);
      all.add(this);
    }
  };
  window.openPeerConnections = () => [...all].filter((pc) => pc.signalingState !== 'closed').length;
}

const counts = (page: Page) =>
  page.evaluate(() => ({
    sessions: window.peerdeskDebug.sessions,
    docs: window.peerdeskDebug.docs,
    stores: window.peerdeskDebug.stores,
    heldChats: window.peerdeskDebug.heldChats,
    peerConnections: window.openPeerConnections(),
  }));

/** Ends the open chat from the console and closes its tab. */
async function endAndClose(helper: Page, name: string): Promise<void> {
  const panel = helper.getByRole('tabpanel', { name });
  await panel.getByRole('button', { name: 'End chat' }).click();
  await helper
    .getByRole('dialog', { name: 'End this chat?' })
    .getByRole('button', { name: 'End chat' })
    .click();
  await expect(panel.getByRole('status').filter({ hasText: 'The chat has ended' })).toBeVisible();
  await panel.getByRole('button', { name: 'Close tab' }).click();
  await expect(helper.getByRole('tab', { name })).toHaveCount(0);
}

test('a helper ends 20 chats in one tab: sessions, documents, stores and peer connections return to the start', async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(240_000);
  const helper = await consoleHelper(browser, baseURL!, 'alice', countPeerConnections);
  const start = await counts(helper);
  expect(start).toEqual({ sessions: 0, docs: 0, stores: 0, heldChats: 0, peerConnections: 0 });

  // Chat 1: a real widget visitor, so a real peer connection is opened and must be closed.
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto('/widget');
  await fillPreChat(visitor, { name: 'Visitor 1', question: 'Is anyone there?' });
  await offerCard(helper, 'Visitor 1').getByRole('button', { name: 'Accept' }).click();
  await expect(visitor.getByRole('status').filter({ hasText: /^Connected$/ })).toBeVisible(
    LINK_TIMEOUT,
  );
  await expect.poll(() => counts(helper)).toMatchObject({ sessions: 1, heldChats: 1 });
  expect((await counts(helper)).peerConnections).toBeGreaterThan(0);
  expect((await counts(helper)).docs).toBeGreaterThan(0);
  await endAndClose(helper, 'Visitor 1');
  await expect.poll(() => counts(helper)).toEqual(start);

  for (let i = 2; i <= 20; i += 1) {
    const name = `Visitor ${i}`;
    const socket = await SocketVisitor.connect(baseURL!);
    socket.request(name, `Question ${i}`);
    await offerCard(helper, name).getByRole('button', { name: 'Accept' }).click();
    await socket.next('chat');
    await expect.poll(() => counts(helper)).toMatchObject({ sessions: 1, heldChats: 1 });
    await endAndClose(helper, name);
    await socket.next('ended');
    socket.close();
  }
  await expect.poll(() => counts(helper)).toEqual(start);
});
