/** What the switchboard does inside a chat: invitations, leaving, ending, watching,
 * departments, blocks, Yjs bindings and the signalling relay. */
import type {
  ChatErrorCode,
  SignalData,
  SigningKey,
  StaffToService,
} from '../../protocol/index.ts';
import type { Board } from './board.ts';
import type { ConnId } from './events.ts';
import type { ActiveChat, ChatState, StaffState } from './state.ts';
import { admitParticipant, canWatch, holderOf, mergeKeys } from './state.ts';

type ChatMessage = Extract<
  StaffToService,
  {
    type:
      | 'invite'
      | 'invite_accept'
      | 'invite_decline'
      | 'leave'
      | 'end'
      | 'watch'
      | 'unwatch'
      | 'change_department'
      | 'block';
  }
>;

function helperOf(chat: ChatState | undefined, accountId: string): chat is ActiveChat {
  return chat?.status === 'active' && chat.participants.get(accountId)?.role === 'helper';
}

export function chatMessage(board: Board, conn: ConnId, s: StaffState, msg: ChatMessage): void {
  const chat = board.chats.get(msg.chatId);
  const me = s.account.id;
  switch (msg.type) {
    case 'invite':
      return invite(board, conn, s, chat, msg.nickname);
    case 'invite_accept':
      return acceptInvitation(board, conn, s, chat);
    case 'invite_decline': {
      if (chat?.status !== 'active' || !board.uninvite(chat, me)) {
        return board.error(conn, 'no_invitation', msg.type, msg.chatId);
      }
      return board.send(conn, {
        type: 'invitation_closed',
        chatId: msg.chatId,
        reason: 'declined',
      });
    }
    case 'leave':
    case 'unwatch': {
      // SP-G4: a monitor may stop watching a chat that waits in the queue.
      const held =
        chat?.status === 'active' ||
        (chat?.status === 'queued' && chat.participants.get(me)?.role === 'monitor');
      if (chat === undefined || !held || !chat.participants.has(me)) {
        return board.error(conn, 'not_participant', msg.type, msg.chatId);
      }
      board.removeStaffFromChat(chat, me);
      return;
    }
    case 'end':
      if (!helperOf(chat, me)) return board.error(conn, 'not_participant', msg.type, msg.chatId);
      board.closeChat(chat, 'ended', 'helper');
      return;
    case 'watch':
      return watch(board, conn, s, chat, msg.chatId);
    case 'change_department': {
      if (!helperOf(chat, me)) return board.error(conn, 'not_participant', msg.type, msg.chatId);
      if (!board.departments.has(msg.department))
        return board.error(conn, 'unknown_department', msg.type);
      chat.details = { ...chat.details, department: msg.department };
      board.persistChat(chat);
      for (const p of chat.participants.values()) {
        if (p.role === 'visitor') continue;
        board.send(board.staffConn(p.id), {
          type: 'department_changed',
          chatId: chat.chatId,
          department: msg.department,
        });
      }
      return;
    }
    case 'block':
      return block(board, conn, s, chat, msg.reason, msg.ip);
  }
}

function invite(
  board: Board,
  conn: ConnId,
  s: StaffState,
  chat: ChatState | undefined,
  nickname: string,
): void {
  // SP-I1: only a helper of the chat who is not a trainee can invite.
  if (!helperOf(chat, s.account.id))
    return board.error(conn, 'not_participant', 'invite', chat?.chatId);
  if (s.account.role === 'trainee') return board.error(conn, 'forbidden', 'invite', chat.chatId);
  const target = board.findAccountByNickname(nickname);
  if (target === undefined) return board.error(conn, 'unknown_helper', 'invite', chat.chatId);
  const ts = board.staff.get(target.id);
  if (ts === undefined || ts.conn === null)
    return board.error(conn, 'helper_offline', 'invite', chat.chatId);
  if (chat.participants.get(target.id)?.role === 'helper') {
    return board.error(conn, 'already_participant', 'invite', chat.chatId);
  }
  if (ts.chats.size >= ts.account.chatLimit)
    return board.error(conn, 'at_chat_limit', 'invite', chat.chatId);
  const expiresAt = board.now + board.config.inviteTimeoutMs;
  board.invite(chat, target.id, { from: s.account.id, expiresAt });
  board.deadlines.push(expiresAt, { kind: 'invite', chatId: chat.chatId, helperId: target.id });
  board.send(ts.conn, {
    type: 'invitation',
    chatId: chat.chatId,
    from: s.account.nickname,
    expiresAt,
    visitor: board.visitorSummary(chat),
  });
}

