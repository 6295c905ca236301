/**
 * S8 console (issue 11): one console page in headless Chromium holding a room
 * monitor's working day at its heaviest: three chats of her own with 2,000
 * messages each, and ten chats of another helper with 500 messages each, watched in
 * tabs. Figures from that page:
 * - switch time: the work of the frame a switch lands in: the click on a chat in the
 *   list at the start of a frame (where Chromium handles input) until that frame has
 *   been styled, laid out and painted (a message posted from the frame's callback runs
 *   after it), p95 over the switches of one round: between the own chats, and between
 *   the watched ones. Target: one frame at 60 Hz (16.7 ms), reported as the ratio
 *   p95 ÷ 16.7 ms ≤ 1: then the switch shows at the next refresh. Also between an
 *   own chat and a watched one, back and forth (the chat panel and the watch panel swap). (Timed from a click
 *   between frames to the next frame, an empty frame took a whole refresh, 16.7 ms,
 *   by itself.) Beside it, the same frame without a click, and (logged) the frame after
 *   the switch's, which shows work a switch leaves behind.
 * - the switch frame's CPU time: the same switches again under a Chromium trace, the
 *   main thread's thread time of the task that holds each click (the frame's script,
 *   style, layout, paint and commit), p95: the work alone, without the waits for a core
 *   that the wall time holds on a shared machine. Reported beside the target, not for it.
 * - heap growth: the page's JS heap (V8's used size after full collections, over
 *   CDP) once every chat is loaded and has been opened, minus the same figure for the
 *   console up with no chats. That baseline is read after a warm-up: a chat of the
 *   monitor's own and one she watches, written in (3 and 200 lines), switched between,
 *   then ended or no longer watched and closed (their sessions released, issue 11
 *   point 6): the console's code for a chat and a watched chat has run and is compiled
 *   by then, so what grows afterwards is what the chats hold, not the code that shows
 *   any chat. The floor is what the same documents take as bare
 *   Y.Docs in the same page: Yjs is loaded into it, the documents' stored updates are
 *   read back from the page's own IndexedDB (y-indexeddb keeps every update the
 *   console applied) into fresh Y.Docs that stay referenced, and the heap is read
 *   before and after. Target: growth at most 1.5× the floor.
 *
 * Each round on a fresh service (pinned to core 0, serving build/): monitor0 signs
 * in and accepts three visitors, then goes unavailable; helper0 accepts ten more.
 * Monitor0 watches helper0's ten chats from her board (their documents reach her
 * over the staff link), and a second monitor watches monitor0's three. Visitors are
 * bare WebSockets (clients/queue-visitors.ts); the documents are written by the
 * helpers through the reply box, with the input and Enter events a person makes, in
 * batches between frames, and a chat is written once its watcher shows the last
 * message.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { build } from 'vite';
import * as v from 'valibot';
import type * as Yjs from 'yjs';
import { QueueVisitor } from '../clients/queue-visitors.ts';
import { evaluatingContext, launchChromium } from '../lib/chromium.ts';
import { within } from '../lib/deadline.ts';
import type { Samples } from '../lib/repetitions.ts';
import { rowFrom, type ResultRow } from '../lib/results.ts';
import { startServerProcess } from '../lib/server-process.ts';
import { percentile } from '../lib/stats.ts';
import type { ScenarioContext } from './scenario.ts';

export type S8Sizes = {
  ownChats: number;
  ownMessages: number;
  watchedChats: number;
  watchedMessages: number;
  /** Times each chat is switched to, per round. */
  visitsPerChat: number;
  /** Lines written in each warm-up chat before the heap's baseline. */
  warmUpLines: number;
};
export const S8_FULL: S8Sizes = {
  ownChats: 3,
  ownMessages: 2000,
  watchedChats: 10,
  watchedMessages: 500,
  visitsPerChat: 10,
  warmUpLines: 500,
};
export const S8_SMOKE: S8Sizes = {
  ownChats: 3,
  ownMessages: 40,
  watchedChats: 2,
  watchedMessages: 20,
  visitsPerChat: 2,
  warmUpLines: 5,
};

