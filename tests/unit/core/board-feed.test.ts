import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../protocol/index.ts';
import { DEFAULT_CORE_CONFIG } from '../../../signal/core/events.ts';
import { CoreDriver, account, requestMsg } from '../../fixtures/core-driver.ts';

const NOTICE = DEFAULT_CORE_CONFIG.boardNoticeMs;

function monitorWithBoard(d = new CoreDriver()) {
  const molly = d.staff(account('molly', 'monitor', 2), { available: false });
  d.fromStaff(molly, { type: 'board_subscribe' });
  return { d, molly };
}

describe('live board', () => {
  it('SP-M4 a subscriber gets a snapshot of queued, offered and active chats and every account', () => {
    const d = new CoreDriver();
    const alice = d.staff(account('alice', 'helper', 1));
    d.fromVisitor(d.visitor('v1'), requestMsg('general', 'Vera'));
    const active = d.pendingOffer(alice)!;
    d.fromStaff(alice, { type: 'accept', chatId: active });
    d.now += 1;
    d.fromVisitor(d.visitor('v2'), requestMsg('billing', 'Walt'));
    const bob = d.staff(account('bob'));
    const offered = d.pendingOffer(bob)!;
    d.fromStaff(bob, { type: 'set_available', available: false });
    d.fromStaff(bob, { type: 'set_available', available: true });
    d.fromVisitor(d.visitor('v3'), requestMsg('general', 'Xena'));
    d.staff(account('tina', 'trainee'));
    const { molly } = monitorWithBoard(d);
    const board = d.last(molly, 'board')!;
    const byName = Object.fromEntries(board.chats.map((c) => [c.visitorName, c]));
    expect(byName['Vera']).toMatchObject({
      chatId: active,
      status: 'active',
      department: 'general',
      helpers: ['Name alice'],
      monitors: [],
      startedAt: expect.any(Number),
      unansweredSince: null,
    });
    expect(byName['Walt']?.status).toBe('offered');
    expect(byName['Walt']?.chatId).toBe(offered);
    expect(byName['Xena']).toMatchObject({ status: 'queued', helpers: [], startedAt: null });
    expect(board.staff.map((s) => [s.nickname, s.role, s.online, s.chats])).toEqual(
      expect.arrayContaining([
        ['alice', 'helper', true, 1],
        ['bob', 'helper', true, 0],
        ['tina', 'trainee', true, 0],
        ['molly', 'monitor', true, 0],
      ]),
    );
  });

  it('SP-M4 changes are pushed, coalesced into one frame per subscriber within boardNoticeMs', () => {
    const { d, molly } = monitorWithBoard();
    const other = d.staff(account('admin1', 'admin'), { available: false });
    d.fromStaff(other, { type: 'board_subscribe' });
    d.clear(molly);
    d.clear(other);
    const alice = d.staff(account('alice'));
    const visitors = ['v1', 'v2', 'v3', 'v4'].map((id) => d.visitor(id));
    for (const v of visitors) d.fromVisitor(v, requestMsg());
    d.fromStaff(alice, { type: 'accept', chatId: d.pendingOffer(alice)! });
    expect(d.of(molly, 'board_changes')).toHaveLength(0);
    d.advance(NOTICE);
    for (const conn of [molly, other]) {
      const frames = d.of(conn, 'board_changes');
      expect(frames).toHaveLength(1);
      expect(frames[0]!.chats.map((c) => c.status).sort()).toEqual([
        'active',
        'offered',
        'queued',
        'queued',
      ]);
      expect(frames[0]!.staff.map((s) => s.nickname)).toContain('alice');
    }
    // Nothing changed: nothing is sent.
    d.advance(10 * NOTICE);
    expect(d.of(molly, 'board_changes')).toHaveLength(1);
  });

  it('SP-M4 an ended chat is told as removed, once', () => {
    const { d, molly } = monitorWithBoard();
    const v = d.visitor('v1');
    d.fromVisitor(v, requestMsg());
    d.advance(NOTICE);
    const chatId = d.last(molly, 'board_changes')!.chats[0]!.chatId;
    d.fromVisitor(v, { type: 'cancel' });
    d.advance(NOTICE);
    expect(d.last(molly, 'board_changes')).toMatchObject({ chats: [], removed: [chatId] });
  });

  it('SP-M4 a chat opened and ended between two flushes is never told', () => {
    const { d, molly } = monitorWithBoard();
    d.clear(molly);
    const v = d.visitor('v1');
    d.fromVisitor(v, requestMsg());
    d.fromVisitor(v, { type: 'cancel' });
    d.advance(NOTICE);
    expect(d.of(molly, 'board_changes')).toEqual([]);
  });

  it('SP-M4 hundreds of chats: the snapshot and the changes come in frames of bounded rows', () => {
    const d = new CoreDriver();
    for (let i = 0; i < 300; i++) d.fromVisitor(d.visitor(`v${i}`), requestMsg());
    const { molly } = monitorWithBoard(d);
    const snapshot = d.last(molly, 'board')!;
    const rest = d.of(molly, 'board_changes');
    expect(snapshot.chats).toHaveLength(LIMITS.maxBoardRowsPerFrame);
    const rows = snapshot.chats.length + rest.reduce((n, f) => n + f.chats.length, 0);
    expect(rows).toBe(300);
    for (const frame of rest) {
      expect(frame.chats.length).toBeLessThanOrEqual(LIMITS.maxBoardRowsPerFrame);
      expect(JSON.stringify(frame).length).toBeLessThan(LIMITS.maxFrameBytes);
    }
    // An accept at the head of the queue changes one row, not three hundred.
    d.clear(molly);
    const alice = d.staff(account('alice'));
    d.fromStaff(alice, { type: 'accept', chatId: d.pendingOffer(alice)! });
    d.advance(NOTICE);
    const changes = d.of(molly, 'board_changes');
    expect(changes).toHaveLength(1);
    expect(changes[0]!.chats.length).toBeLessThanOrEqual(2);
  });

  it('SP-M4 only monitors and admins subscribe; a closed socket stops the feed', () => {
    const d = new CoreDriver();
    const bob = d.staff(account('bob'));
    d.fromStaff(bob, { type: 'board_subscribe' });
    expect(d.last(bob, 'error')).toMatchObject({ code: 'forbidden', ref: 'board_subscribe' });
    expect(d.of(bob, 'board')).toEqual([]);
    const { molly } = monitorWithBoard(d);
    d.disconnect(molly);
    d.fromVisitor(d.visitor('v1'), requestMsg());
    d.advance(NOTICE);
    expect(d.of(molly, 'board_changes')).toEqual([]);
  });

  it('SP-M4 board_unsubscribe stops the changes', () => {
    const { d, molly } = monitorWithBoard();
    d.fromStaff(molly, { type: 'board_unsubscribe' });
    d.fromVisitor(d.visitor('v1'), requestMsg());
    d.advance(NOTICE);
    expect(d.of(molly, 'board_changes')).toEqual([]);
  });

  it('SP-M5 a helper of the chat reports the unanswered time; others are refused', () => {
    const { d, molly } = monitorWithBoard();
    const alice = d.staff(account('alice'));
    d.fromVisitor(d.visitor('v1'), requestMsg());
    const chatId = d.pendingOffer(alice)!;
    d.fromStaff(alice, { type: 'accept', chatId });
    const bob = d.staff(account('bob'));
    d.fromStaff(bob, { type: 'unanswered', chatId, since: d.now });
    expect(d.last(bob, 'error')).toMatchObject({ code: 'not_participant', ref: 'unanswered' });
    d.fromStaff(alice, { type: 'unanswered', chatId, since: d.now - 5000 });
    d.advance(NOTICE);
    const row = d.last(molly, 'board_changes')!.chats.find((c) => c.chatId === chatId);
    expect(row?.unansweredSince).toBe(d.now - NOTICE - 5000);
    // A clock ahead of the service's counts as now.
    d.fromStaff(alice, { type: 'unanswered', chatId, since: d.now + 60_000 });
    d.advance(NOTICE);
    expect(d.last(molly, 'board_changes')!.chats[0]?.unansweredSince).toBe(d.now - NOTICE);
    d.fromStaff(alice, { type: 'unanswered', chatId, since: null });
    d.advance(NOTICE);
    expect(d.last(molly, 'board_changes')!.chats[0]?.unansweredSince).toBeNull();
  });

  it('SP-M7 SP-T3 a promotion from the board changes the trainee row on every board, then offers', () => {
    const { d, molly } = monitorWithBoard();
    const tina = d.staff(account('tina', 'trainee'));
    d.fromVisitor(d.visitor('v1'), requestMsg());
    expect(d.pendingOffer(tina)).toBeNull();
    d.advance(NOTICE);
    d.clear(molly);
    d.fromStaff(molly, { type: 'promote', nickname: 'tina' });
    expect(d.pendingOffer(tina)).not.toBeNull();
    d.advance(NOTICE);
    const row = d.last(molly, 'board_changes')!.staff.find((s) => s.nickname === 'tina');
    expect(row?.role).toBe('helper');
  });
});

