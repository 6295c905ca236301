/** What every scenario gets from the runner. */
import type { RepetitionPlan } from '../lib/repetitions.ts';
import type { ServerProcess } from '../lib/server-process.ts';

export type ScenarioContext = {
  plan: RepetitionPlan;
  /** Throws `NativeUwsMissing` when the child runs uWebSockets.js's pure-JS shim. */
  requireNative(server: Pick<ServerProcess, 'kind' | 'uwsNative' | 'uwsReason'>): void;
};

/** S1–S4 are not reported on the shim (DESIGN.md 8): the figures would be the shim's. */
export class NativeUwsMissing extends Error {
  constructor(kind: string, reason: string | null) {
    super(
      `refusing to report S1–S4: uWebSockets.js runs its pure-JS fallback in the ${kind} ` +
        `server process (${reason ?? 'no reason given'})`,
    );
  }
}

export function requireNative(
  server: Pick<ServerProcess, 'kind' | 'uwsNative' | 'uwsReason'>,
): void {
  if (!server.uwsNative) throw new NativeUwsMissing(server.kind, server.uwsReason);
}
