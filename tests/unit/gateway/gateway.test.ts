import { describe, expect, it } from 'vitest';
import { LIMITS, PROTOCOL_VERSION } from '../../../protocol/index.ts';
import { HELLO_TIMEOUT_MS, HELPER, fakeGateway } from './fake-gateway.ts';

const V = PROTOCOL_VERSION;

describe('gateway: upgrade', () => {
  it('refuses paths other than /ws/visitor and /ws/staff with 404', () => {
    const h = fakeGateway();
    expect(
      h.gateway.upgrade({ path: '/ws/other', query: '', headers: {}, remoteAddress: '1.2.3.4' }),
    ).toMatchObject({
      accept: false,
      status: 404,
    });
  });

  it('allows the own origin (Host), PUBLIC_ORIGIN, extra origins and no Origin; refuses others with 403', () => {
    const h = fakeGateway();
    const decide = (headers: Record<string, string>) =>
      h.gateway.upgrade({ path: '/ws/visitor', query: '', headers, remoteAddress: '1.2.3.4' })
        .accept;
    expect(decide({ origin: 'http://localhost:8080', host: 'localhost:8080' })).toBe(true);
    expect(decide({ origin: 'https://chat.example.org', host: 'internal:8080' })).toBe(true);
    expect(decide({ origin: 'https://HELP.example.com:443', host: 'x' })).toBe(true);
    expect(decide({ host: 'x' })).toBe(true);
    expect(decide({ origin: 'https://evil.example', host: 'localhost:8080' })).toBe(false);
    expect(decide({ origin: 'null', host: 'localhost:8080' })).toBe(false);
    expect(h.refusedUpgrades).toEqual(['origin', 'origin']);
  });

  it('limits new connections per client IP (429), counting X-Forwarded-For only from trusted proxies (B3)', () => {
    const h = fakeGateway({ wsConnectionsPerIpPerMinute: 2 });
    const up = (remoteAddress: string, xff?: string) =>
      h.gateway.upgrade({
        path: '/ws/visitor',
        query: '',
        headers: xff === undefined ? {} : { 'x-forwarded-for': xff },
        remoteAddress,
      });
    expect(up('10.0.0.1', '7.7.7.7').accept).toBe(true);
    expect(up('10.0.0.2', '7.7.7.7').accept).toBe(true);
    expect(up('10.0.0.3', '7.7.7.7')).toMatchObject({ accept: false, status: 429 });
    // The same proxy forwarding another client is fine.
    expect(up('10.0.0.1', '8.8.8.8').accept).toBe(true);
    // An untrusted peer's header is ignored: the limit is on the peer itself.
    expect(up('5.5.5.5', '9.9.9.9').accept).toBe(true);
    expect(up('5.5.5.5', '9.9.9.10').accept).toBe(true);
    expect(up('5.5.5.5', '9.9.9.11').accept).toBe(false);
    h.clock.now += 60_000;
    expect(up('5.5.5.5').accept).toBe(true);
  });

  it('B3 passes the resolved client IP to the core in hello', () => {
    const h = fakeGateway();
    const s = h.connect(
      '/ws/visitor',
      { 'x-forwarded-for': '203.0.113.9, 10.1.1.1' },
      '::ffff:10.0.0.5',
    );
    h.frame(s, { type: 'hello', v: V });
    expect(h.events[0]).toMatchObject({ type: 'visitor_hello', ip: '203.0.113.9' });
  });
});

