/**
 * Issue 16: the guards every view opened with the XSS corpus runs under. A payload
 * that ran would set `window.__xssFired`, call alert/confirm/prompt (trapped here,
 * so nothing blocks), or load from another host (refused and counted by the
 * tripwires); a payload the CSP stopped shows as a `securitypolicyviolation`.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { XSS_FLAG } from '../../fixtures/xss-corpus.ts';
import { cspViolations, recordCspViolations } from './demo-chat.ts';
import { Tripwires } from './tripwires.ts';

export class XssGuards {
  readonly #tripwires: Tripwires;
  #refused: string[][] = [];

  constructor(origin: string) {
    this.#tripwires = new Tripwires(origin);
  }

  /** Call on a new context before its first page loads. */
  async watch(context: BrowserContext): Promise<void> {
    await this.#tripwires.watch(context);
    this.#refused.push(await recordCspViolations(context));
    await context.addInitScript((flag) => {
      const w = window as unknown as Record<string, unknown>;
      w.peerdeskXssTraps = [];
      const trap =
        (name: string) =>
        (...args: unknown[]) => {
          (w.peerdeskXssTraps as string[]).push(`${name}(${args.map(String).join(', ')})`);
          w[flag] = 1;
          return null;
        };
      window.alert = trap('alert');
      window.confirm = trap('confirm') as unknown as typeof window.confirm;
      window.prompt = trap('prompt');
    }, XSS_FLAG);
  }

  /** Everything that shows a payload got through on this page (every frame, or the
   * top one only with `allFrames: false`, for a page that reads its own frames), and
   * anywhere the tripwires watch; empty when nothing fired. */
  async fired(page: Page, { allFrames = true }: { allFrames?: boolean } = {}): Promise<string[]> {
    const found: string[] = [...this.#tripwires.problems, ...this.#refused.flat()];
    const frames = allFrames ? page.frames() : [page.mainFrame()];
    if (allFrames) found.push(...(await cspViolations(page)).map((v) => `CSP violation: ${v}`));
    for (const frame of frames) {
      const state = await frame
        .evaluate((flag) => {
          const w = window as unknown as Record<string, unknown>;
          return {
            flag: w[flag] ?? null,
            traps: (w.peerdeskXssTraps as string[]) ?? [],
            violations: (w.peerdeskCspViolations as string[]) ?? [],
          };
        }, XSS_FLAG)
        .catch(() => ({ flag: null, traps: [] as string[], violations: [] as string[] }));
      if (!allFrames) found.push(...state.violations.map((v) => `CSP violation: ${v}`));
      if (state.flag !== null) found.push(`${XSS_FLAG} set in ${frame.url()}`);
      found.push(...state.traps.map((t) => `trapped ${t} in ${frame.url()}`));
    }
    return found;
  }
}
