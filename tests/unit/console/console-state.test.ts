/** The console's pure reducer (console-state.ts): each service message gives a new state
 * and the effects the console runs, with no connection, session or clock behind it. */
import { describe, expect, it } from 'vitest';
import { VERA as visitor } from '../support/visitor-summary.ts';
import type { ServiceToStaff } from '../../../protocol/index.ts';
import { CHAT_ERROR_CODES } from '../../../protocol/chat-doc/chat-errors.ts';
import {
  INITIAL_CONSOLE_STATE,
  reduceServiceMessage,
  type StaffConsoleState,
} from '../../../app/lib/console/console-state.ts';

const quiet = { opening: null, now: 1_000 };

/** Messages applied in order, effects collected; the input states are frozen, so a
 * reducer that changed one in place would throw. */
function run(
  messages: readonly ServiceToStaff[],
  context: { opening: string | null; now: number } = quiet,
  from: StaffConsoleState = INITIAL_CONSOLE_STATE,
) {
  let state = from;
  const effects = [];
  for (const msg of messages) {
    const reduced = reduceServiceMessage(Object.freeze(state), msg, context);
    state = reduced.state;
    effects.push(...reduced.effects);
  }
  return { state, effects };
}

const welcome = (role: 'helper' | 'monitor'): ServiceToStaff => ({
  type: 'welcome',
  v: 1,
  account: { id: 'a1', nickname: 'molly', name: 'Molly', role, chatLimit: 2 },
  maxChatLimit: 5,
  available: false,
  departments: [],
  iceServers: [],
  relayOnly: false,
});

const chat = (chatId: string, role: 'helper' | 'monitor' = 'helper'): ServiceToStaff => ({
  type: 'chat',
  chatId,
  role,
  department: 'general',
  startedAt: 5,
  visitor,
});

describe('reduceServiceMessage', () => {
  it('SP-M4 a monitor is welcomed with an empty board and asks for a snapshot; a helper has none', () => {
    const monitor = run([welcome('monitor')]);
    expect(monitor.state.board).not.toBeNull();
    expect(monitor.state.chatLimit).toBe(2);
    expect(monitor.effects).toEqual([{ kind: 'welcomed', monitor: true }]);
    const helper = run([welcome('helper')]);
    expect(helper.state.board).toBeNull();
    expect(helper.effects).toEqual([{ kind: 'welcomed', monitor: false }]);
  });

  it('F1 an offer is listed once and alerts; the chat it becomes removes it', () => {
    const offer: ServiceToStaff = { type: 'offer', chatId: 'c1', expiresAt: 9, visitor };
    const { state, effects } = run([offer, offer, chat('c1')]);
    expect(state.offers).toEqual([]);
    expect(state.chats.map((c) => c.chatId)).toEqual(['c1']);
    expect(state.selected).toBe('c1');
    expect(effects.filter((e) => e.kind === 'alert')).toHaveLength(2);
  });

  it('F1 a closed offer leaves a notice naming the visitor and the reason', () => {
    const { state } = run([
      { type: 'offer', chatId: 'c1', expiresAt: 9, visitor },
      { type: 'offer_closed', chatId: 'c1', reason: 'expired' },
      { type: 'offer_closed', chatId: 'c2', reason: 'cancelled' },
    ]);
    expect(state.offers).toEqual([]);
    expect(state.notice).toBe('Offer from a visitor: the visitor left the queue.');
  });

  it('SP-M1 the chat asked to be watched opens selected and says so; another keeps the selection', () => {
    const first = run([chat('c1')]);
    const watched = run([chat('c2', 'monitor')], { opening: 'c2', now: 1 }, first.state);
    expect(watched.state.selected).toBe('c2');
    expect(watched.effects).toEqual([{ kind: 'opened', chatId: 'c2' }]);
    const other = run([chat('c3')], { opening: 'c2', now: 1 }, first.state);
    expect(other.state.selected).toBe('c1');
    expect(other.effects).toEqual([]);
  });

  it('F14 F17 SP-K7 chat_meta sets the tab’s tags and label and adds new tags to the team’s once', () => {
    const { state } = run([
      chat('c1'),
      { type: 'chat_meta', chatId: 'c1', tags: ['crash', 'sync'], label: 'Sync loop' },
      { type: 'chat_meta', chatId: 'c1', tags: ['crash'], label: '' },
    ]);
    expect(state.chats[0]).toMatchObject({ tags: ['crash'], label: '' });
    expect(state.teamTags).toEqual(['crash', 'sync']);
  });

  it('F19 an end marks the tab ended and drops held replies; "left" is timed by the context clock', () => {
    const ended = run([chat('c1'), { type: 'ended', chatId: 'c1', by: 'visitor', at: 42 }]);
    expect(ended.state.chats[0]!.ended).toEqual({ by: 'visitor', at: 42 });
    expect(ended.effects).toContainEqual({ kind: 'chat_over', chatId: 'c1' });
    const left = run([chat('c1'), { type: 'left', chatId: 'c1' }], { opening: null, now: 77 });
    expect(left.state.chats[0]!.ended).toEqual({ by: 'helper', at: 77 });
  });

  it('a reconnect’s re-announced chat keeps its label, tags, unread count and block', () => {
    const { state } = run([
      chat('c1'),
      { type: 'chat_meta', chatId: 'c1', tags: ['crash'], label: 'L' },
      { type: 'blocked_visitor', chatId: 'c1', until: 99, ip: true },
      { type: 'ended', chatId: 'c1', by: 'service', at: 3 },
      chat('c1'),
    ]);
    expect(state.chats).toHaveLength(1);
    expect(state.chats[0]).toMatchObject({
      label: 'L',
      tags: ['crash'],
      blocked: { until: 99, ip: true },
      ended: null,
    });
  });

  it('a message about a chat not held changes no tab; a security event without a board changes nothing', () => {
    const start = run([chat('c1')]).state;
    const moved = reduceServiceMessage(
      start,
      { type: 'department_changed', chatId: 'zz', department: 'x' },
      quiet,
    );
    expect(moved.state.chats).toBe(start.chats);
    expect(moved.effects).toEqual([]);
    const person = { id: 'p1', role: 'helper' as const, name: 'Alice' };
    const event: ServiceToStaff = {
      type: 'security_event',
      chatId: 'c1',
      reporter: person,
      peer: { ...person, id: 'p2', role: 'visitor' },
      code: CHAT_ERROR_CODES[0],
      at: 1,
    };
    expect(reduceServiceMessage(start, event, quiet).state).toBe(start);
    const board = run([welcome('monitor'), event]).state.board;
    expect(board).not.toBe(run([welcome('monitor')]).state.board);
  });

  it('SP-U7 ratings are kept newest first, ten at most, and set the tab’s stars', () => {
    const ratings = Array.from({ length: 12 }, (_, i): ServiceToStaff => ({
      type: 'chat_rated',
      chatId: 'c1',
      stars: (i % 5) + 1,
      at: i,
      visitor: 'Vera',
      helpers: ['Alice'],
    }));
    const { state } = run([chat('c1'), ...ratings]);
    expect(state.ratings).toHaveLength(10);
    expect(state.chats[0]!.rating).toBe((11 % 5) + 1);
  });
});
