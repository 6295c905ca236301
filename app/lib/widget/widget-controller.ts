/**
 * The widget's shell: one BrowserParticipant as the visitor, the widget state
 * (widget-state.ts) fed by its messages and connection, the open chat's session,
 * and the host page context from the loader (page views, session start, landing
 * page). The Svelte page only renders `state` and the session's view and calls the
 * actions here.
 */
import type { BrowserDetails, VisitorToService } from '../../../protocol/index.ts';
import {
  BrowserParticipant,
  type BrowserParticipantEvents,
  type ParticipantKind,
} from '../session/browser-participant.ts';
import type { ChatVisibility } from '../read-state/read-tracker.ts';
import type { ChatSession } from '../session/chat-session.ts';
import type { ChatStoreFactory } from '../session/chat-store.ts';
import type { ServiceMessage } from '../session/service-port.ts';
import type { SessionView } from '../session/session-view.ts';
import type { HostPageView } from './host-protocol.ts';
import { claimQuestion, keepQuestion, keptQuestion, questionToPost } from './opening-question.ts';
import { pagesToPost, postedMarks } from './page-notes.ts';
import {
  initialWidgetState,
  reduceWidget,
  type WidgetEvent,
  type WidgetState,
} from './widget-state.ts';

/** What the host page tells the widget (or, standalone, what the widget knows itself). */
export type HostContext = {
  sessionStartedAt: number;
  landingPage: string;
  pages: HostPageView[];
};

export type PreChat = {
  name: string;
  email: string;
  department: string;
  question: string;
  /** SP-PN2: the visitor ticked the privacy notice's acknowledgement. */
  privacyAcknowledged?: boolean;
};
export type LeftMessage = { name: string; email: string; department: string; message: string };

export type WidgetControllerOptions = {
  storage: Pick<Storage, 'getItem' | 'setItem'>;
  browser: BrowserDetails;
  /** Injected for tests; the browser's BrowserParticipant by default. */
  participant?: (kind: ParticipantKind, events: BrowserParticipantEvents) => ParticipantLike;
  /** Where chats are kept; decided before connecting (widget-storage.ts). */
  store?: Promise<ChatStoreFactory>;
};

export type ParticipantLike = Pick<BrowserParticipant, 'send' | 'close' | 'hub'>;

const TOKEN_KEY = 'peerdesk.widget.visitor.token';

/** What the visitor would count as new: the helpers' text messages. */
const othersMessages = (view: SessionView): number =>
  view.messages.filter((m) => !m.mine && m.kind === 'text').length;

export class WidgetController {
  #state: WidgetState = initialWidgetState;
  readonly #listeners = new Set<(state: WidgetState) => void>();
  readonly #sessionListeners = new Set<(session: ChatSession | null) => void>();
  readonly #unreadListeners = new Set<(count: number) => void>();
  readonly #o: WidgetControllerOptions;
  readonly #marks;
  #participant: ParticipantLike | null = null;
  #session: ChatSession | null = null;
  #host: HostContext | null = null;
  /** A request made while the service was away goes out with the next welcome. */
  #pending: VisitorToService | null = null;
  #offSession: (() => void) | null = null;
  #starting = false;
  #closed = false;
  /** Whether the visitor can see the chat (F9): the page, and the loader's panel. */
  #visibility: ChatVisibility = { pageVisible: true, chatOpen: true };
  /** Helper messages in the open chat, and how many of them the visitor could see. */
  #others = 0;
  #seen = 0;
  #unread = 0;

  #visitorToken: string | null = null;

  constructor(options: WidgetControllerOptions) {
    this.#o = options;
    this.#marks = postedMarks(options.storage);
  }

  get state(): WidgetState {
    return this.#state;
  }

  /** The signed visitor token the service gave this visit (SPEC.md SP-V1), for the survey (SP-U7). */
  get visitorToken(): string | null {
    return this.#visitorToken;
  }

  get session(): ChatSession | null {
    return this.#session;
  }

