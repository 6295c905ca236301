/**
 * The switchboard's inputs and outputs (STYLE.md point 1): the shell turns frames,
 * closes and timers into `CoreEvent`s, calls `handle(event, now)` and carries out
 * the returned `Effect`s in order. The core does no I/O and reads no clock.
 */
import type {
  ErrorCode,
  IceServer,
  PrivacyNotice,
  RoomToService,
  ServiceToStaff,
  ServiceToVisitor,
  StaffToService,
  VisitorToService,
} from '../../protocol/index.ts';
import { LIMITS } from '../../protocol/index.ts';
import type {
  AccountRecord,
  BlockRecord,
  DepartmentRecord,
  PersistChange,
  VisitorIdentity,
} from './records.ts';

/** A connection id, minted by the shell, unique for the life of the process. */
export type ConnId = number;

export type CoreEvent =
  /** A visitor said hello and the shell verified (or minted) its token. */
  | {
      type: 'visitor_hello';
      conn: ConnId;
      ip: string;
      visitor: VisitorIdentity;
      /** The signed token the shell minted or verified, echoed in the welcome. */
      token: string;
      iceServers: IceServer[];
    }
  /** A staff member said hello with a valid session. `chats` are re-announced chats (B1). */
  | {
      type: 'staff_hello';
      conn: ConnId;
      ip: string;
      account: AccountRecord;
      chats: string[];
      available: boolean | undefined;
      iceServers: IceServer[];
      relayOnly: boolean;
    }
  | { type: 'visitor_message'; conn: ConnId; msg: Exclude<VisitorToService, { type: 'hello' }> }
  /** Room messages (SP-CR1–SP-CR9) never reach the core: the gateway hands them to the room. */
  | {
      type: 'staff_message';
      conn: ConnId;
      msg: Exclude<StaffToService, { type: 'hello' } | RoomToService>;
    }
  | { type: 'disconnected'; conn: ConnId }
  /** Time passed: the core handles every deadline at or before `now`. */
  | { type: 'tick' }
  /** An account changed outside a socket (HTTP admin API, password reset, deletion). */
  | { type: 'account_changed'; account: AccountRecord }
  | { type: 'account_removed'; accountId: string }
  /** Settings changed by an admin (SP-A7): later offers, graces and welcomes use them. */
  | { type: 'config_changed'; config: Partial<CoreConfig> }
  /** The departments visitors may pick, in order (SP-A5). `moved`: a retired
   * department's queued and active chats go to another one, never lost. */
  | {
      type: 'departments_changed';
      departments: DepartmentRecord[];
      moved?: { from: string; to: string };
    }
  /** The blocks in force after an admin lifted one (SP-A6). */
  | { type: 'blocks_changed'; blocks: BlockRecord[] }
  /** The departments a helper takes chats for; empty means all (SP-A3). */
  | { type: 'helper_departments'; accountId: string; departments: string[] }
  /** The visitor of an ended chat rated it (SPEC.md SP-U7): tell its helpers and monitors. */
  | {
      type: 'chat_rated';
      chatId: string;
      stars: number;
      at: number;
      helperIds: string[];
      visitor: string;
      helpers: string[];
    };

export type Stat =
  | { name: 'offer'; department: string }
  | { name: 'accept'; department: string; waitMs: number }
  | { name: 'reject'; department: string }
  | { name: 'expire'; department: string }
  | { name: 'request'; department: string }
  | { name: 'relay' }
  | { name: 'relay_refused' }
  | { name: 'peer_refused'; code: string; role: string };

export type Effect =
  | { kind: 'send'; conn: ConnId; msg: ServiceToVisitor | ServiceToStaff }
  /** Close one connection with a coded reason (SPEC.md SP-E1); the shell maps the code. */
  | { kind: 'close'; conn: ConnId; code: ErrorCode }
  | { kind: 'persist'; change: PersistChange }
  | { kind: 'stat'; stat: Stat }
  /** SP-CR9: a visitor has waited in the queue for `queueWaitAlertMs`; the shell posts
   * it into the Contributors room. */
  | {
      kind: 'queue_wait';
      chatId: string;
      department: string;
      visitorName: string;
      waitedMs: number;
    };