describe('gateway: frames (SP-W1, SP-W2, SP-E1, SP-E2)', () => {
  it('SP-W1 answers a frame that is not JSON with bad_frame and keeps the socket open', () => {
    const h = fakeGateway();
    const s = h.connect('/ws/visitor');
    h.frame(s, '{not json');
    expect(s.frames()).toEqual([
      { type: 'error', code: 'bad_frame', message: 'The message could not be read.' },
    ]);
    expect(s.closed).toBeNull();
  });

  it('SP-W1 SP-E2 answers an unknown type with unknown_type naming it in ref', () => {
    const h = fakeGateway();
    const s = h.connect('/ws/visitor');
    h.frame(s, { type: 'hello', v: V });
    h.frame(s, { type: 'nonsense' });
    expect(s.frames()).toEqual([
      expect.objectContaining({ type: 'error', code: 'unknown_type', ref: 'nonsense' }),
    ]);
  });

  it('SP-W2 refuses a binary frame with bad_frame', () => {
    const h = fakeGateway();
    const s = h.connect('/ws/visitor');
    h.gateway.message(s, null, 3);
    expect(s.frames()).toEqual([expect.objectContaining({ code: 'bad_frame' })]);
    expect(s.closed).toBeNull();
  });

  it('SP-W2 closes on a text frame over the protocol limit with frame_too_large (4009)', () => {
    const h = fakeGateway();
    const s = h.connect('/ws/visitor');
    h.frame(s, 'x'.repeat(LIMITS.maxFrameBytes + 1));
    expect(s.closed).toEqual({ code: 4009, reason: 'frame_too_large' });
  });

  it('SP-E1 a frame before hello gets hello_required and closes with 4003', () => {
    const h = fakeGateway();
    const s = h.connect('/ws/visitor');
    h.frame(s, { type: 'cancel' });
    expect(s.frames()).toEqual([
      expect.objectContaining({ code: 'hello_required', ref: 'cancel' }),
    ]);
    expect(s.closed).toEqual({ code: 4003, reason: 'hello_required' });
    expect(h.events).toEqual([]);
  });

  it('feeds decoded messages to the core as visitor_message / staff_message', () => {
    const h = fakeGateway();
    const v = h.connect('/ws/visitor');
    h.frame(v, { type: 'hello', v: V });
    h.frame(v, { type: 'cancel' });
    const s = h.connect('/ws/staff');
    h.frame(s, { type: 'hello', v: V, session: 'good-session' });
    h.frame(s, { type: 'set_available', available: true });
    expect(h.events.map((e) => e.type)).toEqual([
      'visitor_hello',
      'visitor_message',
      'staff_hello',
      'staff_message',
    ]);
    expect(h.events[1]).toEqual({ type: 'visitor_message', conn: v.id, msg: { type: 'cancel' } });
    expect(h.events[3]).toEqual({
      type: 'staff_message',
      conn: s.id,
      msg: { type: 'set_available', available: true },
    });
  });

  it('a staff message on the visitor endpoint is refused by the visitor schema', () => {
    const h = fakeGateway();
    const v = h.connect('/ws/visitor');
    h.frame(v, { type: 'hello', v: V });
    h.frame(v, { type: 'accept', chatId: 'c1' });
    expect(v.frames()).toEqual([expect.objectContaining({ code: 'unknown_type', ref: 'accept' })]);
    expect(h.events).toHaveLength(1);
  });
});