const OURS = 'ours (console page)';
const FLOOR = 'bare Y.Docs in the same page';
/** The switch time's yardstick, so the table shows its ratio: one frame at 60 Hz. */
const FRAME = 'one frame at 60 Hz';
/** Shown beside it: the same wait for a frame, without a switch, in the same page. */
const IDLE = 'an empty frame in the same page';
const FRAME_MS = 1000 / 60;
/** Setting up a round writes thousands of signed messages on a shared machine. */
const SETUP_TIMEOUT_MS = 900_000;
const STEP_TIMEOUT_MS = 60_000;

const ServiceInfo = v.object({
  sessions: v.array(v.string()),
  monitorSessions: v.array(v.string()),
});

/** Yjs as one script for the floor (the same package the app bundles), built by Vite. */
async function yjsScript(): Promise<string> {
  const output = await build({
    configFile: false,
    logLevel: 'silent',
    build: {
      write: false,
      lib: {
        entry: fileURLToPath(import.meta.resolve('yjs')),
        formats: ['iife'],
        name: 'benchYjs',
      },
    },
  });
  const first = Array.isArray(output) ? output[0] : output;
  if (first === undefined || !('output' in first)) throw new Error('no Yjs bundle');
  return first.output[0].code;
}

/** V8's used heap of the page after full collections. */
async function settledHeap(page: Page, context: BrowserContext): Promise<number> {
  const cdp = await context.newCDPSession(page);
  try {
    for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
    const usage = await cdp.send('Runtime.getHeapUsage');
    return usage.usedSize;
  } finally {
    await cdp.detach();
  }
}

async function consolePage(browser: Browser, baseURL: string, token: string) {
  const context = await evaluatingContext(browser, {
    baseURL,
    viewport: { width: 1440, height: 900 },
  });
  await context.addInitScript((t) => sessionStorage.setItem('peerdesk.console.token', t), token);
  const page = await context.newPage();
  await page.goto('/console');
  await page
    .getByRole('status')
    .filter({ hasText: /^Connected$/ })
    .waitFor({ timeout: STEP_TIMEOUT_MS });
  return { context, page };
}

/** Visitors named `prefix 1…count` ask; `page`'s helper accepts each; the chat ids. */
async function acceptChats(
  page: Page,
  port: number,
  prefix: string,
  count: number,
  visitors: QueueVisitor[],
): Promise<Map<string, string>> {
  const chats = new Map<string, string>();
  for (let i = 1; i <= count; i++) {
    const name = `${prefix} ${i}`;
    const visitor = await QueueVisitor.ask(port, name);
    visitors.push(visitor);
    await page
      .getByRole('button', { name: `Accept chat with ${name}`, exact: true })
      .click({ timeout: STEP_TIMEOUT_MS });
    chats.set(name, await within(`${name} accepted`, visitor.accepted(), STEP_TIMEOUT_MS));
  }
  return chats;
}

/** `count` messages written in the chat's reply box by `page`'s helper, then waits
 * until `watcher` (a monitor watching the chat) shows the last one: staff writes are
 * signed one after the other (CHAT.md CH-V2) and a message reaches a watcher only once
 * it is in the writer's document. The console mounts the shown chat's log only, so
 * the watcher shows the chat being written. */
async function writeMessages(
  page: Page,
  watcher: Page,
  chat: { chatId: string; name: string },
  count: number,
) {
  const { chatId, name } = chat;
  for (const shown of [page, watcher]) {
    await shown.evaluate((id) => document.getElementById(`tab-${id}`)!.click(), chatId);
  }
  await page.evaluate(
    async ({ chatId, name, count }) => {
      const box = document.getElementById(`reply-${chatId}`) as HTMLTextAreaElement;
      for (let i = 1; i <= count; i++) {
        box.value = `${name}, message ${i}: ${'a line long enough to wrap '.repeat(i % 4)}`;
        box.dispatchEvent(new Event('input', { bubbles: true }));
        box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
        if (i % 50 === 0) await new Promise((resolve) => requestAnimationFrame(resolve));
      }
    },
    { chatId, name, count },
  );
  await watcher
    .locator(`#panel-${chatId}`)
    .getByText(`${name}, message ${count}:`)
    .waitFor({ timeout: SETUP_TIMEOUT_MS, state: 'attached' });
}

