/** The monitors' board in the console (SPEC.md SP-M4–SP-M7): the reducer over the
 * service's snapshot and changes, the actions a monitor sends, and the helper's
 * unanswered-time reports (SP-M5). No socket, no browser. */
import { describe, expect, it } from 'vitest';
import { VERA } from '../support/visitor-summary.ts';
import { FileTransfers } from '../../../app/lib/files/file-transfers.ts';
import { memoryFileStore } from '../../../app/lib/files/file-store.ts';
import type { BoardChat, ServiceToStaff, StaffToService } from '../../../protocol/index.ts';
import {
  addSecurityEvent,
  EMPTY_BOARD,
  queueWait,
  reduceBoard,
} from '../../../app/lib/console/monitor-board.ts';
import { waitingSince as unansweredSince } from '../../../app/lib/console/chat-summary.ts';
import { StaffConsole } from '../../../app/lib/console/staff-console.ts';
import type { ConsoleChatSession, ConsoleEvents } from '../../../app/lib/console/console-ports.ts';
import type { SessionView } from '../../../app/lib/session/session-view.ts';
import { viewOfMessages } from '../support/session-views.ts';

const row = (chatId: string, patch: Partial<BoardChat> = {}): BoardChat => ({
  chatId,
  status: 'queued',
  department: 'general',
  visitorName: `Visitor ${chatId}`,
  helpers: [],
  monitors: [],
  enqueuedAt: 100,
  startedAt: null,
  unansweredSince: null,
  tags: [],
  label: '',
  ...patch,
});

const staffRow = (id: string, role: 'trainee' | 'helper' | 'monitor' = 'helper') => ({
  id,
  nickname: id,
  name: id.toUpperCase(),
  role,
  online: true,
  available: true,
  chats: 0,
  chatLimit: 3,
});

describe('board reducer', () => {
  it('SP-M4 a snapshot replaces the board; changes update, add and remove rows', () => {
    let board = reduceBoard(EMPTY_BOARD, {
      type: 'board',
      chats: [row('c1'), row('c2', { status: 'active', startedAt: 150, helpers: ['Alice'] })],
      staff: [staffRow('tina', 'trainee'), staffRow('alice')],
    });
    expect(board.chats.map((c) => c.chatId)).toEqual(['c1', 'c2']);
    expect(board.staff.map((s) => s.id)).toEqual(['alice', 'tina']);
    board = reduceBoard(board, {
      type: 'board_changes',
      chats: [row('c1', { status: 'active', startedAt: 200, helpers: ['Bob'] }), row('c3')],
      removed: ['c2'],
      staff: [{ ...staffRow('tina'), role: 'helper' }],
      staffRemoved: [],
    });
    expect(board.chats.map((c) => [c.chatId, c.status])).toEqual([
      ['c3', 'queued'],
      ['c1', 'active'],
    ]);
    expect(board.staff.find((s) => s.id === 'tina')?.role).toBe('helper');
    board = reduceBoard(board, { type: 'board', chats: [], staff: [] });
    expect(board).toEqual({ chats: [], staff: [], events: [] });
  });

  it('SP-M4 the queue wait runs to now while queued and stops at the accept', () => {
    expect(queueWait(row('c1', { enqueuedAt: 1000 }), 4000)).toBe(3000);
    expect(queueWait(row('c1', { enqueuedAt: 1000, startedAt: 2500 }), 9000)).toBe(1500);
  });
});

describe('unanswered time (SP-M5)', () => {
  const msg = (role: 'visitor' | 'helper', at: number, kind = 'text') => ({
    id: `m${at}`,
    kind,
    at,
    author: { id: role, role, name: role },
  });
  const view = (messages: object[]) => viewOfMessages(messages);

  it('SP-M5 is the oldest visitor message after the last helper message; page views do not count', () => {
    expect(unansweredSince(view([]))).toBeNull();
    expect(unansweredSince(view([msg('visitor', 10), msg('visitor', 20)]))).toBe(10);
    expect(unansweredSince(view([msg('visitor', 10), msg('helper', 15)]))).toBeNull();
    expect(
      unansweredSince(
        view([
          msg('visitor', 10),
          msg('helper', 15),
          msg('visitor', 30, 'page'),
          msg('visitor', 40),
        ]),
      ),
    ).toBe(40);
  });
});