describe('gateway: hello (SP-H1, SP-H2, SP-H3, SP-V1)', () => {
  it('SP-H1 closes an unsupported version with bad_version (4002)', () => {
    const h = fakeGateway();
    const s = h.connect('/ws/visitor');
    h.frame(s, { type: 'hello', v: 999 });
    expect(s.frames()).toEqual([expect.objectContaining({ code: 'bad_version', ref: 'hello' })]);
    expect(s.closed?.code).toBe(4002);
    expect(h.events).toEqual([]);
  });

  it('SP-H2 refuses a second hello with already_hello and keeps the socket', () => {
    const h = fakeGateway();
    const s = h.connect('/ws/visitor');
    h.frame(s, { type: 'hello', v: V });
    h.frame(s, { type: 'hello', v: V });
    expect(s.frames()).toEqual([expect.objectContaining({ code: 'already_hello', ref: 'hello' })]);
    expect(s.closed).toBeNull();
    expect(h.events).toHaveLength(1);
  });

  it('SP-H3 closes a staff hello with a bad session with unauthorized (4001)', () => {
    const h = fakeGateway();
    const s = h.connect('/ws/staff');
    h.frame(s, { type: 'hello', v: V, session: 'forged' });
    expect(s.closed?.code).toBe(4001);
    expect(h.events).toEqual([]);
  });

  it('SP-H3 announces a valid staff hello with the account, chats and availability', () => {
    const h = fakeGateway();
    const s = h.connect('/ws/staff');
    h.frame(s, { type: 'hello', v: V, session: 'good-session', chats: ['c1'], available: true });
    expect(h.events[0]).toMatchObject({
      type: 'staff_hello',
      conn: s.id,
      account: HELPER,
      chats: ['c1'],
      available: true,
      relayOnly: false,
    });
  });

  it('SP-V1 keeps the identity of a valid token and mints a new one for a missing or invalid token', () => {
    const h = fakeGateway();
    const first = h.connect('/ws/visitor');
    h.frame(first, { type: 'hello', v: V, landingPage: 'https://x/landing' });
    const hello1 = h.events[0];
    if (hello1?.type !== 'visitor_hello') throw new Error('no hello');
    expect(hello1.visitor).toEqual({
      visitorId: 'v1',
      firstVisitAt: 1_000_000,
      firstLandingPage: 'https://x/landing',
    });
    h.clock.now += 5000;
    const again = h.connect('/ws/visitor');
    h.frame(again, { type: 'hello', v: V, token: hello1.token, landingPage: 'https://x/other' });
    expect(h.events[1]).toMatchObject({ visitor: hello1.visitor, token: hello1.token });
    const forged = h.connect('/ws/visitor');
    h.frame(forged, { type: 'hello', v: V, token: 'tok-v1-forged' });
    expect(h.events[2]).toMatchObject({ visitor: { visitorId: 'v2', firstVisitAt: 1_005_000 } });
  });
});

describe('gateway: rate limits', () => {
  it('answers the first frame over the limit with rate_limited, then closes a sustained flood with 4008', () => {
    const h = fakeGateway({ wsMessagesPerSecond: 1, wsMessageBurst: 3 });
    const s = h.connect('/ws/visitor');
    h.frame(s, { type: 'hello', v: V });
    h.frame(s, { type: 'cancel' });
    h.frame(s, { type: 'cancel' });
    h.frame(s, { type: 'cancel' }); // over the burst
    expect(s.frames()).toEqual([expect.objectContaining({ code: 'rate_limited' })]);
    expect(s.closed).toBeNull();
    for (let i = 0; i < 20 && s.closed === null; i += 1) h.frame(s, { type: 'cancel' });
    expect(s.closed).toEqual({ code: 4008, reason: 'flood' });
    expect(s.frames().map((f) => f['code'])).toEqual(['rate_limited', 'flood']);
  });

  it('lets a socket that slows down carry on', () => {
    const h = fakeGateway({ wsMessagesPerSecond: 1, wsMessageBurst: 1 });
    const s = h.connect('/ws/visitor');
    h.frame(s, { type: 'hello', v: V });
    h.frame(s, { type: 'cancel' });
    h.clock.now += 1000;
    h.frame(s, { type: 'cancel' });
    expect(s.frames()).toEqual([expect.objectContaining({ code: 'rate_limited' })]);
    expect(h.events.map((e) => e.type)).toEqual(['visitor_hello', 'visitor_message']);
  });
});