/** Closes the tab of `chatId` in `page` (its helper's console), ending the chat: "Close
 * tab" on a chat still going asks "End this chat?" first (F19). Returns once the page's
 * archive of the chat (F27, sent on its end) is answered: until then the upload's body
 * (the whole document, encoded) is in the page's heap. */
async function endAndClose(page: Page, chatId: string): Promise<void> {
  const panel = page.locator(`#panel-${chatId}`);
  const archived = page.waitForResponse(
    (response) =>
      response.request().method() === 'POST' &&
      new URL(response.url()).pathname === `/api/archive/${encodeURIComponent(chatId)}`,
    { timeout: SETUP_TIMEOUT_MS },
  );
  await page.evaluate((id) => document.getElementById(`tab-${id}`)!.click(), chatId);
  await panel.getByRole('button', { name: 'Close tab', exact: true }).click();
  await page
    .getByRole('dialog', { name: 'End this chat?' })
    .getByRole('button', { name: 'End chat', exact: true })
    .click();
  await panel.waitFor({ state: 'detached', timeout: STEP_TIMEOUT_MS });
  await archived;
}

/** Before the heap's baseline, the monitor works a chat of her own and watches one of
 * `helper`'s, the way the measured chats are worked: her own one watched by `coach` (so a
 * staff peer holds and acknowledges what she writes, as for her measured chats), each
 * taken, shown, written in (`lines` each: at full size enough for the code that writes,
 * syncs, signs, verifies and shows them to run hot), switched between, then ended (or no
 * longer watched) and closed. The code that shows and writes a chat and a watched chat has
 * run (and is compiled) by then; nothing of the chats stays (a session is released when
 * its tab is closed). The warm-up chats' ids: their stored documents are not in the floor. */
async function warmUp(
  pages: { monitor: Page; helper: Page; coach: Page },
  port: number,
  visitors: QueueVisitor[],
  lines: number,
): Promise<string[]> {
  const { monitor, helper, coach } = pages;
  const ownChat = await acceptChats(monitor, port, 'Warm-up', 1, visitors);
  await watchAll(coach, ownChat);
  const own = [...ownChat.values()][0]!;
  await writeMessages(monitor, coach, { chatId: own, name: 'Warm-up' }, lines);
  // The offer goes to the helper only while the monitor takes none.
  await available(monitor, false);
  const watched = await acceptChats(helper, port, 'Warm-up watched', 1, visitors);
  await available(monitor, true);
  await watchAll(monitor, watched);
  const watchedId = [...watched.values()][0]!;
  const name = 'Warm-up watched';
  await writeMessages(helper, monitor, { chatId: watchedId, name }, lines);
  await switchTimes(monitor, [own, watchedId, own, watchedId]);
  await stopWatching(monitor, watchedId);
  await endAndClose(helper, watchedId);
  await endAndClose(monitor, own);
  await allReleased(monitor);
  return [own, watchedId];
}

/** "Stop watching" on the watched chat's panel in `page`: its session is released. */
async function stopWatching(page: Page, chatId: string): Promise<void> {
  const panel = page.locator(`#panel-${chatId}`);
  await page.evaluate((id) => document.getElementById(`tab-${id}`)!.click(), chatId);
  await panel.getByRole('button', { name: 'Stop watching', exact: true }).click();
  await panel.waitFor({ state: 'detached', timeout: STEP_TIMEOUT_MS });
}

/** Waits until `page` holds no chat session, document or store (window.peerdeskDebug,
 * issue 11): a closed tab lets go of its session once the service's `ended` (or the
 * end of the watch) arrives, a round trip after the tab is gone. */
async function allReleased(page: Page): Promise<void> {
  await page.waitForFunction(
    () => {
      const held = (
        globalThis as unknown as {
          peerdeskDebug: { sessions: number; docs: number; stores: number };
        }
      ).peerdeskDebug;
      return held.sessions === 0 && held.docs === 0 && held.stores === 0;
    },
    undefined,
    { timeout: STEP_TIMEOUT_MS },
  );
}

