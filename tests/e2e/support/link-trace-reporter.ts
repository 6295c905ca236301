/**
 * Prints the link traces a failed test attached (base-test.ts) after the run's summary,
 * whole: the list reporter cuts a text attachment at 300 characters, and CI keeps only
 * the tail of the run's output, so they come last and are kept short.
 */
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';

/** What the traces of one failed test may take of the output. */
const MAX_CHARS = 9_000;

export default class LinkTraceReporter implements Reporter {
  readonly #failed: { title: string; body: string }[] = [];

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status === test.expectedStatus) return;
    const trace = result.attachments.find((a) => a.name === 'link-trace');
    if (trace?.body === undefined) return;
    this.#failed.push({
      title: test.titlePath().slice(1).join(' › '),
      body: trace.body.toString(),
    });
  }

  onEnd(): void {
    for (const { title, body } of this.#failed) {
      const kept = body.length > MAX_CHARS ? `…${body.slice(-MAX_CHARS)}` : body;
      process.stdout.write(`\nLink trace of the failed test ${title}:\n${kept}\n`);
    }
  }

  printsToStdio(): boolean {
    return true;
  }
}
