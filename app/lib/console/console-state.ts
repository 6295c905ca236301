/**
 * The helper console's state and what each service message does to it, as a pure
 * reducer (STYLE.md point 4): `reduceServiceMessage(state, msg, context)` returns the
 * next state and the effects the caller runs (an alert, a board subscription). No
 * connection, session or timer here, so unit tests drive it with plain values.
 * `StaffConsole` (staff-console.ts) owns the connection and the sessions and is the
 * only caller.
 */
import type {
  Account,
  AccountRole,
  ChatRated,
  ChatRole,
  Department,
  ServiceToStaff,
  VisitorSummary,
} from '$protocol';
import type { SessionView } from '../session/session-view.ts';
import type { ArchiveUploadState, Offer } from './console-ports.ts';
import { addSecurityEvent, EMPTY_BOARD, reduceBoard, type BoardState } from './monitor-board.ts';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

/** F16, SP-T2: another helper asks this one into a chat. */
export type Invitation = {
  chatId: string;
  from: string;
  expiresAt: number;
  visitor: VisitorSummary;
};

export type ChatTab = {
  chatId: string;
  role: ChatRole;
  department: string;
  startedAt: number;
  visitor: VisitorSummary;
  /** The chat's label (F14) and tags (F17): staff data kept at the service (SPEC.md
   * SP-K1), shown as the service last told them (`chat_meta`). */
  label: string;
  tags: readonly string[];
  /** Messages of others not yet seen in this tab. */
  unread: number;
  ended: { by: 'visitor' | 'helper' | 'service'; at: number } | null;
  blocked: { until: number; ip: boolean } | null;
  view: SessionView | null;
  /** F14, SPEC.md SP-U7: the visitor's stars, once they rated the chat. */
  rating?: number;
  /** F27, SP-U1: where this console's upload of the ended chat stands (helpers only). */
  archive?: ArchiveUploadState;
};

export type StaffConsoleState = {
  connection: ConnectionState;
  account: Account | null;
  role: AccountRole | null;
  maxChatLimit: number;
  chatLimit: number;
  available: boolean;
  departments: readonly Department[];
  offers: readonly Offer[];
  invitations: readonly Invitation[];
  chats: readonly ChatTab[];
  selected: string | null;
  /** A short line about what just happened to an offer ("Offer from Vera: taken by another helper"). */
  notice: string | null;
  /** The last refusal from the service, in words. */
  error: string | null;
  /** The live board (SPEC.md SP-M4), for monitors and admins; null for everyone else. */
  board: BoardState | null;
  /** Tags the team uses (SP-K7) and tags seen since, for `/tag` suggestions. */
  teamTags: readonly string[];
  /** SP-U7: ratings told since sign-in (monitors: every chat; helpers: their own), newest first. */
  ratings: readonly ChatRated[];
};

export const INITIAL_CONSOLE_STATE: StaffConsoleState = {
  connection: 'connecting',
  account: null,
  role: null,
  maxChatLimit: 1,
  chatLimit: 1,
  available: false,
  departments: [],
  offers: [],
  invitations: [],
  chats: [],
  selected: null,
  notice: null,
  error: null,
  board: null,
  teamTags: [],
  ratings: [],
};

export const OFFER_CLOSED_REASONS = {
  accepted: 'accepted',
  rejected: 'rejected',
  expired: 'expired without an answer',
  cancelled: 'the visitor left the queue',
  taken: 'taken by another helper',
  unavailable: 'you are no longer available',
} as const;

/** How many ratings the console keeps to show (SP-U7). */
const RATINGS_KEPT = 10;

/** What the caller does after a service message, beyond taking the new state. */
export type ConsoleEffect =
  /** An offer or invitation arrived: sound, notification, announcement. */
  | { kind: 'alert'; offer: Offer }
  /** SP-M4, SP-M5: a (re)connection; a monitor asks for a fresh board snapshot. */
  | { kind: 'welcomed'; monitor: boolean }
  /** The chat is over here: replies held for its session are dropped. */
  | { kind: 'chat_over'; chatId: string }
  /** The chat asked to be watched has arrived (its tab opened selected). */
  | { kind: 'opened'; chatId: string };

export type ReduceContext = {
  /** A chat asked to be watched, whose tab opens selected when it arrives. */
  opening: string | null;
  now: number;
};

export type Reduced = { state: StaffConsoleState; effects: readonly ConsoleEffect[] };

