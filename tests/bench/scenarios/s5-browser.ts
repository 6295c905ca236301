/**
 * S5 browser, in headless Chromium: a visitor and a helper connected through our
 * whole stack, against a bare RTCPeerConnection pair in two pages (two browser
 * contexts, as two people have it; lib/bare-two-pages.ts), the peer the targets are
 * judged against. The pair in one page (lib/bare-pair.ts), which no two people ever
 * are, stays as a reference row.
 *
 * Ours, each repetition on a fresh service (pinned to core 0, serving build/; the
 * browser may use both cores, see runS5): the visitor asks in the widget
 * (/widget) in one browser context, a seeded helper signed in to the console
 * (/console) in another gets the offer. Timed:
 * - accept → open: from the helper's click on Accept (the page's clock) until the
 *   data channel is open on both sides, from the `peerdesk:link-open` User Timing
 *   mark each page's session makes (LINK_OPEN_MARK). Between the two: the accept over
 *   the WebSocket, the service's core, the chat announced to both, each session
 *   opening its document (IndexedDB), the link's offer, answer and candidates
 *   relayed through the service, ICE and DTLS on loopback.
 * - round trip: the helper sends a short message and waits until the visitor's
 *   acknowledgement clears its "sending…" mark on screen: the Yjs update framed on
 *   the data channel, the visitor's permission filter and apply, the ack back, the
 *   helper's view. One untimed first; the figure is the median of the rest.
 * The bare pairs: from the first `new RTCPeerConnection` until both channels are
 * open, and 64-byte messages echoed back. The two-page pair is signalled through the
 * runner (the descriptions, then each candidate as it is found, as a signalling
 * server relays them), so its open includes page round trips through Playwright, as
 * ours includes the relay through the service.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import * as v from 'valibot';
import { LINK_OPEN_MARK } from '../../../app/lib/session/session-marks.ts';
import { barePairInPage } from '../lib/bare-pair.ts';
import {
  pairAccept,
  pairAddCandidate,
  pairAnswer,
  pairClose,
  pairOffer,
  pairOpenedAt,
  pairRoundTrips,
} from '../lib/bare-two-pages.ts';
import { evaluatingContext, launchChromium } from '../lib/chromium.ts';
import { within } from '../lib/deadline.ts';
import { interleave, type Figures } from '../lib/repetitions.ts';
import { rowFrom, type ResultRow } from '../lib/results.ts';
import { startServerProcess } from '../lib/server-process.ts';
import { median } from '../lib/stats.ts';
import type { ScenarioContext } from './scenario.ts';

export type S5Sizes = { roundTrips: number };
export const S5_FULL: S5Sizes = { roundTrips: 50 };
export const S5_SMOKE: S5Sizes = { roundTrips: 10 };

const OURS = 'ours (service, session, link)';
const BARE_TWO = 'bare RTCPeerConnection pair (two pages)';
const BARE_ONE = 'bare RTCPeerConnection pair (one page)';
const STEP_TIMEOUT_MS = 30_000;
/** Where the bare pair's page is: a loopback origin (a secure context), never fetched. */
const BARE_PAGE = 'http://127.0.0.1/bench/bare-pair';

const ServiceInfo = v.object({ sessions: v.array(v.string()) });

/** When the page's session marked its first open link, on the page's own clock. */
function linkOpenedAt(page: Page): Promise<number> {
  return page.evaluate(
    (name) =>
      new Promise<number>((resolve) => {
        const observer = new PerformanceObserver((list) => {
          const mark = list.getEntriesByName(name)[0];
          if (mark === undefined) return;
          observer.disconnect();
          resolve(performance.timeOrigin + mark.startTime);
        });
        observer.observe({ type: 'mark', buffered: true });
      }),
    LINK_OPEN_MARK,
  );
}

/** Sends `count + 1` messages from the console one at a time; the time from each
 * submit until its "Sending…" mark is gone (the peer's ack), the first one untimed. */
function roundTrips(page: Page, count: number): Promise<number[]> {
  return page.evaluate(async (count) => {
    const box = document.querySelector<HTMLTextAreaElement>('textarea[id^="reply-"]');
    // The chat's own log, in the box's panel: the console has other logs (the
    // Contributors room, an earlier conversation).
    const log = box?.closest('[role="tabpanel"]')?.querySelector('[role="log"]') ?? null;
    if (box === null || box.form === null || log === null) throw new Error('no chat on the page');
    const form = box.form;
    const times: number[] = [];
    for (let i = 0; i <= count; i++) {
      const body = `round trip ${i}`;
      const acked = new Promise<void>((resolve) => {
        const done = (): boolean =>
          [...log.querySelectorAll('li')].some(
            (li) =>
              li.querySelector('.body')?.textContent === body &&
              !(li.textContent ?? '').includes('Sending'),
          );
        const observer = new MutationObserver(() => {
          if (!done()) return;
          observer.disconnect();
          resolve();
        });
        observer.observe(log, { childList: true, subtree: true, characterData: true });
      });
      // What typing does (Svelte's binding listens to `input`), then Send.
      box.value = body;
      box.dispatchEvent(new Event('input', { bubbles: true }));
      const sent = performance.now();
      form.requestSubmit();
      await acked;
      if (i > 0) times.push(performance.now() - sent);
    }
    return times;
  }, count);
}

