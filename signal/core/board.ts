/**
 * The switchboard's state and the operations every handler shares: sending,
 * persisting, the queues and their positions, offering, ending and requeueing
 * chats. Handlers (visitor-handlers.ts, staff-handlers.ts, chat-handlers.ts)
 * call these; none of them does I/O — effects are collected in `out`.
 */
import type {
  BoundKey,
  ErrorCode,
  ServiceToStaff,
  ServiceToVisitor,
  VisitorSummary,
} from '../../protocol/index.ts';
import { ERRORS } from '../../protocol/index.ts';
import { BoardFeed } from './board-feed.ts';
import { ChatMetaBook } from './chat-meta.ts';
import { DeadlineHeap, type DeadlineKey } from './deadlines.ts';
import type { ConnId, CoreConfig, Effect, IdSource, Stat } from './events.ts';
import { HelperIndex } from './helper-index.ts';
import { QueueNotices, type QueueNoticeHost, type QueueView } from './queue-notices.ts';
import { QueueList } from './queue-order.ts';
import { armQueueWaitAlert } from './queue-wait-alert.ts';
import { toRecord } from './chat-records.ts';
import { SecurityEventGate } from './security-events.ts';
import type { AccountRecord, ChatOutcome, DepartmentRecord } from './records.ts';
import { chooseHelper } from './routing.ts';
import type {
  ActiveChat,
  ChatState,
  ConnOwner,
  Invitation,
  ParticipantState,
  QueuedChat,
  StaffChange,
  StaffState,
  VisitorState,
} from './state.ts';
import {
  mapWith,
  mapWithout,
  queuedChat,
  retireParticipant,
  setWith,
  setWithout,
} from './state.ts';

export class Board {
  now = 0;
  out: Effect[] = [];

  readonly accounts = new Map<string, AccountRecord>();
  readonly departments = new Map<string, DepartmentRecord>();
  readonly blocksByVisitor = new Map<string, number>();
  readonly blocksByIp = new Map<string, number>();
  readonly #chats = new Map<string, ChatState>();
  /** Every open chat by id. Changed only by `enqueue`, `activate` and `closeChat`, which
   * keep the queues, the board feed and the notices right with it. */
  get chats(): ReadonlyMap<string, ChatState> {
    return this.#chats;
  }
  /** Each department's queue, offered chats included (positions count them, SP-Q3). */
  readonly #queues = new Map<string, QueueList<QueuedChat>>();
  get queues(): ReadonlyMap<string, QueueView & Iterable<QueuedChat>> {
    return this.#queues;
  }
  /** Queued chats with no offer out, every department, in queue order: what dispatch
   * offers next (SP-O6), without walking past the chats already offered. */
  readonly #waiting = new QueueList<QueuedChat>();
  get waiting(): Iterable<QueuedChat> {
    return this.#waiting;
  }
  /** Who can be offered a chat now, best first (SP-O1, SP-O2); kept right by the staff methods below. */
  readonly helpers = new HelperIndex();
  readonly staff = new Map<string, StaffState>();
  readonly visitors = new Map<string, VisitorState>();
  readonly conns = new Map<ConnId, ConnOwner>();
  readonly deadlines = new DeadlineHeap();
  /** Queued visitors' positions and waits, told at once or coalesced (SP-Q3). */
  readonly notices = new QueueNotices(noticeHost(this));
  /** Per department: time of the last accept and the moving average of intervals (SP-Q7). */
  readonly acceptPace = new Map<string, { lastAt: number; intervalMs: number | null }>();
  /** The participant list each visitor last saw, per chat: a change among monitors
   * alone must not reach the visitor even as an unchanged list (SP-M2). */
  readonly visitorView = new Map<string, string>();
  /** SP-P5: which security events were told lately, per open chat. */
  readonly securityEvents = new SecurityEventGate();
  /** The monitors' live board, coalesced (SP-M4). */
  readonly feed = new BoardFeed(this);
  /** Tags and labels of open chats (SP-K1). */
  readonly meta = new ChatMetaBook();

