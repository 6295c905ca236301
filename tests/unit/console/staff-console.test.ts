/** StaffConsole with a fake connection: what each service message does to the state,
 * and what each action sends. No socket, no browser. */
import { FileTransfers } from '../../../app/lib/files/file-transfers.ts';
import { memoryFileStore } from '../../../app/lib/files/file-store.ts';
import { describe, expect, it } from 'vitest';
import { VERA as visitor } from '../support/visitor-summary.ts';
import type { ServiceToStaff, StaffToService } from '../../../protocol/index.ts';
import {
  OFFLINE_ERROR,
  StaffConsole,
  checkChatLimit,
} from '../../../app/lib/console/staff-console.ts';
import type {
  ConsoleChatSession,
  ConsoleEvents,
  Offer,
} from '../../../app/lib/console/console-ports.ts';
import {
  followUpThenEnd,
  visitorMayNotBeDone,
  type Timers,
} from '../../../app/lib/console/chat-end.ts';
import {
  formatDateTime,
  formatDuration,
  formatTime,
  secondsLeft,
} from '../../../app/lib/console/time-format.ts';
import type { SessionView } from '../../../app/lib/session/session-view.ts';
import { viewOfMessages } from '../support/session-views.ts';

function setup(online = true) {
  const sent: StaffToService[] = [];
  const offers: Offer[] = [];
  let events: ConsoleEvents | null = null;
  let connected = online;
  const staff = new StaffConsole({
    token: 't',
    connect: (_token, e) => {
      events = e;
      return { send: (msg) => (connected ? (sent.push(msg), true) : false), close: async () => {} };
    },
    alerts: { offer: (o) => offers.push(o) },
  });
  const deliver = (msg: ServiceToStaff) => events!.onMessage(msg);
  events!.onOnline(online);
  deliver({
    type: 'welcome',
    v: 1,
    account: { id: 'a1', nickname: 'alice', name: 'Alice', role: 'helper', chatLimit: 3 },
    maxChatLimit: 5,
    available: true,
    departments: [{ id: 'general', name: 'General', open: true }],
    iceServers: [],
    relayOnly: false,
  });
  return {
    staff,
    events: () => events!,
    sent,
    offers,
    deliver,
    setOnline: (o: boolean) => ((connected = o), events!.onOnline(o)),
  };
}

