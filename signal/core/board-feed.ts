/**
 * The monitors' live board (SPEC.md SP-M4–SP-M7). A subscriber gets a snapshot of every
 * queued, offered and active chat and every staff account, then only what changed.
 * Changes are not sent as they happen: a change marks its chat or account dirty,
 * and at most `boardNoticeMs` later one flush sends each subscriber the rows dirty
 * since the last one (like the queue notices, SP-Q3). So a burst of a thousand
 * events costs a few sets and one frame per subscriber, and a flush costs the rows
 * that changed, not the whole board. With nobody subscribed nothing is marked.
 */
import type { BoardChat, BoardChanges, BoardStaff, ServiceToStaff } from '../../protocol/index.ts';
import { LIMITS } from '../../protocol/index.ts';
import type { DeadlineKey } from './deadlines.ts';
import type { ConnId, CoreConfig } from './events.ts';
import type { AccountRecord, ChatMetaRecord } from './records.ts';
import type { ChatState, ConnOwner, StaffState } from './state.ts';
import { canWatch } from './state.ts';

/** What the feed reads of the board, and the two things it does through it. */
export interface BoardFeedHost {
  readonly now: number;
  readonly config: Pick<CoreConfig, 'boardNoticeMs'>;
  readonly chats: ReadonlyMap<string, ChatState>;
  readonly accounts: ReadonlyMap<string, AccountRecord>;
  readonly staff: ReadonlyMap<string, StaffState>;
  readonly conns: ReadonlyMap<ConnId, ConnOwner>;
  readonly meta: { get(chatId: string): ChatMetaRecord };
  schedule(at: number, key: DeadlineKey): void;
  send(conn: ConnId, message: ServiceToStaff): void;
}

const PAGE = LIMITS.maxBoardRowsPerFrame;

export class BoardFeed {
  readonly #subscribers = new Set<ConnId>();
  readonly #dirtyChats = new Set<string>();
  readonly #dirtyStaff = new Set<string>();
  /** SP-M5: per chat, the unanswered time its helpers last reported. */
  readonly #unanswered = new Map<string, number>();
  /** Chats and accounts each subscriber has a row of, so removals are told once. */
  readonly #shownChats = new Set<string>();
  readonly #shownStaff = new Set<string>();
  #dueAt: number | null = null;

