/**
 * The switchboard's in-memory state. Each chat's lifecycle is one explicit state
 * type (STYLE.md point 4): `queued` (waiting, possibly with an offer out) or
 * `active`. Ended chats leave the state entirely (they are persisted as closed).
 */
import type { BoundKey, ChatRole } from '../../protocol/index.ts';
import type { AccountRecord, RequestDetails, VisitorIdentity } from './records.ts';
import type { ConnId } from './events.ts';

export type ParticipantState = {
  id: string;
  role: ChatRole;
  name: string;
  clientIds: number[];
  /** SP-P6: the public signing keys bound with client ids, first key per id kept. */
  keys?: BoundKey[];
};

export type Offer = { helperId: string; expiresAt: number };

export type Invitation = { from: string; expiresAt: number };

export type ChatCommon = {
  chatId: string;
  visitor: VisitorIdentity;
  ip: string;
  details: RequestDetails;
  enqueuedAt: number;
  returned: boolean;
  rejectedBy: Set<string>;
  /** Participants who left (or were dropped), with the client ids they had: an id stays
   * bound to its first holder for the life of the chat (SPEC.md SP-P4). */
  former: Map<string, ParticipantState>;
};

/** What a queued visitor was last told of its place and wait (SPEC.md SP-Q3, SP-Q7). */
export type ToldPlace = { position: number; estimatedWaitMs: number | null; helpersOnline: number };

export type QueuedChat = ChatCommon & {
  status: 'queued';
  /** What its visitor was last told (queue-notices.ts), null before the first notice or
   * after `forget`. Kept on the chat, updated in place: a walk over ten thousand queued
   * visitors reads it with the chat instead of looking it up in a map by chat id. */
  told: ToldPlace | null;
  /** Its visitor's state (the connection notices go to), set by `Board.enqueue`, so a
   * walk over ten thousand queued visitors does not look each up by id. The board keeps
   * a visitor's state as long as it has an open chat (SP-Q5, SP-Q6). */
  visitorState: VisitorState | null;
  /** The one offer out for this chat, if any (SPEC.md SP-O3). */
  offer: Offer | null;
  /** Set when the chat was active before (B3): its participants are kept for the next helper. */
  startedAt: number | null;
  participants: Map<string, ParticipantState>;
};

export type ActiveChat = ChatCommon & {
  status: 'active';
  startedAt: number;
  participants: Map<string, ParticipantState>;
  invitations: Map<string, Invitation>;
};

export type ChatState = QueuedChat | ActiveChat;

/** A signed-in (or briefly disconnected) staff member. Read-only outside the board:
 * it changes only through the board's staff methods (`addStaff`, `updateStaff`,
 * `staffJoins`, `staffLeaves`, `removeStaff`), which keep the helper index and the
 * monitors' board right, so no handler has to remember to. */
export type StaffState = {
  readonly account: AccountRecord;
  /** null while disconnected (grace period, or after a restart until they return). */
  readonly conn: ConnId | null;
  readonly available: boolean;
  readonly graceUntil: number | null;
  readonly lastBusyAt: number;
  /** The chat offered to this helper, if any (a helper has at most one offer, SP-O3). */
  readonly offer: string | null;
  /** Chats in which this staff member is a helper (count towards the limit, SP-L1). */
  readonly chats: ReadonlySet<string>;
  /** Chats this staff member watches as a monitor (SP-M3: not counted). */
  readonly watching: ReadonlySet<string>;
};

/** The fields of a staff member that `Board.updateStaff` changes. */
export type StaffChange = Partial<
  Pick<StaffState, 'account' | 'conn' | 'available' | 'graceUntil' | 'lastBusyAt' | 'offer'>
>;

/** A new staff member's state: signed in on `conn`, or offline (restored) with null. */
export function newStaff(
  account: AccountRecord,
  conn: ConnId | null,
  available: boolean,
  now: number,
  graceUntil: number | null,
): StaffState {
  return {
    account,
    conn,
    available,
    graceUntil,
    lastBusyAt: now,
    offer: null,
    chats: new Set(),
    watching: new Set(),
  };
}

