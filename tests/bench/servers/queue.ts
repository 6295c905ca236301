/**
 * S3 runs in a server child too (pinned like every server under test), but with
 * no sockets: command `run` drives our core or the reference dispatcher in this
 * process and returns the timings.
 *
 * The state is the issue's: `helpers` helpers online and, beyond the chats they
 * are being offered (one each), `queued` visitors waiting. Then cycles alternate:
 * - request → offer: a new visitor asks (joins the back of the queue) and a helper
 *   accepts the chat it was offered, which frees its offer slot, so the dispatcher
 *   offers it the next waiting request. Timed: the accept call, i.e. from the event
 *   that makes an offer possible to that offer being produced. (With ten thousand
 *   waiting, a new request is never offered on arrival; its enqueue time is timed
 *   separately.) The helper then ends the chat, untimed, to keep the state steady.
 * - reject → next offer: a helper rejects its offer; timed until the next offer is
 *   produced.
 * SP-O6 is checked after every timed call. The full invariants (`violations()`) are
 * counted after the setup, every `checkEvery` warm-up cycles, and after the timed
 * cycles, not among them: ours reads every chat of the core's `view()` (ten thousand
 * of them, about 10 MB built and dropped), the reference only its helpers, and the
 * calls just after a full check ran on cold caches, which doubled our request → offer
 * p99 (0.18 against 0.08 ms on a quiet machine). Transient breaks between checks are
 * the model-based switchboard test's job.
 *
 * Before the timed cycles, `warmUpCycles` of the same cycles run untimed in the same
 * process (their invariants counted too). The setup only ever requests, so without them
 * the accept, reject and end paths are first made hot inside the timed window, and V8
 * optimises them there: on the one core the child is pinned to, each compile job (up to
 * 85 ms for our `accept` with what it inlines) takes the core from the main thread and
 * lands in whichever timed call is running, so the p99s measured the JIT, not the
 * dispatcher (issue 17; `--trace-opt` showed compiles going on for about 1,750 cycles
 * for our core and 250 for the reference). Both implementations get the same warm-up.
 */
import * as v from 'valibot';
import { createCoreDispatcher, VISITOR_BASE } from '../queue/core-dispatcher.ts';
import type { QueueDispatcher } from '../queue/dispatcher.ts';
import { createReferenceDispatcher } from '../queue/reference-dispatcher.ts';
import type { StartedServer } from '../lib/child-protocol.ts';

export const QueueRun = v.object({
  impl: v.picklist(['core', 'reference']),
  helpers: v.number(),
  queued: v.number(),
  cycles: v.number(),
  /** Cycles run the same way before the timed ones, untimed (see `runQueue`). */
  warmUpCycles: v.number(),
  chatLimit: v.number(),
  checkEvery: v.number(),
});
export type QueueRun = v.InferOutput<typeof QueueRun>;

export type QueueTimings = {
  enqueueMs: number[];
  requestToOfferMs: number[];
  rejectToOfferMs: number[];
  violations: number;
  /** Messages the dispatcher produced during the timed calls, per call. */
  messagesPerCall: number;
};

export function start(): Promise<StartedServer> {
  return Promise.resolve({
    port: 0,
    commands: { run: (payload) => Promise.resolve(runQueue(v.parse(QueueRun, payload))) },
  });
}

export function runQueue(run: QueueRun): QueueTimings {
  const d: QueueDispatcher =
    run.impl === 'core'
      ? createCoreDispatcher(run.helpers, run.chatLimit)
      : createReferenceDispatcher(run.chatLimit);
  for (let h = 1; h <= run.helpers; h++) d.helperOnline(h);
  let nextVisitor = VISITOR_BASE;
  for (let i = 0; i < run.queued + run.helpers; i++) d.request(nextVisitor++);
  const timings: QueueTimings = {
    enqueueMs: [],
    requestToOfferMs: [],
    rejectToOfferMs: [],
    violations: d.violations(),
    messagesPerCall: 0,
  };
  for (let c = 0; c < run.warmUpCycles; c++) {
    const helper = (c % run.helpers) + 1;
    d.request(nextVisitor++);
    const accepted = d.offers.get(helper);
    d.accept(helper);
    if (accepted === undefined || !d.offers.has(helper)) timings.violations++;
    else d.end(helper, accepted);
    const rejecting = ((c + (run.helpers >> 1)) % run.helpers) + 1;
    d.reject(rejecting);
    if (!d.offers.has(rejecting)) timings.violations++;
    if ((c + 1) % run.checkEvery === 0) timings.violations += d.violations();
  }
  let messages = 0;
  collectGarbage();
  for (let c = 0; c < run.cycles; c++) {
    const helper = (c % run.helpers) + 1;
    const t0 = performance.now();
    messages += d.request(nextVisitor++);
    const t1 = performance.now();
    const accepted = d.offers.get(helper);
    messages += d.accept(helper);
    const t2 = performance.now();
    timings.enqueueMs.push(t1 - t0);
    timings.requestToOfferMs.push(t2 - t1);
    // SP-O6: a helper whose offer slot freed, with requests waiting, has a new offer.
    if (accepted === undefined || !d.offers.has(helper)) timings.violations++;
    else d.end(helper, accepted);

    const rejecting = ((c + (run.helpers >> 1)) % run.helpers) + 1;
    const t3 = performance.now();
    messages += d.reject(rejecting);
    timings.rejectToOfferMs.push(performance.now() - t3);
    if (!d.offers.has(rejecting)) timings.violations++;
  }
  timings.violations += d.violations();
  timings.messagesPerCall = messages / (3 * run.cycles);
  return timings;
}

/** The setup (eleven thousand requests and the warm-up cycles) is not timed, but the
 * garbage it leaves would be collected in whichever timed calls come next: collect it
 * before they start, so each implementation's timings carry the garbage of its timed
 * calls and not of its setup. Children run with --expose-gc, lib/server-process.ts. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
