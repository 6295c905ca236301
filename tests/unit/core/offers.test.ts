import { describe, expect, it } from 'vitest';
import { DEFAULT_CORE_CONFIG } from '../../../signal/core/events.ts';
import { CoreDriver, account, requestMsg } from '../../fixtures/core-driver.ts';

describe('queue and offers', () => {
  it('SP-Q1 SP-Q3 queued visitors are told their position, in order of joining', () => {
    const d = new CoreDriver();
    const v1 = d.visitor('v1');
    const v2 = d.visitor('v2');
    d.fromVisitor(v1, requestMsg());
    d.now += 10;
    d.fromVisitor(v2, requestMsg());
    expect(d.last(v1, 'queued')).toMatchObject({
      position: 1,
      helpersOnline: 0,
      estimatedWaitMs: null,
    });
    expect(d.last(v2, 'queued')).toMatchObject({ position: 2 });
  });

  it('SP-Q3 a move in the queue is told within queueNoticeMs, in one notice per visitor', () => {
    const d = new CoreDriver();
    const a = d.staff(account('alice', 'helper', 10));
    const visitors = Array.from({ length: 5 }, (_, i) => d.visitor(`v${i}`));
    for (const v of visitors) {
      d.fromVisitor(v, requestMsg());
      d.now += 1;
    }
    const last = visitors[4]!;
    expect(d.last(last, 'queued')?.position).toBe(5);
    // Three accepts at the head within one period: the visitors behind hear nothing yet…
    for (let i = 0; i < 3; i++) {
      d.fromStaff(a, { type: 'accept', chatId: d.pendingOffer(a)! });
      d.now += 100;
    }
    expect(d.of(last, 'queued')).toHaveLength(1);
    // …then one notice with where they stand now.
    d.advance(DEFAULT_CORE_CONFIG.queueNoticeMs);
    expect(d.of(last, 'queued')).toHaveLength(2);
    expect(d.last(last, 'queued')).toMatchObject({ position: 2, helpersOnline: 1 });
    expect(d.last(visitors[3]!, 'queued')?.position).toBe(1);
    // Nothing changed since: no further notice.
    d.advance(10 * DEFAULT_CORE_CONFIG.queueNoticeMs);
    expect(d.of(last, 'queued')).toHaveLength(2);
  });

  it('SP-Q3 the notices of a long queue go out a step at a time, and a change mid-walk is told too', () => {
    const d = new CoreDriver();
    const step = DEFAULT_CORE_CONFIG.queueWalkStep;
    const a = d.staff(account('alice', 'helper', 10));
    const visitors = Array.from({ length: 3 * step }, (_, i) => d.visitor(`v${i}`));
    for (const v of visitors) {
      d.fromVisitor(v, requestMsg());
      d.now += 1;
    }
    d.fromStaff(a, { type: 'accept', chatId: d.pendingOffer(a)! });
    d.advance(DEFAULT_CORE_CONFIG.queueNoticeMs);
    // The first step is told; the back of the queue waits for the next milliseconds.
    expect(d.last(visitors[step]!, 'queued')?.position).toBe(step);
    expect(d.last(visitors[3 * step - 1]!, 'queued')?.position).toBe(3 * step);
    d.fromStaff(a, { type: 'accept', chatId: d.pendingOffer(a)! });
    d.advance(DEFAULT_CORE_CONFIG.queueNoticeMs + 3);
    visitors.slice(2).forEach((v, i) => {
      expect(d.last(v, 'queued')?.position).toBe(i + 1);
    });
  });

  it('SP-Q3 a visitor who joins or reconnects is told its place at once', () => {
    const d = new CoreDriver();
    const v1 = d.visitor('v1');
    d.fromVisitor(v1, requestMsg());
    d.now += 1;
    d.fromVisitor(d.visitor('v2'), requestMsg());
    d.disconnect(v1);
    const back = d.visitor('v1');
    expect(d.last(back, 'queued')).toMatchObject({ position: 1, helpersOnline: 0 });
  });

  it('SP-Q3 helpers coming online are told to the queue within queueNoticeMs', () => {
    const d = new CoreDriver();
    const visitors = Array.from({ length: 3 }, (_, i) => d.visitor(`v${i}`));
    for (const v of visitors) d.fromVisitor(v, requestMsg());
    d.staff(account('alice'));
    d.advance(DEFAULT_CORE_CONFIG.queueNoticeMs);
    expect(d.last(visitors[2]!, 'queued')).toMatchObject({ position: 3, helpersOnline: 1 });
  });

  it('SP-O1 SP-O7 the head of the queue is offered to an available helper with the visitor summary', () => {
    const d = new CoreDriver();
    const v = d.visitor('v1', '192.0.2.9');
    d.fromVisitor(v, { ...requestMsg(), email: 'vera@example.org' });
    const h = d.staff(account('alice'));
    const offer = d.last(h, 'offer');
    expect(offer).toMatchObject({
      expiresAt: d.now + DEFAULT_CORE_CONFIG.offerTimeoutMs,
      visitor: {
        name: 'Vera',
        email: 'vera@example.org',
        ip: '192.0.2.9',
        department: 'general',
        firstVisitAt: 500,
        question: 'Firefox will not start',
      },
    });
  });

  it('SP-O2 the helper with the fewest chats wins, then the one idle longest', () => {
    const d = new CoreDriver();
    const a = d.staff(account('alice'));
    d.now += 5;
    const b = d.staff(account('bob'));
    const v1 = d.visitor('v1');
    d.fromVisitor(v1, requestMsg());
    // Both have 0 chats; alice has been idle longer.
    const first = d.pendingOffer(a);
    expect(first).not.toBeNull();
    expect(d.pendingOffer(b)).toBeNull();
    d.fromStaff(a, { type: 'accept', chatId: first! });
    const v2 = d.visitor('v2');
    d.fromVisitor(v2, requestMsg());
    // alice has 1 chat now, bob 0: bob gets it.
    expect(d.pendingOffer(b)).not.toBeNull();
  });

  it('SP-O3 a chat is offered to one helper at a time, and a helper holds one offer', () => {
    const d = new CoreDriver();
    const a = d.staff(account('alice'));
    const b = d.staff(account('bob'));
    d.fromVisitor(d.visitor('v1'), requestMsg());
    d.fromVisitor(d.visitor('v2'), requestMsg());
    d.fromVisitor(d.visitor('v3'), requestMsg());
    const offers = [d.pendingOffer(a), d.pendingOffer(b)];
    expect(new Set(offers).size).toBe(2);
    expect(d.of(a, 'offer')).toHaveLength(1);
    expect(d.of(b, 'offer')).toHaveLength(1);
  });

  it('SP-O4 reject puts the chat back at the front and offers it to the next helper, never again to the rejecter', () => {
    const d = new CoreDriver();
    const a = d.staff(account('alice'));
    d.now += 1;
    const b = d.staff(account('bob'), { available: false });
    const v1 = d.visitor('v1');
    d.fromVisitor(v1, requestMsg());
    d.now += 1;
    const v2 = d.visitor('v2');
    d.fromVisitor(v2, requestMsg());
    const chat1 = d.pendingOffer(a)!;
    d.fromStaff(a, { type: 'reject', chatId: chat1 });
    expect(d.last(a, 'offer_closed')).toMatchObject({ chatId: chat1, reason: 'rejected' });
    // alice is offered the second chat, never chat1 again; chat1 stays first in line.
    expect(d.pendingOffer(a)).not.toBe(chat1);
    expect(d.last(v1, 'queued')?.position).toBe(1);
    d.fromStaff(b, { type: 'set_available', available: true });
    expect(d.pendingOffer(b)).toBe(chat1);
  });

  it('SP-O4 an unanswered offer expires and goes to the next helper', () => {
    const d = new CoreDriver();
    const a = d.staff(account('alice'));
    const v = d.visitor('v1');
    d.fromVisitor(v, requestMsg());
    const chat = d.pendingOffer(a)!;
    d.now += 1;
    const b = d.staff(account('bob'));
    expect(d.pendingOffer(b)).toBeNull();
    d.advance(DEFAULT_CORE_CONFIG.offerTimeoutMs - 2);
    expect(d.pendingOffer(a)).toBe(chat);
    d.advance(2);
    expect(d.last(a, 'offer_closed')).toMatchObject({ chatId: chat, reason: 'expired' });
    expect(d.pendingOffer(b)).toBe(chat);
    expect(d.effects.some((e) => e.kind === 'stat' && e.stat.name === 'expire')).toBe(true);
  });

  it('SP-O5 of many accepts exactly one wins; the rest get a conflict or not_offered', () => {
    const d = new CoreDriver();
    const helpers = Array.from({ length: 5 }, (_, i) => d.staff(account(`h${i}`)));
    const v = d.visitor('v1');
    d.fromVisitor(v, requestMsg());
    const offeredTo = helpers.find((h) => d.pendingOffer(h) !== null)!;
    const chatId = d.pendingOffer(offeredTo)!;
    for (const h of helpers) d.fromStaff(h, { type: 'accept', chatId });
    d.fromStaff(offeredTo, { type: 'accept', chatId });
    const winners = helpers.filter((h) => d.of(h, 'chat').length > 0);
    expect(winners).toEqual([offeredTo]);
    const winnerIndex = helpers.indexOf(offeredTo);
    helpers.forEach((h, i) => {
      if (h === offeredTo) return;
      // Before the winner accepted it was not theirs; after, it was taken.
      expect(d.last(h, 'error')?.code).toBe(i < winnerIndex ? 'not_offered' : 'offer_conflict');
    });
    expect(d.last(offeredTo, 'error')?.code).toBe('offer_conflict');
    expect(d.last(v, 'chat')?.chatId).toBe(chatId);
  });

  it('SP-O6 freed capacity offers the oldest waiting chat at once', () => {
    const d = new CoreDriver();
    const a = d.staff(account('alice', 'helper', 1));
    const v1 = d.visitor('v1');
    d.fromVisitor(v1, requestMsg());
    const c1 = d.pendingOffer(a)!;
    d.fromStaff(a, { type: 'accept', chatId: c1 });
    d.now += 1;
    const v2 = d.visitor('v2');
    d.fromVisitor(v2, requestMsg('billing'));
    d.now += 1;
    const v3 = d.visitor('v3');
    d.fromVisitor(v3, requestMsg('general'));
    expect(d.pendingOffer(a)).toBeNull();
    d.fromStaff(a, { type: 'end', chatId: c1 });
    // The oldest waiting chat across departments is v2's.
    expect(d.last(a, 'offer')?.visitor.visitorId).toBe('v2');
  });

  it('SP-Q4 a request to a closed department is answered unavailable and a message can be left', () => {
    const d = new CoreDriver();
    const v = d.visitor('v1');
    d.fromVisitor(v, requestMsg('night'));
    expect(d.last(v, 'unavailable')).toMatchObject({
      department: 'night',
      reason: 'department_closed',
    });
    d.fromVisitor(v, {
      type: 'leave_message',
      name: 'Vera',
      department: 'night',
      message: 'Call me back',
    });
    expect(d.last(v, 'message_left')).toBeDefined();
    expect(
      d.persisted.some((c) => c.op === 'left_message' && c.message.message === 'Call me back'),
    ).toBe(true);
  });

  it('SP-Q5 a visitor holds at most one open request', () => {
    const d = new CoreDriver();
    const v = d.visitor('v1');
    d.fromVisitor(v, requestMsg());
    d.fromVisitor(v, requestMsg());
    expect(d.last(v, 'error')?.code).toBe('already_requested');
  });

  it('SP-Q6 cancel, leaving a message, and staying away each end a request exactly once', () => {
    const d = new CoreDriver();
    const v1 = d.visitor('v1');
    d.fromVisitor(v1, requestMsg());
    d.fromVisitor(v1, { type: 'cancel' });
    expect(d.last(v1, 'cancelled')).toBeDefined();
    d.fromVisitor(v1, { type: 'cancel' });
    expect(d.last(v1, 'error')?.code).toBe('no_request');

    const v2 = d.visitor('v2');
    d.fromVisitor(v2, requestMsg());
    d.fromVisitor(v2, {
      type: 'leave_message',
      name: 'V',
      department: 'general',
      message: 'later',
    });

    const v3 = d.visitor('v3');
    d.fromVisitor(v3, requestMsg());
    d.disconnect(v3);
    d.advance(DEFAULT_CORE_CONFIG.visitorGraceMs);

    const outcomes = d.persisted.flatMap((c) => (c.op === 'close_chat' ? [c.outcome] : []));
    expect(outcomes).toEqual(['cancelled', 'left_message', 'cancelled']);
  });

  it('SP-Q7 the estimated wait follows the pace of accepts', () => {
    const d = new CoreDriver();
    const a = d.staff(account('alice', 'helper', 10));
    for (let i = 0; i < 2; i++) {
      d.fromVisitor(d.visitor(`early${i}`), requestMsg());
      d.now += 60_000;
      d.fromStaff(a, { type: 'accept', chatId: d.pendingOffer(a)! });
    }
    d.fromStaff(a, { type: 'set_available', available: false });
    const v = d.visitor('late');
    d.fromVisitor(v, requestMsg());
    expect(d.last(v, 'queued')).toMatchObject({ position: 1, estimatedWaitMs: 60_000 });
  });
});