  /** The chats each account was invited to (SP-I2), as a hint: an entry may be stale (the
   * chat ended or went back to the queue), never missing; `uninvite` takes its entry out. A helper who drops has its
   * invitations found here instead of by a walk over every open chat, which made a mass
   * disconnect quadratic (5,000 helpers dropping at once: 31 s of CPU, issue 17). */
  readonly #invitedTo = new Map<string, Set<string>>();

  /** Set by every change that may make an offer possible; cleared by `settle`. */
  #offersDue = false;

  /** Helper account id → the departments it takes chats for (SP-A3); absent means all. */
  readonly helperDepartments = new Map<string, ReadonlySet<string>>();

  constructor(
    /** Replaced, never mutated, when an admin changes a setting (SP-A7). */
    public config: CoreConfig,
    readonly ids: IdSource,
  ) {}

  // ---- effects -------------------------------------------------------------

  send(conn: ConnId | null, msg: ServiceToVisitor | ServiceToStaff): void {
    if (conn !== null) this.out.push({ kind: 'send', conn, msg });
  }

  /** A deadline the switchboard's `tick` acts on at `at`. */
  schedule(at: number, key: DeadlineKey): void {
    this.deadlines.push(at, key);
  }

  error(conn: ConnId, code: ErrorCode, ref: string, chatId?: string): void {
    const msg: ServiceToStaff = { type: 'error', code, message: ERRORS[code].message, ref };
    if (chatId !== undefined) msg.chatId = chatId;
    this.send(conn, msg);
  }

  close(conn: ConnId, code: ErrorCode): void {
    this.out.push({ kind: 'close', conn, code });
  }

  stat(stat: Stat): void {
    this.out.push({ kind: 'stat', stat });
  }

  persistChat(chat: ChatState): void {
    this.feed.markChat(chat.chatId);
    this.out.push({ kind: 'persist', change: { op: 'open_chat', chat: toRecord(chat) } });
  }

  persistAccount(account: AccountRecord): void {
    this.feed.markStaff(account.id);
    this.out.push({ kind: 'persist', change: { op: 'account', account } });
  }

  // ---- lookups -------------------------------------------------------------

  staffConn(accountId: string): ConnId | null {
    return this.staff.get(accountId)?.conn ?? null;
  }

  visitorConn(visitorId: string): ConnId | null {
    return this.visitors.get(visitorId)?.conn ?? null;
  }

  participantConn(chat: ChatState, participantId: string): ConnId | null {
    const p = chat.participants.get(participantId);
    if (p === undefined) return null;
    return p.role === 'visitor' ? this.visitorConn(participantId) : this.staffConn(participantId);
  }

  isBlocked(visitorId: string, ip: string): number | null {
    const byId = this.blocksByVisitor.get(visitorId);
    const byIp = this.blocksByIp.get(ip);
    const until = Math.max(byId ?? 0, byIp ?? 0);
    return until > this.now ? until : null;
  }

  findAccountByNickname(nickname: string): AccountRecord | undefined {
    const wanted = nickname.toLowerCase();
    for (const account of this.accounts.values()) {
      if (account.nickname.toLowerCase() === wanted) return account;
    }
    return undefined;
  }

  visitorSummary(chat: ChatState): VisitorSummary {
    const d = chat.details;
    return {
      visitorId: chat.visitor.visitorId,
      name: d.name,
      email: d.email,
      department: d.department,
      question: d.question,
      page: d.page,
      browser: d.browser,
      ip: chat.ip,
      sessionStartedAt: d.sessionStartedAt,
      landingPage: d.landingPage,
      firstVisitAt: chat.visitor.firstVisitAt,
      firstLandingPage: chat.visitor.firstLandingPage,
      requestedAt: chat.enqueuedAt,
    };
  }

  // ---- participants (SP-P1) -----------------------------------------------------