function monitorConsole(role: 'monitor' | 'helper' = 'monitor') {
  const sent: StaffToService[] = [];
  let events: ConsoleEvents | null = null;
  const staff = new StaffConsole({
    token: 't',
    connect: (_token, e) => {
      events = e;
      return { send: (m) => (sent.push(m), true), close: async () => {} };
    },
    alerts: { offer: () => {} },
  });
  const deliver = (msg: ServiceToStaff) => events!.onMessage(msg);
  events!.onOnline(true);
  deliver({
    type: 'welcome',
    v: 1,
    account: { id: 'm1', nickname: 'molly', name: 'Molly', role, chatLimit: 2 },
    maxChatLimit: 5,
    available: false,
    departments: [],
    iceServers: [],
    relayOnly: false,
  });
  return { staff, sent, deliver, events: () => events! };
}

const chatMsg = (role: 'monitor' | 'helper'): ServiceToStaff => ({
  type: 'chat',
  chatId: 'c1',
  role,
  department: 'general',
  startedAt: 5,
  visitor: VERA,
});

describe('StaffConsole for monitors', () => {
  it('SP-M4 a monitor subscribes to the board on every welcome; a helper never does', () => {
    const { staff, sent } = monitorConsole();
    expect(sent).toEqual([{ type: 'board_subscribe' }]);
    expect(staff.state.board).toEqual(EMPTY_BOARD);
    const helper = monitorConsole('helper');
    expect(helper.sent).toEqual([]);
    expect(helper.staff.state.board).toBeNull();
  });

  it('SP-M1 SP-M6 SP-T3 watch, join, promote and stop watching send what the service expects', () => {
    const { staff, sent, deliver } = monitorConsole();
    sent.length = 0;
    staff.watch('c1');
    deliver(chatMsg('monitor'));
    expect(staff.state.chats.map((c) => [c.chatId, c.role])).toEqual([['c1', 'monitor']]);
    // Watching an open tab again only selects it.
    staff.watch('c1');
    staff.join('c1');
    staff.promote('tina');
    deliver({ type: 'promoted', nickname: 'tina' });
    expect(staff.state.notice).toContain('tina is now a helper');
    staff.closeTab('c1');
    expect(sent).toEqual([
      { type: 'watch', chatId: 'c1' },
      { type: 'join', chatId: 'c1' },
      { type: 'promote', nickname: 'tina' },
      { type: 'unwatch', chatId: 'c1' },
    ]);
    expect(staff.state.chats).toEqual([]);
  });

  it('SP-M5 a helper console reports the unanswered time when it changes, not on every view', () => {
    const { sent, deliver, events } = monitorConsole('helper');
    deliver(chatMsg('helper'));
    let listener: ((view: SessionView) => void) | null = null;
    const session: ConsoleChatSession = {
      chatId: 'c1',
      subscribe: (l) => ((listener = l), () => (listener = null)),
      send: () => ({ ok: true, id: 'x' }),
      writeNote: () => ({ ok: true, id: 'n' }),
      setDraft: () => {},
      setVisibility: () => {},
      setOnScreen: () => {},
      files: new FileTransfers({ store: memoryFileStore(), maxBytes: 1024 }),
      attach: async () => ({ ok: false, code: 'not_writable' }),
    };
    events().onSession(session);
    const author = (role: string) => ({ id: role, role, name: role });
    const push = (messages: object[]) => listener!(viewOfMessages(messages));
    push([{ id: 'a', kind: 'text', at: 10, author: author('visitor') }]);
    push([{ id: 'a', kind: 'text', at: 10, author: author('visitor') }]);
    push([
      { id: 'a', kind: 'text', at: 10, author: author('visitor') },
      { id: 'b', kind: 'text', at: 12, author: author('helper'), mine: true },
    ]);
    expect(sent.filter((m) => m.type === 'unanswered')).toEqual([
      { type: 'unanswered', chatId: 'c1', since: 10 },
      { type: 'unanswered', chatId: 'c1', since: null },
    ]);
  });
});

describe('SP-P5 security events on the board', () => {
  it('SP-P5 the newest event goes on top, a snapshot keeps them, at most 20 are kept', () => {
    const event = (at: number) =>
      ({
        type: 'security_event',
        chatId: 'c1',
        reporter: { id: 'alice', role: 'helper', name: 'Alice' },
        peer: { id: 'v1', role: 'visitor', name: 'Vera' },
        code: 'foreign_struct',
        at,
      }) as const;
    let board = addSecurityEvent(EMPTY_BOARD, event(1));
    board = addSecurityEvent(board, event(2));
    expect(board.events.map((e) => e.at)).toEqual([2, 1]);
    board = reduceBoard(board, { type: 'board', chats: [], staff: [] });
    expect(board.events).toHaveLength(2);
    for (let at = 3; at <= 30; at++) board = addSecurityEvent(board, event(at));
    expect(board.events).toHaveLength(20);
    expect(board.events[0]?.at).toBe(30);
  });
});