describe('StaffConsole', () => {
  it('connection: connecting, connected, then reconnecting after a loss', () => {
    const { staff, setOnline } = setup(false);
    expect(staff.state.connection).toBe('connecting');
    setOnline(true);
    expect(staff.state.connection).toBe('connected');
    setOnline(false);
    expect(staff.state.connection).toBe('reconnecting');
  });

  it('SP-L2 the chat limit is checked against the maximum before it is sent', () => {
    const { staff, sent } = setup();
    expect(staff.setChatLimit(6).ok).toBe(false);
    expect(staff.setChatLimit(1.5).ok).toBe(false);
    expect(sent).toEqual([]);
    expect(staff.setChatLimit(4)).toEqual({ ok: true, limit: 4 });
    expect(sent).toEqual([{ type: 'set_chat_limit', limit: 4 }]);
    expect(checkChatLimit(0, 5).ok).toBe(false);
  });

  it('F1 an offer alerts and is listed; offer_closed removes it with its reason', () => {
    const { staff, offers, deliver } = setup();
    deliver({ type: 'offer', chatId: 'c1', expiresAt: 100, visitor });
    expect(staff.state.offers.map((o) => o.chatId)).toEqual(['c1']);
    expect(offers).toHaveLength(1);
    deliver({ type: 'offer_closed', chatId: 'c1', reason: 'taken' });
    expect(staff.state.offers).toEqual([]);
    expect(staff.state.notice).toBe('Offer from Vera: taken by another helper.');
  });

  it('F19 a chat opens a tab; closing a live tab ends the chat; ended tabs close quietly', () => {
    const { staff, sent, deliver } = setup();
    deliver({
      type: 'chat',
      chatId: 'c1',
      role: 'helper',
      department: 'general',
      startedAt: 5,
      visitor,
    });
    deliver({
      type: 'chat',
      chatId: 'c2',
      role: 'helper',
      department: 'general',
      startedAt: 6,
      visitor,
    });
    expect(staff.state.selected).toBe('c1');
    staff.closeTab('c1');
    expect(sent).toEqual([{ type: 'end', chatId: 'c1' }]);
    expect(staff.state.chats.map((c) => c.chatId)).toEqual(['c2']);
    expect(staff.state.selected).toBe('c2');
    deliver({ type: 'ended', chatId: 'c2', by: 'visitor', at: 9 });
    staff.closeTab('c2');
    expect(sent).toHaveLength(1);
    expect(staff.state.chats).toEqual([]);
  });

  it('F16 /invite nickname sends an invitation; F28 block needs a reason; F5 department', () => {
    const { staff, sent, deliver } = setup();
    deliver({
      type: 'chat',
      chatId: 'c1',
      role: 'helper',
      department: 'general',
      startedAt: 5,
      visitor,
    });
    expect(staff.reply('c1', '/invite bob')).toBe(true);
    expect(staff.block('c1', '   ', true)).toBe(false);
    expect(staff.block('c1', ' rude ', true)).toBe(true);
    staff.changeDepartment('c1', 'billing');
    deliver({ type: 'department_changed', chatId: 'c1', department: 'billing' });
    expect(sent).toEqual([
      { type: 'invite', chatId: 'c1', nickname: 'bob' },
      { type: 'block', chatId: 'c1', reason: 'rude', ip: true },
      { type: 'change_department', chatId: 'c1', department: 'billing' },
    ]);
    expect(staff.state.chats[0]?.department).toBe('billing');
  });

  it('a send while offline shows an error instead of vanishing', () => {
    const { staff, setOnline } = setup();
    setOnline(false);
    staff.setAvailable(false);
    expect(staff.state.error).toBe(OFFLINE_ERROR);
  });
});

const chatMsg = (chatId: string): ServiceToStaff => ({
  type: 'chat',
  chatId,
  role: 'helper',
  department: 'general',
  startedAt: 5,
  visitor,
});

/** A session whose views the test pushes. */
function fakeSession(chatId: string) {
  let listener: ((view: SessionView) => void) | null = null;
  const session: ConsoleChatSession = {
    chatId,
    subscribe: (l) => ((listener = l), () => (listener = null)),
    send: () => ({ ok: true, id: 'x' }),
    writeNote: () => ({ ok: true, id: 'n' }),
    setDraft: () => {},
    setVisibility: () => {},
    setOnScreen: () => {},
    files: new FileTransfers({ store: memoryFileStore(), maxBytes: 1024 }),
    attach: async () => ({ ok: false, code: 'not_writable' }),
  };
  const push = (others: number) =>
    listener!(
      viewOfMessages(
        Array.from({ length: others }, (_, i) => ({ id: `m${i}`, kind: 'text', mine: false })),
      ),
    );
  return { session, push };
}