describe('chat limits and trainees', () => {
  it('SP-L1 a helper never holds more chats than their limit', () => {
    const d = new CoreDriver();
    const a = d.staff(account('alice'));
    const visitors = Array.from({ length: 4 }, (_, i) => d.visitor(`v${i}`));
    for (const v of visitors) d.fromVisitor(v, requestMsg());
    for (let i = 0; i < 4; i++) {
      const offer = d.pendingOffer(a);
      if (offer !== null) d.fromStaff(a, { type: 'accept', chatId: offer });
    }
    expect(d.last(a, 'status')?.activeChats).toHaveLength(3);
    d.advance(DEFAULT_CORE_CONFIG.queueNoticeMs);
    expect(d.last(visitors[3]!, 'queued')?.position).toBe(1);
  });

  it('SP-L2 the chat limit can be changed within the admin maximum', () => {
    const d = new CoreDriver();
    const a = d.staff(account('alice'));
    d.fromStaff(a, { type: 'set_chat_limit', limit: DEFAULT_CORE_CONFIG.maxChatLimit + 1 });
    expect(d.last(a, 'error')?.code).toBe('chat_limit_out_of_range');
    d.fromStaff(a, { type: 'set_chat_limit', limit: 5 });
    expect(d.last(a, 'status')?.chatLimit).toBe(5);
    expect(d.persisted.at(-1)).toMatchObject({
      op: 'account',
      account: { id: 'alice', chatLimit: 5 },
    });
  });

  it('SP-L2 SP-O6 raising the limit offers a waiting chat at once', () => {
    const d = new CoreDriver();
    const a = d.staff(account('alice', 'helper', 1));
    d.fromVisitor(d.visitor('v1'), requestMsg());
    d.fromStaff(a, { type: 'accept', chatId: d.pendingOffer(a)! });
    d.fromVisitor(d.visitor('v2'), requestMsg());
    expect(d.pendingOffer(a)).toBeNull();
    d.fromStaff(a, { type: 'set_chat_limit', limit: 2 });
    expect(d.pendingOffer(a)).not.toBeNull();
  });

  it('SP-T1 SP-T3 trainees get no offers until a monitor promotes them', () => {
    const d = new CoreDriver();
    const t = d.staff(account('tina', 'trainee'));
    const v = d.visitor('v1');
    d.fromVisitor(v, requestMsg());
    expect(d.pendingOffer(t)).toBeNull();
    const helper = d.staff(account('harry', 'helper'), { available: false });
    d.fromStaff(helper, { type: 'promote', nickname: 'tina' });
    expect(d.last(helper, 'error')?.code).toBe('forbidden');
    const m = d.staff(account('molly', 'monitor'), { available: false });
    d.fromStaff(m, { type: 'promote', nickname: 'TINA' });
    expect(d.last(m, 'promoted')?.nickname).toBe('tina');
    expect(d.last(t, 'status')?.role).toBe('helper');
    expect(d.pendingOffer(t)).not.toBeNull();
  });
});