/** Switches "Available for chats" to `on` (an offer goes to one available helper). */
async function available(page: Page, on: boolean): Promise<void> {
  const toggle = page.getByRole('switch', { name: 'Available for chats' });
  if ((await toggle.getAttribute('aria-checked')) !== String(on)) await toggle.click();
  await page.locator(`[role="switch"][aria-checked="${on}"]`).waitFor({ timeout: STEP_TIMEOUT_MS });
}

async function unavailable(page: Page): Promise<void> {
  await available(page, false);
}

/** Watch from the board every chat of `chats` (name → chat id), each in its tab. */
async function watchAll(page: Page, chats: Map<string, string>): Promise<void> {
  for (const [name, chatId] of chats) {
    await page.getByRole('button', { name: 'Live board' }).click();
    await page
      .getByRole('button', { name: `Watch chat with ${name}`, exact: true })
      .click({ timeout: STEP_TIMEOUT_MS });
    await page.locator(`#panel-${chatId}`).waitFor({ timeout: STEP_TIMEOUT_MS });
  }
}

/**
 * Switch times (ms) over `order`. A switch is timed as the work of the frame it lands in:
 * the click on the chat's tab at the start of a frame (an animation frame callback, where
 * Chromium handles input before drawing), until that frame has been styled, laid out
 * and painted (a message posted from the callback runs after it). At most 16.7 ms: the
 * switch shows at the next refresh. Timing from a click between frames to the next
 * frame would add the wait for the display's refresh, up to a whole frame, which is
 * no work of the page. Before each switch, the same frame without a click (`idle`):
 * what an empty frame costs in this page at that moment. `after`: from the end of the
 * switch's frame to the end of the next one (one refresh, 16.7 ms, unless the switch
 * left work behind), and `idleAfter` the same without a switch.
 */
function switchTimes(
  page: Page,
  order: string[],
): Promise<{ switches: number[]; idle: number[]; after: number[]; idleAfter: number[] }> {
  return page.evaluate(async (order) => {
    /** `act` at the start of the next frame; the time until that frame is drawn. */
    const frameWith = (act: () => void): Promise<number> =>
      new Promise((resolve) =>
        requestAnimationFrame(() => {
          const started = performance.now();
          act();
          const channel = new MessageChannel();
          channel.port1.onmessage = () => resolve(performance.now() - started);
          channel.port2.postMessage(null);
        }),
      );
    const nothing = () => {};
    const switches: number[] = [];
    const idle: number[] = [];
    const after: number[] = [];
    const idleAfter: number[] = [];
    for (const chatId of order) {
      // Settle between switches (untimed): two frames.
      await frameWith(nothing);
      await frameWith(nothing);
      idle.push(await frameWith(nothing));
      let drawn = performance.now();
      await frameWith(nothing);
      idleAfter.push(performance.now() - drawn);
      const tab = document.getElementById(`tab-${chatId}`)!;
      switches.push(await frameWith(() => tab.click()));
      drawn = performance.now();
      await frameWith(nothing);
      after.push(performance.now() - drawn);
      const panel = document.getElementById(`panel-${chatId}`)!;
      if (panel.hidden) throw new Error(`chat ${chatId} not shown after its switch`);
    }
    return { switches, idle, after, idleAfter };
  }, order);
}

/** With S8_PROFILE=<dir>, a CPU profile of the own chats' switches (Chromium's Profiler
 * over CDP) is written there for `--cpu-prof`-style reading (chrome://inspect or a
 * script): where a switch spends its time. Without it, nothing is recorded. */
async function profiling(page: Page, context: BrowserContext) {
  const dir = process.env.S8_PROFILE;
  if (!dir) return { stop: async (_name: string) => {} };
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  return {
    stop: async (name: string) => {
      const { profile } = await cdp.send('Profiler.stop');
      writeFileSync(join(dir, `s8-${name}.cpuprofile`), JSON.stringify(profile));
      await cdp.detach();
    },
  };
}