  broadcastParticipants(chat: ChatState, forceVisitor = false): void {
    this.feed.markChat(chat.chatId);
    const all = [...chat.participants.values()].map((p) => ({
      id: p.id,
      role: p.role,
      name: p.name,
      clientIds: [...p.clientIds],
      ...announcedKeys(p),
      online: this.participantConn(chat, p.id) !== null,
    }));
    // Only those who wrote under some id: a monitor who watched and left binds nothing.
    const former = [...chat.former.values()]
      .filter((p) => p.clientIds.length > 0)
      .map((p) => ({
        id: p.id,
        role: p.role,
        name: p.name,
        clientIds: [...p.clientIds],
        ...announcedKeys(p),
      }));
    for (const p of chat.participants.values()) {
      const conn = this.participantConn(chat, p.id);
      if (conn === null) continue;
      // SP-M2: the visitor never learns that a monitor watches, or watched.
      if (p.role === 'visitor') {
        const participants = all.filter((q) => q.role !== 'monitor');
        const left = former.filter((q) => q.role !== 'monitor');
        const view = JSON.stringify([participants, left]);
        if (!forceVisitor && this.visitorView.get(chat.chatId) === view) continue;
        this.visitorView.set(chat.chatId, view);
        this.send(conn, {
          type: 'participants',
          chatId: chat.chatId,
          self: p.id,
          participants,
          former: left,
        });
      } else {
        this.send(conn, {
          type: 'participants',
          chatId: chat.chatId,
          self: p.id,
          participants: all,
          former,
        });
      }
    }
  }

  sendChatTo(chat: ActiveChat, participantId: string): void {
    const p = chat.participants.get(participantId);
    const conn = this.participantConn(chat, participantId);
    if (p === undefined || conn === null) return;
    if (p.role === 'visitor') {
      this.send(conn, {
        type: 'chat',
        chatId: chat.chatId,
        department: chat.details.department,
        startedAt: chat.startedAt,
      });
    } else {
      this.send(conn, {
        type: 'chat',
        chatId: chat.chatId,
        role: p.role,
        department: chat.details.department,
        startedAt: chat.startedAt,
        visitor: this.visitorSummary(chat),
      });
      // SP-K4: staff who get a chat get its tags and label with it.
      this.send(conn, this.meta.message(chat.chatId));
    }
  }

  sendStatus(s: StaffState): void {
    this.send(s.conn, {
      type: 'status',
      available: s.available,
      chatLimit: s.account.chatLimit,
      role: s.account.role,
      activeChats: [...s.chats],
    });
  }

  // ---- queue (SP-Q1–SP-Q3, SP-Q7) -----------------------------------------------------