async function ourRound(browser: Browser, sizes: S5Sizes): Promise<Figures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'peerdesk-bench-s5-'));
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
        .waitFor();
      const visitor = await visitorContext.newPage();
      await visitor.goto('/widget');
      await visitor.getByLabel('Name', { exact: true }).fill('Vera');
      await visitor.getByLabel('Question').fill('How fast is this?');
      await visitor.getByRole('button', { name: 'Start chat' }).click();
      const accept = helper.getByRole('button', { name: 'Accept chat with Vera' });
      await accept.waitFor({ timeout: STEP_TIMEOUT_MS });

      const opened = Promise.all([linkOpenedAt(helper), linkOpenedAt(visitor)]);
      const acceptedAt = await accept.evaluate((button: HTMLButtonElement) => {
        const at = performance.timeOrigin + performance.now();
        button.click();
        return at;
      });
      const openedAt = await within('the link to open on both sides', opened, STEP_TIMEOUT_MS);
      const acceptToOpenMs = Math.max(...openedAt) - acceptedAt;

      await helper.locator('textarea[id^="reply-"]').waitFor();
      const times = await within(
        'the round trips',
        roundTrips(helper, sizes.roundTrips),
        STEP_TIMEOUT_MS,
      );
      return { acceptToOpenMs, roundTripMs: median(times) };
    } finally {
      await helperContext.close();
      await visitorContext.close();
    }
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** An empty page at the bare pairs' loopback origin (a secure context), never fetched. */
async function barePage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.route(BARE_PAGE, (route) =>
    route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>bare pair</title>' }),
  );
  await page.goto(BARE_PAGE);
  return page;
}

/** Two contexts, one page each, signalled through the runner. */
async function bareTwoPagesRound(browser: Browser, sizes: S5Sizes): Promise<Figures> {
  const contexts = [await evaluatingContext(browser), await evaluatingContext(browser)];
  try {
    const [first, second] = await Promise.all(contexts.map((context) => barePage(context)));
    // The runner is the signalling server: each page's candidates go to the other.
    await first!.exposeFunction('pairToPeer', (json: string) =>
      second!.evaluate(pairAddCandidate, json),
    );
    await second!.exposeFunction('pairToPeer', (json: string) =>
      first!.evaluate(pairAddCandidate, json),
    );
    const run = async () => {
      const offer = await first!.evaluate(pairOffer);
      const answer = await second!.evaluate(pairAnswer, offer.sdp);
      await first!.evaluate(pairAccept, answer);
      const openedAt = await Promise.all([
        first!.evaluate(pairOpenedAt),
        second!.evaluate(pairOpenedAt),
      ]);
      const times = await first!.evaluate(pairRoundTrips, { count: sizes.roundTrips, bytes: 64 });
      await Promise.all([first!.evaluate(pairClose), second!.evaluate(pairClose)]);
      return {
        acceptToOpenMs: Math.max(...openedAt) - offer.startedAt,
        roundTripMs: median(times),
      };
    };
    return await within('the bare pair in two pages', run(), STEP_TIMEOUT_MS);
  } finally {
    for (const context of contexts) await context.close();
  }
}

async function bareRound(browser: Browser, sizes: S5Sizes): Promise<Figures> {
  const context = await evaluatingContext(browser);
  try {
    const page = await barePage(context);
    const times = await within(
      'the bare pair',
      page.evaluate(barePairInPage, { roundTrips: sizes.roundTrips, bytes: 64 }),
      STEP_TIMEOUT_MS,
    );
    return { acceptToOpenMs: times.openMs, roundTripMs: median(times.roundTripMs) };
  } finally {
    await context.close();
  }
}

export async function runS5(context: ScenarioContext, sizes: S5Sizes): Promise<ResultRow[]> {
  // On every core, as a visitor's browser: pinned to the runner's one core, our two
  // pages' renderers would take turns with the browser and network processes, which
  // the bare pair (one renderer) hardly needs; that tripled our round trip here.
  const browser = await launchChromium({ everyCore: true });
  try {
    const samples = await interleave([OURS, BARE_TWO, BARE_ONE], context.plan, (name) =>
      name === OURS
        ? ourRound(browser, sizes)
        : name === BARE_TWO
          ? bareTwoPagesRound(browser, sizes)
          : bareRound(browser, sizes),
    );
    const spec = {
      scenario: 'S5' as const,
      ours: OURS,
      better: 'lower' as const,
      unit: 'ms',
    };
    const open = 'accept → data channel open on both sides';
    const roundTrip = `data-channel round trip, median of ${sizes.roundTrips}`;
    return [
      rowFrom(samples, {
        ...spec,
        peers: [BARE_TWO],
        metric: open,
        figure: 'acceptToOpenMs',
        target: { on: 'ratio', max: 1.2 },
      }),
      rowFrom(samples, {
        ...spec,
        peers: [BARE_TWO],
        metric: roundTrip,
        figure: 'roundTripMs',
        target: { on: 'ratio', max: 1.5 },
      }),
      // The pair in one page: a reference, not a target (no two people share a page).
      rowFrom(samples, {
        ...spec,
        peers: [BARE_ONE],
        metric: `${open}, against the pair in one page`,
        figure: 'acceptToOpenMs',
      }),
      rowFrom(samples, {
        ...spec,
        peers: [BARE_ONE],
        metric: `${roundTrip}, against the pair in one page`,
        figure: 'roundTripMs',
      }),
    ];
  } finally {
    await browser.close();
  }
}