const TraceEvent = v.object({
  name: v.string(),
  ph: v.string(),
  pid: v.number(),
  tid: v.number(),
  ts: v.number(),
  dur: v.optional(v.number()),
  tdur: v.optional(v.number()),
  args: v.optional(
    v.looseObject({ data: v.optional(v.looseObject({ type: v.optional(v.string()) })) }),
  ),
});
type TraceEvent = v.InferOutput<typeof TraceEvent>;

/**
 * The main thread's CPU time (ms) of each frame a switch landed in, from a Chromium
 * trace of `switchTimes` over `order`: the task (BeginMainFrame: the click in its
 * animation frame callback, then style, layout, paint and commit) that holds each click,
 * its thread time (`tdur`), not its wall time. On a shared machine the wall time also
 * holds the time the thread waited for a core; this is the work alone. With
 * S8_TRACE=<dir> the trace is written there as s8-<name>.trace.json (chrome://tracing,
 * or DevTools' Performance panel).
 */
async function switchCpuTimes(page: Page, order: string[], name: string): Promise<number[]> {
  const browser = page.context().browser();
  if (browser === null) throw new Error('no browser to trace');
  await browser.startTracing(page, {
    categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink'],
  });
  let raw: Buffer;
  try {
    await switchTimes(page, order);
  } finally {
    raw = await browser.stopTracing();
  }
  const dir = process.env.S8_TRACE;
  if (dir) writeFileSync(join(dir, `s8-${name}.trace.json`), raw);
  const parsed = JSON.parse(raw.toString('utf8')) as { traceEvents: unknown[] } | unknown[];
  const all = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const events: TraceEvent[] = [];
  for (const event of all) {
    const ok = v.safeParse(TraceEvent, event);
    if (ok.success) events.push(ok.output);
  }
  const clicks = events.filter((e) => e.name === 'EventDispatch' && e.args?.data?.type === 'click');
  // The page's main thread: the one the clicks ran on (the other pages click nothing).
  const thread = (e: TraceEvent) => `${e.pid}:${e.tid}`;
  const onThread = new Map<string, number>();
  for (const click of clicks) onThread.set(thread(click), (onThread.get(thread(click)) ?? 0) + 1);
  const main = [...onThread.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  const tasks = events.filter(
    (e) => thread(e) === main && e.ph === 'X' && e.name === 'RunTask' && e.tdur !== undefined,
  );
  const times: number[] = [];
  for (const click of clicks.filter((e) => thread(e) === main)) {
    const task = tasks.find((t) => t.ts <= click.ts && t.ts + (t.dur ?? 0) >= click.ts);
    if (task?.tdur !== undefined) times.push(task.tdur / 1000);
  }
  if (times.length === 0) throw new Error(`no switch frame found in the trace of ${name}`);
  return times;
}

/** With S8_HEAP_SNAPSHOT=<dir>, a heap snapshot of the page (after full collections)
 * is written there as s8-<name>.heapsnapshot, for chrome://inspect's Memory tab or a
 * script: what the page holds beyond its documents. Without it, nothing is taken. */
async function heapSnapshot(page: Page, context: BrowserContext, name: string): Promise<void> {
  const dir = process.env.S8_HEAP_SNAPSHOT;
  if (!dir) return;
  const cdp = await context.newCDPSession(page);
  const chunks: string[] = [];
  cdp.on('HeapProfiler.addHeapSnapshotChunk', ({ chunk }) => chunks.push(chunk));
  try {
    await cdp.send('HeapProfiler.enable');
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    writeFileSync(join(dir, `s8-${name}.heapsnapshot`), chunks.join(''));
  } finally {
    await cdp.detach();
  }
}

/** The floor: every chat document the page stored (but the warm-up chats', which the
 * baseline had already let go of), as bare Y.Docs, and what they hold. */
async function bareDocsHeap(page: Page, context: BrowserContext, yjs: string, skip: string[]) {
  await page.evaluate(yjs);
  const before = await settledHeap(page, context);
  const stats = await page.evaluate(async (skip) => {
    const Y = (globalThis as unknown as { benchYjs: typeof Yjs }).benchYjs;
    const names = (await indexedDB.databases())
      .map((d) => d.name ?? '')
      .filter(
        (n) =>
          n.startsWith('peerdesk-chat-') &&
          !skip.some((chatId) => n.startsWith(`peerdesk-chat-${chatId}-`)),
      );
    const docs: Yjs.Doc[] = [];
    let bytes = 0;
    for (const name of names) {
      const updates = await new Promise<Uint8Array[]>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const read = db.transaction('updates').objectStore('updates').getAll();
          read.onerror = () => reject(read.error);
          read.onsuccess = () => {
            db.close();
            resolve(read.result as Uint8Array[]);
          };
        };
      });
      const doc = new Y.Doc();
      for (const update of updates) Y.applyUpdate(doc, update);
      bytes += Y.encodeStateAsUpdate(doc).byteLength;
      docs.push(doc);
    }
    (globalThis as unknown as { benchDocs: unknown }).benchDocs = docs;
    return { docs: docs.length, bytes };
  }, skip);
  const after = await settledHeap(page, context);
  return { floorBytes: after - before, ...stats };
}

