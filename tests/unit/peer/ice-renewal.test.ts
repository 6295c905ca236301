/**
 * SPEC.md SP-IR1, SP-IR2 (B5): a staff page renews its TURN REST credentials before they
 * expire. Credentials minted by the service's own code with a 10-second TTL; a fake
 * clock and timers; `GET /api/ice` answered by `iceServersFor` itself. The kept
 * welcome carries the fresh servers (a chat opened later links with them), open
 * sessions hear an `ice` event, failures are retried, and a new chat renews at once
 * credentials that are about to lapse.
 */
import { describe, expect, it } from 'vitest';
import { IceRenewal, turnExpiry } from '../../../app/lib/peer/ice-renewal.ts';
import type { Timers } from '../../../app/lib/peer/link-manager.ts';
import { ServiceHub, type ServiceEvent } from '../../../app/lib/session/service-port.ts';
import type { IceServer, ServiceToStaff } from '../../../protocol/index.ts';
import { iceServersFor, mintTurnCredentials } from '../../../signal/http/ice-servers.ts';

const TURN = { secret: 'shared-secret', urls: ['turn:127.0.0.1:3478'], ttlSeconds: 10 };
const START = 1_800_000_000_000;

/** A clock and timers that move only when the test says. */
class FakeTime implements Timers {
  now = START;
  readonly #due = new Map<number, { at: number; fn: () => void }>();
  #next = 1;
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#due.set(id, { at: this.now + ms, fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#due.delete(handle as number);
  }
  get pending(): number {
    return this.#due.size;
  }
  /** Moves the clock to `at`, running each timer due on the way. */
  async advanceTo(at: number): Promise<void> {
    for (;;) {
      const due = [...this.#due.entries()]
        .filter(([, t]) => t.at <= at)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.#due.delete(due[0]);
      this.now = Math.max(this.now, due[1].at);
      due[1].fn();
      // Let the fetch's promise chain settle.
      for (let i = 0; i < 10; i++) await Promise.resolve();
    }
    this.now = at;
  }
}

function staffWelcome(iceServers: IceServer[]): Extract<ServiceToStaff, { type: 'welcome' }> {
  return {
    type: 'welcome',
    v: 1,
    account: { id: 'alice-id', nickname: 'alice', name: 'Alice', role: 'helper', chatLimit: 3 },
    maxChatLimit: 10,
    available: true,
    departments: [],
    iceServers,
    relayOnly: true,
  };
}

const config = { iceServers: [], turn: TURN, relayOnlyHelpers: true };

function world(answers: (() => unknown)[] = []) {
  const time = new FakeTime();
  const hub = new ServiceHub();
  const fetched: number[] = [];
  const renewal = new IceRenewal({
    fetchIce: () => {
      fetched.push(time.now);
      const answer = answers.shift();
      if (answer !== undefined) return Promise.resolve().then(answer);
      return Promise.resolve(iceServersFor(config, 'alice-id', time.now));
    },
    apply: (ice) => hub.renewIce(ice),
    now: () => time.now,
    timers: time,
  });
  const welcome = staffWelcome([mintTurnCredentials(TURN, 'alice-id', time.now)]);
  hub.deliver(welcome);
  renewal.track(welcome.iceServers);
  const heard: ServiceEvent[] = [];
  hub.subscribe((event) => heard.push(event));
  return { time, hub, fetched, renewal, heard };
}

/** The ICE servers a session subscribing now hears in the replayed welcome. */
function replayedServers(hub: ServiceHub): IceServer[] {
  let servers: IceServer[] = [];
  const off = hub.subscribe((event) => {
    if (event.type === 'message' && event.msg.type === 'welcome') servers = event.msg.iceServers;
  });
  off();
  return servers;
}

describe('TURN credentials renewal (SPEC.md SP-IR1, SP-IR2)', () => {
  it('SP-IR1 renews a 10-second credential 2 s before it expires, and again before the fresh one does', async () => {
    const { time, hub, fetched, heard } = world();
    const firstExpiry = turnExpiry(replayedServers(hub))!;
    expect(firstExpiry).toBe(START + 10_000);

    await time.advanceTo(START + 7_999);
    expect(fetched).toEqual([]);
    await time.advanceTo(START + 8_000);
    expect(fetched).toEqual([START + 8_000]);

    // A chat opened from now on links with credentials that outlive the first ones.
    const fresh = replayedServers(hub);
    expect(turnExpiry(fresh)).toBe(START + 18_000);
    expect(fresh[0]?.username).toBe(`${(START + 18_000) / 1000}:alice-id`);
    // The sessions already open hear them too.
    expect(heard.at(-1)).toEqual({ type: 'ice', iceServers: fresh, relayOnly: true });

    // Never a moment without valid credentials: renewed again before each expiry.
    await time.advanceTo(START + 60_000);
    expect(fetched).toEqual(
      [8_000, 16_000, 24_000, 32_000, 40_000, 48_000, 56_000].map((t) => START + t),
    );
    expect(turnExpiry(replayedServers(hub))! - time.now).toBeGreaterThan(0);
  });

  it('SP-IR1 a failed or undecodable answer is tried again 5 s later; the old servers stay until then', async () => {
    const { time, hub, fetched } = world([
      () => {
        throw new Error('network down');
      },
      () => ({ iceServers: 'not a list', relayOnly: true }),
    ]);
    const before = replayedServers(hub);
    await time.advanceTo(START + 8_000);
    expect(fetched).toEqual([START + 8_000]);
    expect(replayedServers(hub)).toEqual(before);
    await time.advanceTo(START + 13_000);
    expect(fetched).toEqual([START + 8_000, START + 13_000]);
    expect(replayedServers(hub)).toEqual(before);
    await time.advanceTo(START + 18_000);
    expect(fetched).toHaveLength(3);
    expect(turnExpiry(replayedServers(hub))).toBe(START + 28_000);
  });

  it('SP-IR2 a new chat renews at once credentials that lapse within the lead, and not fresh ones', async () => {
    const { time, hub, fetched, renewal } = world();
    await time.advanceTo(START + 5_000);
    await renewal.freshen();
    expect(fetched).toEqual([]);
    // The machine slept past the planned renewal: its timer has not run yet.
    time.now = START + 9_500;
    await renewal.freshen();
    expect(fetched).toEqual([START + 9_500]);
    // The username carries whole seconds: 9.5 s floors to 9, plus the 10 s TTL.
    expect(turnExpiry(replayedServers(hub))).toBe(START + 19_000);
  });

  it('SP-IR1 visitors and servers without TURN credentials plan nothing; stop ends the renewals', async () => {
    const time = new FakeTime();
    const renewal = new IceRenewal({
      fetchIce: () => Promise.reject(new Error('never asked')),
      apply: () => undefined,
      now: () => time.now,
      timers: time,
    });
    renewal.track([{ urls: 'stun:stun.example:3478' }]);
    expect(time.pending).toBe(0);
    const { time: t2, fetched, renewal: r2 } = world();
    r2.stop();
    await t2.advanceTo(START + 60_000);
    expect(fetched).toEqual([]);
  });
});
