/**
 * S9 file transfer (issue 13, F13), in headless Chromium: one 10 MB file from a helper
 * in the console to a visitor in the widget through our whole stack, against a bare
 * RTCPeerConnection pair in two pages sending the same number of bytes as fast as the
 * channel takes them (lib/bare-file-pair.ts), in the same run.
 *
 * Ours, each repetition on a fresh service (as S5): the chat is set up and its link
 * open, then the helper's page makes the file (random bytes) and hands it to the
 * reply box's "Attach a file" input as a person picking it would. Timed on the shared
 * clock (both pages are in one browser on one machine): from that `change` until the
 * visitor's page shows the file's download link, which it does only once every chunk
 * arrived and the whole file's SHA-256 matched (CHAT.md CH-X7). In between: the sender
 * reads and hashes the file, stores it (IndexedDB) and posts its metadata in the chat
 * document; the receiver sees it, asks for it (`want`), takes 16 KiB chunks under the
 * link's flow control (CH-X6), stores and acknowledges them in batches (CH-X7), assembles,
 * hashes and stores the file. The bare pair: from its first `send` until the last byte
 * is counted on the other page. Throughput is MB (10^6 bytes) per second.
 *
 * Memory: the receiving page's JS heap (V8's used size, and the ArrayBuffer backing
 * stores where Chromium reports them) is read over CDP every 50 ms during the transfer;
 * the figure is the peak.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import * as v from 'valibot';
import { LINK_OPEN_MARK } from '../../../app/lib/session/session-marks.ts';
import {
  bareAccept,
  bareAnswer,
  bareClose,
  bareOffer,
  bareReceive,
  bareSend,
} from '../lib/bare-file-pair.ts';
import { evaluatingContext, launchChromium } from '../lib/chromium.ts';
import { within } from '../lib/deadline.ts';
import { interleave, type Figures } from '../lib/repetitions.ts';
import { rowFrom, type ResultRow } from '../lib/results.ts';
import { startServerProcess } from '../lib/server-process.ts';
import type { ScenarioContext } from './scenario.ts';

export type S9Sizes = { bytes: number };
/** 10 MB, under the 10 MiB default cap (CH-X2). */
export const S9_FULL: S9Sizes = { bytes: 10_000_000 };
export const S9_SMOKE: S9Sizes = { bytes: 1_000_000 };

const OURS = 'ours (console → widget, file transfer)';
const BARE = 'bare RTCPeerConnection pair (two pages)';
const STEP_TIMEOUT_MS = 30_000;
const TRANSFER_TIMEOUT_MS = 120_000;
const HEAP_POLL_MS = 50;
const FILE_NAME = 'bench.bin';
/** Loopback origins (secure contexts) for the bare pages, never fetched. */
const BARE_PAGES = ['http://127.0.0.1/bench/bare-sender', 'http://127.0.0.1/bench/bare-receiver'];

const ServiceInfo = v.object({ sessions: v.array(v.string()) });
const HeapUsage = v.object({ usedSize: v.number(), backingStorageSize: v.optional(v.number()) });

/** Polls a page's heap over CDP until stopped; the peak, in bytes. */
async function heapWatch(context: BrowserContext, page: Page) {
  const cdp = await context.newCDPSession(page);
  const read = async () => {
    const usage = v.parse(HeapUsage, await cdp.send('Runtime.getHeapUsage'));
    return usage.usedSize + (usage.backingStorageSize ?? 0);
  };
  let peak = await read();
  let running = true;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, await read());
      await new Promise((resolve) => setTimeout(resolve, HEAP_POLL_MS));
    }
  })();
  return {
    async stop(): Promise<number> {
      running = false;
      await loop;
      peak = Math.max(peak, await read());
      await cdp.detach();
      return peak;
    },
  };
}

/** When the page's session marked its first open link. */
function linkOpen(page: Page): Promise<unknown> {
  return page.evaluate(
    (name) =>
      new Promise<void>((resolve) => {
        const observer = new PerformanceObserver((list) => {
          if (list.getEntriesByName(name).length === 0) return;
          observer.disconnect();
          resolve();
        });
        observer.observe({ type: 'mark', buffered: true });
      }),
    LINK_OPEN_MARK,
  );
}

/** Resolves, on the shared clock, when the page shows a download link for `name`. */
function downloadShown(page: Page, name: string): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve) => {
        const found = () =>
          [...document.querySelectorAll('a[download]')].some(
            (a) => a.textContent?.trim() === `Download ${name}`,
          );
        if (found()) return resolve(performance.timeOrigin + performance.now());
        const observer = new MutationObserver(() => {
          if (!found()) return;
          observer.disconnect();
          resolve(performance.timeOrigin + performance.now());
        });
        observer.observe(document.body, { childList: true, subtree: true, attributes: true });
      }),
    name,
  );
}

