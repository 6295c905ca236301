/**
 * The switchboard: the pure core of the signal service (STYLE.md point 1).
 * `handle(event, now)` returns the effects the shell must carry out; time comes
 * in as `now` and through `tick`; ids come from the injected `IdSource`.
 * The rules it keeps are in protocol/SPEC.md.
 */
import { chatRated } from './rating-handlers.ts';
import { Board } from './board.ts';
import { bind, chatMessage, peerRefused, relay } from './chat-handlers.ts';
import type {
  ConnId,
  CoreConfig,
  CoreEvent,
  Effect,
  IdSource,
  Switchboard,
  SwitchboardIndexes,
  SwitchboardView,
} from './events.ts';
import { fromRecord } from './chat-records.ts';
import type { Snapshot } from './records.ts';
import {
  blocksChanged,
  configChanged,
  departmentsChanged,
  helperDepartments,
  restoreBlocks,
} from './admin-handlers.ts';
import { releaseOffer, staffHello, staffMessage } from './staff-handlers.ts';
import type { StaffState } from './state.ts';
import { newStaff, retireParticipant } from './state.ts';
import { visitorHello, visitorMessage } from './visitor-handlers.ts';
import { monitorMessage } from './monitor-handlers.ts';
import { chatMetaMessage } from './chat-meta-handlers.ts';
import { queueWaitDue } from './queue-wait-alert.ts';

export function createSwitchboard(
  config: CoreConfig,
  snapshot: Snapshot,
  ids: IdSource,
  now: number,
): Switchboard {
  const board = new Board(config, ids);
  board.now = now;
  restore(board, snapshot);
  // Every call's effects go into this one array, emptied first (see `emptied`).
  const out: Effect[] = [];
  return {
    handle(event: CoreEvent, at: number): readonly Effect[] {
      board.now = Math.max(board.now, at);
      board.out = emptied(out);
      handle(board, event);
      board.settle();
      return board.out;
    },
    nextDeadline(): number | null {
      return board.deadlines.nextAt();
    },
    view: () => viewOf(board),
    indexes: () => indexesOf(board),
  };
}

/** Empties the pooled effects array by popping, which keeps its backing store for the
 * next call (setting `length = 0` would drop it, and the next event would grow a new
 * one). Popping also lets go of the last call's effects, so none stays alive. */
function emptied(out: Effect[]): Effect[] {
  while (out.length > 0) out.pop();
  return out;
}

/** Rebuilds the state from what storage kept (SP-S1, SP-S2). Everyone starts offline with
 * `restartGraceMs` to come back; offers are not kept, so offered chats are queued. */
function restore(board: Board, snapshot: Snapshot): void {
  for (const a of snapshot.accounts) board.accounts.set(a.id, a);
  for (const d of snapshot.departments) board.departments.set(d.id, d);
  restoreBlocks(board, snapshot.blocks);
  for (const [accountId, departments] of Object.entries(snapshot.helperDepartments ?? {})) {
    if (departments.length > 0) board.helperDepartments.set(accountId, new Set(departments));
  }
  const graceUntil = board.now + board.config.restartGraceMs;
  for (const record of snapshot.openChats) {
    const chat = fromRecord(record);
    const meta = snapshot.chatMeta?.[chat.chatId];
    if (meta !== undefined)
      board.meta.set(chat.chatId, { tags: [...meta.tags], label: meta.label });
    // The visitor first: a queued chat keeps a reference to its visitor's state (enqueue).
    board.visitors.set(record.visitor.visitorId, {
      identity: record.visitor,
      conn: null,
      ip: record.ip,
      graceUntil,
      chatId: chat.chatId,
    });
    if (chat.status === 'queued') board.enqueue(chat);
    else board.activate(chat);
    board.deadlines.push(graceUntil, { kind: 'visitor', visitorId: record.visitor.visitorId });
    for (const p of chat.participants.values()) {
      if (p.role === 'visitor') continue;
      const account = board.accounts.get(p.id);
      if (account === undefined) {
        retireParticipant(chat, p.id);
        continue;
      }
      let s = board.staff.get(p.id);
      if (s === undefined) {
        s = newStaff(account, null, account.role !== 'admin', board.now, graceUntil);
        board.addStaff(s);
        board.deadlines.push(graceUntil, { kind: 'staff', accountId: p.id });
      }
      board.staffJoins(s, chat.chatId, p.role === 'helper' ? 'helper' : 'watcher');
    }
  }
}