export type CoreConfig = {
  /** How long a helper has to accept an offer (F2). */
  offerTimeoutMs: number;
  /** How long a disconnected helper keeps their chats before they go back to the queue (B3). */
  helperGraceMs: number;
  /** How long a disconnected visitor keeps their queue place or chat. */
  visitorGraceMs: number;
  inviteTimeoutMs: number;
  defaultChatLimit: number;
  /** Admin maximum of any helper's chat limit (F3). */
  maxChatLimit: number;
  blockDurationMs: number;
  typingPreview: boolean;
  /** The attachment size cap peers are told in their welcome (F13, CHAT.md CH-X2). */
  attachmentMaxBytes: number;
  maxClientIdsPerParticipant: number;
  /** After a restart, how long re-announced chats wait for their helpers (B1). */
  restartGraceMs: number;
  /** How long a change of queue positions may wait before the visitors behind are
   * told (SP-Q3): changes within it are told together, once per visitor. */
  queueNoticeMs: number;
  /** Queued visitors told per step of that walk, one step per millisecond, so that
   * no event waits behind the notices of a whole long queue: a few tens of µs. */
  queueWalkStep: number;
  /** How long a change to the monitors' board may wait before subscribers are told
   * (SP-M4): changes within it go out together, one frame per subscriber. */
  boardNoticeMs: number;
  /** SP-CR9: a visitor waiting in the queue this long is announced in the Contributors
   * room, once per wait; 0 turns the alert off. */
  queueWaitAlertMs: number;
  /** SP-PN1: the privacy notice the widget shows before a chat, or null for none. */
  privacyNotice: PrivacyNotice | null;
  /** SP-K3: tag and label changes one staff account may make per 10-second window. */
  metaChangesPerWindow: number;
};

export const DEFAULT_CORE_CONFIG: CoreConfig = {
  offerTimeoutMs: 20_000,
  helperGraceMs: 30_000,
  visitorGraceMs: 60_000,
  inviteTimeoutMs: 60_000,
  defaultChatLimit: 3,
  maxChatLimit: 10,
  blockDurationMs: 24 * 60 * 60 * 1000,
  typingPreview: true,
  attachmentMaxBytes: LIMITS.defaultAttachmentBytes,
  maxClientIdsPerParticipant: 16,
  restartGraceMs: 60_000,
  queueNoticeMs: 1_000,
  queueWalkStep: 32,
  boardNoticeMs: 500,
  queueWaitAlertMs: 120_000,
  privacyNotice: null,
  metaChangesPerWindow: 20,
};

/** Injected randomness (STYLE.md point 5): ids for chats, blocks and messages. */
export type IdSource = (prefix: 'c' | 'b' | 'm') => string;

/** A read-only picture of the switchboard, for metrics and for tests that check
 * invariants after every step. Built on demand; not a hot path. */
export type SwitchboardView = {
  chats: {
    chatId: string;
    status: 'queued' | 'active';
    department: string;
    visitorId: string;
    enqueuedAt: number;
    returned: boolean;
    offeredTo: string | null;
    /** Helpers who rejected it or let its offer expire (SP-O4). */
    rejectedBy: string[];
    participants: { id: string; role: 'visitor' | 'helper' | 'monitor'; clientIds: number[] }[];
    /** Who left, with the client ids that stay theirs (SP-P4). */
    former: { id: string; clientIds: number[] }[];
  }[];
  staff: {
    accountId: string;
    role: AccountRecord['role'];
    online: boolean;
    available: boolean;
    chatLimit: number;
    /** Last offer or accept (SP-O2: a lower value means idle longer). */
    lastBusyAt: number;
    chats: string[];
    watching: string[];
    offer: string | null;
  }[];
  queueLengths: Record<string, number>;
  connections: { visitor: number; staff: number };
};

/** The indexes the core keeps, as they stand, so tests can check them against a
 * scan of the view: each department's queue in order (SP-Q1, SP-Q2), the queued chats
 * with no offer out in dispatch order, the helpers ready for an offer best first
 * with their sort keys (SP-O1, SP-O2), and the count of helpers online (SP-Q3). */
export type SwitchboardIndexes = {
  queues: Record<string, string[]>;
  waiting: string[];
  readyHelpers: { accountId: string; activeChats: number; lastBusyAt: number }[];
  helpersOnline: number;
  /** SP-P5: (chat, reporter, peer, code) entries kept to quiet repeats, open chats only. */
  securityEvents: number;
};

export interface Switchboard {
  view(): SwitchboardView;
  /** For tests; built on demand, not a hot path. */
  indexes(): SwitchboardIndexes;
  /** The effects of one event, in order. The array is the core's own and is reused by
   * the next call (no array per event, issue 17): carry it out, or copy it, before
   * calling `handle` again. */
  handle(event: CoreEvent, now: number): readonly Effect[];
  /** The earliest time `tick` has work to do, or null. The shell sets one timer for it. */
  nextDeadline(): number | null;
}
