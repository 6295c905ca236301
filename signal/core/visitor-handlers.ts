/** What the switchboard does for a visitor: hello, request, cancel, leave a message. */
import type { IceServer, VisitorToService } from '../../protocol/index.ts';
import type { Board } from './board.ts';
import type { ConnId } from './events.ts';
import type { VisitorIdentity } from './records.ts';
import type { ParticipantState, VisitorState } from './state.ts';
import { newQueuedChat } from './state.ts';

/** Refuses a blocked visitor: tells when the block ends and closes the socket (SP-B2). */
export function refuseIfBlocked(
  board: Board,
  conn: ConnId,
  visitorId: string,
  ip: string,
): boolean {
  const until = board.isBlocked(visitorId, ip);
  if (until === null) return false;
  board.send(conn, { type: 'blocked', until });
  board.close(conn, 'blocked');
  return true;
}

export function visitorHello(
  board: Board,
  conn: ConnId,
  ip: string,
  identity: VisitorIdentity,
  token: string,
  iceServers: IceServer[],
): void {
  if (refuseIfBlocked(board, conn, identity.visitorId, ip)) return;
  let v = board.visitors.get(identity.visitorId);
  if (v !== undefined && v.conn !== null && v.conn !== conn) {
    board.conns.delete(v.conn);
    board.close(v.conn, 'replaced'); // SP-V2: the newest socket wins
  }
  if (v === undefined) {
    v = { identity, conn, ip, graceUntil: null, chatId: null };
    board.visitors.set(identity.visitorId, v);
  } else {
    v.conn = conn;
    v.ip = ip;
    v.graceUntil = null;
  }
  board.conns.set(conn, { kind: 'visitor', visitorId: identity.visitorId });
  board.send(conn, {
    type: 'welcome',
    v: 1,
    visitorId: identity.visitorId,
    token,
    firstVisitAt: identity.firstVisitAt,
    firstLandingPage: identity.firstLandingPage,
    departments: [...board.departments.values()].map((d) => ({
      id: d.id,
      name: d.name,
      open: d.open,
    })),
    iceServers,
    typingPreview: board.config.typingPreview,
    attachmentMaxBytes: board.config.attachmentMaxBytes,
    privacyNotice: board.config.privacyNotice,
  });
  resumeVisitor(board, v);
}

/** A returning visitor gets back its queue place or its chat (SP-V2, SP-S2). */
function resumeVisitor(board: Board, v: VisitorState): void {
  if (v.chatId === null) return;
  const chat = board.chats.get(v.chatId);
  if (chat === undefined) {
    v.chatId = null;
    return;
  }
  if (chat.status === 'queued') {
    board.notices.forget(chat);
    board.notices.tell(chat);
  } else {
    board.sendChatTo(chat, v.identity.visitorId);
  }
  board.broadcastParticipants(chat, true);
}

export function visitorMessage(
  board: Board,
  conn: ConnId,
  visitorId: string,
  msg: Exclude<VisitorToService, { type: 'hello' | 'signal' | 'bind' }>,
): void {
  const v = board.visitors.get(visitorId);
  if (v === undefined) return;
  switch (msg.type) {
    case 'request':
      return request(board, conn, v, msg);
    case 'cancel': {
      const chat = v.chatId === null ? undefined : board.chats.get(v.chatId);
      if (chat === undefined || chat.status !== 'queued')
        return board.error(conn, 'no_request', msg.type);
      board.send(conn, { type: 'cancelled', chatId: chat.chatId });
      board.closeChat(chat, 'cancelled', 'visitor');
      return;
    }
    case 'leave_message':
      return leaveMessage(board, conn, v, msg);
    case 'end': {
      const chat = board.chats.get(msg.chatId);
      if (chat === undefined || chat.visitor.visitorId !== visitorId) {
        return board.error(conn, 'unknown_chat', msg.type, msg.chatId);
      }
      if (chat.status === 'queued') board.send(conn, { type: 'cancelled', chatId: chat.chatId });
      board.closeChat(chat, chat.status === 'active' ? 'ended' : 'cancelled', 'visitor');
      return;
    }
  }
}

function request(
  board: Board,
  conn: ConnId,
  v: VisitorState,
  msg: Extract<VisitorToService, { type: 'request' }>,
): void {
  if (refuseIfBlocked(board, conn, v.identity.visitorId, v.ip)) return;
  if (v.chatId !== null && board.chats.has(v.chatId))
    return board.error(conn, 'already_requested', msg.type);
  const department = board.departments.get(msg.department);
  if (department === undefined) return board.error(conn, 'unknown_department', msg.type);
  if (!department.open) {
    board.send(conn, {
      type: 'unavailable',
      department: department.id,
      reason: 'department_closed',
    });
    return;
  }
  const chat = newQueuedChat(
    board.ids('c'),
    v.identity,
    v.ip,
    {
      name: msg.name,
      email: emailOrNull(msg.email),
      department: department.id,
      question: msg.question,
      page: msg.page,
      browser: msg.browser,
      sessionStartedAt: msg.sessionStartedAt,
      landingPage: msg.landingPage,
      // SP-PN2: when the visitor acknowledged the privacy notice, by the service's clock.
      ...(msg.privacyAcknowledged === true ? { privacyAcknowledgedAt: board.now } : {}),
    },
    board.now,
    new Map<string, ParticipantState>([
      [
        v.identity.visitorId,
        { id: v.identity.visitorId, role: 'visitor', name: msg.name, clientIds: [] },
      ],
    ]),
  );
  v.chatId = chat.chatId;
  board.enqueue(chat);
  board.persistChat(chat);
  board.stat({ name: 'request', department: department.id });
}

function leaveMessage(
  board: Board,
  conn: ConnId,
  v: VisitorState,
  msg: Extract<VisitorToService, { type: 'leave_message' }>,
): void {
  if (refuseIfBlocked(board, conn, v.identity.visitorId, v.ip)) return;
  if (!board.departments.has(msg.department))
    return board.error(conn, 'unknown_department', msg.type);
  const open = v.chatId === null ? undefined : board.chats.get(v.chatId);
  if (open !== undefined && open.status === 'active')
    return board.error(conn, 'already_requested', msg.type);
  const id = board.ids('m');
  board.out.push({
    kind: 'persist',
    change: {
      op: 'left_message',
      message: {
        id,
        visitorId: v.identity.visitorId,
        ip: v.ip,
        name: msg.name,
        email: emailOrNull(msg.email),
        department: msg.department,
        message: msg.message,
        chatId: open?.chatId ?? null,
        createdAt: board.now,
      },
    },
  });
  // SP-Q6: a queued request that becomes a message ends as "left a message".
  if (open !== undefined) board.closeChat(open, 'left_message', 'visitor');
  board.send(conn, { type: 'message_left', id });
}

/** The form's email field is optional and may come back empty. */
function emailOrNull(email: string | undefined): string | null {
  return email === undefined || email === '' ? null : email;
}