async function round(browser: Browser, sizes: S8Sizes, yjs: string, log: (l: string) => void) {
  const dataDir = mkdtempSync(join(tmpdir(), 'peerdesk-bench-s8-'));
  const server = await startServerProcess('service', {
    dataDir,
    helpers: 1,
    monitors: 2,
    chatLimit: Math.max(sizes.ownChats, sizes.watchedChats),
  });
  const visitors: QueueVisitor[] = [];
  const contexts: BrowserContext[] = [];
  try {
    const info = v.parse(ServiceInfo, server.info);
    const baseURL = `http://127.0.0.1:${server.port}`;
    const monitor = await consolePage(browser, baseURL, info.monitorSessions[0]!);
    contexts.push(monitor.context);
    await monitor.page.getByRole('table', { name: 'Chats' }).waitFor();
    const helper = await consolePage(browser, baseURL, info.sessions[0]!);
    contexts.push(helper.context);
    // A second monitor watches her chats: a message on its screen is in her document.
    const coach = await consolePage(browser, baseURL, info.monitorSessions[1]!);
    contexts.push(coach.context);
    await unavailable(coach.page);
    const warmUpChats = await warmUp(
      { monitor: monitor.page, helper: helper.page, coach: coach.page },
      server.port,
      visitors,
      sizes.warmUpLines,
    );
    const heapBefore = await settledHeap(monitor.page, monitor.context);
    await heapSnapshot(monitor.page, monitor.context, 'before');

    const own = await acceptChats(monitor.page, server.port, 'Own', sizes.ownChats, visitors);
    await unavailable(monitor.page);
    await watchAll(coach.page, own);
    for (const [name, chatId] of own) {
      await writeMessages(monitor.page, coach.page, { chatId, name }, sizes.ownMessages);
    }
    log(`    own chats written`);

    const watched = await acceptChats(
      helper.page,
      server.port,
      'Watched',
      sizes.watchedChats,
      visitors,
    );
    await watchAll(monitor.page, watched);
    for (const [name, chatId] of watched) {
      await writeMessages(helper.page, monitor.page, { chatId, name }, sizes.watchedMessages);
    }
    log(`    watched chats written`);

    const ownIds = [...own.values()];
    const watchedIds = [...watched.values()];
    const cycle = (ids: string[]) => Array.from({ length: sizes.visitsPerChat }, () => ids).flat();
    // Every chat opened once before the heap is read: a helper's day visits them all.
    await switchTimes(monitor.page, [...ownIds, ...watchedIds]);
    const heapAfter = await settledHeap(monitor.page, monitor.context);
    await heapSnapshot(monitor.page, monitor.context, 'after');
    const profile = await profiling(monitor.page, monitor.context);
    const ownSwitches = await switchTimes(monitor.page, cycle(ownIds));
    await profile.stop('own');
    const watchedSwitches = await switchTimes(monitor.page, cycle(watchedIds));
    // Between her own chats and watched ones, back and forth: the workspace swaps the chat
    // panel for the watch panel (and back) in the switch's frame.
    const mixed = Array.from({ length: 2 * sizes.visitsPerChat }, (_, i) =>
      i % 2 === 0
        ? ownIds[(i / 2) % ownIds.length]!
        : watchedIds[((i - 1) / 2) % watchedIds.length]!,
    );
    const mixedSwitches = await switchTimes(monitor.page, mixed);
    const both = (pick: (times: typeof ownSwitches) => number[]) =>
      percentile([...pick(ownSwitches), ...pick(watchedSwitches)], 95).toFixed(1);
    log(
      `    switch p95 ${percentile(ownSwitches.switches, 95).toFixed(1)} / ` +
        `${percentile(watchedSwitches.switches, 95).toFixed(1)} ms, own ↔ watched ` +
        `${percentile(mixedSwitches.switches, 95).toFixed(1)} ms, an empty frame p95 ` +
        `${both((t) => t.idle)} ms; the frame after p95 ${both((t) => t.after)} ms ` +
        `(without a switch ${both((t) => t.idleAfter)} ms)`,
    );
    // The same switches again, traced: the main thread's CPU time of each switch's frame
    // (the wall time above also holds waits for a core on a shared machine).
    const ownCpu = await switchCpuTimes(monitor.page, cycle(ownIds), 'own');
    const watchedCpu = await switchCpuTimes(monitor.page, cycle(watchedIds), 'watched');
    const cpu = (times: number[], switches: number) => {
      const found =
        times.length === switches ? '' : `, ${times.length} of ${switches} frames found`;
      return `${percentile(times, 95).toFixed(1)} (median ${percentile(times, 50).toFixed(1)}${found})`;
    };
    log(
      `    the switch frame's main-thread CPU time p95 ${cpu(ownCpu, cycle(ownIds).length)} / ${cpu(watchedCpu, cycle(watchedIds).length)} ms ` +
        `(wall median ${percentile(ownSwitches.switches, 50).toFixed(1)} / ` +
        `${percentile(watchedSwitches.switches, 50).toFixed(1)} ms)`,
    );
    // Every chat released before the floor is read: Chromium hands out the string a
    // TextDecoder made before for the same bytes while that string lives, so bare documents
    // read beside the console's would share its documents' strings and take less than the
    // same documents alone. Released, the floor's documents make their own.
    for (const chatId of watchedIds) await stopWatching(monitor.page, chatId);
    for (const chatId of ownIds) await endAndClose(monitor.page, chatId);
    await allReleased(monitor.page);
    const heapReleased = await settledHeap(monitor.page, monitor.context);
    await heapSnapshot(monitor.page, monitor.context, 'released');
    log(
      `    every chat released: the heap ${((heapReleased - heapBefore) / 1e6).toFixed(1)} MB ` +
        `above the baseline`,
    );
    const floor = await bareDocsHeap(monitor.page, monitor.context, yjs, warmUpChats);
    // With S8_HEAP_SNAPSHOT: the page with the bare documents too, to set against 'after'.
    await heapSnapshot(monitor.page, monitor.context, 'floor');
    log(
      `    heap growth ${((heapAfter - heapBefore) / 1e6).toFixed(1)} MB, floor ` +
        `${(floor.floorBytes / 1e6).toFixed(1)} MB (${floor.docs} documents, ` +
        `${(floor.bytes / 1e3).toFixed(0)} KB encoded)`,
    );
    return {
      ours: {
        heapBytes: heapAfter - heapBefore,
        ownSwitchP95: percentile(ownSwitches.switches, 95),
        watchedSwitchP95: percentile(watchedSwitches.switches, 95),
        mixedSwitchP95: percentile(mixedSwitches.switches, 95),
        ownCpuP95: percentile(ownCpu, 95),
        watchedCpuP95: percentile(watchedCpu, 95),
      },
      floor: { heapBytes: floor.floorBytes },
      idle: {
        ownSwitchP95: percentile(ownSwitches.idle, 95),
        watchedSwitchP95: percentile(watchedSwitches.idle, 95),
      },
    };
  } finally {
    for (const context of contexts) await context.close();
    for (const visitor of visitors) visitor.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function runS8(context: ScenarioContext, sizes: S8Sizes): Promise<ResultRow[]> {
  const browser = await launchChromium({ everyCore: true });
  const yjs = await yjsScript();
  const samples: Samples = new Map([
    [OURS, new Map<string, number[]>()],
    [FLOOR, new Map<string, number[]>()],
    [FRAME, new Map<string, number[]>()],
    [IDLE, new Map<string, number[]>()],
  ]);
  const add = (contender: string, figures: Record<string, number>): void => {
    for (const [metric, value] of Object.entries(figures)) {
      const list = samples.get(contender)!.get(metric) ?? [];
      list.push(value);
      samples.get(contender)!.set(metric, list);
    }
  };
  try {
    // A round writes 11,000 signed messages through the UI: one round, no warm-up, so
    // that `npm run bench` keeps to its time (README); the p95 is over 130 switches.
    const rounds = 1;
    for (let index = 0; index < rounds; index++) {
      const started = performance.now();
      const figures = await within(
        'an S8 round',
        round(browser, sizes, yjs, context.plan.log),
        SETUP_TIMEOUT_MS,
      );
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      context.plan.log(`  rep ${index + 1} (${seconds} s)`);
      add(OURS, figures.ours);
      add(FLOOR, figures.floor);
      add(IDLE, figures.idle);
      add(FRAME, {
        ownSwitchP95: FRAME_MS,
        watchedSwitchP95: FRAME_MS,
        ownCpuP95: FRAME_MS,
        watchedCpuP95: FRAME_MS,
        mixedSwitchP95: FRAME_MS,
      });
    }
    const switchSpec = {
      scenario: 'S8' as const,
      ours: OURS,
      peers: [FRAME],
      better: 'lower' as const,
      unit: 'ms',
      // p95 within one frame: a ratio of at most 1 to the frame's 16.7 ms.
      target: { on: 'ratio' as const, max: 1 },
    };
    return [
      rowFrom(samples, {
        ...switchSpec,
        metric: `chat switch, the work of its frame, p95: own chats (${sizes.ownChats} × ${sizes.ownMessages} messages)`,
        figure: 'ownSwitchP95',
      }),
      rowFrom(samples, {
        ...switchSpec,
        metric: `chat switch, the work of its frame, p95: watched chats (${sizes.watchedChats} × ${sizes.watchedMessages} messages)`,
        figure: 'watchedSwitchP95',
      }),
      rowFrom(samples, {
        ...switchSpec,
        metric:
          'chat switch, the work of its frame, p95: own ↔ watched, back and forth (chat panel ↔ watch panel)',
        figure: 'mixedSwitchP95',
      }),
      rowFrom(samples, {
        ...switchSpec,
        metric: `chat switch, main-thread CPU time of its frame (traced), p95: own chats (${sizes.ownChats} × ${sizes.ownMessages} messages)`,
        figure: 'ownCpuP95',
        target: undefined,
      }),
      rowFrom(samples, {
        ...switchSpec,
        metric: `chat switch, main-thread CPU time of its frame (traced), p95: watched chats (${sizes.watchedChats} × ${sizes.watchedMessages} messages)`,
        figure: 'watchedCpuP95',
        target: undefined,
      }),
      rowFrom(samples, {
        ...switchSpec,
        metric: 'an empty frame in the same page, p95 (no switch: what a frame costs meanwhile)',
        figure: 'ownSwitchP95',
        ours: IDLE,
        target: undefined,
      }),
      rowFrom(samples, {
        scenario: 'S8',
        metric: 'JS heap growth with every chat loaded and opened',
        figure: 'heapBytes',
        unit: 'MB',
        better: 'lower',
        ours: OURS,
        peers: [FLOOR],
        target: { on: 'ratio', max: 1.5 },
        scale: 1e-6,
      }),
    ];
  } finally {
    await browser.close();
  }
}
