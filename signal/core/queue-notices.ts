/**
 * What queued visitors are told (SPEC.md SP-Q3, SP-Q7): their position and estimated
 * wait. A visitor who joins, rejoins or reconnects is told at once. A change that
 * moves others (an accept or a cancel ahead of them, a chat returned to the front,
 * a helper coming or going, a new pace) only marks the department stale; at most
 * `queueNoticeMs` later one walk tells every visitor of it where it stands now.
 *
 * So an accept at the head of ten thousand queued visitors costs a mark, not ten
 * thousand messages, and each visitor gets at most one notice per period however
 * busy the queue. The walk itself is cut into steps of `queueWalkStep` visitors,
 * one per millisecond, so that no event waits behind more than one step of it: a
 * request arriving mid-walk is offered after a few dozen notices, not ten thousand.
 */
import type { DeadlineKey } from './deadlines.ts';
import type { ServiceToVisitor } from '../../protocol/index.ts';
import type { ConnId, CoreConfig } from './events.ts';
import type { QueuedChat } from './state.ts';

/** One department's queue as the notices read it (QueueList). */
export interface QueueView {
  readonly size: number;
  /** 0-based position, or -1 when not queued. */
  rank(chat: QueuedChat): number;
  /** Copies up to `max` queued chats from 0-based `index` on, in order, into the start
   * of `into`; returns how many (SortedList.copyFrom: no iterator per chat). */
  copyFrom(index: number, max: number, into: (QueuedChat | undefined)[]): number;
}

/** All the notices need of the board: narrow, so they depend on no board internals
 * (and the board module, which owns them, is not imported back). */
export interface QueueNoticeHost {
  readonly now: number;
  readonly config: Pick<CoreConfig, 'queueNoticeMs' | 'queueWalkStep'>;
  queue(department: string): QueueView | undefined;
  departments(): Iterable<string>;
  /** Where the chat's visitor is connected now, or null. */
  visitorConn(chat: QueuedChat): ConnId | null;
  /** Milliseconds between the department's recent accepts (SP-Q7), or null. */
  paceOf(department: string): number | null;
  helpersOnline(): number;
  schedule(at: number, key: DeadlineKey): void;
  send(conn: ConnId, message: ServiceToVisitor): void;
}

/** Shared: a walk of ten thousand would otherwise allocate one key per step. */
const POSITIONS = { kind: 'positions' } as const;
const POSITIONS_STEP = { kind: 'positions_step' } as const;

export class QueueNotices {
  /** Departments changed since their last walk began. */
  readonly #stale = new Set<string>();
  #dueAt: number | null = null;
  /** Departments still to walk, the first one from `#walkIndex` (0-based) on. */
  readonly #walk: string[] = [];
  #walkIndex = 0;
  #stepAt: number | null = null;
  /** The chats of the current step, reused from step to step. */
  readonly #batch: (QueuedChat | undefined)[] = [];

  constructor(private readonly board: QueueNoticeHost) {}

  /** Tells one queued visitor its position and wait now, if changed. `position` is
   * 1-based, when the caller knows it. */
  tell(chat: QueuedChat, position?: number): void {
    const conn = this.board.visitorConn(chat);
    if (conn === null) return;
    const department = chat.details.department;
    const at = position ?? (this.board.queue(department)?.rank(chat) ?? -1) + 1;
    if (at >= 1) this.#send(chat, conn, at, this.#pace(department));
  }

  /** The department's visitors are told again within `queueNoticeMs`. */
  markStale(department: string): void {
    if ((this.board.queue(department)?.size ?? 0) === 0) return;
    this.#stale.add(department);
    if (this.#dueAt !== null) return;
    this.#dueAt = this.board.now + this.board.config.queueNoticeMs;
    this.board.schedule(this.#dueAt, POSITIONS);
  }

  markAllStale(): void {
    for (const department of this.board.departments()) this.markStale(department);
  }

  /** Forgets what was told for a chat: it left the queue, or its visitor reconnected
   * and must be told again. */
  forget(chat: QueuedChat): void {
    chat.told = null;
  }

  /** The `positions` deadline: the stale departments join the walk. */
  flush(at: number): void {
    if (this.#dueAt !== at) return;
    this.#dueAt = null;
    for (const department of this.#stale) {
      // One being walked now is walked again from the start: its head moved.
      if (this.#walk.indexOf(department, 1) < 0) this.#walk.push(department);
    }
    this.#stale.clear();
    if (this.#stepAt === null) this.#step();
  }

  /** The `positions_step` deadline: the walk goes on. */
  step(at: number): void {
    if (this.#stepAt !== at) return;
    this.#stepAt = null;
    this.#step();
  }

  #step(): void {
    let budget = this.board.config.queueWalkStep;
    while (budget > 0 && this.#walk.length > 0) {
      const department = this.#walk[0]!;
      const q = this.board.queue(department);
      const pace = this.#pace(department);
      if (q !== undefined) {
        const batch = this.#batch;
        const n = q.copyFrom(this.#walkIndex, budget, batch);
        for (let i = 0; i < n; i++) {
          const chat = batch[i]!;
          this.#walkIndex++;
          const conn = this.board.visitorConn(chat);
          if (conn !== null) this.#send(chat, conn, this.#walkIndex, pace);
        }
        budget -= n;
        // Nothing of the walk is kept alive by the scratch array once the step is done.
        batch.fill(undefined, 0, n);
      }
      if (budget > 0 || q === undefined || this.#walkIndex >= q.size) {
        this.#walk.shift();
        this.#walkIndex = 0;
      }
    }
    if (this.#walk.length === 0) return;
    // The rest waits for the next millisecond, so events in between go first.
    this.#stepAt = this.board.now + 1;
    this.board.schedule(this.#stepAt, POSITIONS_STEP);
  }

  #pace(department: string): number | null {
    return this.board.paceOf(department);
  }

  #send(chat: QueuedChat, conn: ConnId, position: number, pace: number | null): void {
    const estimatedWaitMs = pace === null ? null : Math.round(pace * position);
    const helpersOnline = this.board.helpersOnline();
    // Only changes are sent: what was told last is kept on the chat (QueuedChat.told).
    const last = chat.told;
    if (
      last !== null &&
      last.position === position &&
      last.estimatedWaitMs === estimatedWaitMs &&
      last.helpersOnline === helpersOnline
    ) {
      return;
    }
    // Updated in place: a walk of ten thousand visitors would otherwise leave ten
    // thousand new records alive in the young generation, each copied by the next
    // scavenge (milliseconds, landing on whichever request comes then).
    if (last === null) chat.told = { position, estimatedWaitMs, helpersOnline };
    else {
      last.position = position;
      last.estimatedWaitMs = estimatedWaitMs;
      last.helpersOnline = helpersOnline;
    }
    this.board.send(conn, {
      type: 'queued',
      chatId: chat.chatId,
      department: chat.details.department,
      position,
      estimatedWaitMs,
      helpersOnline,
    });
  }
}