function acceptInvitation(
  board: Board,
  conn: ConnId,
  s: StaffState,
  chat: ChatState | undefined,
): void {
  if (chat?.status !== 'active' || !chat.invitations.has(s.account.id)) {
    return board.error(conn, 'no_invitation', 'invite_accept', chat?.chatId);
  }
  if (s.chats.size >= s.account.chatLimit)
    return board.error(conn, 'at_chat_limit', 'invite_accept', chat.chatId);
  board.uninvite(chat, s.account.id);
  // A watching monitor who is invited becomes a helper of the chat.
  admitParticipant(chat, s.account.id, 'helper', s.account.name);
  board.staffJoins(s, chat.chatId, 'helper');
  board.persistChat(chat);
  board.send(conn, { type: 'invitation_closed', chatId: chat.chatId, reason: 'accepted' });
  board.sendChatTo(chat, s.account.id);
  board.broadcastParticipants(chat);
  board.sendStatus(s);
}

function watch(
  board: Board,
  conn: ConnId,
  s: StaffState,
  chat: ChatState | undefined,
  chatId: string,
): void {
  if (!canWatch(s.account)) return board.error(conn, 'forbidden', 'watch', chatId);
  if (chat?.status !== 'active') return board.error(conn, 'unknown_chat', 'watch', chatId);
  if (chat.participants.has(s.account.id))
    return board.error(conn, 'already_participant', 'watch', chatId);
  admitParticipant(chat, s.account.id, 'monitor', s.account.name);
  board.staffJoins(s, chat.chatId, 'watcher');
  board.persistChat(chat);
  board.sendChatTo(chat, s.account.id);
  board.broadcastParticipants(chat);
}

function block(
  board: Board,
  conn: ConnId,
  s: StaffState,
  chat: ChatState | undefined,
  reason: string,
  ip: boolean,
): void {
  // B1: a helper of the chat, or any monitor or admin.
  if (chat === undefined) return board.error(conn, 'unknown_chat', 'block');
  if (!helperOf(chat, s.account.id) && !canWatch(s.account)) {
    return board.error(conn, 'not_participant', 'block', chat.chatId);
  }
  const until = board.now + board.config.blockDurationMs;
  const visitorId = chat.visitor.visitorId;
  const blockedIp = ip ? chat.ip : null;
  board.out.push({
    kind: 'persist',
    change: {
      op: 'block',
      block: {
        id: board.ids('b'),
        visitorId,
        ip: blockedIp,
        reason,
        by: s.account.id,
        createdAt: board.now,
        until,
        chatId: chat.chatId,
      },
    },
  });
  board.blocksByVisitor.set(visitorId, Math.max(until, board.blocksByVisitor.get(visitorId) ?? 0));
  if (blockedIp !== null)
    board.blocksByIp.set(blockedIp, Math.max(until, board.blocksByIp.get(blockedIp) ?? 0));
  board.send(conn, { type: 'blocked_visitor', chatId: chat.chatId, until, ip });
  // SP-B2: the visitor is told at once, the chat ends, the socket closes. An IP block
  // does the same to every other open request or chat from that address.
  const caught = [...board.chats.values()].filter(
    (c) => c.visitor.visitorId === visitorId || (blockedIp !== null && c.ip === blockedIp),
  );
  for (const c of caught) {
    shutOut(board, c.visitor.visitorId, until);
    board.closeChat(c, 'blocked', 'helper');
  }
  shutOut(board, visitorId, until);
  if (blockedIp !== null) {
    for (const v of board.visitors.values()) {
      if (v.ip === blockedIp) shutOut(board, v.identity.visitorId, until);
    }
  }
}

/** Tells a visitor they are blocked and closes their socket (SP-B2). */
function shutOut(board: Board, visitorId: string, until: number): void {
  const v = board.visitors.get(visitorId);
  if (v === undefined || v.conn === null) return;
  board.send(v.conn, { type: 'blocked', until });
  board.close(v.conn, 'blocked');
  board.conns.delete(v.conn);
  v.conn = null;
}

