/**
 * The Contributors room (F20, SPEC.md SP-CR1–SP-CR9): one group chat of every signed-in
 * staff member, kept in SQLite. The gateway hands it the staff's `room_*` frames
 * (already decoded) and every staff socket's close; the room answers through `send`
 * (the gateway's, with its backpressure rule). It is beside the switchboard, not in
 * it: the room has nothing to do with queues or chats, and its history lives in the
 * database, which the pure core never reads.
 *
 * Delivery (SP-CR2, SP-CR6): every stored message has a seq; a console rejoining with the
 * last seq it holds gets exactly what it missed, in order, in frames under the frame
 * limit. A message sent twice by its author under one id is stored once and echoed
 * again only to the sender, which is how a console learns that its resend landed.
 *
 * Exports: `createContributorsRoom(deps)` → `ContributorsRoom`, `RoomDeps`, `RoomAlert`.
 */
import {
  ERRORS,
  LIMITS,
  type ErrorCode,
  type RoomEntry,
  type RoomMember,
  type RoomToService,
  type ServiceToStaff,
} from '../../protocol/index.ts';
import type { ConnId } from '../core/events.ts';
import type { AccountRecord } from '../core/records.ts';
import { TokenBucket } from '../gateway/rate-limits.ts';
import type { RoomStore } from '../storage/room-store.ts';
import { findMentions } from './mentions.ts';

/** A page of the room when a console joins with nothing held (SP-CR1). */
const FIRST_PAGE = 50;

export type RoomDeps = {
  store: RoomStore;
  /** Sends one text frame to a staff socket (the gateway's send). */
  send(conn: ConnId, text: string): void;
  /** The account as it is now (so a renamed member shows the new name). */
  account(accountId: string): AccountRecord | null;
  accountByNickname(nickname: string): AccountRecord | null;
  now(): number;
  /** A fresh id for an alert. */
  newId(): string;
  /** SP-CR8: messages one account may write per minute, with a burst of a quarter of it. */
  messagesPerMinute: number;
};

/** What the service posts (SP-CR9; follow-up replies, F25). */
export type RoomAlert = {
  text: string;
  /** A path of this service the alert points to (`/console/…`). */
  link?: string;
  /** Nicknames to notify besides any `@nickname` in the text. */
  mentions?: readonly string[];
};

export interface ContributorsRoom {
  /** A decoded `room_*` frame from a staff socket that said hello. */
  handle(from: { conn: ConnId; accountId: string }, msg: RoomToService): void;
  /** A staff socket closed: it leaves the room (SP-CR7). */
  disconnected(conn: ConnId): void;
  /** Posts an alert into the room, stored and delivered like any message (SP-CR9). */
  postAlert(alert: RoomAlert): RoomEntry;
  /** Accounts in the room now. */
  members(): RoomMember[];
}

