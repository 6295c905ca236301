/**
 * The core's pooled effect array (issue 17): `handle` returns one array, emptied and
 * refilled by every call. These tests drive the switchboard directly (not through
 * CoreDriver, which copies) and fail if one call's effects leak into the next: a
 * leftover effect, an effect told twice, or a call that returns someone else's work.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CORE_CONFIG, type CoreEvent, type Effect } from '../../../signal/core/events.ts';
import { createSwitchboard } from '../../../signal/core/switchboard.ts';
import { DEPARTMENTS, account, requestMsg } from '../../fixtures/core-driver.ts';

function core() {
  let nextId = 1;
  return createSwitchboard(
    DEFAULT_CORE_CONFIG,
    { accounts: [], departments: DEPARTMENTS, blocks: [], openChats: [] },
    (prefix) => `${prefix}${nextId++}`,
    1_000_000,
  );
}

const hello = (conn: number, visitorId: string): CoreEvent => ({
  type: 'visitor_hello',
  conn,
  ip: '203.0.113.7',
  visitor: { visitorId, firstVisitAt: 1, firstLandingPage: 'https://example.org/' },
  token: `token-${visitorId}`,
  iceServers: [],
});

const staffHello = (conn: number, id: string): CoreEvent => ({
  type: 'staff_hello',
  conn,
  ip: '198.51.100.1',
  account: account(id),
  chats: [],
  available: true,
  iceServers: [],
  relayOnly: false,
});

/** What a call's effects say, comparable across calls: message types per connection. */
function summary(effects: readonly Effect[]): string[] {
  return effects.map((e) =>
    e.kind === 'send'
      ? `send ${e.conn} ${e.msg.type}`
      : e.kind === 'close'
        ? `close ${e.conn}`
        : e.kind,
  );
}

describe('the pooled effect array', () => {
  it('a call with nothing to do returns no effects after a call that had many', () => {
    const sb = core();
    const busy = sb.handle(hello(1, 'v1'), 1_000_000);
    expect(summary(busy)).toEqual(['send 1 welcome']);
    const many = summary(
      sb.handle({ type: 'visitor_message', conn: 1, msg: requestMsg() }, 1_000_001),
    );
    expect(many.length).toBeGreaterThan(1);
    // An event for a connection nobody owns does nothing: nothing of the request is left.
    expect(sb.handle({ type: 'disconnected', conn: 99 }, 1_000_002)).toEqual([]);
  });

  it('no effect is returned by two calls, and every call returns what it caused', () => {
    const events: CoreEvent[] = [
      hello(1, 'v1'),
      { type: 'visitor_message', conn: 1, msg: requestMsg() },
      hello(2, 'v2'),
      { type: 'visitor_message', conn: 2, msg: requestMsg() },
      staffHello(10, 'alice'),
      { type: 'disconnected', conn: 42 },
      { type: 'staff_message', conn: 10, msg: { type: 'reject', chatId: 'c1' } },
      { type: 'tick' },
    ];
    const sb = core();
    // Each call's effects, read before the next call (as the gateway does).
    const calls = events.map((e, i) => [...sb.handle(e, 1_000_000 + i)]);
    const seen = new Map<Effect, number>();
    calls.forEach((effects, i) => {
      for (const effect of effects) {
        expect(seen.get(effect), `an effect of call ${seen.get(effect)} again in call ${i}`).toBe(
          undefined,
        );
        seen.set(effect, i);
      }
    });
    expect(summary(calls[0]!)).toEqual(['send 1 welcome']);
    expect(summary(calls[2]!)).toEqual(['send 2 welcome']);
    expect(calls[5]).toEqual([]);
    // The helper signs in and is offered the first chat, the reject offers the second.
    expect(summary(calls[4]!)).toContain('send 10 offer');
    expect(summary(calls[6]!).filter((s) => s === 'send 10 offer_closed')).toHaveLength(1);
  });

  it('an offer is sent once: the call after it does not repeat it', () => {
    const sb = core();
    sb.handle(hello(1, 'v1'), 1_000_000);
    sb.handle({ type: 'visitor_message', conn: 1, msg: requestMsg() }, 1_000_001);
    const offered = summary(sb.handle(staffHello(10, 'alice'), 1_000_002));
    expect(offered.filter((s) => s === 'send 10 offer')).toHaveLength(1);
    const next = summary(sb.handle(hello(2, 'v2'), 1_000_003));
    expect(next).toEqual(['send 2 welcome']);
  });

  it('the array is reused: one kept past the next call holds that call’s effects (copy to keep)', () => {
    const sb = core();
    const kept = sb.handle(hello(1, 'v1'), 1_000_000);
    const copy = [...kept];
    const second = sb.handle(hello(2, 'v2'), 1_000_001);
    expect(second).toBe(kept);
    expect(summary(kept)).toEqual(['send 2 welcome']);
    expect(summary(copy)).toEqual(['send 1 welcome']);
  });
});
