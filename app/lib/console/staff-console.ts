/**
 * The signed-in helper console as one explicit state (STYLE.md point 4), changed
 * only here: the service connection, availability and chat limit, pending offers,
 * and the chats held, each with its session's view. The connection and the chat
 * sessions are injected (`connect`), so unit tests drive it without a socket and
 * Svelte components only render `state` and call the actions.
 */
import { LIMITS, normalizeTag } from '$protocol';
import type {
  Account,
  AccountRole,
  ChatRated,
  ChatRole,
  Department,
  ServiceToStaff,
  StaffToService,
  VisitorSummary,
} from '$protocol';
import type { SessionView } from '../session/session-view.ts';
import type {
  ArchiveUploadState,
  ConsoleChatSession,
  ConsoleConnection,
  Connect,
  Offer,
  OfferAlerts,
} from './console-ports.ts';
import { followUpThenEnd } from './chat-end.ts';
import { waitingSince } from './chat-summary.ts';
import { CONSOLE_COMMANDS, parseReply } from './slash-commands.ts';
import { addSecurityEvent, EMPTY_BOARD, reduceBoard, type BoardState } from './monitor-board.ts';

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

/** F16, SP-T2: another helper asks this one into a chat. */
export type Invitation = {
  chatId: string;
  from: string;
  expiresAt: number;
  visitor: VisitorSummary;
};

const SEND_ERROR = 'The message could not be sent.';
/** Replies held for a chat whose session is still opening (a few, typed in a second). */
const PENDING_REPLIES_MAX = 20;

/** How many ratings the console keeps to show (SP-U7). */
const RATINGS_KEPT = 10;

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

/** What a reply-box command or a tag action did: done, or why not, in words. */
export type CommandResult = { ok: true } | { ok: false; error: string };

export const OFFER_CLOSED_REASONS = {
  accepted: 'accepted',
  rejected: 'rejected',
  expired: 'expired without an answer',
  cancelled: 'the visitor left the queue',
  taken: 'taken by another helper',
  unavailable: 'you are no longer available',
} as const;

/** Sends that could not reach the service. */
export const OFFLINE_ERROR = 'Not connected to Peerdesk; try again when the console is connected.';

export type LimitCheck = { ok: true; limit: number } | { ok: false; error: string };

/** SP-L2: a whole number from 1 to the admin maximum. */
export function checkChatLimit(raw: number, max: number): LimitCheck {
  if (!Number.isInteger(raw) || raw < 1 || raw > max) {
    return { ok: false, error: `The chat limit must be a whole number from 1 to ${max}.` };
  }
  return { ok: true, limit: raw };
}

export class StaffConsole {
  #state: StaffConsoleState = {
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
  readonly #listeners = new Set<(state: StaffConsoleState) => void>();
  readonly #sessions = new Map<string, ConsoleChatSession>();
  readonly #unsubscribe: (() => void)[] = [];
  /** Per chat, the subscription to its session's view. */
  readonly #sessionOffs = new Map<string, () => void>();
  /** Per chat: how many messages of others the helper has seen. */
  readonly #seen = new Map<string, number>();
  readonly #connection: ConsoleConnection;
  readonly #alerts: OfferAlerts;
  /** SP-M5: per chat, the unanswered time last reported to the service. */
  readonly #reported = new Map<string, number | null>();
  /** Per chat, replies sent before its session opened (its stored copy loading, its
   * signing key being made, a moment after Accept): sent in order once it opens. */
  readonly #pendingReplies = new Map<string, string[]>();
  /** A chat asked to be watched: its tab opens selected. */
  #opening: string | null = null;
  #everOnline = false;