function handle(board: Board, event: CoreEvent): void {
  switch (event.type) {
    case 'visitor_hello':
      return visitorHello(
        board,
        event.conn,
        event.ip,
        event.visitor,
        event.token,
        event.iceServers,
      );
    case 'staff_hello':
      return staffHello(
        board,
        event.conn,
        event.account,
        event.chats,
        event.available,
        event.iceServers,
        event.relayOnly,
      );
    case 'visitor_message': {
      const owner = board.conns.get(event.conn);
      if (owner?.kind !== 'visitor') return;
      const msg = event.msg;
      if (msg.type === 'signal') return relay(board, event.conn, owner.visitorId, msg);
      if (msg.type === 'bind')
        return bind(board, event.conn, owner.visitorId, msg.chatId, msg.clientId);
      if (msg.type === 'peer_refused') return peerRefused(board, event.conn, owner.visitorId, msg);
      return visitorMessage(board, event.conn, owner.visitorId, msg);
    }
    case 'staff_message': {
      const owner = board.conns.get(event.conn);
      const s = owner?.kind === 'staff' ? board.staff.get(owner.accountId) : undefined;
      if (s === undefined) return;
      const msg = event.msg;
      switch (msg.type) {
        case 'signal':
          return relay(board, event.conn, s.account.id, msg);
        case 'bind':
          return bind(board, event.conn, s.account.id, msg.chatId, msg.clientId, msg.key);
        case 'peer_refused':
          return peerRefused(board, event.conn, s.account.id, msg);
        case 'set_available':
        case 'set_chat_limit':
        case 'accept':
        case 'reject':
        case 'promote':
        case 'list_chats':
          return staffMessage(board, event.conn, s, msg);
        case 'board_subscribe':
        case 'board_unsubscribe':
        case 'join':
        case 'unanswered':
          return monitorMessage(board, event.conn, s, msg);
        case 'tag_add':
        case 'tag_remove':
        case 'label_set':
          return chatMetaMessage(board, event.conn, s, msg);
        default:
          return chatMessage(board, event.conn, s, msg);
      }
    }
    case 'disconnected':
      return disconnected(board, event.conn);
    case 'tick':
      return tick(board);
    case 'account_changed':
      return accountChanged(board, event.account);
    case 'account_removed':
      return accountRemoved(board, event.accountId);
    case 'config_changed':
      return configChanged(board, event.config);
    case 'departments_changed':
      return departmentsChanged(board, event.departments, event.moved);
    case 'blocks_changed':
      return blocksChanged(board, event.blocks);
    case 'helper_departments':
      return helperDepartments(board, event.accountId, event.departments);
    case 'chat_rated':
      return chatRated(board, event);
  }
}

function disconnected(board: Board, conn: ConnId): void {
  const owner = board.conns.get(conn);
  if (owner === undefined) return;
  board.conns.delete(conn);
  board.feed.unsubscribe(conn);
  if (owner.kind === 'visitor') {
    const v = board.visitors.get(owner.visitorId);
    if (v === undefined || v.conn !== conn) return;
    v.conn = null;
    v.graceUntil = board.now + board.config.visitorGraceMs;
    board.deadlines.push(v.graceUntil, { kind: 'visitor', visitorId: owner.visitorId });
    const chat = v.chatId === null ? undefined : board.chats.get(v.chatId);
    if (chat?.status === 'active') board.broadcastParticipants(chat);
    return;
  }
  const s = board.staff.get(owner.accountId);
  if (s === undefined || s.conn !== conn) return;
  board.updateStaff(s, { conn: null });
  // SP-G3: a pending offer goes to the next helper at once.
  if (s.offer !== null) releaseOffer(board, s, 'unavailable');
  // SP-M3: watching needs a live console; a monitor who drops stops watching.
  for (const chatId of [...s.watching]) {
    const chat = board.chats.get(chatId);
    if (chat !== undefined) board.removeStaffFromChat(chat, s.account.id);
  }
  board.dropInvitationsOf(s.account.id);
  const graceUntil = board.now + board.config.helperGraceMs;
  board.updateStaff(s, { graceUntil });
  board.deadlines.push(graceUntil, { kind: 'staff', accountId: s.account.id });
  for (const chatId of s.chats) {
    const chat = board.chats.get(chatId);
    if (chat !== undefined) board.broadcastParticipants(chat);
  }
}

function tick(board: Board): void {
  for (
    let key = board.deadlines.popDue(board.now);
    key !== undefined;
    key = board.deadlines.popDue(board.now)
  ) {
    const at = board.deadlines.poppedAt;
    switch (key.kind) {
      case 'offer':
        expireOffer(board, key.chatId, at);
        break;
      case 'staff':
        endStaffGrace(board, key.accountId, at);
        break;
      case 'visitor':
        endVisitorGrace(board, key.visitorId, at);
        break;
      case 'invite':
        expireInvitation(board, key.chatId, key.helperId, at);
        break;
      case 'positions':
        board.notices.flush(at);
        break;
      case 'positions_step':
        board.notices.step(at);
        break;
      case 'board':
        board.feed.flush(at);
        break;
      case 'queue_wait':
        queueWaitDue(board, key.chatId, key.enqueuedAt);
        break;
      default:
        key satisfies never;
    }
    // Each deadline's consequences settle before the next is looked at, as events do.
    board.settle();
  }
}

