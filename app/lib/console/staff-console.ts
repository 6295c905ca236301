/**
 * The signed-in helper console as one explicit state (STYLE.md point 4), changed
 * only here: the service connection, availability and chat limit, pending offers,
 * and the chats held, each with its session's view. The connection and the chat
 * sessions are injected (`connect`), so unit tests drive it without a socket and
 * Svelte components only render `state` and call the actions.
 */
import { LIMITS, normalizeTag } from '$protocol';
import type { ServiceToStaff, StaffToService } from '$protocol';
import type { SessionView } from '../session/session-view.ts';
import type {
  ConsoleChatSession,
  ConsoleConnection,
  Connect,
  OfferAlerts,
} from './console-ports.ts';
import { followUpThenEnd } from './chat-end.ts';
import { waitingSince } from './chat-summary.ts';
import {
  INITIAL_CONSOLE_STATE,
  patchChat,
  reduceServiceMessage,
  withoutInvitation,
  withTeamTags,
  type ChatTab,
  type StaffConsoleState,
} from './console-state.ts';
import { CONSOLE_COMMANDS, parseReply } from './slash-commands.ts';

const SEND_ERROR = 'The message could not be sent.';
/** Replies held for a chat whose session is still opening (a few, typed in a second). */
const PENDING_REPLIES_MAX = 20;

/** What a reply-box command or a tag action did: done, or why not, in words. */
export type CommandResult = { ok: true } | { ok: false; error: string };

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
  #state: StaffConsoleState = INITIAL_CONSOLE_STATE;
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
    const teamTags = withTeamTags(this.#state.teamTags, tags);
    if (teamTags !== this.#state.teamTags) this.#update({ teamTags });
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

  /** What a service message changes: the pure reducer (console-state.ts), then its effects. */
  #onMessage(msg: ServiceToStaff): void {
    const { state, effects } = reduceServiceMessage(this.#state, msg, {
      opening: this.#opening,
      now: Date.now(),
    });
    if (state !== this.#state) this.#update(state);
    for (const effect of effects) {
      switch (effect.kind) {
        case 'alert':
          this.#alerts.offer(effect.offer);
          break;
        case 'welcomed':
          this.#reported.clear();
          // SP-M4: every (re)connection starts with a fresh snapshot.
          if (effect.monitor) this.#send({ type: 'board_subscribe' });
          break;
        case 'chat_over':
          this.#pendingReplies.delete(effect.chatId);
          break;
        case 'opened':
          this.#opening = null;
          break;
      }
    }
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
    this.#update({ invitations: withoutInvitation(this.#state.invitations, chatId) });
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
    const chats = patchChat(this.#state.chats, chatId, patch);
    if (chats !== this.#state.chats) this.#update({ chats });
  }

  #update(patch: Partial<StaffConsoleState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of [...this.#listeners]) listener(this.#state);
  }
}

/** Text and page messages written by someone else. */
function othersMessages(view: SessionView): number {
  // Counted as the view is built (message-views.ts): no view per message of a long chat.
  return view.messageSummary.fromOthers;
}
