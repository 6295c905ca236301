import { describe, expect, it } from 'vitest';
import type { ServiceToVisitor, VisitorToService } from '../../../protocol/index.ts';
import { ServiceToVisitor as ServiceToVisitorSchema } from '../../../protocol/index.ts';
import { RECONNECT, nextRetryDelayMs } from '../../../app/lib/signal/reconnect-policy.ts';
import {
  SignalClient,
  type SignalClientState,
  type WebSocketLike,
} from '../../../app/lib/signal/signal-client.ts';

describe('reconnect policy', () => {
  it('SP-S3 backs off exponentially up to the cap, with jitter that never retries at once', () => {
    const at = (attempt: number, random: number) =>
      nextRetryDelayMs({ attempt, closeCode: 1006, random });
    expect(at(0, 0)).toBe(RECONNECT.baseMs / 2);
    expect(at(0, 0.999)).toBeLessThanOrEqual(RECONNECT.baseMs);
    expect(at(3, 0)).toBe((RECONNECT.baseMs * 8) / 2);
    expect(at(40, 0.999)).toBeLessThanOrEqual(RECONNECT.capMs);
    expect(at(40, 0)).toBe(RECONNECT.capMs / 2);
  });

  it('SP-S3 spreads clients of a restarting service over a wider first window', () => {
    const delays = [0, 0.25, 0.5, 0.75, 0.999].map((random) =>
      nextRetryDelayMs({ attempt: 0, closeCode: 1012, random }),
    );
    expect(Math.min(...(delays as number[]))).toBe(RECONNECT.restartWindowMs / 2);
    expect(Math.max(...(delays as number[]))).toBeGreaterThan(RECONNECT.restartWindowMs * 0.99);
  });

  it('SP-E1 stops after final closes: blocked, unauthorized, bad version, replaced, bad origin', () => {
    for (const closeCode of [4001, 4002, 4004, 4005, 4006]) {
      expect(nextRetryDelayMs({ attempt: 0, closeCode, random: 0.5 })).toBeNull();
    }
  });
});

class FakeSocket implements WebSocketLike {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(msg: unknown) {
    this.onmessage?.({ data: typeof msg === 'string' ? msg : JSON.stringify(msg) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
}

function setup() {
  FakeSocket.all = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const states: SignalClientState[] = [];
  const received: ServiceToVisitor[] = [];
  const bad: string[] = [];
  let chats: string[] = [];
  const client = new SignalClient<ServiceToVisitor, VisitorToService>({
    url: 'ws://test/ws/visitor',
    WebSocket: FakeSocket,
    schema: ServiceToVisitorSchema,
    hello: () => ({ type: 'hello', v: 1, landingPage: chats.join(',') }),
    onMessage: (m) => received.push(m),
    onState: (s) => states.push(s),
    onBadFrame: (d) => bad.push(d),
    random: () => 0.5,
    timers: { setTimeout: (fn, ms) => timers.push({ fn, ms }), clearTimeout: () => {} },
  });
  const welcome = {
    type: 'welcome',
    v: 1,
    visitorId: 'v1',
    token: 't',
    firstVisitAt: 1,
    firstLandingPage: '/',
    departments: [],
    iceServers: [],
    typingPreview: true,
  };
  return { client, timers, states, received, bad, welcome, setChats: (c: string[]) => (chats = c) };
}

describe('signal client', () => {
  it('SP-S2 SP-S3 says a fresh hello on every reconnect and backs off between failed attempts', () => {
    const t = setup();
    const first = FakeSocket.all[0]!;
    first.open();
    expect(JSON.parse(first.sent[0]!)).toEqual({ type: 'hello', v: 1, landingPage: '' });
    first.receive(t.welcome);
    expect(t.client.state).toEqual({ status: 'open' });
    expect(t.client.send({ type: 'cancel' })).toBe(true);
    t.setChats(['c1']);
    first.drop(1012);
    expect(t.client.state).toMatchObject({ status: 'reconnecting', attempt: 0 });
    expect(t.client.send({ type: 'cancel' })).toBe(false);
    t.timers.shift()!.fn();
    const second = FakeSocket.all[1]!;
    second.drop(); // never opened: the next wait is longer
    expect(t.client.state).toMatchObject({ status: 'reconnecting', attempt: 1 });
    const waits = t.states.flatMap((s) => (s.status === 'reconnecting' ? [s.retryInMs] : []));
    expect(waits[1]!).toBeGreaterThan(RECONNECT.baseMs / 2);
    t.timers.shift()!.fn();
    const third = FakeSocket.all[2]!;
    third.open();
    expect(JSON.parse(third.sent[0]!)).toEqual({ type: 'hello', v: 1, landingPage: 'c1' });
    third.receive(t.welcome);
    expect(t.client.state.status).toBe('open');
  });

  it('SP-W1 frames that fail to decode are reported and dropped, the connection stays', () => {
    const t = setup();
    const s = FakeSocket.all[0]!;
    s.open();
    s.receive('not json');
    s.receive({ type: 'welcome', v: 1, visitorId: 'v1', token: 't', __proto__x: 1 });
    s.receive(t.welcome);
    expect(t.bad).toHaveLength(2);
    expect(t.received.map((m) => m.type)).toEqual(['welcome']);
  });

  it('SP-B2 a blocked visitor is not reconnected, and the state says why', () => {
    const t = setup();
    const s = FakeSocket.all[0]!;
    s.open();
    s.receive({ type: 'error', code: 'blocked', message: 'You have been blocked from chatting.' });
    s.drop(4005);
    expect(t.client.state).toEqual({ status: 'closed', closeCode: 4005, error: 'blocked' });
    expect(t.timers).toHaveLength(0);
  });

  it('close() ends it for good', () => {
    const t = setup();
    FakeSocket.all[0]!.open();
    t.client.close();
    FakeSocket.all[0]!.drop();
    expect(t.client.state.status).toBe('closed');
    expect(t.timers).toHaveLength(0);
  });
});