describe('gateway: effects', () => {
  it('sends messages as JSON, persists, reports stats', () => {
    const h = fakeGateway();
    const s = h.connect('/ws/visitor');
    h.script.push(() => [
      { kind: 'send', conn: s.id, msg: { type: 'cancelled', chatId: 'c1' } },
      { kind: 'stat', stat: { name: 'request', department: 'd' } },
      { kind: 'persist', change: { op: 'account', account: HELPER } },
      { kind: 'send', conn: 999, msg: { type: 'cancelled', chatId: 'gone' } },
    ]);
    h.frame(s, { type: 'hello', v: V });
    expect(s.frames()).toEqual([{ type: 'cancelled', chatId: 'c1' }]);
    expect(h.stats).toEqual([{ name: 'request', department: 'd' }]);
    expect(h.persisted).toEqual([{ op: 'account', account: HELPER }]);
  });

  it('SP-E1 a close effect sends the error and closes with its code; a code without one closes with 1000', () => {
    const h = fakeGateway();
    const a = h.connect('/ws/staff');
    const b = h.connect('/ws/staff');
    h.frame(a, { type: 'hello', v: V, session: 'good-session' });
    h.script.push(() => [
      { kind: 'close', conn: a.id, code: 'replaced' },
      { kind: 'close', conn: b.id, code: 'forbidden' },
    ]);
    h.frame(b, { type: 'hello', v: V, session: 'good-session' });
    expect(a.frames()).toEqual([expect.objectContaining({ code: 'replaced' })]);
    expect(a.closed).toEqual({ code: 4006, reason: 'replaced' });
    expect(b.closed).toEqual({ code: 1000, reason: 'forbidden' });
  });

  it('runs the disconnects that closes report only after the current effects, in order', () => {
    const h = fakeGateway();
    const a = h.connect('/ws/visitor');
    const b = h.connect('/ws/visitor');
    h.frame(a, { type: 'hello', v: V });
    h.script.push(() => [
      { kind: 'close', conn: a.id, code: 'replaced' },
      { kind: 'send', conn: b.id, msg: { type: 'cancelled', chatId: 'c1' } },
    ]);
    h.frame(b, { type: 'hello', v: V });
    expect(h.events.map((e) => e.type)).toEqual(['visitor_hello', 'visitor_hello', 'disconnected']);
    expect(b.frames()).toEqual([{ type: 'cancelled', chatId: 'c1' }]);
  });

  it('closes a socket whose sends are dropped or over the backpressure limit with 4010', () => {
    const h = fakeGateway();
    const a = h.connect('/ws/visitor');
    const b = h.connect('/ws/visitor');
    a.nextSend = 'dropped';
    b.nextSend = 'backpressure';
    b.buffered = 5000;
    h.script.push(() => [
      { kind: 'send', conn: a.id, msg: { type: 'cancelled', chatId: 'c1' } },
      { kind: 'send', conn: b.id, msg: { type: 'cancelled', chatId: 'c1' } },
    ]);
    h.frame(a, { type: 'hello', v: V });
    expect(a.closed).toEqual({ code: 4010, reason: 'backpressure' });
    expect(b.closed).toEqual({ code: 4010, reason: 'backpressure' });
  });

  it('SP-W3 answers internal (1011) when the core throws, and keeps serving other sockets', () => {
    const h = fakeGateway();
    const a = h.connect('/ws/visitor');
    const b = h.connect('/ws/visitor');
    h.script.push(() => {
      throw new Error('core bug (expected in this test)');
    });
    h.frame(a, { type: 'hello', v: V });
    expect(a.frames()).toEqual([expect.objectContaining({ code: 'internal', ref: 'hello' })]);
    expect(a.closed?.code).toBe(1011);
    h.script.push(() => [{ kind: 'send', conn: b.id, msg: { type: 'cancelled', chatId: 'c1' } }]);
    h.frame(b, { type: 'hello', v: V });
    expect(b.frames()).toEqual([{ type: 'cancelled', chatId: 'c1' }]);
    expect(h.logs.some((l) => l.level === 'error')).toBe(true);
  });
});