describe('StaffConsole tabs', () => {
  it('unread counts grow on tabs not shown and reset when the tab is selected', () => {
    const { staff, deliver, events } = setup();
    deliver(chatMsg('c1'));
    deliver(chatMsg('c2'));
    const one = fakeSession('c1');
    const two = fakeSession('c2');
    events().onSession(one.session);
    events().onSession(two.session);
    one.push(2);
    two.push(3);
    expect(staff.state.chats.map((c) => c.unread)).toEqual([0, 3]);
    staff.select('c2');
    expect(staff.state.chats.map((c) => c.unread)).toEqual([0, 0]);
    one.push(4);
    expect(staff.state.chats.map((c) => c.unread)).toEqual([2, 0]);
  });

  it('SP-K1 SP-K4 tags and label are what the service says; /tag and /label never reach the visitor', () => {
    const { staff, deliver, events, sent } = setup();
    deliver(chatMsg('c1'));
    const texts: string[] = [];
    const { session } = fakeSession('c1');
    events().onSession({
      ...session,
      send: (text) => (texts.push(text), { ok: true, id: 'x' }),
    });
    expect(staff.submitReply('c1', "/tag Won't Start")).toEqual({ ok: true });
    expect(staff.submitReply('c1', '/label  printer on fire ')).toEqual({ ok: true });
    expect(staff.submitReply('c1', '/label')).toEqual({ ok: true });
    expect(staff.submitReply('c1', '/tga crash')).toMatchObject({
      ok: false,
      error: expect.stringContaining('/tga is not a command'),
    });
    expect(staff.submitReply('c1', '/tag')).toMatchObject({ ok: false });
    expect(staff.submitReply('c1', '/tag !!!')).toMatchObject({ ok: false });
    expect(staff.submitReply('c1', '//tag is a path')).toEqual({ ok: true });
    expect(texts).toEqual(['/tag is a path']);
    expect(sent).toEqual([
      { type: 'tag_add', chatId: 'c1', tag: 'wont-start' },
      { type: 'label_set', chatId: 'c1', label: 'printer on fire' },
      { type: 'label_set', chatId: 'c1', label: '' },
    ]);
    // Nothing shows until the service confirms it.
    expect(staff.state.chats[0]).toMatchObject({ tags: [], label: '' });
    deliver({ type: 'chat_meta', chatId: 'c1', tags: ['wont-start', 'ours'], label: 'printer' });
    expect(staff.state.chats[0]).toMatchObject({ tags: ['wont-start', 'ours'], label: 'printer' });
    expect(staff.state.teamTags).toEqual(['wont-start', 'ours']);
    staff.removeTag('c1', 'ours');
    expect(sent.at(-1)).toEqual({ type: 'tag_remove', chatId: 'c1', tag: 'ours' });
    // The label is one line; an over-long one is refused here, before the service.
    staff.setLabel('c1', 'two\nlines');
    expect(sent.at(-1)).toEqual({ type: 'label_set', chatId: 'c1', label: 'two lines' });
    expect(staff.setLabel('c1', 'x'.repeat(101)).ok).toBe(false);
  });

  it('replies sent right after Accept, before the session opens, go out in order once it does', () => {
    const { staff, deliver, events } = setup();
    deliver(chatMsg('c1'));
    expect(staff.submitReply('c1', 'Hello Vera')).toEqual({ ok: true });
    expect(staff.submitReply('c1', 'which version is it?')).toEqual({ ok: true });
    const texts: string[] = [];
    const { session } = fakeSession('c1');
    events().onSession({ ...session, send: (text) => (texts.push(text), { ok: true, id: 'x' }) });
    expect(texts).toEqual(['Hello Vera', 'which version is it?']);
    expect(staff.submitReply('c1', 'and the system?')).toEqual({ ok: true });
    expect(texts).toEqual(['Hello Vera', 'which version is it?', 'and the system?']);
    expect(staff.state.error).toBeNull();
  });

  it('a reply to a chat that ended before its session opened is refused, and none is held', () => {
    const { staff, deliver, events } = setup();
    deliver(chatMsg('c1'));
    expect(staff.submitReply('c1', 'too late?')).toEqual({ ok: true });
    deliver({ type: 'ended', chatId: 'c1', by: 'visitor', at: 5 });
    expect(staff.submitReply('c1', 'hello?')).toMatchObject({ ok: false });
    expect(staff.submitReply('nope', 'hello?')).toMatchObject({ ok: false });
    const texts: string[] = [];
    const { session } = fakeSession('c1');
    events().onSession({ ...session, send: (text) => (texts.push(text), { ok: true, id: 'x' }) });
    expect(texts).toEqual([]);
  });

  it('SP-K2 a chat at the tag limit refuses one more tag before sending', () => {
    const { staff, deliver, sent } = setup();
    deliver(chatMsg('c1'));
    const tags = Array.from({ length: 12 }, (_, i) => `t${i}`);
    deliver({ type: 'chat_meta', chatId: 'c1', tags, label: '' });
    expect(staff.addTag('c1', 'more')).toMatchObject({ ok: false });
    expect(staff.addTag('c1', 't3')).toEqual({ ok: true });
    expect(sent).toEqual([{ type: 'tag_add', chatId: 'c1', tag: 't3' }]);
  });

  it('SP-T2 an invitation is listed and alerts; joining opens the chat and clears it', () => {
    const { staff, deliver, offers, sent } = setup();
    deliver({ type: 'invitation', chatId: 'c9', from: 'alice', expiresAt: 50, visitor });
    expect(staff.state.invitations.map((i) => i.from)).toEqual(['alice']);
    expect(offers).toHaveLength(1);
    staff.acceptInvitation('c9');
    expect(sent).toEqual([{ type: 'invite_accept', chatId: 'c9' }]);
    deliver(chatMsg('c9'));
    expect(staff.state.invitations).toEqual([]);
    expect(staff.state.chats.map((c) => c.chatId)).toEqual(['c9']);
  });
});