  constructor(private readonly board: BoardFeedHost) {}

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /** The sockets subscribed to the board, for a notice outside it (SP-U7). */
  subscribers(): ConnId[] {
    return [...this.#subscribers];
  }

  /** SP-M4: the snapshot, at once; changes follow. */
  subscribe(conn: ConnId): void {
    this.#subscribers.add(conn);
    const chats = [...this.board.chats.values()].map((c) => this.#chatRow(c));
    const staff = [...this.board.accounts.keys()].flatMap((id) => this.#staffRow(id) ?? []);
    for (const c of chats) this.#shownChats.add(c.chatId);
    for (const s of staff) this.#shownStaff.add(s.id);
    this.board.send(conn, {
      type: 'board',
      chats: chats.slice(0, PAGE),
      staff: staff.slice(0, PAGE),
    });
    this.#sendChanges([conn], {
      chats: chats.slice(PAGE),
      removed: [],
      staff: staff.slice(PAGE),
      staffRemoved: [],
    });
  }

  unsubscribe(conn: ConnId): void {
    this.#subscribers.delete(conn);
    if (this.#subscribers.size > 0) return;
    this.#dirtyChats.clear();
    this.#dirtyStaff.clear();
    this.#shownChats.clear();
    this.#shownStaff.clear();
  }

  markChat(chatId: string): void {
    if (this.#subscribers.size === 0) return;
    this.#dirtyChats.add(chatId);
    this.#schedule();
  }

  markStaff(accountId: string): void {
    if (this.#subscribers.size === 0) return;
    this.#dirtyStaff.add(accountId);
    this.#schedule();
  }

  /** SP-M5: a helper's report; the service cannot read the chat, so it keeps their word. */
  setUnanswered(chatId: string, since: number | null): void {
    if ((this.#unanswered.get(chatId) ?? null) === since) return;
    if (since === null) this.#unanswered.delete(chatId);
    else this.#unanswered.set(chatId, since);
    this.markChat(chatId);
  }

  /** A chat ended: nothing of it is kept. */
  forgetChat(chatId: string): void {
    this.#unanswered.delete(chatId);
    this.markChat(chatId);
  }

  /** The `board` deadline: every subscriber gets the rows changed since the last flush. */
  flush(at: number): void {
    if (this.#dueAt !== at) return;
    this.#dueAt = null;
    // A subscriber whose account lost the monitor or admin role stops getting the board.
    for (const conn of [...this.#subscribers]) {
      const owner = this.board.conns.get(conn);
      const account =
        owner?.kind === 'staff' ? this.board.accounts.get(owner.accountId) : undefined;
      if (account === undefined || !canWatch(account)) this.unsubscribe(conn);
    }
    if (this.#subscribers.size === 0) return;
    const changes: Omit<BoardChanges, 'type'> = {
      chats: [],
      removed: [],
      staff: [],
      staffRemoved: [],
    };
    for (const chatId of this.#dirtyChats) {
      const chat = this.board.chats.get(chatId);
      if (chat !== undefined) {
        changes.chats.push(this.#chatRow(chat));
        this.#shownChats.add(chatId);
      } else if (this.#shownChats.delete(chatId)) changes.removed.push(chatId);
    }
    for (const id of this.#dirtyStaff) {
      const row = this.#staffRow(id);
      if (row !== undefined) {
        changes.staff.push(row);
        this.#shownStaff.add(id);
      } else if (this.#shownStaff.delete(id)) changes.staffRemoved.push(id);
    }
    this.#dirtyChats.clear();
    this.#dirtyStaff.clear();
    this.#sendChanges([...this.#subscribers], changes);
  }

  #schedule(): void {
    if (this.#dueAt !== null) return;
    this.#dueAt = this.board.now + this.board.config.boardNoticeMs;
    this.board.schedule(this.#dueAt, { kind: 'board' });
  }

  /** Sends the changes in frames of at most `maxBoardRowsPerFrame` rows of each kind;
   * every subscriber gets the same frame objects (serialised once per socket). */
  #sendChanges(conns: ConnId[], changes: Omit<BoardChanges, 'type'>): void {
    const longest = Math.max(
      changes.chats.length,
      changes.removed.length,
      changes.staff.length,
      changes.staffRemoved.length,
    );
    for (let from = 0; from < longest; from += PAGE) {
      const frame: BoardChanges = {
        type: 'board_changes',
        chats: changes.chats.slice(from, from + PAGE),
        removed: changes.removed.slice(from, from + PAGE),
        staff: changes.staff.slice(from, from + PAGE),
        staffRemoved: changes.staffRemoved.slice(from, from + PAGE),
      };
      for (const conn of conns) this.board.send(conn, frame);
    }
  }

  #chatRow(chat: ChatState): BoardChat {
    const names = (role: 'helper' | 'monitor') => {
      const out: string[] = [];
      for (const p of chat.participants.values()) {
        if (p.role === role && out.length < LIMITS.maxBoardNames) out.push(p.name);
      }
      return out;
    };
    return {
      chatId: chat.chatId,
      status: chat.status === 'active' ? 'active' : chat.offer === null ? 'queued' : 'offered',
      department: chat.details.department,
      visitorName: chat.details.name,
      // A requeued chat keeps its participants for the next helper; none is helping now.
      helpers: chat.status === 'active' ? names('helper') : [],
      monitors: chat.status === 'active' ? names('monitor') : [],
      enqueuedAt: chat.enqueuedAt,
      startedAt: chat.startedAt,
      unansweredSince: this.#unanswered.get(chat.chatId) ?? null,
      ...this.board.meta.get(chat.chatId),
    };
  }

  #staffRow(accountId: string): BoardStaff | undefined {
    const account = this.board.accounts.get(accountId);
    if (account === undefined) return undefined;
    const s = this.board.staff.get(accountId);
    return {
      id: account.id,
      nickname: account.nickname,
      name: account.name,
      role: account.role,
      online: s?.conn !== null && s?.conn !== undefined,
      available: s?.available ?? false,
      chats: s?.chats.size ?? 0,
      chatLimit: account.chatLimit,
    };
  }
}
