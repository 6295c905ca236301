/**
 * Works the outbox (outbox-store.ts): builds the transcript emails whose chat has
 * been archived, sends what is due through the mailer, one email at a time, and
 * plans the next attempt of a failure (retry-policy.ts). The clock and the timer are
 * injected: tests drive `runDue()` with a fake clock; the service calls `start()`.
 *
 * Exports: `createOutboxWorker(deps)` → `OutboxWorker`, `OutboxWorkerDeps`.
 */
import type { Logger } from '../log.ts';
import type { Mailer } from './mailer.ts';
import type { OutboxRow, OutboxStore } from './outbox-store.ts';
import { DEFAULT_RETRY_POLICY, nextAttempt, type RetryPolicy } from './retry-policy.ts';
import type { Transcript, TranscriptSource } from './transcript-source.ts';

export type OutboxWorkerDeps = {
  store: OutboxStore;
  mailer: Mailer;
  transcripts: TranscriptSource;
  /** Builds the whole message of a `waiting` row once its transcript is there. */
  buildTranscriptMail(row: OutboxRow, transcript: Transcript): Promise<string>;
  /** The envelope sender. */
  from: string;
  now(): number;
  log: Pick<Logger, 'info' | 'warn' | 'error'>;
  policy?: RetryPolicy;
  /** How often a row waiting for its transcript looks again. */
  waitingPollMs?: number;
  /** The longest the timer sleeps, whatever is due (a safety net for clock jumps). */
  maxSleepMs?: number;
  setTimer?: (ms: number, run: () => void) => () => void;
};

export interface OutboxWorker {
  /** Handles every row due now; resolves with how many emails were sent. */
  runDue(): Promise<number>;
  /** At start: rows a crash left mid-send (outbox-store.ts says what becomes of them). */
  recover(): number;
  /** Runs now (soon), e.g. after an email was queued. */
  kick(): void;
  start(): void;
  /** Stops the timer and waits for a send in progress. */
  stop(): Promise<void>;
}

const BATCH = 20;

export function createOutboxWorker(deps: OutboxWorkerDeps): OutboxWorker {
  const policy = deps.policy ?? DEFAULT_RETRY_POLICY;
  const waitingPollMs = deps.waitingPollMs ?? 15_000;
  const maxSleepMs = deps.maxSleepMs ?? 60_000;
  const setTimer =
    deps.setTimer ??
    ((ms: number, run: () => void) => {
      const timer = setTimeout(run, ms);
      timer.unref();
      return () => clearTimeout(timer);
    });
  let running: Promise<number> | null = null;
  let again = false;
  let started = false;
  let cancel: (() => void) | null = null;

  async function prepare(row: OutboxRow, now: number): Promise<void> {
    if (row.chatId === null) return deps.store.markNoTranscript(row.id);
    const transcript = deps.transcripts.read(row.chatId);
    if (transcript === null) {
      if (now >= row.deadlineAt) {
        deps.store.markNoTranscript(row.id);
        deps.log.warn({ outbox: row.id, chatId: row.chatId }, 'no transcript to email');
      } else deps.store.postpone(row.id, Math.min(now + waitingPollMs, row.deadlineAt));
      return;
    }
    deps.store.markReady(row.id, await deps.buildTranscriptMail(row, transcript), now);
  }

  async function send(row: OutboxRow): Promise<boolean> {
    const now = deps.now();
    if (row.raw === null || !deps.store.claim(row.id, now)) return false;
    const outcome = await deps.mailer.send(row.id, { from: deps.from, to: row.recipient }, row.raw);
    const after = deps.now();
    if (outcome.ok) {
      deps.store.markSent(row.id, after);
      deps.log.info({ outbox: row.id, kind: row.kind }, 'email sent');
      return true;
    }
    const decision = nextAttempt(policy, {
      attempts: row.attempts + 1,
      createdAt: row.createdAt,
      now: after,
      responseCode: outcome.responseCode,
    });
    if (decision.retry) {
      deps.store.retryAt(row.id, decision.at, outcome.error);
      deps.log.warn({ outbox: row.id, error: outcome.error, retryAt: decision.at }, 'email failed');
    } else {
      deps.store.markFailed(row.id, `${decision.reason}: ${outcome.error}`);
      deps.log.error({ outbox: row.id, error: outcome.error }, 'email given up');
    }
    return false;
  }

  async function work(): Promise<number> {
    let sent = 0;
    // A row is looked at once per pass, whatever happens to it.
    const seen = new Set<string>();
    for (;;) {
      const now = deps.now();
      const rows = deps.store.due(now, BATCH + seen.size).filter((row) => !seen.has(row.id));
      if (rows.length === 0) return sent;
      for (const row of rows) {
        seen.add(row.id);
        try {
          if (row.state === 'waiting') await prepare(row, now);
          // A prepared row is sent in the same pass (read again: it now has its message).
          const current = row.state === 'waiting' ? deps.store.byId(row.id) : row;
          if (current?.state === 'ready' && current.nextAttemptAt <= deps.now()) {
            if (await send(current)) sent += 1;
          }
        } catch (error) {
          // One email's failure stays with it: try it again later, go on with the rest.
          deps.log.error({ err: error, outbox: row.id }, 'outbox step failed');
          deps.store.postpone(row.id, deps.now() + policy.baseMs);
        }
      }
    }
  }

  function runDue(): Promise<number> {
    if (running !== null) {
      again = true;
      return running;
    }
    running = work().finally(() => {
      running = null;
      if (again) {
        again = false;
        arm(0);
      } else arm(null);
    });
    return running;
  }

  function arm(delay: number | null): void {
    if (!started) return;
    cancel?.();
    const next = deps.store.nextDue();
    const wait =
      delay ?? (next === null ? maxSleepMs : Math.min(Math.max(next - deps.now(), 0), maxSleepMs));
    cancel = setTimer(wait, () => {
      cancel = null;
      void runDue();
    });
  }

  return {
    runDue,
    recover: () => deps.store.recoverInterrupted(deps.mailer.idempotent),
    kick() {
      if (running !== null) again = true;
      else arm(0);
    },
    start() {
      started = true;
      arm(0);
    },
    async stop() {
      started = false;
      cancel?.();
      cancel = null;
      await running;
    },
  };
}