describe('console helpers', () => {
  it('formats countdowns and durations', () => {
    expect(secondsLeft(10_500, 0)).toBe(11);
    expect(secondsLeft(0, 5)).toBe(0);
    expect(formatDuration(65_000)).toBe('1:05');
    expect(formatDuration(3_725_000)).toBe('1:02:05');
  });

  it('words dates and times as toLocaleString and toLocaleTimeString do', () => {
    for (const at of [0, 1_796_645_424_798, Date.UTC(2026, 11, 31, 23, 59, 59)]) {
      expect(formatDateTime(at)).toBe(new Date(at).toLocaleString());
      expect(formatTime(at)).toBe(new Date(at).toLocaleTimeString());
    }
  });

  it('F19 a visitor who wrote a moment ago may not be done', () => {
    const view = viewOfMessages(
      [{ kind: 'text', at: 1000, author: { id: 'v1', role: 'visitor', name: 'Vera' } }],
      { presence: [] },
    );
    expect(visitorMayNotBeDone(view, 2000)).toBe(true);
    expect(visitorMayNotBeDone(view, 1000 + 3 * 60 * 1000)).toBe(false);
    expect(visitorMayNotBeDone(null, 0)).toBe(false);
  });
});

describe('F19 follow-up before the end', () => {
  function fakes(sendOk = true) {
    let listener: ((view: SessionView) => void) | null = null;
    let pending = true;
    const sent: string[] = [];
    const session = {
      send: (text: string) => {
        sent.push(text);
        return sendOk
          ? { ok: true as const, id: 'm1' }
          : { ok: false as const, code: 'empty' as const };
      },
      subscribe: (next: (view: SessionView) => void) => {
        listener = next;
        return () => (listener = null);
      },
    };
    const view = () => viewOfMessages([{ id: 'm1', pending }]);
    const due: (() => void)[] = [];
    const timers: Timers = {
      setTimeout: (run) => due.push(run),
      clearTimeout: (handle) => void due.splice(Number(handle) - 1, 1, () => {}),
    };
    return {
      session,
      sent,
      timers,
      deliver: () => {
        pending = false;
        listener?.(view());
      },
      update: () => listener?.(view()),
      expire: () => due.splice(0).forEach((run) => run()),
      listening: () => listener !== null,
    };
  }

  it('ends once a peer holds the follow-up, and only once', () => {
    const f = fakes();
    let ends = 0;
    expect(followUpThenEnd(f.session, 'Bye for now', () => ends++, f.timers)).toBe(true);
    expect(f.sent).toEqual(['Bye for now']);
    f.update();
    expect(ends).toBe(0);
    f.deliver();
    expect(ends).toBe(1);
    expect(f.listening()).toBe(false);
    f.expire();
    expect(ends).toBe(1);
  });

  it('ends at the deadline when no peer takes it', () => {
    const f = fakes();
    let ends = 0;
    followUpThenEnd(f.session, 'Bye for now', () => ends++, f.timers);
    f.expire();
    expect(ends).toBe(1);
    expect(f.listening()).toBe(false);
  });

  it('ends nothing when the follow-up cannot be sent', () => {
    const f = fakes(false);
    let ends = 0;
    expect(followUpThenEnd(f.session, '', () => ends++, f.timers)).toBe(false);
    f.expire();
    expect(ends).toBe(0);
  });
});