async function ourRound(browser: Browser, sizes: S9Sizes): Promise<Figures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'peerdesk-bench-s9-'));
  const server = await startServerProcess('service', { dataDir, helpers: 1, chatLimit: 1 });
  try {
    const [token] = v.parse(ServiceInfo, server.info).sessions;
    const baseURL = `http://127.0.0.1:${server.port}`;
    const helperContext = await evaluatingContext(browser, { baseURL });
    await helperContext.addInitScript(
      (t) => sessionStorage.setItem('peerdesk.console.token', t),
      token!,
    );
    const visitorContext = await evaluatingContext(browser, { baseURL });
    try {
      const helper = await helperContext.newPage();
      await helper.goto('/console');
      await helper
        .getByRole('status')
        .filter({ hasText: /^Connected$/ })
        .waitFor({ timeout: STEP_TIMEOUT_MS });
      const visitor = await visitorContext.newPage();
      await visitor.goto('/widget');
      await visitor.getByLabel('Name', { exact: true }).fill('Vera');
      await visitor.getByLabel('Question').fill('Can you send me the guide?');
      await visitor.getByRole('button', { name: 'Start chat' }).click();
      const opened = Promise.all([linkOpen(helper), linkOpen(visitor)]);
      await helper
        .getByRole('button', { name: 'Accept chat with Vera' })
        .click({ timeout: STEP_TIMEOUT_MS });
      await within('the link to open on both sides', opened, STEP_TIMEOUT_MS);

      const input = helper.getByLabel('Attach a file');
      await input.waitFor({ state: 'attached', timeout: STEP_TIMEOUT_MS });
      const heap = await heapWatch(visitorContext, visitor);
      const arrived = downloadShown(visitor, FILE_NAME);
      const started = await input.evaluate(
        (element: HTMLInputElement, { bytes, name }) => {
          const data = new Uint8Array(bytes);
          for (let i = 0; i < bytes; i += 65536) {
            crypto.getRandomValues(data.subarray(i, i + 65536));
          }
          const files = new DataTransfer();
          files.items.add(new File([data], name, { type: 'application/octet-stream' }));
          element.files = files.files;
          const at = performance.timeOrigin + performance.now();
          element.dispatchEvent(new Event('change', { bubbles: true }));
          return at;
        },
        { bytes: sizes.bytes, name: FILE_NAME },
      );
      const done = await within('the file to arrive', arrived, TRANSFER_TIMEOUT_MS);
      const peakHeap = await heap.stop();
      return { throughput: sizes.bytes / 1e6 / ((done - started) / 1000), peakHeap };
    } finally {
      await helperContext.close();
      await visitorContext.close();
    }
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function barePage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.route(url, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>bare pair</title>' }),
  );
  await page.goto(url);
  return page;
}

async function bareRound(browser: Browser, sizes: S9Sizes): Promise<Figures> {
  // Two contexts, as our two people: two renderer processes.
  const senderContext = await evaluatingContext(browser);
  const receiverContext = await evaluatingContext(browser);
  try {
    const sender = await barePage(senderContext, BARE_PAGES[0]!);
    const receiver = await barePage(receiverContext, BARE_PAGES[1]!);
    const offer = await sender.evaluate(bareOffer);
    const answer = await receiver.evaluate(bareAnswer, offer);
    await within('the bare channel to open', sender.evaluate(bareAccept, answer), STEP_TIMEOUT_MS);
    const heap = await heapWatch(receiverContext, receiver);
    const arrived = receiver.evaluate(bareReceive, sizes.bytes);
    const started = await sender.evaluate(bareSend, sizes.bytes);
    const done = await within('the bare bytes to arrive', arrived, TRANSFER_TIMEOUT_MS);
    const peakHeap = await heap.stop();
    await sender.evaluate(bareClose);
    await receiver.evaluate(bareClose);
    return { throughput: sizes.bytes / 1e6 / ((done - started) / 1000), peakHeap };
  } finally {
    await senderContext.close();
    await receiverContext.close();
  }
}

export async function runS9(context: ScenarioContext, sizes: S9Sizes): Promise<ResultRow[]> {
  // On every core, as S5: two pages are two renderers, as two people's browsers are.
  const browser = await launchChromium({ everyCore: true });
  try {
    const samples = await interleave([OURS, BARE], context.plan, (name) =>
      name === OURS ? ourRound(browser, sizes) : bareRound(browser, sizes),
    );
    const megabytes = (sizes.bytes / 1e6).toFixed(0);
    return [
      rowFrom(samples, {
        scenario: 'S9',
        metric: `throughput of a ${megabytes} MB file between two pages`,
        figure: 'throughput',
        unit: 'MB/s',
        better: 'higher',
        ours: OURS,
        peers: [BARE],
        // Ours ≥ 0.8× the bare pair: peer ÷ ours ≤ 1.25.
        target: { on: 'ratio', max: 1.25 },
      }),
      rowFrom(samples, {
        scenario: 'S9',
        metric: 'peak JS heap of the receiving page during the transfer',
        figure: 'peakHeap',
        unit: 'MB',
        better: 'lower',
        ours: OURS,
        peers: [BARE],
        scale: 1 / 1e6,
      }),
    ];
  } finally {
    await browser.close();
  }
}
