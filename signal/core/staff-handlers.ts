/** What the switchboard does for staff: hello, availability, chat limit, offers, promotion. */
import type { IceServer, StaffToService } from '../../protocol/index.ts';
import type { Board } from './board.ts';
import type { ConnId } from './events.ts';
import type { AccountRecord } from './records.ts';
import type { StaffState } from './state.ts';
import { activeChat, admitParticipant, canWatch, newStaff, rejectOffer } from './state.ts';

export function staffHello(
  board: Board,
  conn: ConnId,
  account: AccountRecord,
  announced: string[],
  available: boolean | undefined,
  iceServers: IceServer[],
  relayOnly: boolean,
): void {
  board.accounts.set(account.id, account);
  let s = board.staff.get(account.id);
  if (s !== undefined && s.conn !== null && s.conn !== conn) {
    board.conns.delete(s.conn);
    board.close(s.conn, 'replaced'); // SP-H3: the newest socket of an account wins
    if (s.offer !== null) releaseOffer(board, s, 'unavailable');
  }
  if (s === undefined) {
    // Admins take chats only when they opt in (DESIGN.md section 3).
    s = newStaff(account, conn, available ?? account.role !== 'admin', board.now, null);
    board.addStaff(s);
  } else {
    board.updateStaff(s, {
      account,
      conn,
      graceUntil: null,
      ...(available === undefined ? {} : { available }),
    });
  }
  board.conns.set(conn, { kind: 'staff', accountId: account.id });
  board.send(conn, {
    type: 'welcome',
    v: 1,
    account: { ...account },
    maxChatLimit: board.config.maxChatLimit,
    available: s.available,
    departments: [...board.departments.values()].map((d) => ({
      id: d.id,
      name: d.name,
      open: d.open,
    })),
    iceServers,
    relayOnly,
    attachmentMaxBytes: board.config.attachmentMaxBytes,
  });
  // SP-S2: every chat this account still holds is re-attached; announced chats it no
  // longer holds (ended, or handed to someone else while it was away) are let go.
  for (const chatId of [...s.chats, ...s.watching]) {
    const chat = board.chats.get(chatId);
    if (chat?.status !== 'active') continue;
    board.sendChatTo(chat, account.id);
    board.broadcastParticipants(chat);
  }
  for (const chatId of announced) {
    if (!s.chats.has(chatId) && !s.watching.has(chatId)) board.send(conn, { type: 'left', chatId });
  }
  board.sendStatus(s);
}

export function staffMessage(
  board: Board,
  conn: ConnId,
  s: StaffState,
  msg: Extract<
    StaffToService,
    { type: 'set_available' | 'set_chat_limit' | 'accept' | 'reject' | 'promote' | 'list_chats' }
  >,
): void {
  switch (msg.type) {
    case 'set_available':
      board.updateStaff(s, { available: msg.available });
      if (!msg.available && s.offer !== null) releaseOffer(board, s, 'unavailable');
      board.sendStatus(s);
      return;
    case 'set_chat_limit':
      if (msg.limit < 1 || msg.limit > board.config.maxChatLimit) {
        return board.error(conn, 'chat_limit_out_of_range', msg.type);
      }
      board.updateStaff(s, { account: { ...s.account, chatLimit: msg.limit } });
      board.accounts.set(s.account.id, s.account);
      board.persistAccount(s.account);
      board.sendStatus(s);
      return;
    case 'accept':
      return accept(board, conn, s, msg.chatId);
    case 'reject': {
      const chat = board.chats.get(msg.chatId);
      if (chat?.status !== 'queued' || chat.offer?.helperId !== s.account.id) {
        return board.error(
          conn,
          chat === undefined ? 'unknown_chat' : 'not_offered',
          msg.type,
          msg.chatId,
        );
      }
      releaseOffer(board, s, 'rejected');
      board.stat({ name: 'reject', department: chat.details.department });
      return;
    }
    case 'promote':
      return promote(board, conn, s, msg.nickname);
    case 'list_chats':
      if (!canWatch(s.account)) return board.error(conn, 'forbidden', msg.type);
      return board.send(conn, { type: 'live_chats', chats: liveChats(board) });
  }
}

/** Closes a helper's pending offer and returns the chat to its place (SP-O4, SP-G3).
 * Rejects and expiries exclude the helper from this chat for good; other
 * releases (unavailable, disconnected) do not. */
export function releaseOffer(
  board: Board,
  s: StaffState,
  reason: 'rejected' | 'expired' | 'unavailable',
): void {
  const chat = s.offer === null ? undefined : board.chats.get(s.offer);
  if (chat?.status !== 'queued' || chat.offer?.helperId !== s.account.id) {
    return board.updateStaff(s, { offer: null });
  }
  if (reason !== 'unavailable') {
    rejectOffer(chat, s.account.id);
    board.persistChat(chat);
  }
  board.withdrawOffer(chat, reason);
}

function accept(board: Board, conn: ConnId, s: StaffState, chatId: string): void {
  const chat = board.chats.get(chatId);
  if (chat === undefined) return board.error(conn, 'unknown_chat', 'accept', chatId);
  if (chat.status === 'active') return board.error(conn, 'offer_conflict', 'accept', chatId);
  if (chat.offer?.helperId !== s.account.id)
    return board.error(conn, 'not_offered', 'accept', chatId);
  if (s.chats.size >= s.account.chatLimit) {
    // The limit was lowered after the offer was made (SP-L1, SP-L2): the chat goes on.
    board.error(conn, 'at_chat_limit', 'accept', chatId);
    releaseOffer(board, s, 'unavailable');
    return;
  }
  chat.offer = null;
  board.dequeue(chat);
  const active = activeChat(chat, chat.startedAt ?? board.now, chat.participants);
  admitParticipant(active, s.account.id, 'helper', s.account.name);
  board.activate(active);
  board.staffAccepts(s, chat.chatId);
  board.noteAccept(chat.details.department);
  board.stat({
    name: 'accept',
    department: chat.details.department,
    waitMs: board.now - chat.enqueuedAt,
  });
  board.persistChat(active);
  board.send(conn, { type: 'offer_closed', chatId: chat.chatId, reason: 'accepted' });
  for (const id of active.participants.keys()) board.sendChatTo(active, id);
  board.broadcastParticipants(active);
  board.sendStatus(s);
}

function promote(board: Board, conn: ConnId, s: StaffState, nickname: string): void {
  if (!canWatch(s.account)) return board.error(conn, 'forbidden', 'promote');
  const target = board.findAccountByNickname(nickname);
  if (target === undefined) return board.error(conn, 'unknown_helper', 'promote');
  if (target.role === 'trainee') {
    const promoted: AccountRecord = { ...target, role: 'helper' };
    board.accounts.set(promoted.id, promoted);
    board.persistAccount(promoted);
    const ts = board.staff.get(promoted.id);
    if (ts !== undefined) {
      board.updateStaff(ts, { account: promoted });
      board.sendStatus(ts);
    }
  }
  board.send(conn, { type: 'promoted', nickname: target.nickname });
}

function liveChats(board: Board) {
  const chats = [];
  for (const chat of board.chats.values()) {
    if (chat.status !== 'active') continue;
    const nicknames = (role: 'helper' | 'monitor') =>
      [...chat.participants.values()]
        .filter((p) => p.role === role)
        .map((p) => board.accounts.get(p.id)?.nickname ?? p.name);
    chats.push({
      chatId: chat.chatId,
      department: chat.details.department,
      visitorName: chat.details.name,
      helpers: nicknames('helper'),
      monitors: nicknames('monitor'),
      startedAt: chat.startedAt,
    });
  }
  return chats;
}
