/**
 * Our switchboard core (signal/core/switchboard.ts) behind S3's interface, driven
 * in process with a fake clock and no sockets: helpers and visitors are
 * connection numbers, effects are read for offers and counted as messages, and
 * due deadlines are ticked as the shell's timer would. Invariants are checked on
 * the core's own `view()`.
 */
import {
  DEFAULT_CORE_CONFIG,
  type CoreEvent,
  type Effect,
  type SwitchboardView,
} from '../../../signal/core/events.ts';
import { createSwitchboard } from '../../../signal/core/switchboard.ts';
import type { AccountRecord } from '../../../signal/core/records.ts';
import type { QueueDispatcher } from './dispatcher.ts';

const DEPARTMENT = 'general';
/** Helpers are connections 1..helpers; visitors are numbered above this. */
export const VISITOR_BASE = 1_000_000;

const REQUEST = {
  type: 'request',
  name: 'Bench Visitor',
  department: DEPARTMENT,
  question: 'My browser will not start',
  page: { url: 'https://example.org/help', title: 'Help' },
  browser: { userAgent: 'Bench/1.0', language: 'en' },
  sessionStartedAt: 1_700_000_000_000,
  landingPage: 'https://example.org/',
} as const;

export function createCoreDispatcher(helpers: number, chatLimit: number): QueueDispatcher {
  const accounts: AccountRecord[] = [];
  for (let i = 1; i <= helpers; i++) {
    accounts.push({
      id: accountId(i),
      nickname: `h${i}`,
      name: `h${i}`,
      role: 'helper',
      chatLimit,
    });
  }
  let now = 1_000_000;
  let nextId = 0;
  const core = createSwitchboard(
    { ...DEFAULT_CORE_CONFIG, maxChatLimit: Math.max(chatLimit, DEFAULT_CORE_CONFIG.maxChatLimit) },
    {
      accounts,
      departments: [{ id: DEPARTMENT, name: 'General', open: true }],
      blocks: [],
      openChats: [],
    },
    (prefix) => `${prefix}${++nextId}`,
    now,
  );
  const byAccount = new Map(accounts.map((a, i) => [a.id, i + 1]));
  /** visitor connection → its chat, learnt from the offers. */
  const chatOfVisitor = new Map<number, string>();
  const offers = new Map<number, number>();

  function handle(event: CoreEvent): number {
    // The clock moves a little with every event, as it would in the service.
    now += 1;
    // The shell's deadline timer (signal/gateway/gateway.ts): whatever fell due —
    // the coalesced queue notices (SP-Q3), offer expiries — runs first, inside the call
    // being timed, as an event that arrives while a tick runs waits for it.
    let messages = 0;
    for (let due = core.nextDeadline(); due !== null && due <= now; due = core.nextDeadline()) {
      messages += read(core.handle({ type: 'tick' }, now));
    }
    return messages + read(core.handle(event, now));
  }

  /** Reads the offers out of a call's effects; returns the messages it sent. */
  function read(effects: readonly Effect[]): number {
    let messages = 0;
    for (const effect of effects) {
      if (effect.kind !== 'send') continue;
      messages++;
      const msg = effect.msg;
      if (msg.type === 'offer') {
        // Visitor ids are `v<connection>` (see `request`).
        const visitor = Number(msg.visitor.visitorId.slice(1));
        chatOfVisitor.set(visitor, msg.chatId);
        offers.set(effect.conn, visitor);
      } else if (msg.type === 'offer_closed') {
        offers.delete(effect.conn);
      }
    }
    return messages;
  }

  const staffMessage = (
    helper: number,
    msg: Extract<CoreEvent, { type: 'staff_message' }>['msg'],
  ): number => handle({ type: 'staff_message', conn: helper, msg });

  return {
    offers,
    helperOnline(helper) {
      handle({
        type: 'staff_hello',
        conn: helper,
        ip: '198.51.100.1',
        account: accounts[helper - 1]!,
        chats: [],
        available: true,
        iceServers: [],
        relayOnly: false,
      });
    },
    request(visitor) {
      handle({
        type: 'visitor_hello',
        conn: visitor,
        ip: '203.0.113.7',
        visitor: {
          visitorId: `v${visitor}`,
          firstVisitAt: 1,
          firstLandingPage: 'https://example.org/',
        },
        token: `token-${visitor}`,
        iceServers: [],
      });
      return handle({ type: 'visitor_message', conn: visitor, msg: { ...REQUEST } });
    },
    accept(helper) {
      return staffMessage(helper, { type: 'accept', chatId: chatOf(offers.get(helper)) });
    },
    reject(helper) {
      return staffMessage(helper, { type: 'reject', chatId: chatOf(offers.get(helper)) });
    },
    end(helper, visitor) {
      return staffMessage(helper, { type: 'end', chatId: chatOf(visitor) });
    },
    violations: () => violationsIn(core.view(), byAccount),
  };

  function chatOf(visitor: number | undefined): string {
    const chatId = visitor === undefined ? undefined : chatOfVisitor.get(visitor);
    if (chatId === undefined) throw new Error(`no chat for visitor ${visitor}`);
    return chatId;
  }
}

function accountId(helper: number): string {
  return `a${helper}`;
}

/** SPEC.md SP-O3 and SP-L1 and the queue's consistency, on the core's own view. */
export function violationsIn(view: SwitchboardView, known: ReadonlyMap<string, number>): number {
  let broken = 0;
  const chats = new Map(view.chats.map((c) => [c.chatId, c]));
  const offeredChats = new Set<string>();
  for (const s of view.staff) {
    if (!known.has(s.accountId)) broken++;
    // SP-L1: never more active chats than the limit.
    if (s.chats.length > s.chatLimit) broken++;
    if (s.offer !== null) {
      // SP-O3: a chat is held by at most one offer, and both sides agree on it.
      if (offeredChats.has(s.offer)) broken++;
      offeredChats.add(s.offer);
      const chat = chats.get(s.offer);
      if (chat === undefined || chat.status !== 'queued' || chat.offeredTo !== s.accountId)
        broken++;
      // SP-O1: offers go only to helpers who are online and available.
      if (!s.online || !s.available) broken++;
    }
  }
  const visitors = new Set<string>();
  let queued = 0;
  for (const chat of view.chats) {
    // SP-Q5: one open request or chat per visitor.
    if (visitors.has(chat.visitorId)) broken++;
    visitors.add(chat.visitorId);
    if (chat.status === 'queued') queued++;
    if (chat.offeredTo !== null && !offeredChats.has(chat.chatId)) broken++;
  }
  const inQueues = Object.values(view.queueLengths).reduce((a, b) => a + b, 0);
  if (inQueues !== queued) broken++;
  return broken;
}