describe('gateway: closes and the timer', () => {
  it('tells the core of a close only for sockets that said hello', () => {
    const h = fakeGateway();
    const quiet = h.connect('/ws/visitor');
    const said = h.connect('/ws/visitor');
    h.frame(said, { type: 'hello', v: V });
    h.transportClose(quiet, 1001);
    h.transportClose(said, 1001);
    expect(h.events).toEqual([
      expect.objectContaining({ type: 'visitor_hello' }),
      { type: 'disconnected', conn: said.id },
    ]);
    expect(h.gateway.size()).toBe(0);
    expect(h.connections).toEqual([
      ['visitor', 1],
      ['visitor', -1],
    ]);
  });

  it('keeps one timer for the core deadline, sends tick when it fires and re-arms', () => {
    const h = fakeGateway();
    const s = h.connect('/ws/visitor');
    h.deadline.at = h.clock.now + 20_000;
    h.frame(s, { type: 'hello', v: V });
    expect(h.timers).toHaveLength(1);
    expect(h.timers[0]?.delayMs).toBe(20_000);
    // The same deadline after another event: the timer stays.
    h.frame(s, { type: 'cancel' });
    expect(h.timers).toHaveLength(1);
    h.clock.now += 20_000;
    h.deadline.at = h.clock.now + 5000;
    h.timers[0]?.fire();
    expect(h.events.at(-1)).toEqual({ type: 'tick' });
    expect(h.timers).toHaveLength(2);
    expect(h.timers[1]?.delayMs).toBe(5000);
    // An earlier deadline replaces the armed timer.
    h.deadline.at = h.clock.now + 1000;
    h.frame(s, { type: 'cancel' });
    expect(h.timers[1]?.cancelled).toBe(true);
    expect(h.timers[2]?.delayMs).toBe(1000);
  });

  it('after stop, closes are not reported to the core (SP-S2: a shutdown is not a departure)', () => {
    const h = fakeGateway();
    const s = h.connect('/ws/staff');
    h.frame(s, { type: 'hello', v: V, session: 'good-session' });
    h.gateway.stop();
    h.transportClose(s, 1012);
    expect(h.events.map((e) => e.type)).toEqual(['staff_hello']);
  });

  it('closeAll tells every client the reason and closes with its code, without reporting departures', () => {
    const h = fakeGateway();
    const a = h.connect('/ws/staff');
    const b = h.connect('/ws/visitor');
    h.frame(a, { type: 'hello', v: V, session: 'good-session' });
    h.gateway.closeAll('shutting_down');
    for (const s of [a, b]) {
      expect(s.frames()).toEqual([expect.objectContaining({ code: 'shutting_down' })]);
      expect(s.closed).toEqual({ code: 1012, reason: 'shutting_down' });
    }
    expect(h.events.map((e) => e.type)).toEqual(['staff_hello']);
  });

  it('SP-H5 a signed-out session closes its staff socket with unauthorized (4001), and only that one', () => {
    const h = fakeGateway();
    const staff = h.connect('/ws/staff');
    const visitor = h.connect('/ws/visitor');
    h.frame(staff, { type: 'hello', v: V, session: 'good-session' });
    h.frame(visitor, { type: 'hello', v: V });
    h.gateway.endSession('another-session');
    expect(staff.closed).toBeNull();
    h.gateway.endSession('session-1');
    expect(staff.frames().at(-1)).toMatchObject({ type: 'error', code: 'unauthorized' });
    expect(staff.closed).toEqual({ code: 4001, reason: 'unauthorized' });
    expect(visitor.closed).toBeNull();
  });

  it('SP-H4 a socket that does not say hello in time is closed with hello_required (4003)', () => {
    const h = fakeGateway();
    const silent = h.connect('/ws/visitor');
    const greeted = h.connect('/ws/visitor');
    h.frame(greeted, { type: 'hello', v: V });
    expect(h.helloTimers.map((t) => [t.delayMs, t.cancelled])).toEqual([
      [HELLO_TIMEOUT_MS, false],
      [HELLO_TIMEOUT_MS, true],
    ]);
    h.helloTimers[0]!.fire();
    expect(silent.frames()).toEqual([expect.objectContaining({ code: 'hello_required' })]);
    expect(silent.closed).toEqual({ code: 4003, reason: 'hello_required' });
    expect(greeted.closed).toBeNull();
    expect(h.events.map((e) => e.type)).toEqual(['visitor_hello']);
  });

  it('passes account changes from outside a socket to the core', () => {
    const h = fakeGateway();
    h.gateway.notify({ type: 'account_removed', accountId: 'a1' });
    expect(h.events).toEqual([{ type: 'account_removed', accountId: 'a1' }]);
  });
});
