/**
 * B5 renewal (SPEC.md SP-IR1, SP-IR2): the TURN REST credentials a staff member's welcome carries
 * expire after `TURN_TTL_SECONDS` (3600 by default; the username is
 * `<expiry seconds>:<participant>`). A relay-only console open longer than that
 * could link no new chat, so this fetches fresh ICE servers from `GET /api/ice`
 * before they lapse (a lead of a fifth of their life, at most a minute, at least a
 * second), again after each renewal, and at once when a new chat comes while the
 * ones held are about to lapse. A failed fetch is tried again after `retryMs`.
 * What the service answers is decoded (`IceAnswer`); the caller applies it
 * (ServiceHub.renewIce), so sessions link with the fresh servers from then on.
 *
 * Exports: `IceAnswer`, `turnExpiry(iceServers)`, `IceRenewal`, `IceRenewalOptions`.
 */
import * as v from 'valibot';
import { IceServer } from '../../../protocol/index.ts';
import type { Timers } from './link-manager.ts';

/** The body of `GET /api/ice` (signal/http/ice-servers.ts `iceServersFor`). */
export const IceAnswer = v.strictObject({ iceServers: v.array(IceServer), relayOnly: v.boolean() });
export type IceAnswer = v.InferOutput<typeof IceAnswer>;

/** When (ms) the first of the TURN REST credentials in `iceServers` expires; null if none does. */
export function turnExpiry(iceServers: readonly IceServer[]): number | null {
  let first: number | null = null;
  for (const server of iceServers) {
    const match = /^(\d{9,11}):/.exec(server.username ?? '');
    if (match === null) continue;
    const at = Number(match[1]) * 1000;
    first = first === null ? at : Math.min(first, at);
  }
  return first;
}

/** How long before the expiry to renew: a fifth of what is left, between 1 s and 60 s. */
function leadMs(left: number): number {
  return Math.min(60_000, Math.max(1000, Math.floor(left / 5)));
}

export type IceRenewalOptions = {
  /** `GET /api/ice` as the signed-in staff member; resolves with the parsed JSON. */
  fetchIce: () => Promise<unknown>;
  /** Hands fresh servers to the page's sessions. */
  apply: (ice: IceAnswer) => void;
  now: () => number;
  timers: Timers;
  /** After a failed fetch, the next try (ms); 5 s by default. */
  retryMs?: number;
};

export class IceRenewal {
  readonly #o: IceRenewalOptions;
  #timer: unknown = null;
  #expiry: number | null = null;
  #inFlight: Promise<void> | null = null;
  #stopped = false;

  constructor(options: IceRenewalOptions) {
    this.#o = options;
  }

  /** The servers the page holds now (a welcome's or a renewal's): plans the next renewal. */
  track(iceServers: readonly IceServer[]): void {
    if (this.#stopped) return;
    this.#clear();
    this.#expiry = turnExpiry(iceServers);
    if (this.#expiry === null) return;
    const left = this.#expiry - this.#o.now();
    this.#timer = this.#o.timers.setTimeout(
      () => void this.renew(),
      Math.max(0, left - leadMs(left)),
    );
  }

  /** Before a new link: renews now if what is held lapses within the lead. */
  freshen(): Promise<void> {
    if (this.#expiry === null) return Promise.resolve();
    const left = this.#expiry - this.#o.now();
    return left <= leadMs(left) ? this.renew() : Promise.resolve();
  }

  /** Fetches fresh servers once (a call while one is under way joins it). */
  renew(): Promise<void> {
    this.#inFlight ??= this.#fetch().finally(() => {
      this.#inFlight = null;
    });
    return this.#inFlight;
  }

  stop(): void {
    this.#stopped = true;
    this.#clear();
  }

  async #fetch(): Promise<void> {
    let answer: IceAnswer | null = null;
    try {
      const decoded = v.safeParse(IceAnswer, await this.#o.fetchIce());
      if (decoded.success) answer = decoded.output;
    } catch {
      answer = null;
    }
    if (this.#stopped) return;
    if (answer === null) {
      this.#clear();
      this.#timer = this.#o.timers.setTimeout(() => void this.renew(), this.#o.retryMs ?? 5000);
      return;
    }
    this.#o.apply(answer);
    this.track(answer.iceServers);
  }

  #clear(): void {
    if (this.#timer !== null) this.#o.timers.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