describe('join', () => {
  function watched(limit = 2) {
    const d = new CoreDriver();
    const alice = d.staff(account('alice'));
    const visitor = d.visitor('v1');
    d.fromVisitor(visitor, requestMsg());
    const chatId = d.pendingOffer(alice)!;
    d.fromStaff(alice, { type: 'accept', chatId });
    const molly = d.staff(account('molly', 'monitor', limit), { available: false });
    d.fromStaff(molly, { type: 'watch', chatId });
    return { d, alice, visitor, molly, chatId };
  }

  it('SP-M6 a watching monitor joins as a helper: the visitor sees them, the limit counts', () => {
    const { d, alice, visitor, molly, chatId } = watched();
    d.clear(visitor);
    d.fromStaff(molly, { type: 'join', chatId });
    expect(d.last(molly, 'chat')).toMatchObject({ chatId, role: 'helper' });
    expect(d.last(molly, 'status')?.activeChats).toEqual([chatId]);
    expect(d.last(visitor, 'participants')!.participants.map((p) => [p.id, p.role])).toEqual([
      ['v1', 'visitor'],
      ['alice', 'helper'],
      ['molly', 'helper'],
    ]);
    expect(d.last(alice, 'participants')!.participants.map((p) => p.role)).toEqual([
      'visitor',
      'helper',
      'helper',
    ]);
    // Now a helper of the chat: it may end it.
    d.fromStaff(molly, { type: 'end', chatId });
    expect(d.last(visitor, 'ended')?.chatId).toBe(chatId);
  });

  it('SP-M6 SP-L1 a join at the chat limit is refused and the monitor keeps watching', () => {
    const { d, molly, chatId } = watched(1);
    d.fromStaff(molly, { type: 'set_available', available: true });
    d.fromVisitor(d.visitor('v2'), requestMsg());
    const other = d.pendingOffer(molly)!;
    d.fromStaff(molly, { type: 'accept', chatId: other });
    d.fromStaff(molly, { type: 'join', chatId });
    expect(d.last(molly, 'error')).toMatchObject({ code: 'at_chat_limit', ref: 'join', chatId });
    const view = d.core.view().chats.find((c) => c.chatId === chatId)!;
    expect(view.participants.find((p) => p.id === 'molly')?.role).toBe('monitor');
  });

  it('SP-M6 joining an unwatched chat is not_participant; a helper is forbidden', () => {
    const { d, chatId } = watched();
    const admin = d.staff(account('root', 'admin'), { available: false });
    d.fromStaff(admin, { type: 'join', chatId });
    expect(d.last(admin, 'error')?.code).toBe('not_participant');
    const bob = d.staff(account('bob'));
    d.fromStaff(bob, { type: 'join', chatId });
    expect(d.last(bob, 'error')?.code).toBe('forbidden');
  });
});