  #queueOf(department: string): QueueList<QueuedChat> {
    let q = this.#queues.get(department);
    if (q === undefined) {
      q = new QueueList();
      this.#queues.set(department, q);
    }
    return q;
  }

  /** Puts a chat in its place in the queue (a new one, restored or returned: it replaces
   * the chat of that id) and tells its visitor (SP-Q1–SP-Q3). */
  enqueue(chat: QueuedChat): void {
    chat.visitorState = this.visitors.get(chat.visitor.visitorId) ?? null;
    this.#chats.set(chat.chatId, chat);
    const q = this.#queueOf(chat.details.department);
    this.feed.markChat(chat.chatId);
    q.insert(chat);
    if (chat.offer === null) {
      this.#waiting.insert(chat);
      this.#offersDue = true;
    }
    const position = q.rank(chat) + 1;
    // A chat that goes in ahead of others (returned, SP-Q2) moves everyone behind it.
    if (position < q.size) this.notices.markStale(chat.details.department);
    this.notices.tell(chat, position);
    armQueueWaitAlert(this, chat);
  }

  /** Takes a chat out of its queue; the caller activates or closes it next. */
  dequeue(chat: QueuedChat): void {
    const q = this.#queues.get(chat.details.department);
    if (q?.remove(chat) === true) this.notices.markStale(chat.details.department);
    this.#waiting.remove(chat);
    this.notices.forget(chat);
  }

  /** A chat becomes (or, after a restart, is again) active: it replaces the queued chat
   * of that id, which the caller has dequeued. */
  activate(chat: ActiveChat): void {
    this.#chats.set(chat.chatId, chat);
    this.feed.markChat(chat.chatId);
  }

  noteAccept(department: string): void {
    const pace = this.acceptPace.get(department);
    if (pace === undefined) {
      this.acceptPace.set(department, { lastAt: this.now, intervalMs: null });
      return;
    }
    const interval = this.now - pace.lastAt;
    pace.intervalMs =
      pace.intervalMs === null ? interval : Math.round(0.3 * interval + 0.7 * pace.intervalMs);
    pace.lastAt = this.now;
    // SP-Q7: every estimate of the department changes with the pace.
    this.notices.markStale(department);
  }

  // ---- offers (SP-O1–SP-O6) --------------------------------------------------------

  /** Re-files a staff member in the helper index after any change to its
   * connection, availability, account, chats, offer or idle time. Every such change
   * goes through here; the model test compares the index with a full scan. */
  // ---- staff: every change goes through these, and each keeps the helper index and
  // the monitors' board right by itself (no caller reindexes) ------------------

  /** A staff member signs in, or is restored offline after a restart. */
  addStaff(s: StaffState): void {
    this.staff.set(s.account.id, s);
    this.#reindex(s);
  }

  /** Changes a staff member's own fields (account, connection, availability, offer…). */
  updateStaff(s: StaffState, change: StaffChange): void {
    Object.assign(s as MutableStaff, change);
    this.#reindex(s);
  }

  /** The staff member is in the chat now: as a helper (counted towards the limit, SP-L1;
   * a watcher who joins stops watching) or as a watching monitor (SP-M3). */
  staffJoins(s: StaffState, chatId: string, as: 'helper' | 'watcher'): void {
    const m = s as MutableStaff;
    if (as === 'helper') {
      m.watching = setWithout(m.watching, chatId);
      m.chats.add(chatId);
      m.lastBusyAt = this.now;
    } else {
      m.watching = setWith(m.watching, chatId);
    }
    this.#reindex(s);
  }

  /** SP-O5: the helper won its offer. The offer slot frees (SP-O3) and the chat counts
   * towards the limit (SP-L1) in one change: the helper is re-filed once, not once as
   * free and again as busy. */
  staffAccepts(s: StaffState, chatId: string): void {
    (s as MutableStaff).offer = null;
    this.staffJoins(s, chatId, 'helper');
  }

  /** The staff member is no longer in the chat, as helper or watcher. */
  staffLeaves(s: StaffState, chatId: string): void {
    const m = s as MutableStaff;
    m.chats.delete(chatId);
    m.watching = setWithout(m.watching, chatId);
    this.#reindex(s);
  }

  /** The staff member is gone (their grace period ended). */
  removeStaff(accountId: string): void {
    this.staff.delete(accountId);
    this.feed.markStaff(accountId);
    if (this.helpers.remove(accountId)) this.notices.markAllStale();
  }

  #reindex(s: StaffState): void {
    this.#offersDue = true;
    this.feed.markStaff(s.account.id);
    if (this.helpers.update(s)) this.notices.markAllStale();
  }

  /** After each event and each deadline (the switchboard calls it, nobody else): offers
   * what became possible since, if anything changed that could make an offer
   * possible (a staff change, a chat waiting again, or `offersChanged`). */
  settle(): void {
    if (!this.#offersDue) return;
    this.#dispatch();
    // Offers made just now changed staff too; nothing more is possible until the next change.
    this.#offersDue = false;
  }

  /** Who may be offered what changed outside the staff and queue methods (an admin's
   * departments or settings, SP-A3 SP-A7): the next `settle` looks again. */
  offersChanged(): void {
    this.#offersDue = true;
  }

  /** Offers waiting chats, oldest first across departments, to eligible helpers (SP-O1, SP-O2, SP-O6). */
  #dispatch(): void {
    // Chats every ready helper has rejected stay where they are; the walk skips them.
    let skipped = 0;
    while (this.helpers.readyCount > 0) {
      const chat = this.#waiting.at(skipped);
      if (chat === undefined) return;
      const department = chat.details.department;
      // SP-A3 narrows the helpers only when some are limited to departments.
      const chosen =
        this.helperDepartments.size === 0
          ? chooseHelper(this.helpers.ready(), chat.rejectedBy)
          : chooseHelper(this.helpers.ready(), chat.rejectedBy, (accountId) => {
              const only = this.helperDepartments.get(accountId);
              return only === undefined || only.has(department);
            });
      if (chosen === null) skipped++;
      else this.offer(chat, this.staff.get(chosen.accountId)!);
    }
  }

  offer(chat: QueuedChat, s: StaffState): void {
    const expiresAt = this.now + this.config.offerTimeoutMs;
    chat.offer = { helperId: s.account.id, expiresAt };
    this.feed.markChat(chat.chatId);
    this.#waiting.remove(chat);
    this.updateStaff(s, { offer: chat.chatId, lastBusyAt: this.now });
    this.deadlines.push(expiresAt, { kind: 'offer', chatId: chat.chatId });
    this.send(s.conn, {
      type: 'offer',
      chatId: chat.chatId,
      expiresAt,
      visitor: this.visitorSummary(chat),
    });
    this.stat({ name: 'offer', department: chat.details.department });
  }

  /** Closes the chat's offer, if any, telling the helper why; the chat waits again. */
  withdrawOffer(
    chat: QueuedChat,
    reason: 'accepted' | 'rejected' | 'expired' | 'cancelled' | 'taken' | 'unavailable',
  ): void {
    if (chat.offer === null) return;
    const s = this.staff.get(chat.offer.helperId);
    chat.offer = null;
    this.feed.markChat(chat.chatId);
    this.#waiting.insert(chat);
    this.#offersDue = true;
    if (s === undefined || s.offer !== chat.chatId) return;
    this.updateStaff(s, { offer: null });
    this.send(s.conn, { type: 'offer_closed', chatId: chat.chatId, reason });
  }

  // ---- invitations (SP-I1, SP-I2) --------------------------------------------

  invite(chat: ActiveChat, accountId: string, invitation: Invitation): void {
    chat.invitations = mapWith(chat.invitations, accountId, invitation);
    let chats = this.#invitedTo.get(accountId);
    if (chats === undefined) {
      chats = new Set();
      this.#invitedTo.set(accountId, chats);
    }
    chats.add(chat.chatId);
  }

  /** The account's invitation to the chat is answered, expired or void: false if it
   * held none. */
  uninvite(chat: ActiveChat, accountId: string): boolean {
    if (!chat.invitations.has(accountId)) return false;
    chat.invitations = mapWithout(chat.invitations, accountId);
    const chats = this.#invitedTo.get(accountId);
    if (chats !== undefined) {
      chats.delete(chat.chatId);
      if (chats.size === 0) this.#invitedTo.delete(accountId);
    }
    return true;
  }

  /** The account went offline: every invitation it holds lapses. */
  dropInvitationsOf(accountId: string): void {
    const chats = this.#invitedTo.get(accountId);
    if (chats === undefined) return;
    this.#invitedTo.delete(accountId);
    for (const chatId of chats) {
      const chat = this.#chats.get(chatId);
      if (chat?.status === 'active') chat.invitations = mapWithout(chat.invitations, accountId);
    }
  }

  // ---- chat transitions ------------------------------------------------------

  /** Ends a chat (or a request) for good, telling everyone still attached (SP-Q6). */
  closeChat(chat: ChatState, outcome: ChatOutcome, by: 'visitor' | 'helper' | 'service'): void {
    if (chat.status === 'queued') {
      this.withdrawOffer(chat, 'cancelled');
      this.dequeue(chat);
    }
    for (const p of chat.participants.values()) {
      const conn = this.participantConn(chat, p.id);
      if (p.role !== 'visitor' || chat.status === 'active') {
        this.send(conn, { type: 'ended', chatId: chat.chatId, by, at: this.now });
      }
      if (p.role !== 'visitor') {
        const s = this.staff.get(p.id);
        if (s !== undefined) {
          this.staffLeaves(s, chat.chatId);
          this.sendStatus(s);
        }
      }
    }
    if (chat.status === 'active') {
      for (const [accountId] of chat.invitations) {
        this.#invitedTo.get(accountId)?.delete(chat.chatId);
        this.send(this.staffConn(accountId), {
          type: 'invitation_closed',
          chatId: chat.chatId,
          reason: 'ended',
        });
      }
    }
    const v = this.visitors.get(chat.visitor.visitorId);
    if (v !== undefined && v.chatId === chat.chatId) v.chatId = null;
    this.#chats.delete(chat.chatId);
    this.visitorView.delete(chat.chatId);
    this.feed.forgetChat(chat.chatId);
    this.meta.forget(chat.chatId);
    this.securityEvents.forgetChat(chat.chatId);
    const record = toRecord(chat);
    this.out.push({
      kind: 'persist',
      change: { op: 'close_chat', chatId: chat.chatId, outcome, at: this.now, chat: record },
    });
  }

  /** An active chat with no helper left goes back to the front of its queue (SP-G2, SP-Q2). */
  requeue(chat: ActiveChat): void {
    for (const [accountId] of chat.invitations) {
      this.send(this.staffConn(accountId), {
        type: 'invitation_closed',
        chatId: chat.chatId,
        reason: 'ended',
      });
    }
    // SP-G4: watching monitors stay: they hold the chat document, the trusted copy the next
    // helper takes the earlier conversation from (CHAT.md CH-K8).
    const queued = queuedChat(chat, true, chat.startedAt, chat.participants);
    this.enqueue(queued);
    this.persistChat(queued);
    this.broadcastParticipants(queued);
  }

  /** Removes a staff member from a chat; requeues it if no helper is left (SP-I3, SP-G2). A
   * queued chat keeps only watching monitors (SP-G4): one leaving changes nothing else. */
  removeStaffFromChat(chat: ActiveChat | QueuedChat, accountId: string): void {
    const p = chat.participants.get(accountId);
    if (p === undefined || p.role === 'visitor') return;
    retireParticipant(chat, accountId);
    const s = this.staff.get(accountId);
    if (s !== undefined) {
      this.staffLeaves(s, chat.chatId);
      this.send(s.conn, { type: 'left', chatId: chat.chatId });
      this.sendStatus(s);
    }
    const helpersLeft = [...chat.participants.values()].some((q) => q.role === 'helper');
    if (helpersLeft || chat.status === 'queued') {
      this.persistChat(chat);
      this.broadcastParticipants(chat);
    } else {
      this.requeue(chat);
    }
  }
}

/** SP-P6: a participant's signing keys as the participants list names them, when any. */
function announcedKeys(p: ParticipantState): { keys?: BoundKey[] } {
  return p.keys !== undefined && p.keys.length > 0 ? { keys: p.keys.map((k) => ({ ...k })) } : {};
}

/** The board as the queue notices see it (QueueNoticeHost): read lazily, so fields
 * declared after `notices` are there by the time they are read. */
function noticeHost(board: Board): QueueNoticeHost {
  return {
    get now() {
      return board.now;
    },
    get config() {
      return board.config;
    },
    queue: (department) => board.queues.get(department),
    departments: () => board.queues.keys(),
    visitorConn: (chat) =>
      chat.visitorState !== null
        ? chat.visitorState.conn
        : board.visitorConn(chat.visitor.visitorId),
    paceOf: (department) => board.acceptPace.get(department)?.intervalMs ?? null,
    helpersOnline: () => board.helpers.onlineCount,
    schedule: (at, key) => board.schedule(at, key),
    send: (conn, message) => board.send(conn, message),
  };
}

/** Only the board's staff methods write a staff member's fields. */
type MutableStaff = {
  -readonly [K in keyof StaffState]: StaffState[K];
} & { chats: Set<string> };