export function createContributorsRoom(deps: RoomDeps): ContributorsRoom {
  /** Sockets in the room → their account. */
  const sockets = new Map<ConnId, string>();
  const buckets = new Map<string, TokenBucket>();
  const perSecond = deps.messagesPerMinute / 60;
  const burst = Math.max(1, Math.ceil(deps.messagesPerMinute / 4));

  function send(conn: ConnId, msg: ServiceToStaff): void {
    deps.send(conn, JSON.stringify(msg));
  }

  function refuse(conn: ConnId, code: ErrorCode, ref: string): void {
    send(conn, { type: 'error', code, message: ERRORS[code].message, ref });
  }

  /** One serialisation, every socket in the room (SP-CR2). */
  function broadcast(msg: ServiceToStaff, except?: ConnId): void {
    const text = JSON.stringify(msg);
    for (const conn of sockets.keys()) if (conn !== except) deps.send(conn, text);
  }

  function members(): RoomMember[] {
    const seen = new Set<string>();
    const list: RoomMember[] = [];
    for (const accountId of sockets.values()) {
      if (seen.has(accountId)) continue;
      seen.add(accountId);
      const account = deps.account(accountId);
      if (account !== null) {
        list.push({ nickname: account.nickname, name: account.name, role: account.role });
      }
    }
    return list.sort((a, b) => a.name.localeCompare(b.name));
  }

  function membersMessage(): Extract<ServiceToStaff, { type: 'room_members' }> {
    const all = members();
    return {
      type: 'room_members',
      members: all.slice(0, LIMITS.maxRoomMembersListed),
      memberCount: all.length,
    };
  }

  function accountIn(accountId: string): boolean {
    for (const id of sockets.values()) if (id === accountId) return true;
    return false;
  }

  /** SP-CR1, SP-CR6: the joiner gets who is in and what it missed, in frames under the limit. */
  function join(conn: ConnId, accountId: string, after: number | undefined): void {
    const wasIn = accountIn(accountId);
    sockets.set(conn, accountId);
    const missed = after === undefined || after === 0 ? null : deps.store.countAfter(after);
    const reset = missed === null || missed > LIMITS.maxRoomCatchUp;
    const messages = reset
      ? deps.store.latest(FIRST_PAGE)
      : deps.store.after(after ?? 0, LIMITS.maxRoomCatchUp);
    const [first = [], ...rest] = framesOf(messages);
    const older = first[0] !== undefined && deps.store.hasBefore(first[0].seq);
    const roster = membersMessage();
    send(conn, {
      type: 'room_joined',
      members: roster.members,
      memberCount: roster.memberCount,
      messages: first,
      older,
      reset,
    });
    for (const frame of rest) {
      send(conn, { type: 'room_messages', messages: frame, history: false, older: false });
    }
    if (!wasIn) broadcast(roster, conn);
  }

  function leave(conn: ConnId): boolean {
    const accountId = sockets.get(conn);
    if (accountId === undefined) return false;
    sockets.delete(conn);
    if (!accountIn(accountId)) broadcast(membersMessage());
    return true;
  }

  function write(conn: ConnId, accountId: string, id: string, raw: string): void {
    if (!sockets.has(conn)) return refuse(conn, 'room_not_joined', 'room_send');
    const text = raw.trim();
    if (text === '') return refuse(conn, 'room_message_empty', 'room_send');
    if (text.length > LIMITS.maxRoomMessageLength) {
      return refuse(conn, 'room_message_too_long', 'room_send');
    }
    const account = deps.account(accountId);
    if (account === null) return refuse(conn, 'unauthorized', 'room_send');
    const now = deps.now();
    // A resend of a stored message is an acknowledgement, not a new message: it
    // costs no rate and reaches only its sender (SP-CR6).
    const stored = deps.store.find(accountId, id);
    if (stored !== null) return send(conn, { type: 'room_message', message: stored });
    let bucket = buckets.get(accountId);
    if (bucket === undefined) {
      bucket = new TokenBucket(perSecond, burst, now);
      buckets.set(accountId, bucket);
    }
    if (!bucket.take(now)) return refuse(conn, 'room_rate_limited', 'room_send');
    const { entry } = deps.store.append({
      id,
      kind: 'message',
      author: { accountId, nickname: account.nickname, name: account.name },
      text,
      mentions: findMentions(text, deps.accountByNickname),
      at: now,
    });
    broadcast({ type: 'room_message', message: entry });
  }

  function history(conn: ConnId, before: number, limit: number | undefined): void {
    if (!sockets.has(conn)) return refuse(conn, 'room_not_joined', 'room_history');
    const page = deps.store.before(before, limit ?? FIRST_PAGE);
    // Pages are cut to the frame budget from the newest end, so that the next
    // request (before the first seq sent) leaves nothing out.
    const frames = framesOf(page);
    const last = frames.at(-1) ?? [];
    const first = last[0];
    send(conn, {
      type: 'room_messages',
      messages: last,
      history: true,
      older: first !== undefined && deps.store.hasBefore(first.seq),
    });
  }

  return {
    handle(from, msg) {
      switch (msg.type) {
        case 'room_join':
          return join(from.conn, from.accountId, msg.after);
        case 'room_leave':
          if (leave(from.conn)) send(from.conn, { type: 'room_left' });
          return;
        case 'room_send':
          return write(from.conn, from.accountId, msg.id, msg.text);
        case 'room_history':
          return history(from.conn, msg.before, msg.limit);
      }
    },
    disconnected(conn) {
      leave(conn);
    },
    postAlert(alert) {
      const text = alert.text.trim().slice(0, LIMITS.maxRoomMessageLength) || 'Alert';
      const named = new Set(findMentions(text, deps.accountByNickname));
      for (const nickname of alert.mentions ?? []) {
        const account = deps.accountByNickname(nickname);
        if (account !== null) named.add(account.nickname);
      }
      const { entry } = deps.store.append({
        id: deps.newId(),
        kind: 'alert',
        author: null,
        text,
        mentions: [...named].slice(0, LIMITS.maxRoomMentions),
        ...(alert.link === undefined ? {} : { link: alert.link }),
        at: deps.now(),
      });
      broadcast({ type: 'room_message', message: entry });
      return entry;
    },
    members,
  };
}

/** Splits messages (oldest first) into frames of at most `maxRoomPage` messages and
 * `roomFrameBudget` characters, so that no frame comes near `maxFrameBytes`. */
export function framesOf(messages: readonly RoomEntry[]): RoomEntry[][] {
  const frames: RoomEntry[][] = [];
  let frame: RoomEntry[] = [];
  let size = 0;
  for (const message of messages) {
    const length = JSON.stringify(message).length + 1;
    if (
      frame.length > 0 &&
      (frame.length >= LIMITS.maxRoomPage || size + length > LIMITS.roomFrameBudget)
    ) {
      frames.push(frame);
      frame = [];
      size = 0;
    }
    frame.push(message);
    size += length;
  }
  if (frame.length > 0) frames.push(frame);
  return frames;
}
