/**
 * The responses a browser context loads, for the widget-weight scenario (S7): every
 * response that `counts` is kept with its body (as the page got it, decoded), and
 * `settled` waits, on request events rather than on a quiet spell, until nothing
 * is in flight and every kept body has been read.
 */
import type { BrowserContext, Response } from '@playwright/test';

export type LoadedFile = { url: string; path: string; body: Buffer };

export class ResponseLedger {
  readonly #files: LoadedFile[] = [];
  readonly #reading: Promise<void>[] = [];
  #inFlight = 0;
  #onIdle: (() => void)[] = [];

  constructor(context: BrowserContext, counts: (response: Response) => boolean) {
    context.on('request', () => {
      this.#inFlight++;
    });
    const done = (): void => {
      this.#inFlight--;
      if (this.#inFlight === 0) for (const wake of this.#onIdle.splice(0)) wake();
    };
    context.on('requestfinished', done);
    context.on('requestfailed', done);
    context.on('response', (response) => {
      if (!counts(response)) return;
      const url = response.url();
      this.#reading.push(
        response.body().then((body) => {
          this.#files.push({ url, path: new URL(url).pathname, body });
        }),
      );
    });
  }

  /** Everything counted so far, once no request is in flight. */
  async settled(): Promise<LoadedFile[]> {
    if (this.#inFlight > 0) await new Promise<void>((wake) => this.#onIdle.push(wake));
    await Promise.all(this.#reading);
    return [...this.#files];
  }
}