  constructor(deps: { token: string; connect: Connect; alerts: OfferAlerts }) {
    this.#alerts = deps.alerts;
    this.#connection = deps.connect(deps.token, {
      onMessage: (msg) => this.#onMessage(msg),
      onOnline: (online) => this.#onOnline(online),
      onSession: (session) => this.#onSession(session),
      onSessionClosed: (chatId) => this.#onSessionClosed(chatId),
      onArchive: (chatId, archive) => this.#patchChat(chatId, { archive }),
    });
  }

  get state(): StaffConsoleState {
    return this.#state;
  }

  subscribe(listener: (state: StaffConsoleState) => void): () => void {
    this.#listeners.add(listener);
    listener(this.#state);
    return () => this.#listeners.delete(listener);
  }

  session(chatId: string): ConsoleChatSession | null {
    return this.#sessions.get(chatId) ?? null;
  }

  // --- actions --------------------------------------------------------------

  /** The switch shows what the service confirms (its `status`), not what was asked. */
  setAvailable(available: boolean): void {
    this.#send({ type: 'set_available', available });
  }

  setChatLimit(raw: number): LimitCheck {
    const check = checkChatLimit(raw, this.#state.maxChatLimit);
    if (check.ok) this.#send({ type: 'set_chat_limit', limit: check.limit });
    return check;
  }

  accept(chatId: string): void {
    this.#send({ type: 'accept', chatId });
  }

  reject(chatId: string): void {
    this.#send({ type: 'reject', chatId });
  }

  /** Asks the service to end the chat; the tab stays, showing the end, until closed. */
  end(chatId: string): void {
    this.#send({ type: 'end', chatId });
  }

  /** F19: a follow-up message, then the end (closing the tab too) once a peer holds it. */
  followUpAndEnd(chatId: string, text: string, close: boolean): boolean {
    const session = this.#sessions.get(chatId);
    if (session === undefined || text.trim() === '') return false;
    return followUpThenEnd(session, text, () => (close ? this.closeTab(chatId) : this.end(chatId)));
  }

  /** Closes a tab; a chat still going is ended first (F19). */
  closeTab(chatId: string): void {
    const chat = this.#chat(chatId);
    if (chat === undefined) return;
    if (chat.role === 'monitor') return this.stopWatching(chatId);
    if (chat.ended === null && !this.#send({ type: 'end', chatId })) return;
    this.#removeTab(chatId);
  }

  #removeTab(chatId: string): void {
    const chats = this.#state.chats.filter((c) => c.chatId !== chatId);
    const selected =
      this.#state.selected === chatId ? (chats[0]?.chatId ?? null) : this.#state.selected;
    this.#reported.delete(chatId);
    this.#update({ chats, selected });
  }

  block(chatId: string, reason: string, ip: boolean): boolean {
    const trimmed = reason.trim();
    if (trimmed === '') return false;
    return this.#send({ type: 'block', chatId, reason: trimmed, ip });
  }

  changeDepartment(chatId: string, department: string): void {
    this.#send({ type: 'change_department', chatId, department });
  }

  /** F14, SP-K2: sets (or, with '', clears) the chat's label for every staff member. */
  setLabel(chatId: string, label: string): CommandResult {
    // One line: a pasted line break becomes a space rather than a refusal.
    const kept = label.replace(/\p{Cc}+/gu, ' ').trim();
    if (kept.length > LIMITS.maxLabelLength) {
      return { ok: false, error: `A label has at most ${LIMITS.maxLabelLength} characters.` };
    }
    return this.#command({ type: 'label_set', chatId, label: kept });
  }

  /**
   * F17, SP-K2: adds a tag to the chat, from what a person typed ("Won't start" →
   * `wont-start`). The one way to tag a chat: `/tag`, and canned responses of the
   * Tags category, call it. The chip appears when the service confirms (`chat_meta`).
   */
  addTag(chatId: string, typed: string): CommandResult {
    const tag = normalizeTag(typed);
    if (tag === null) {
      return { ok: false, error: 'A tag needs letters or digits, such as /tag crash.' };
    }
    const chat = this.#chat(chatId);
    if (
      chat !== undefined &&
      !chat.tags.includes(tag) &&
      chat.tags.length >= LIMITS.maxTagsPerChat
    ) {
      return { ok: false, error: `A chat has at most ${LIMITS.maxTagsPerChat} tags.` };
    }
    return this.#command({ type: 'tag_add', chatId, tag });
  }

  /** SP-K3: any chat this person may change, from its header or the monitors' board. */
  removeTag(chatId: string, tag: string): CommandResult {
    return this.#command({ type: 'tag_remove', chatId, tag });
  }

  /** SP-K7: the team's tags, fetched by the view, offered after the common ones. */
  addTeamTags(tags: readonly string[]): void {
    const known = new Set(this.#state.teamTags);
    const more = tags.filter((t) => !known.has(t));
    if (more.length > 0) this.#update({ teamTags: [...this.#state.teamTags, ...more] });
  }

  acceptInvitation(chatId: string): void {
    this.#send({ type: 'invite_accept', chatId });
  }

  declineInvitation(chatId: string): void {
    if (this.#send({ type: 'invite_decline', chatId })) this.#dropInvitation(chatId);
  }

  /** Sends a reply, or runs its slash command (slash-commands.ts): `/tag name`,
   * `/label text` and `/invite nickname` go to the service, never to the visitor. */
  submitReply(chatId: string, text: string): CommandResult {
    const parsed = parseReply(text, CONSOLE_COMMANDS);
    if (parsed.kind === 'error') return { ok: false, error: parsed.error };
    if (parsed.kind === 'message') return this.#sendMessage(chatId, parsed.text);
    switch (parsed.name) {
      case 'tag':
        return this.addTag(chatId, parsed.argument);
      case 'label':
        return this.setLabel(chatId, parsed.argument);
      case 'invite':
        return this.#command({ type: 'invite', chatId, nickname: parsed.argument });
      default:
        return { ok: false, error: `/${parsed.name} cannot be used here.` };
    }
  }

  /** Sends a reply (or runs its command); false when nothing was done. */
  reply(chatId: string, text: string): boolean {
    return this.submitReply(chatId, text).ok;
  }

  select(chatId: string): void {
    if (this.#chat(chatId) === undefined) return;
    this.#markSeen(chatId);
    this.#update({ selected: chatId, chats: this.#withUnread(chatId, 0) });
  }

  /** SP-M1: opens a chat read-only in a tab of its own, selected when it arrives. */
  watch(chatId: string): void {
    const tab = this.#chat(chatId);
    if (tab !== undefined && tab.ended === null) return this.select(chatId);
    if (this.#send({ type: 'watch', chatId })) this.#opening = chatId;
  }

  /** Stops watching and closes the tab. */
  stopWatching(chatId: string): void {
    const chat = this.#chat(chatId);
    if (chat === undefined) return;
    if (chat.ended === null && !this.#send({ type: 'unwatch', chatId })) return;
    this.#removeTab(chatId);
  }

  /** SP-M6: a watched chat becomes one of this monitor's chats, as a helper. */
  join(chatId: string): void {
    this.#send({ type: 'join', chatId });
  }

  /** SP-T3, SP-M7: a trainee becomes a helper and gets offers. */
  promote(nickname: string): void {
    this.#send({ type: 'promote', nickname });
  }

  /** CH-N4: a staff note in the chat's staff-only thread. */
  writeNote(chatId: string, text: string): boolean {
    return this.#sessions.get(chatId)?.writeNote(text).ok ?? false;
  }

  dismissError(): void {
    this.#update({ error: null });
  }

  async close(): Promise<void> {
    for (const off of this.#unsubscribe.splice(0)) off();
    for (const off of this.#sessionOffs.values()) off();
    this.#sessionOffs.clear();
    this.#listeners.clear();
    await this.#connection.close();
  }

  // --- service --------------------------------------------------------------

  #onOnline(online: boolean): void {
    if (online) this.#everOnline = true;
    this.#update({
      connection: online ? 'connected' : this.#everOnline ? 'reconnecting' : 'connecting',
    });
  }

  #onMessage(msg: ServiceToStaff): void {
    switch (msg.type) {
      case 'welcome': {
        const monitor = msg.account.role === 'monitor' || msg.account.role === 'admin';
        this.#update({
          account: msg.account,
          role: msg.account.role,
          maxChatLimit: msg.maxChatLimit,
          chatLimit: msg.account.chatLimit,
          available: msg.available,
          departments: msg.departments,
          board: monitor ? (this.#state.board ?? EMPTY_BOARD) : null,
        });
        // SP-M4: every (re)connection starts with a fresh snapshot.
        if (monitor) this.#send({ type: 'board_subscribe' });
        this.#reported.clear();
        return;
      }
      case 'board':
      case 'board_changes':
        this.#update({ board: reduceBoard(this.#state.board ?? EMPTY_BOARD, msg) });
        return;
      case 'chat_rated':
        this.#update({ ratings: [msg, ...this.#state.ratings].slice(0, RATINGS_KEPT) });
        this.#patchChat(msg.chatId, { rating: msg.stars });
        return;
      case 'security_event':
        if (this.#state.board !== null) {
          this.#update({ board: addSecurityEvent(this.#state.board, msg) });
        }
        return;
      case 'promoted':
        this.#update({ notice: `${msg.nickname} is now a helper and gets chat offers.` });
        return;
      case 'status':
        this.#update({ available: msg.available, chatLimit: msg.chatLimit, role: msg.role });
        return;
      case 'offer': {
        const offer: Offer = { chatId: msg.chatId, expiresAt: msg.expiresAt, visitor: msg.visitor };
        const offers = [...this.#state.offers.filter((o) => o.chatId !== msg.chatId), offer];
        this.#update({ offers, notice: null });
        this.#alerts.offer(offer);
        return;
      }
      case 'offer_closed': {
        const offer = this.#state.offers.find((o) => o.chatId === msg.chatId);
        const offers = this.#state.offers.filter((o) => o.chatId !== msg.chatId);
        const name = offer?.visitor.name ?? 'a visitor';
        this.#update({
          offers,
          notice: `Offer from ${name}: ${OFFER_CLOSED_REASONS[msg.reason]}.`,
        });
        return;
      }
      case 'invitation': {
        const invitation: Invitation = {
          chatId: msg.chatId,
          from: msg.from,
          expiresAt: msg.expiresAt,
          visitor: msg.visitor,
        };
        this.#update({
          invitations: [
            ...this.#state.invitations.filter((i) => i.chatId !== msg.chatId),
            invitation,
          ],
        });
        this.#alerts.offer({ chatId: msg.chatId, expiresAt: msg.expiresAt, visitor: msg.visitor });
        return;
      }
      case 'invitation_closed':
        this.#dropInvitation(msg.chatId);
        return;
      case 'chat':
        this.#onChat(msg);
        return;
      case 'chat_meta':
        this.#patchChat(msg.chatId, { tags: msg.tags, label: msg.label });
        this.addTeamTags(msg.tags);
        return;
      case 'department_changed':
        this.#patchChat(msg.chatId, { department: msg.department });
        return;
      case 'ended':
        this.#pendingReplies.delete(msg.chatId);
        this.#patchChat(msg.chatId, { ended: { by: msg.by, at: msg.at } });
        return;
      case 'left':
        this.#pendingReplies.delete(msg.chatId);
        this.#patchChat(msg.chatId, { ended: { by: 'helper', at: Date.now() } });
        return;
      case 'blocked_visitor':
        this.#patchChat(msg.chatId, { blocked: { until: msg.until, ip: msg.ip } });
        return;
      case 'error':
        this.#update({ error: msg.message });
        return;
      default:
        return;
    }
  }

  #onChat(msg: Extract<ServiceToStaff, { type: 'chat' }>): void {
    const existing = this.#chat(msg.chatId);
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
    const chats = existing
      ? this.#state.chats.map((c) => (c.chatId === msg.chatId ? chat : c))
      : [...this.#state.chats, chat];
    const offers = this.#state.offers.filter((o) => o.chatId !== msg.chatId);
    const invitations = this.#state.invitations.filter((i) => i.chatId !== msg.chatId);
    const open = this.#opening === msg.chatId;
    if (open) this.#opening = null;
    const selected = open ? msg.chatId : (this.#state.selected ?? msg.chatId);
    this.#update({ chats, offers, invitations, selected });
  }

  #sendMessage(chatId: string, text: string): CommandResult {
    const session = this.#sessions.get(chatId);
    if (session !== undefined) {
      return session.send(text).ok ? { ok: true } : { ok: false, error: SEND_ERROR };
    }
    // A helper who types the greeting right after Accept is ahead of the session.
    const chat = this.#chat(chatId);
    if (chat?.role !== 'helper' || chat.ended !== null) return { ok: false, error: SEND_ERROR };
    const pending = this.#pendingReplies.get(chatId) ?? [];
    if (pending.length >= PENDING_REPLIES_MAX) return { ok: false, error: SEND_ERROR };
    this.#pendingReplies.set(chatId, [...pending, text]);
    return { ok: true };
  }

  /** Issue 11: an ended chat's session is gone; its tab shows the last view. */
  #onSessionClosed(chatId: string): void {
    this.#pendingReplies.delete(chatId);
    this.#sessions.delete(chatId);
    this.#sessionOffs.get(chatId)?.();
    this.#sessionOffs.delete(chatId);
  }

  #onSession(session: ConsoleChatSession): void {
    this.#sessions.set(session.chatId, session);
    const pending = this.#pendingReplies.get(session.chatId) ?? [];
    this.#pendingReplies.delete(session.chatId);
    for (const text of pending) {
      if (!session.send(text).ok) this.#update({ error: SEND_ERROR });
    }
    this.#sessionOffs.get(session.chatId)?.();
    this.#sessionOffs.set(
      session.chatId,
      session.subscribe((view) => {
        const chatId = session.chatId;
        if (this.#chat(chatId) === undefined) return;
        const others = othersMessages(view);
        const unread =
          this.#state.selected === chatId
            ? (this.#markSeen(chatId, others), 0)
            : Math.max(0, others - (this.#seen.get(chatId) ?? 0));
        this.#patchChat(chatId, { view, unread });
        this.#reportUnanswered(chatId, view);
      }),
    );
  }

  // --- helpers --------------------------------------------------------------

  /** SP-M5: a helper's console tells the service how long the visitor has waited. */
  #reportUnanswered(chatId: string, view: SessionView): void {
    const chat = this.#chat(chatId);
    if (chat?.role !== 'helper' || chat.ended !== null) return;
    // SPEC.md SP-M5: the same rule as the chat list's waiting time.
    const since = waitingSince(view);
    if (this.#reported.has(chatId) && this.#reported.get(chatId) === since) return;
    if (this.#connection.send({ type: 'unanswered', chatId, since })) {
      this.#reported.set(chatId, since);
    }
  }

  #command(msg: StaffToService): CommandResult {
    return this.#send(msg) ? { ok: true } : { ok: false, error: OFFLINE_ERROR };
  }

  #send(msg: StaffToService): boolean {
    const sent = this.#connection.send(msg);
    if (!sent) this.#update({ error: OFFLINE_ERROR });
    return sent;
  }

  #dropInvitation(chatId: string): void {
    this.#update({ invitations: this.#state.invitations.filter((i) => i.chatId !== chatId) });
  }

  #chat(chatId: string): ChatTab | undefined {
    return this.#state.chats.find((c) => c.chatId === chatId);
  }

  #markSeen(chatId: string, count?: number): void {
    const view = this.#chat(chatId)?.view;
    this.#seen.set(chatId, count ?? (view ? othersMessages(view) : 0));
  }

  #withUnread(chatId: string, unread: number): ChatTab[] {
    return this.#state.chats.map((c) => (c.chatId === chatId ? { ...c, unread } : c));
  }

  #patchChat(chatId: string, patch: Partial<ChatTab>): void {
    if (this.#chat(chatId) === undefined) return;
    this.#update({
      chats: this.#state.chats.map((c) => (c.chatId === chatId ? { ...c, ...patch } : c)),
    });
  }

  #update(patch: Partial<StaffConsoleState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of [...this.#listeners]) listener(this.#state);
  }
}

/** Text and page messages written by someone else. */
function othersMessages(view: SessionView): number {
  let count = 0;
  for (const m of view.messages) if (!m.mine && m.kind !== 'system') count++;
  return count;
}
