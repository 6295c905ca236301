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
  /** Helpers who rejected (or let expire) its offer: `rejectOffer` adds to it. */
  rejectedBy: ReadonlySet<string>;
  /** Participants who left (or were dropped), with the client ids they had: an id stays
   * bound to its first holder for the life of the chat (SPEC.md SP-P4). Written by
   * `admitParticipant` and `retireParticipant` only. */
  former: ReadonlyMap<string, ParticipantState>;
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
  /** Written by the board's `invite` and `uninvite` only (they keep its index of who is
   * invited where right). */
  invitations: ReadonlyMap<string, Invitation>;
};

export type ChatState = QueuedChat | ActiveChat;

/*
 * Most chats never see a rejection, a departed participant or an invitation, and most
 * staff members watch nothing: those collections start as one shared empty instance
 * (at 5,000 pairs, four empty Maps and Sets a pair were 3.4 MB of the service's heap).
 * They are read-only types; the functions below and the board's methods write them
 * through `setWith` / `mapWith`, which give the holder a collection of its own on its
 * first entry, and `setWithout` / `mapWithout`, which hand the shared one back when it
 * empties. The shared instances throw if anything writes them all the same.
 */

class SharedEmptySet extends Set<never> {
  override add(): this {
    throw new Error('the shared empty set is never written (use setWith)');
  }
}

class SharedEmptyMap extends Map<never, never> {
  override set(): this {
    throw new Error('the shared empty map is never written (use mapWith)');
  }
}

const EMPTY_SET: ReadonlySet<never> = new SharedEmptySet();
const EMPTY_MAP: ReadonlyMap<never, never> = new SharedEmptyMap();

export function emptySet<T>(): ReadonlySet<T> {
  return EMPTY_SET;
}

export function emptyMap<K, V>(): ReadonlyMap<K, V> {
  return EMPTY_MAP;
}

/** `set` with `item` in it: the same set, or a new one in place of the shared empty one. */
export function setWith<T>(set: ReadonlySet<T>, item: T): ReadonlySet<T> {
  const own = set === EMPTY_SET ? new Set<T>() : (set as Set<T>);
  own.add(item);
  return own;
}

/** `set` without `item`: the same set, or the shared empty one once nothing is left. */
export function setWithout<T>(set: ReadonlySet<T>, item: T): ReadonlySet<T> {
  if (!(set as Set<T>).delete(item)) return set;
  return set.size === 0 ? EMPTY_SET : set;
}

/** `map` with `key` set to `value`: the same map, or a new one in place of the shared one. */
export function mapWith<K, V>(map: ReadonlyMap<K, V>, key: K, value: V): ReadonlyMap<K, V> {
  const own = map === EMPTY_MAP ? new Map<K, V>() : (map as Map<K, V>);
  own.set(key, value);
  return own;
}

/** `map` without `key`: the same map, or the shared empty one once nothing is left. */
export function mapWithout<K, V>(map: ReadonlyMap<K, V>, key: K): ReadonlyMap<K, V> {
  if (!(map as Map<K, V>).delete(key)) return map;
  return map.size === 0 ? EMPTY_MAP : map;
}

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
    watching: emptySet(),
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

/*
 * Every chat object is built by one of the three functions below, each writing every
 * field out in one order, so that all chats share two hidden classes (V8 maps). Built as
 * a spread of `commonOf(chat)` with fields added, each chat got a map and descriptors of
 * its own, about 0.4 KB a chat that S2's memory row counted.
 */

/** A new request (SP-Q1): nobody rejected it, nobody left, its visitor is its only
 * participant. */
export function newQueuedChat(
  chatId: string,
  visitor: VisitorIdentity,
  ip: string,
  details: RequestDetails,
  enqueuedAt: number,
  participants: Map<string, ParticipantState>,
): QueuedChat {
  return {
    chatId,
    visitor,
    ip,
    details,
    enqueuedAt,
    returned: false,
    rejectedBy: emptySet(),
    former: emptyMap(),
    status: 'queued',
    told: null,
    visitorState: null,
    offer: null,
    startedAt: null,
    participants,
  };
}

/** A chat waiting (again) with what it keeps: after a restart, or back in the queue
 * (`returned`) with its participants kept for the next helper (SP-G2). */
export function queuedChat(
  chat: ChatCommon,
  returned: boolean,
  startedAt: number | null,
  participants: Map<string, ParticipantState>,
): QueuedChat {
  return {
    chatId: chat.chatId,
    visitor: chat.visitor,
    ip: chat.ip,
    details: chat.details,
    enqueuedAt: chat.enqueuedAt,
    returned,
    rejectedBy: chat.rejectedBy,
    former: chat.former,
    status: 'queued',
    told: null,
    visitorState: null,
    offer: null,
    startedAt,
    participants,
  };
}

/** An active chat with what it keeps, without invitations (accepted, or restored). */
export function activeChat(
  chat: ChatCommon,
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
    invitations: emptyMap(),
  };
}

/** SP-O4: the helper rejected the chat's offer or let it expire; it is not offered to
 * them again. */
export function rejectOffer(chat: QueuedChat, helperId: string): void {
  chat.rejectedBy = setWith(chat.rejectedBy, helperId);
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
  chat.former = mapWithout(chat.former, id);
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
  // Field by field, as `admitParticipant` builds it: one hidden class for participants.
  const gone: ParticipantState = {
    id: p.id,
    role: p.role,
    name: p.name,
    clientIds: [...new Set([...(before?.clientIds ?? []), ...p.clientIds])],
  };
  if (keys.length > 0) gone.keys = keys;
  chat.former = mapWith(chat.former, id, gone);
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