/** SP-P2: binds a Yjs client id of the sender's document to the sender. */
export function bind(
  board: Board,
  conn: ConnId,
  senderId: string,
  chatId: string,
  clientId: number,
  key?: SigningKey,
): void {
  const chat = board.chats.get(chatId);
  const me = chat?.participants.get(senderId);
  if (chat === undefined || me === undefined)
    return board.error(conn, 'not_participant', 'bind', chatId);
  // SP-P6: the first key bound with a client id stays its key for the life of the chat.
  const newKey =
    key !== undefined &&
    me.role !== 'visitor' &&
    !(me.keys ?? []).some((k) => k.clientId === clientId);
  if (me.clientIds.includes(clientId)) {
    if (!newKey) return;
    me.keys = mergeKeys(me.keys ?? [], [{ clientId, ...key }]);
    board.persistChat(chat);
    board.broadcastParticipants(chat);
    return;
  }
  // SP-P4: held by anyone else now or earlier in this chat, it is never theirs.
  if (holderOf(chat, clientId) !== undefined)
    return board.error(conn, 'client_id_taken', 'bind', chatId);
  if (me.clientIds.length >= board.config.maxClientIdsPerParticipant) {
    return board.error(conn, 'too_many_client_ids', 'bind', chatId);
  }
  me.clientIds.push(clientId);
  if (newKey) me.keys = mergeKeys(me.keys ?? [], [{ clientId, ...key }]);
  board.persistChat(chat);
  board.broadcastParticipants(chat);
}

/**
 * SP-P5: a peer's replica dropped another participant for bytes that break the chat
 * rules. Counted, and told to the monitors and admins online, at most once per
 * reporter, peer and code in a quiet time (security-events.ts). The service never
 * sees the bytes: this is the reporter's word, and says so.
 */
export function peerRefused(
  board: Board,
  conn: ConnId,
  senderId: string,
  msg: { chatId: string; peer: string; code: ChatErrorCode },
): void {
  const chat = board.chats.get(msg.chatId);
  const reporter = chat?.participants.get(senderId);
  const peer = chat?.participants.get(msg.peer) ?? chat?.former.get(msg.peer);
  if (chat === undefined || reporter === undefined || peer === undefined || peer.id === senderId) {
    return board.error(conn, 'not_participant', 'peer_refused', msg.chatId);
  }
  const report = { chatId: chat.chatId, reporter: senderId, peer: peer.id, code: msg.code };
  if (!board.securityEvents.admit(report, board.now)) return;
  board.stat({ name: 'peer_refused', code: msg.code, role: peer.role });
  const event = {
    type: 'security_event' as const,
    chatId: chat.chatId,
    reporter: { id: reporter.id, role: reporter.role, name: reporter.name },
    peer: { id: peer.id, role: peer.role, name: peer.name },
    code: msg.code,
    at: board.now,
  };
  for (const s of board.staff.values()) {
    if (s.conn !== null && canWatch(s.account)) board.send(s.conn, event);
  }
}

/** SP-R1–SP-R3: forwards a signal between two online participants of one chat. */
export function relay(
  board: Board,
  conn: ConnId,
  senderId: string,
  msg: { chatId: string; to: string; link: string; data: SignalData },
): void {
  const chat = board.chats.get(msg.chatId);
  const from = chat?.participants.get(senderId);
  const to = chat?.participants.get(msg.to);
  const toConn = chat === undefined ? null : board.participantConn(chat, msg.to);
  const pairAllowed =
    from !== undefined &&
    to !== undefined &&
    from.id !== to.id &&
    // SP-M2: monitors talk only to helpers; the visitor never learns of them.
    (from.role === 'helper' || to.role === 'helper');
  if (chat === undefined || !pairAllowed || toConn === null) {
    board.stat({ name: 'relay_refused' });
    return board.error(conn, 'relay_refused', 'signal', msg.chatId);
  }
  board.stat({ name: 'relay' });
  // SP-R2: a fresh message from the parsed fields, `from` stamped here.
  board.send(toConn, {
    type: 'signal',
    chatId: chat.chatId,
    from: senderId,
    link: msg.link,
    data: msg.data,
  });
}