  subscribe(listener: (state: WidgetState) => void): () => void {
    this.#listeners.add(listener);
    listener(this.#state);
    return () => this.#listeners.delete(listener);
  }

  onSession(listener: (session: ChatSession | null) => void): () => void {
    this.#sessionListeners.add(listener);
    listener(this.#session);
    return () => this.#sessionListeners.delete(listener);
  }

  /** Helper messages that arrived while the chat could not be seen (for the launcher). */
  onUnread(listener: (count: number) => void): () => void {
    this.#unreadListeners.add(listener);
    listener(this.#unread);
    return () => this.#unreadListeners.delete(listener);
  }

  /** The page was hidden or shown, or the loader's panel minimised or opened (F9). */
  setVisibility(change: Partial<ChatVisibility>): void {
    this.#visibility = { ...this.#visibility, ...change };
    this.#applyVisibility();
    this.#countUnread();
  }

  /** The host context arrived or changed: connect on the first, note new pages after. */
  setHost(host: HostContext): void {
    this.#host = host;
    if (this.#starting) this.#postPages();
    else {
      this.#starting = true;
      const store = this.#o.store;
      if (store === undefined) this.#start(host, undefined);
      else void store.then((chosen) => this.#start(host, chosen));
    }
  }

  requestChat(form: PreChat): void {
    const host = this.#host;
    if (host === null) return;
    const current = host.pages.at(-1);
    this.#pending = {
      type: 'request',
      name: form.name.trim(),
      email: form.email.trim(),
      department: form.department,
      question: form.question.trim(),
      page: current ? { url: current.url, title: current.title } : { url: '', title: '' },
      browser: this.#o.browser,
      sessionStartedAt: host.sessionStartedAt,
      landingPage: host.landingPage,
      ...(form.privacyAcknowledged === true ? { privacyAcknowledged: true as const } : {}),
    };
    keepQuestion(this.#o.storage, this.#pending.question);
    this.#flush();
    this.#dispatch({ type: 'requested' });
  }

  chooseLeaveMessage(department: string): void {
    this.#dispatch({ type: 'leave-message', department });
  }

  leaveMessage(form: LeftMessage): void {
    this.#pending = {
      type: 'leave_message',
      name: form.name.trim(),
      email: form.email.trim(),
      department: form.department,
      message: form.message.trim(),
    };
    this.#flush();
  }

  /** Leaves the queue, or ends the chat. */
  end(): void {
    const phase = this.#state.phase;
    if (phase.phase === 'queued') this.#participant?.send({ type: 'cancel' });
    else if (phase.phase === 'chat') this.#session?.end();
  }

  newChat(): void {
    this.#dispatch({ type: 'new-chat' });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#offSession?.();
    await this.#participant?.close();
  }

  #start(host: HostContext, store: ChatStoreFactory | undefined): void {
    if (this.#closed) return;
    const storage = this.#o.storage;
    let token: string | null = null;
    try {
      token = storage.getItem(TOKEN_KEY);
    } catch {
      // Storage refused: this visit is a first visit.
    }
    const make =
      this.#o.participant ??
      ((kind: ParticipantKind, events: BrowserParticipantEvents) =>
        new BrowserParticipant(kind, events));
    this.#participant = make(
      {
        kind: 'visitor',
        token,
        landingPage: host.landingPage,
        onToken: (next) => {
          this.#visitorToken = next;
          try {
            // F15: the token carries the first visit; remembered across visits.
            storage.setItem(TOKEN_KEY, next);
          } catch {
            // Not remembered: the next visit counts as a first visit.
          }
        },
      },
      {
        onMessage: (msg) => this.#onMessage(msg),
        onSession: (session) => this.#onSession(session),
        ...(store === undefined ? {} : { store }),
      },
    );
    this.#participant.hub.subscribe((event) => {
      if (event.type === 'status') this.#dispatch({ type: 'online', online: event.online });
    });
  }

  #onMessage(msg: ServiceMessage): void {
    // The participant decoded it against ServiceToVisitor: a visitor hears nothing else.
    const visitorMsg = msg as Extract<WidgetEvent, { type: 'service' }>['msg'];
    this.#dispatch({ type: 'service', msg: visitorMsg });
    if (msg.type === 'welcome') this.#flush();
  }

  #flush(): void {
    if (this.#pending !== null && this.#participant?.send(this.#pending)) this.#pending = null;
  }

  #onSession(session: ChatSession): void {
    const phase = this.#state.phase;
    if (phase.phase === 'chat' && phase.chatId !== session.chatId) return;
    this.#offSession?.();
    this.#session = session;
    this.#postQuestion(session);
    this.#applyVisibility();
    // What the chat held when it opened here (a reload's stored transcript) is not new.
    this.#others = othersMessages(session.view);
    this.#seen = this.#others;
    this.#countUnread();
    this.#offSession = session.subscribe((view) => {
      this.#postPages();
      this.#others = othersMessages(view);
      this.#countUnread();
    });
    for (const listener of [...this.#sessionListeners]) listener(session);
  }

  /** The question opens the transcript, written by the visitor's own client (opening-question.ts). */
  #postQuestion(session: ChatSession): void {
    const kept = keptQuestion(this.#o.storage);
    const text = questionToPost(kept, session.chatId, session.view);
    if (kept === null || text === null) return;
    claimQuestion(this.#o.storage, kept, session.chatId);
    session.send(text);
  }

  #applyVisibility(): void {
    const { pageVisible, chatOpen } = this.#visibility;
    this.#session?.setVisibility({ pageVisible, chatOpen, focused: pageVisible && chatOpen });
  }

  #countUnread(): void {
    if (this.#visibility.pageVisible && this.#visibility.chatOpen) this.#seen = this.#others;
    const unread = Math.max(0, this.#others - this.#seen);
    if (unread === this.#unread) return;
    this.#unread = unread;
    for (const listener of [...this.#unreadListeners]) listener(unread);
  }

  /** F11: posts the host pages not yet noted in this chat, once the session may write. */
  #postPages(): void {
    const session = this.#session;
    const host = this.#host;
    if (session === null || host === null || session.state.status !== 'live') return;
    const fresh = pagesToPost(host.pages, this.#marks.get(session.chatId));
    const last = fresh.at(-1);
    if (last === undefined) return;
    // Mark first: viewPage changes the session, which calls back into here.
    this.#marks.set(session.chatId, last.at);
    for (const page of fresh) session.viewPage({ url: page.url, title: page.title });
  }

  #dispatch(event: WidgetEvent): void {
    const next = reduceWidget(this.#state, event);
    if (next === this.#state) return;
    this.#state = next;
    for (const listener of [...this.#listeners]) listener(next);
  }
}