export type VisitorState = {
  identity: VisitorIdentity;
  conn: ConnId | null;
  ip: string;
  graceUntil: number | null;
  /** The visitor's one open request or chat (SPEC.md SP-Q5). */
  chatId: string | null;
};

export type ConnOwner =
  { kind: 'visitor'; visitorId: string } | { kind: 'staff'; accountId: string };

export function canTakeOffers(account: AccountRecord): boolean {
  return account.role !== 'trainee';
}

export function canWatch(account: AccountRecord): boolean {
  return account.role === 'monitor' || account.role === 'admin';
}

/** What a chat keeps through every state change (queued ⇄ active). */
export function commonOf(chat: ChatState): ChatCommon {
  return {
    chatId: chat.chatId,
    visitor: chat.visitor,
    ip: chat.ip,
    details: chat.details,
    enqueuedAt: chat.enqueuedAt,
    returned: chat.returned,
    rejectedBy: chat.rejectedBy,
    former: chat.former,
  };
}

/**
 * An active chat from the common part of a queued one, every field written out: built as
 * a spread of `commonOf(chat)` with fields added, each chat got a hidden class (V8 map
 * and descriptors) of its own, about 0.4 KB a chat that S2's memory row counted.
 */
export function activeChat(
  chat: ChatState,
  startedAt: number,
  participants: Map<string, ParticipantState>,
): ActiveChat {
  return {
    chatId: chat.chatId,
    visitor: chat.visitor,
    ip: chat.ip,
    details: chat.details,
    enqueuedAt: chat.enqueuedAt,
    returned: chat.returned,
    rejectedBy: chat.rejectedBy,
    former: chat.former,
    status: 'active',
    startedAt,
    participants,
    invitations: new Map(),
  };
}

/**
 * Brings a staff member into a chat in `role` (SP-P4): client ids they held before in
 * this chat are theirs again, so their earlier lines stay theirs in every view.
 */
export function admitParticipant(
  chat: ChatState,
  id: string,
  role: ChatRole,
  name: string,
): ParticipantState {
  const earlier = [
    ...(chat.participants.get(id)?.clientIds ?? []),
    ...(chat.former.get(id)?.clientIds ?? []),
  ];
  const keys = [...(chat.participants.get(id)?.keys ?? []), ...(chat.former.get(id)?.keys ?? [])];
  chat.former.delete(id);
  const p: ParticipantState = { id, role, name, clientIds: [...new Set(earlier)] };
  if (keys.length > 0) p.keys = mergeKeys([], keys);
  chat.participants.set(id, p);
  return p;
}

/** Takes a participant out of a chat; their client ids stay bound to them (SP-P4). */
export function retireParticipant(chat: ChatState, id: string): void {
  const p = chat.participants.get(id);
  if (p === undefined) return;
  chat.participants.delete(id);
  const before = chat.former.get(id);
  const keys = mergeKeys(before?.keys ?? [], p.keys ?? []);
  chat.former.set(id, {
    ...p,
    clientIds: [...new Set([...(before?.clientIds ?? []), ...p.clientIds])],
    ...(keys.length > 0 ? { keys } : {}),
  });
}

/** SP-P6: one key per client id, the first one bound kept. */
export function mergeKeys(kept: readonly BoundKey[], more: readonly BoundKey[]): BoundKey[] {
  const out = [...kept];
  for (const k of more) if (!out.some((o) => o.clientId === k.clientId)) out.push(k);
  return out;
}

/** Who a client id is bound to in a chat, now or earlier (SP-P2, SP-P4). */
export function holderOf(chat: ChatState, clientId: number): string | undefined {
  for (const p of chat.participants.values()) if (p.clientIds.includes(clientId)) return p.id;
  for (const p of chat.former.values()) if (p.clientIds.includes(clientId)) return p.id;
  return undefined;
}