function expireOffer(board: Board, chatId: string, at: number): void {
  const chat = board.chats.get(chatId);
  if (chat?.status !== 'queued' || chat.offer === null || chat.offer.expiresAt !== at) return;
  const s = board.staff.get(chat.offer.helperId);
  if (s === undefined) return;
  releaseOffer(board, s, 'expired');
  board.stat({ name: 'expire', department: chat.details.department });
}

/** SP-G2: a helper who did not come back leaves their chats; helperless chats are requeued. */
function endStaffGrace(board: Board, accountId: string, at: number): void {
  const s = board.staff.get(accountId);
  if (s === undefined || s.conn !== null || s.graceUntil !== at) return;
  board.updateStaff(s, { graceUntil: null });
  for (const chatId of [...s.chats, ...s.watching]) {
    const chat = board.chats.get(chatId);
    if (chat?.status === 'active') board.removeStaffFromChat(chat, accountId);
    else board.staffLeaves(s, chatId);
  }
  board.removeStaff(accountId);
}

/** SP-Q6: a queued visitor who stays away is cancelled. An active chat is left to its
 * helpers: the visitor's browser may still be talking to them peer to peer. */
function endVisitorGrace(board: Board, visitorId: string, at: number): void {
  const v = board.visitors.get(visitorId);
  if (v === undefined || v.conn !== null || v.graceUntil !== at) return;
  v.graceUntil = null;
  const chat = v.chatId === null ? undefined : board.chats.get(v.chatId);
  if (chat?.status === 'queued') {
    board.closeChat(chat, 'cancelled', 'service');
  }
  if (v.chatId === null || !board.chats.has(v.chatId)) board.visitors.delete(visitorId);
}

function expireInvitation(board: Board, chatId: string, accountId: string, at: number): void {
  const chat = board.chats.get(chatId);
  if (chat?.status !== 'active' || chat.invitations.get(accountId)?.expiresAt !== at) return;
  board.uninvite(chat, accountId);
  board.send(board.staffConn(accountId), { type: 'invitation_closed', chatId, reason: 'expired' });
}

function accountChanged(board: Board, account: StaffState['account']): void {
  board.accounts.set(account.id, account);
  board.feed.markStaff(account.id);
  const s = board.staff.get(account.id);
  if (s !== undefined) {
    board.updateStaff(s, { account });
    if (s.offer !== null && account.role === 'trainee') releaseOffer(board, s, 'unavailable');
    board.sendStatus(s);
  }
}

function accountRemoved(board: Board, accountId: string): void {
  board.accounts.delete(accountId);
  board.feed.markStaff(accountId);
  const s = board.staff.get(accountId);
  if (s === undefined) return;
  if (s.conn !== null) {
    const conn = s.conn;
    board.close(conn, 'unauthorized');
    disconnected(board, conn);
  }
  const graceUntil = s.graceUntil;
  if (graceUntil !== null) endStaffGrace(board, accountId, graceUntil);
}

function viewOf(board: Board): SwitchboardView {
  const queueLengths: Record<string, number> = {};
  for (const d of board.departments.keys()) queueLengths[d] = board.queues.get(d)?.size ?? 0;
  let visitor = 0;
  let staff = 0;
  for (const owner of board.conns.values()) {
    if (owner.kind === 'visitor') visitor++;
    else staff++;
  }
  return {
    chats: [...board.chats.values()].map((c) => ({
      chatId: c.chatId,
      status: c.status,
      department: c.details.department,
      visitorId: c.visitor.visitorId,
      enqueuedAt: c.enqueuedAt,
      returned: c.returned,
      offeredTo: c.status === 'queued' ? (c.offer?.helperId ?? null) : null,
      rejectedBy: [...c.rejectedBy],
      participants: [...c.participants.values()].map((p) => ({
        id: p.id,
        role: p.role,
        clientIds: [...p.clientIds],
      })),
      former: [...c.former.values()].map((p) => ({ id: p.id, clientIds: [...p.clientIds] })),
    })),
    staff: [...board.staff.values()].map((s) => ({
      accountId: s.account.id,
      role: s.account.role,
      online: s.conn !== null,
      available: s.available,
      chatLimit: s.account.chatLimit,
      lastBusyAt: s.lastBusyAt,
      chats: [...s.chats],
      watching: [...s.watching],
      offer: s.offer,
    })),
    queueLengths,
    connections: { visitor, staff },
  };
}

function indexesOf(board: Board): SwitchboardIndexes {
  return {
    queues: Object.fromEntries(
      [...board.queues].map(([d, q]) => [d, [...q].map((c) => c.chatId)] as const),
    ),
    waiting: [...board.waiting].map((c) => c.chatId),
    readyHelpers: [...board.helpers.ready()].map((c) => ({ ...c })),
    helpersOnline: board.helpers.onlineCount,
    securityEvents: board.securityEvents.size(),
  };
}