export function reduceServiceMessage(
  state: StaffConsoleState,
  msg: ServiceToStaff,
  context: ReduceContext,
): Reduced {
  const next = (patch: Partial<StaffConsoleState>, ...effects: ConsoleEffect[]): Reduced => ({
    state: { ...state, ...patch },
    effects,
  });
  const unchanged: Reduced = { state, effects: [] };
  switch (msg.type) {
    case 'welcome': {
      const monitor = msg.account.role === 'monitor' || msg.account.role === 'admin';
      return next(
        {
          account: msg.account,
          role: msg.account.role,
          maxChatLimit: msg.maxChatLimit,
          chatLimit: msg.account.chatLimit,
          available: msg.available,
          departments: msg.departments,
          board: monitor ? (state.board ?? EMPTY_BOARD) : null,
        },
        { kind: 'welcomed', monitor },
      );
    }
    case 'board':
    case 'board_changes':
      return next({ board: reduceBoard(state.board ?? EMPTY_BOARD, msg) });
    case 'chat_rated':
      return next({
        ratings: [msg, ...state.ratings].slice(0, RATINGS_KEPT),
        chats: patchChat(state.chats, msg.chatId, { rating: msg.stars }),
      });
    case 'security_event':
      return state.board === null ? unchanged : next({ board: addSecurityEvent(state.board, msg) });
    case 'promoted':
      return next({ notice: `${msg.nickname} is now a helper and gets chat offers.` });
    case 'status':
      return next({ available: msg.available, chatLimit: msg.chatLimit, role: msg.role });
    case 'offer': {
      const offer: Offer = { chatId: msg.chatId, expiresAt: msg.expiresAt, visitor: msg.visitor };
      const offers = [...state.offers.filter((o) => o.chatId !== msg.chatId), offer];
      return next({ offers, notice: null }, { kind: 'alert', offer });
    }
    case 'offer_closed': {
      const name = state.offers.find((o) => o.chatId === msg.chatId)?.visitor.name ?? 'a visitor';
      return next({
        offers: state.offers.filter((o) => o.chatId !== msg.chatId),
        notice: `Offer from ${name}: ${OFFER_CLOSED_REASONS[msg.reason]}.`,
      });
    }
    case 'invitation': {
      const { chatId, from, expiresAt, visitor } = msg;
      return next(
        {
          invitations: [
            ...state.invitations.filter((i) => i.chatId !== chatId),
            { chatId, from, expiresAt, visitor },
          ],
        },
        { kind: 'alert', offer: { chatId, expiresAt, visitor } },
      );
    }
    case 'invitation_closed':
      return next({ invitations: withoutInvitation(state.invitations, msg.chatId) });
    case 'chat':
      return reduceChat(state, msg, context);
    case 'chat_meta':
      return next({
        chats: patchChat(state.chats, msg.chatId, { tags: msg.tags, label: msg.label }),
        teamTags: withTeamTags(state.teamTags, msg.tags),
      });
    case 'department_changed':
      return next({ chats: patchChat(state.chats, msg.chatId, { department: msg.department }) });
    case 'ended':
      return next(
        { chats: patchChat(state.chats, msg.chatId, { ended: { by: msg.by, at: msg.at } }) },
        { kind: 'chat_over', chatId: msg.chatId },
      );
    case 'left':
      return next(
        {
          chats: patchChat(state.chats, msg.chatId, { ended: { by: 'helper', at: context.now } }),
        },
        { kind: 'chat_over', chatId: msg.chatId },
      );
    case 'blocked_visitor':
      return next({
        chats: patchChat(state.chats, msg.chatId, { blocked: { until: msg.until, ip: msg.ip } }),
      });
    case 'error':
      return next({ error: msg.message });
    default:
      return unchanged;
  }
}

/** A chat this console holds (accepted, joined, watched, or re-announced on reconnect). */
function reduceChat(
  state: StaffConsoleState,
  msg: Extract<ServiceToStaff, { type: 'chat' }>,
  context: ReduceContext,
): Reduced {
  const existing = state.chats.find((c) => c.chatId === msg.chatId);
  const chat: ChatTab = {
    chatId: msg.chatId,
    role: msg.role,
    department: msg.department,
    startedAt: msg.startedAt,
    visitor: msg.visitor,
    label: existing?.label ?? '',
    tags: existing?.tags ?? [],
    unread: existing?.unread ?? 0,
    ended: null,
    blocked: existing?.blocked ?? null,
    view: existing?.view ?? null,
  };
  const open = context.opening === msg.chatId;
  return {
    state: {
      ...state,
      chats: existing
        ? state.chats.map((c) => (c.chatId === msg.chatId ? chat : c))
        : [...state.chats, chat],
      offers: state.offers.filter((o) => o.chatId !== msg.chatId),
      invitations: withoutInvitation(state.invitations, msg.chatId),
      selected: open ? msg.chatId : (state.selected ?? msg.chatId),
    },
    effects: open ? [{ kind: 'opened', chatId: msg.chatId }] : [],
  };
}

/** The chats with one of them changed; the same array when the chat is not held. */
export function patchChat(
  chats: readonly ChatTab[],
  chatId: string,
  patch: Partial<ChatTab>,
): readonly ChatTab[] {
  if (!chats.some((c) => c.chatId === chatId)) return chats;
  return chats.map((c) => (c.chatId === chatId ? { ...c, ...patch } : c));
}

export function withoutInvitation(
  invitations: readonly Invitation[],
  chatId: string,
): readonly Invitation[] {
  return invitations.filter((i) => i.chatId !== chatId);
}

/** SP-K7: the team's tags with any new ones appended; the same array when none is new. */
export function withTeamTags(known: readonly string[], tags: readonly string[]): readonly string[] {
  const seen = new Set(known);
  const more = tags.filter((t) => !seen.has(t));
  return more.length === 0 ? known : [...known, ...more];
}
