/**
 * One chat as the visitor, a helper or a monitor sees it: the replica of the chat
 * document (chat-replica.ts), its WebRTC links (LinkManager, one per participant
 * this one talks to), the service messages that concern the chat, persistence, the
 * client-id binding (CHAT.md CH-C11), read receipts (F9) and presence. It exposes a
 * plain view for the UI (session-view.ts) and a few actions. Everything outside
 * (the service connection, WebRTC, storage, locks, clock, timers) is injected, so
 * the same code runs in the browser, in Node with @roamhq/wrtc, and in unit tests
 * with fakes. Svelte only renders `view`.
 *
 * Life of a session: `open` loads the stored document (the transcript shows at
 * once), picks the client id (client-id-claim.ts), and listens to the service.
 * Writing waits until the service's participant list shows that client id bound to
 * us; messages sent before that are kept and written then. `destroy` is the one
 * teardown path.
 */
import * as Y from 'yjs';
import {
  LIMITS,
  type Attachment,
  type AwarenessState,
  type ChatRole,
  decodeEarlierHistory,
  generateSigningKeys,
  messageSigner,
  type EarlierHistory,
  type MessageSigner,
  type PageView,
  type FormerParticipant,
  type Participant,
  type RandomBytes,
} from '../../../protocol/index.ts';
import { FileTransfers } from '../files/file-transfers.ts';
import { forChat, memoryFileStore, type FileStore } from '../files/file-store.ts';
import type { LinkManagerEvent, LinkManagerOptions } from '../peer/link-manager.ts';
import { relayRefusal, type RelayError, type RelayRefusal } from '../peer/relay-refusal.ts';
import type { PeerLinkFactory } from '../peer/peer-link.ts';
import { shortId, type LinkTrace } from '../peer/link-trace.ts';
import { laterReadMark } from '../read-state/read-marks.ts';
import { ReadTracker, type ChatVisibility } from '../read-state/read-tracker.ts';
import { ChatLinks, type IceConfig } from './chat-links.ts';
import { ChatReplica, type HistorySource, type ReplicaEvent } from './chat-replica.ts';
import { EarlierCopies } from './earlier-copies.ts';
import {
  chatStoreName,
  type ChatStore,
  type ChatStoreFactory,
  type StoredSigningKeys,
} from './chat-store.ts';
import {
  chooseClientId,
  noClientIdLocks,
  unusedClientId,
  type ClientIdLocks,
} from './client-id-claim.ts';
import { peerChatLink } from './peer-chat-link.ts';
import { LINK_OPEN_MARK } from './session-marks.ts';
import type { ServiceEvent, ServiceMessage, ServicePort } from './service-port.ts';
import { decodeNotes, encodeNotes, type KnownAuthor, type SessionNotes } from './session-notes.ts';
import {
  buildSessionView,
  MessageViewReuse,
  type ConnectionView,
  type SessionView,
  type UnsentMessage,
} from './session-view.ts';

export type { IceConfig };

export type ChatSessionOptions = {
  chatId: string;
  /** This participant's id: the visitor id from the welcome, or the staff account id. */
  self: string;
  service: ServicePort;
  /** Makes the PeerLink factory for the current ICE configuration (rtcPeerLinkFactory). */
  links: (ice: IceConfig) => PeerLinkFactory;
  store: ChatStoreFactory;
  locks?: ClientIdLocks;
  now?: () => number;
  random?: RandomBytes;
  /** A fresh Yjs client id (tests make it deterministic). */
  freshClientId?: () => number;
  /** Relink policy, timers and timeouts of the link manager (tests). */
  linkOptions?: Partial<
    Pick<LinkManagerOptions, 'policy' | 'random' | 'newLinkId' | 'timers' | 'openTimeoutMs'>
  >;
  /** Refused peers and other events worth a log line. */
  log?: (event: SessionLogEvent) => void;
  /** The links' decisions, one line each (link-trace.ts). */
  trace?: LinkTrace;
  /** A staff member's session keeps the staff notes (CHAT.md CH-N1) in a store of its own. */
  staffNotesStore?: boolean;
  /** CH-V1: a staff session signs what it writes, with a key pair kept in its store. */
  sign?: boolean;
  /** Where attachments' bytes are kept (F13); memory when not given. A promise is
   * awaited beside the document's load, not before it (benchmark S5). */
  files?: FileStore | Promise<FileStore>;
  /** The attachment size cap (F13, CHAT.md CH-X2). */
  maxAttachmentBytes?: number;
};

export type SessionLogEvent =
  | Extract<ReplicaEvent, { type: 'refused' }>
  | { type: 'bind-refused'; code: string; clientId: number };

/** The session's lifecycle, one explicit state (STYLE.md 4). */
export type SessionState =
  /** Waiting for the participants echo that shows our client id bound (CH-C11). */
  | { status: 'binding'; clientId: number }
  | { status: 'live' }
  /** A monitor: reads, never writes. */
  | { status: 'read-only' }
  | { status: 'ended'; by: 'visitor' | 'helper' | 'service'; at: number }
  | { status: 'destroyed' };

export type SendResult = { ok: true; id: string } | { ok: false; code: SendRefusal };
export type SendRefusal = 'empty' | 'message_too_long' | 'not_writable' | 'doc_too_large';

/** How long presence changes gather before one awareness update carries them. */
export const PRESENCE_COALESCE_MS = 50;
/** How long messages seen gather before one read mark (F9) covers them: a visitor reading
 * a quick exchange writes one update, not one per message, which the helper would apply,
 * acknowledge and render while its next message waits (benchmark S5 round trip), and
 * which would stay in the document for good. */
export const READ_MARK_COALESCE_MS = 250;
/** A signed line not written by then shows as pending anyway. */
const UNSENT_SHOW_MS = 100;
/** How many signed writes keep the local id `send` returned (CH-V2): the newest. */
export const WRITTEN_AS_KEPT = 100;

type SessionTimers = {
  presence: ReturnType<typeof setTimeout> | null;
  unsent: ReturnType<typeof setTimeout> | null;
  read: ReturnType<typeof setTimeout> | null;
};

const PROBLEMS = {
  too_many_client_ids:
    'This browser has opened the chat too many times to write in it again; the chat can still be read.',
} as const;

export class ChatSession {
  readonly chatId: string;
  readonly self: string;
  readonly doc: Y.Doc;
  readonly replica: ChatReplica;
  /** F13: attachments' bytes, peer to peer over the same links. */
  readonly files: FileTransfers;
  readonly #o: ChatSessionOptions;
  readonly #store: ChatStore;
  #notesStore: ChatStore | null = null;
  readonly #links: ChatLinks;
  /** The links are the session's (ChatLinks.adopt): from the service's first list on. */
  #adopted = false;
  readonly #reads: ReadTracker;
  readonly #listeners = new Set<(view: SessionView) => void>();
  readonly #unsubscribe: (() => void)[] = [];
  #lock: { release(): void } | null;
  #notes: SessionNotes;
  #state: SessionState;
  #role: ChatRole | undefined;
  #online = false;
  #typingPreview = true;
  /** The service has sent our participant list since the session started. */
  #listedByService = false;
  #bindSentFor: number | null = null;
  #unsent: UnsentMessage[] = [];
  #nextLocalId = 0;
  #presence: { draft: string; page: PageView | undefined } = { draft: '', page: undefined };
  /** CH-K1–CH-K9: the copies of the earlier conversation this session took. */
  readonly #earlier = new EarlierCopies();
  #lastRefusal: SessionView['lastRefusal'] = null;
  #relayRefusal: RelayRefusal | null = null;
  #problem: string | null = null;
  #view: SessionView | null = null;
  /** Message views kept between builds of the view (benchmark S8). */
  readonly #viewReuse = new MessageViewReuse();
  #notifyQueued = false;
  #filesQueued = false;
  readonly #timers: SessionTimers = { presence: null, unsent: null, read: null };
  #saving: Promise<void> = Promise.resolve();
  readonly #signer: MessageSigner | null;
  /** CH-V2: signed writes, one after the other, so consecutive messages keep their order. */
  #signing: Promise<void> = Promise.resolve();
  readonly #inFlight = new Set<string>();
  /** CH-V2: the id each signed message got when written, by the local id `send` returned. */
  readonly #writtenAs = new Map<string, string>();
  /** F13: ids of messages written since the attachments were last looked for; null:
   * look at every message (the session's first look). */
  #unreadForFiles: Set<string> | null = null;

  /** Loads the stored document and notes, picks the client id, starts listening. */
  static async open(options: ChatSessionOptions): Promise<ChatSession> {
    // The links first, beside the document's load (chat-links.ts, benchmark S5).
    const links = new ChatLinks(options);
    try {
      return await ChatSession.#load(options, links);
    } catch (error) {
      links.destroy();
      throw error;
    }
  }

  static async #load(options: ChatSessionOptions, links: ChatLinks): Promise<ChatSession> {
    const doc = new Y.Doc();
    const store = options.store(chatStoreName(options.chatId, options.self), doc);
    await store.whenLoaded;
    const notes = decodeNotes(await store.loadNotes().catch(() => undefined));
    const storedHistory = {
      staff: await store.loadHistory('staff').catch(() => undefined),
      visitor: await store.loadHistory('visitor').catch(() => undefined),
    };
    const signer = options.sign === true ? await loadSigner(store) : null;
    const { clientId, lock } = await chooseClientId({
      chatId: options.chatId,
      boundBefore: notes.clientIds,
      inDocument: new Set(doc.store.clients.keys()),
      locks: options.locks ?? noClientIdLocks,
      fresh: options.freshClientId ?? randomClientId,
      mayReuse: (clientId) => store.holdsAllWrittenBy(clientId),
    });
    // Set after loading: Yjs replaces the client id of a document that receives
    // structs of its own id from outside (yjs Transaction cleanup), and y-indexeddb
    // applies the stored updates as a remote transaction.
    doc.clientID = clientId;
    const files = await options.files;
    const session = new ChatSession(
      files === undefined ? options : { ...options, files },
      doc,
      store,
      notes,
      lock,
      signer,
      links,
    );
    session.#restoreHistory(storedHistory);
    return session;
  }

  private constructor(
    options: ChatSessionOptions,
    doc: Y.Doc,
    store: ChatStore,
    notes: SessionNotes,
    lock: { release(): void } | null,
    signer: MessageSigner | null,
    links: ChatLinks,
  ) {
    this.#o = options;
    this.#signer = signer;
    this.chatId = options.chatId;
    this.self = options.self;
    this.doc = doc;
    this.#store = store;
    this.#notes = notes;
    this.#lock = lock;
    const now = options.now ?? Date.now;
    this.replica = new ChatReplica({
      doc,
      self: this.self,
      // The last list we had: names and the right to write resume before the service
      // answers (or while it is down, B1); the service's next list replaces it.
      participants: notes.participants,
      former: notes.former,
      ownClientIds: notes.clientIds,
      now,
      ...(options.random ? { random: options.random } : {}),
    });
    this.#role = this.replica.role;
    if (options.staffNotesStore === true) {
      const notesStore = options.store(
        `${chatStoreName(options.chatId, options.self)}-staff-notes`,
        this.replica.notesDoc,
      );
      this.#notesStore = notesStore;
      // CH-C11: staff notes are written under the chat's client id too, and their store
      // loads after the id was chosen: one that lost a note's commit makes us move on.
      void notesStore.whenLoaded.then(() => {
        const reused = this.doc.clientID;
        if (this.#state.status !== 'destroyed' && !notesStore.holdsAllWrittenBy(reused)) {
          this.#takeFreshClientId();
        }
      });
    }
    this.#state = this.#stateFromList(notes.participants);
    this.#reads = new ReadTracker(() => this.#markReadSoon());
    this.files = new FileTransfers({
      // CH-X14: every file this chat stores or finds is claimed by it, to be freed after it ends.
      store: forChat(fileStoreOf(options.files), options.chatId),
      maxBytes: options.maxAttachmentBytes ?? LIMITS.defaultAttachmentBytes,
      // CH-X13: monitors (read-only participants) serve no file and are never asked for one.
      mayServe: () => this.#state.status !== 'read-only',
      mayAsk: (peer) => this.#notes.participants.find((p) => p.id === peer)?.role !== 'monitor',
    });
    this.#links = links;
    this.#unsubscribe.push(
      this.replica.onEvent((event) => this.#onReplica(event)),
      options.service.subscribe((event) => this.#onService(event)),
    );
    // The links are adopted at the service's first participant list (#onParticipants):
    // the replica must know whom a link goes to before it reads what came on it.
    const changed = () => this.#changed();
    // The attachments are looked for after the update's task, not inside it: a
    // receiver's ack goes out as soon as the update is applied (benchmark S5).
    const syncFiles = () => this.#syncFilesSoon();
    doc.on('update', changed);
    this.replica.notesDoc.on('update', changed);
    doc.on('update', syncFiles);
    this.#unsubscribe.push(
      () => doc.off('update', syncFiles),
      this.files.subscribe(changed),
      this.replica.chat.onMessagesWritten((ids) => {
        for (const id of ids) this.#unreadForFiles?.add(id);
        this.#noteSentDrafts(ids);
      }),
    );
    void this.files.sync(this.#attachments());
    // The view lists the others' presence only: a change of this participant's own
    // (the chat shown or not, typing) rebuilds nothing (a chat switch, benchmark S8).
    const presenceChanged = (change: { added: number[]; updated: number[]; removed: number[] }) => {
      const own = this.doc.clientID;
      const clients = [...change.added, ...change.updated, ...change.removed];
      if (this.#sentDrafts.size > 0) this.#forgetSentDrafts(clients);
      if (clients.some((client) => client !== own)) this.#changed();
    };
    this.replica.awareness.on('change', presenceChanged);
    this.#unsubscribe.push(
      () => doc.off('update', changed),
      () => this.replica.notesDoc.off('update', changed),
      () => this.replica.awareness.off('change', presenceChanged),
    );
  }

  #onLinkOpen(event: Extract<LinkManagerEvent, { type: 'link-open' }>): void {
    if (this.#state.status === 'destroyed') return;
    // A link is up: whatever the relay refused before, it relays now.
    if (this.#relayRefusal !== null) {
      this.#relayRefusal = null;
      this.#changed();
    }
    performance.mark(LINK_OPEN_MARK, { detail: { chatId: this.chatId, peer: event.peer } });
    this.replica.connect(peerChatLink(event.peer, event.link));
    this.files.connect(event.peer, event.link);
    // CH-K1: a helper who joined after a requeue gets what only the visitor holds.
    if (this.#role === 'visitor' && this.replica.holdsUnboundStructs()) {
      this.replica.sendHistory(event.peer);
    }
    // CH-K8: and a staff peer's copy first, when one is still in the chat.
    if (this.#role === 'helper' || this.#role === 'monitor') {
      this.replica.sendStaffCopy(event.peer, this.#earlier.best());
    }
  }

  get state(): SessionState {
    return this.#state;
  }

  /** The view for the UI, rebuilt lazily after changes. */
  get view(): SessionView {
    this.#view ??= this.#buildView();
    return this.#view;
  }

  /** Calls `listener` now and after every change (batched per microtask). */
  subscribe(listener: (view: SessionView) => void): () => void {
    this.#listeners.add(listener);
    listener(this.view);
    return () => this.#listeners.delete(listener);
  }

  // --- actions --------------------------------------------------------------

  /** Sends a text message. Before the client id is bound it waits, shown pending. */
  send(text: string): SendResult {
    const body = text.trim();
    if (body === '') return { ok: false, code: 'empty' };
    if (body.length > LIMITS.maxChatMessageLength) return { ok: false, code: 'message_too_long' };
    const role = this.#role;
    if (this.#state.status === 'ended' || this.#state.status === 'destroyed') {
      return { ok: false, code: 'not_writable' };
    }
    if (role === 'monitor') return { ok: false, code: 'not_writable' };
    this.#presence.draft = '';
    if (this.#state.status !== 'live') {
      const localId = `local-${this.#nextLocalId++}`;
      this.#unsent.push({ localId, body, at: (this.#o.now ?? Date.now)() });
      this.#changed();
      return { ok: true, id: localId };
    }
    if (this.#signer !== null) {
      const localId = `local-${this.#nextLocalId++}`;
      const unsent = { localId, body, at: (this.#o.now ?? Date.now)() };
      this.#unsent.push(unsent);
      this.#writeSigned(unsent);
      this.#applyPresence();
      // The view shows the line once it is written (done() in #writeSigned), so the
      // update goes on the data channel before the page renders; a signature that
      // takes long still shows it pending after UNSENT_SHOW_MS. A read of `view` has it now.
      this.#view = null;
      this.#showUnsentLater();
      return { ok: true, id: localId };
    }
    const result = this.replica.post({ kind: 'text', body }, this.#historySeq());
    this.#presenceAfterMessage();
    if (!result.ok) {
      return {
        ok: false,
        code: result.code === 'doc_too_large' ? 'doc_too_large' : 'not_writable',
      };
    }
    return { ok: true, id: result.id };
  }

  /** Writes a staff note (CHAT.md CH-N4): helpers and monitors, once their client id is bound. */
  writeNote(text: string): SendResult {
    if (text.trim() === '') return { ok: false, code: 'empty' };
    if (this.#state.status === 'ended' || this.#state.status === 'destroyed') {
      return { ok: false, code: 'not_writable' };
    }
    const result = this.replica.postNote(text);
    if (result.ok) return { ok: true, id: result.id };
    return {
      ok: false,
      code: result.code === 'message_too_long' ? 'message_too_long' : 'not_writable',
    };
  }

  /** F13: posts an attachment's metadata once its bytes are stored here to be served. */
  async attach(attachment: Attachment, bytes: Uint8Array): Promise<SendResult> {
    if (this.#state.status !== 'live') return { ok: false, code: 'not_writable' };
    await this.files.add(attachment, bytes);
    const result = this.replica.post(
      {
        kind: 'attachment',
        body: attachment.name.slice(0, LIMITS.maxChatMessageLength),
        attachment,
      },
      this.#historySeq(),
    );
    if (!result.ok) {
      return {
        ok: false,
        code: result.code === 'doc_too_large' ? 'doc_too_large' : 'not_writable',
      };
    }
    return { ok: true, id: result.id };
  }

  /** F13: the attachments of the messages written since the last call (every message's
   * at first): a long chat's change reads its new messages, not all of them (benchmark S8). */
  #attachments(): Attachment[] {
    const chat = this.replica.chat;
    const fresh = this.#unreadForFiles;
    this.#unreadForFiles = new Set();
    const messages =
      fresh === null ? chat.messages() : [...fresh].flatMap((id) => chat.message(id) ?? []);
    return messages.flatMap((m) => (m.attachment ? [m.attachment] : []));
  }

  /** The reply box changed: typing indicator, and the visitor's live draft (F10). */
  setDraft(text: string): void {
    this.#presence.draft = text.slice(0, LIMITS.maxChatMessageLength);
    this.#applyPresence();
  }

  /** The visitor opened a page of the host site (F11): noted in the chat and in presence. */
  viewPage(page: PageView): void {
    if (this.#role !== 'visitor') return;
    this.#presence.page = page;
    if (this.#state.status === 'live') this.replica.post({ kind: 'page', body: page.title, page });
    this.#applyPresence();
  }

  /** Page visibility and whether the chat is open (F9, and focus in presence). */
  setVisibility(visibility: ChatVisibility & { focused?: boolean }): void {
    this.#reads.setVisibility(visibility);
    this.#focused = visibility.focused ?? false;
    this.#applyPresence();
  }

  /** A message's element entered or left the screen (an IntersectionObserver, F9). */
  setOnScreen(messageId: string, onScreen: boolean): void {
    this.#reads.setOnScreen(messageId, onScreen);
  }

  /** Asks the service to end the chat; false while the service is unreachable. */
  end(): boolean {
    return this.#o.service.send({ type: 'end', chatId: this.chatId });
  }

  /** The one teardown path: links, replica, storage, lock, listeners. */
  async destroy(): Promise<void> {
    if (this.#state.status === 'destroyed') return;
    this.#state = { status: 'destroyed' };
    this.#clearTimer('presence');
    this.#clearTimer('unsent');
    this.#clearTimer('read');
    for (const off of this.#unsubscribe.splice(0)) off();
    this.#links.destroy();
    this.files.destroy();
    this.replica.destroy();
    await this.#saving;
    await this.#store.destroy();
    await this.#notesStore?.destroy();
    this.doc.destroy();
    this.#lock?.release();
    this.#lock = null;
    this.#listeners.clear();
  }

  // --- service --------------------------------------------------------------

  #onService(event: ServiceEvent): void {
    if (this.#state.status === 'destroyed') return;
    // ICE servers, participants and signals reach the links on their own subscription
    // (chat-links.ts); the session handles the rest.
    if (event.type === 'ice') return;
    if (event.type === 'status') {
      this.#online = event.online;
      if (!event.online) this.#bindSentFor = null;
      this.#changed();
      return;
    }
    this.#onServiceMessage(event.msg);
  }

  #onServiceMessage(msg: ServiceMessage): void {
    switch (msg.type) {
      case 'welcome':
        if ('typingPreview' in msg) this.#typingPreview = msg.typingPreview;
        // CH-X2: the admin's attachment cap, as the service says it (the default otherwise).
        this.files.setMaxBytes(
          msg.attachmentMaxBytes ?? this.#o.maxAttachmentBytes ?? LIMITS.defaultAttachmentBytes,
        );
        this.#bindSentFor = null;
        this.#bind();
        this.#bindForNotes();
        return;
      case 'participants':
        if (msg.chatId === this.chatId) this.#onParticipants(msg);
        return;
      case 'ended':
        if (msg.chatId === this.chatId) this.#end({ status: 'ended', by: msg.by, at: msg.at });
        return;
      case 'left':
        if (msg.chatId === this.chatId) {
          this.#end({ status: 'ended', by: 'helper', at: (this.#o.now ?? Date.now)() });
        }
        return;
      case 'error':
        if (msg.chatId === this.chatId && msg.ref === 'bind') this.#onBindRefused(msg.code);
        return;
      default:
        return;
    }
  }

  #onParticipants(msg: {
    chatId: string;
    self: string;
    participants: readonly Participant[];
    former?: readonly FormerParticipant[] | undefined;
  }): void {
    if (msg.self !== this.self || this.#state.status === 'ended') return;
    this.#listedByService = true;
    const former = msg.former ?? [];
    this.replica.setParticipants(msg.participants, former);
    this.#role = this.replica.role;
    if (!this.#adopted) {
      this.#adopted = true;
      this.#links.adopt({
        onOpen: (event) => this.#onLinkOpen(event),
        onRelayRefused: (error) => this.#onRelayRefused(error),
      });
    }
    const me = msg.participants.find((p) => p.id === this.self);
    const bound = me?.clientIds.filter((c) => c === this.doc.clientID) ?? [];
    this.#notes = {
      ...this.#notes,
      participants: [...msg.participants],
      former: [...former],
      clientIds: [...this.#notes.clientIds.filter((c) => !bound.includes(c)), ...bound],
    };
    this.#saveNotes();
    // CH-V3: keys arrive with the list; a list after the history may verify more of it.
    this.#verifyHistory();
    this.#state = this.#stateFromList(msg.participants);
    if (this.#state.status === 'live') {
      this.#flushUnsent();
      this.#applyPresence();
      this.#markRead();
    } else this.#bind();
    this.#bindForNotes();
    this.#changed();
  }

  /** CH-N3: a monitor writes no chat message, but its staff notes need a bound client id. */
  #bindForNotes(): void {
    if (this.#state.status !== 'read-only' || !this.#listedByService || !this.#online) return;
    const me = this.replica.bindings.participant(this.self);
    if (me === undefined || me.clientIds.has(this.doc.clientID)) return;
    if (this.#bindSentFor === this.doc.clientID) return;
    if (this.#o.service.send(this.#bindRequest())) this.#bindSentFor = this.doc.clientID;
  }

  /** SP-P2 SP-P6: a staff session binds its client id with its public signing key. */
  #bindRequest() {
    return {
      type: 'bind' as const,
      chatId: this.chatId,
      clientId: this.doc.clientID,
      ...(this.#signer !== null ? { key: this.#signer.publicKey } : {}),
    };
  }

  /** CH-C11: live once the list shows our client id bound to us; monitors never write. */
  #stateFromList(participants: readonly Pick<Participant, 'id' | 'role' | 'clientIds'>[]) {
    const me = participants.find((p) => p.id === this.self);
    if (me?.role === 'monitor') return { status: 'read-only' } as const;
    if (me?.clientIds.includes(this.doc.clientID)) return { status: 'live' } as const;
    return { status: 'binding', clientId: this.doc.clientID } as const;
  }

  #bind(): void {
    const state = this.#state;
    if (state.status !== 'binding' || !this.#listedByService || !this.#online) return;
    if (this.#bindSentFor === this.doc.clientID) return;
    if (this.#o.service.send(this.#bindRequest())) this.#bindSentFor = this.doc.clientID;
  }

  /** Writes on under a new client id, once the service binds it (CH-C11). */
  #takeFreshClientId(): void {
    const clientId = unusedClientId(
      [...this.doc.store.clients.keys(), ...this.#notes.clientIds],
      this.#o.freshClientId ?? randomClientId,
    );
    this.doc.clientID = clientId;
    this.#bindSentFor = null;
    if (this.#state.status === 'read-only') {
      // A monitor writes staff notes only, under an id bound for them (CH-N3).
      this.#bindForNotes();
    } else if (this.#state.status === 'live' || this.#state.status === 'binding') {
      this.#state = { status: 'binding', clientId };
      this.#bind();
    }
    this.#changed();
  }

  #onBindRefused(code: string): void {
    this.#o.log?.({ type: 'bind-refused', code, clientId: this.doc.clientID });
    if (code === 'client_id_taken') {
      // Someone else in the chat holds this id (a reused id raced another tab): take a
      // fresh one. Yjs continues any structs of it from where the store has them.
      this.#takeFreshClientId();
    } else if (code === 'too_many_client_ids') {
      this.#problem = PROBLEMS.too_many_client_ids;
    }
    this.#changed();
  }

  #end(state: Extract<SessionState, { status: 'ended' }>): void {
    if (this.#state.status === 'ended' || this.#state.status === 'destroyed') return;
    this.#state = state;
    this.#clearTimer('presence');
    this.replica.setPresence(null);
    this.#links.destroy();
    this.#changed();
  }

  /** B5: the TURN server refused this participant's credentials; the view says so. */
  #onRelayRefused(error: RelayError): void {
    if (this.#state.status === 'destroyed') return;
    this.#relayRefusal = relayRefusal(error, this.#links.iceServers, (this.#o.now ?? Date.now)());
    this.#changed();
  }

  // --- replica --------------------------------------------------------------

  #onReplica(event: ReplicaEvent): void {
    switch (event.type) {
      case 'refused':
        this.#lastRefusal = { peer: event.peer, code: event.code };
        this.#o.trace?.(
          `${shortId(this.chatId)} refused ${shortId(event.peer)}: ${event.code} ${event.detail}`,
        );
        // SPEC SP-P5: the service counts it and tells the monitors; it never sees the bytes.
        this.#o.service.send({
          type: 'peer_refused',
          chatId: this.chatId,
          peer: event.peer,
          code: event.code,
        });
        this.#o.log?.(event);
        break;
      case 'client-id-changed':
        this.#state = { status: 'binding', clientId: event.clientId };
        this.#bindSentFor = null;
        this.#bind();
        break;
      case 'history': {
        this.#takeHistory(event.from, { history: event.history, peer: event.peer });
        // CH-K7: kept beside the document, so a reload shows it again.
        const copy = { update: event.history.update, peer: event.peer };
        this.#saving = this.#saving
          .then(() => this.#store.saveHistory(event.from, copy))
          .catch(() => {
            // The visitor sends it again on the next link (CH-K1), staff too (CH-K8).
          });
        break;
      }
      default:
        break;
    }
    this.#changed();
  }

  #visitor() {
    return [...this.replica.bindings.participants()].find((p) => p.role === 'visitor');
  }

  #takeHistory(from: HistorySource, copy: { history: EarlierHistory; peer: string }): void {
    this.#earlier.take(from, copy);
    this.#verifyHistory();
  }

  /** CH-V3: each earlier helper line counts as its writer's only if its signature checks out
   * against the key the service bound with the line's client id (current or former). */
  #verifyHistory(): void {
    if (this.#earlier.empty) return;
    // CH-S8 CH-K6: the visitor's words are numbered after the history's; they wait for it.
    const visitor = this.#visitor();
    if (visitor !== undefined) this.replica.noteOutsideSeq(this.#earlier.topSeq(visitor));
    const writers = [...this.#notes.participants, ...this.#notes.former];
    void this.#earlier.verify(this.chatId, this.#visitor(), writers).then((current) => {
      if (current && this.#state.status !== 'destroyed') this.#changed();
    });
  }

  /** CH-K7: the copies stored by an earlier page load, decoded again as if just received (CH-K2). */
  #restoreHistory(stored: Record<HistorySource, unknown>): void {
    for (const from of ['visitor', 'staff'] as const) {
      const copy = stored[from] as { update?: unknown; peer?: unknown } | undefined;
      if (!(copy?.update instanceof Uint8Array) || typeof copy.peer !== 'string') continue;
      const decoded = decodeEarlierHistory(copy.update);
      if (decoded.ok) this.#takeHistory(from, { history: decoded.history, peer: copy.peer });
    }
  }

  /** SPEC.md SP-U10: the copies of the earlier conversation this session took, as received. */
  earlierCopies(): Uint8Array[] {
    return this.#earlier.copies();
  }

  /** CH-K6: a helper's reply sorts after the earlier conversation it answers. */
  #historySeq(): number {
    return this.#earlier.topSeq(this.#visitor());
  }

  #flushUnsent(): void {
    if (this.#signer !== null) {
      for (const unsent of this.#unsent) this.#writeSigned(unsent);
      return;
    }
    if (this.#unsent.length === 0) return;
    for (const unsent of this.#unsent.splice(0))
      this.replica.post({ kind: 'text', body: unsent.body });
    this.#presenceAfterMessage();
  }

  /** CH-V2: prepares, signs, then writes; shown pending (unsent) until written. Chained, so
   * each message's `seq` is taken after the previous one is written. */
  #writeSigned(unsent: UnsentMessage): void {
    const signer = this.#signer;
    if (signer === null || this.#inFlight.has(unsent.localId)) return;
    this.#inFlight.add(unsent.localId);
    const done = () => {
      this.#inFlight.delete(unsent.localId);
      this.#unsent = this.#unsent.filter((u) => u !== unsent);
      if (this.#unsent.length === 0) this.#clearTimer('unsent');
      this.#changed();
    };
    this.#signing = this.#signing.then(async () => {
      if (this.#state.status !== 'live') {
        // Not bound (any more): it waits for the next flush.
        this.#inFlight.delete(unsent.localId);
        return;
      }
      const prepared = this.replica.prepare(
        { kind: 'text', body: unsent.body },
        this.#historySeq(),
      );
      if (!prepared.ok) return done();
      let sig: string | undefined;
      try {
        sig = await signer.sign(this.chatId, prepared.id, prepared.entry);
      } catch {
        // Unsigned, it is still the helper's line in every live view (CH-S4); only a later
        // helper cannot verify it (CH-V3).
        sig = undefined;
      }
      if (this.#state.status !== 'live') {
        this.#inFlight.delete(unsent.localId);
        return;
      }
      const written = this.replica.postPrepared(
        prepared.id,
        sig === undefined ? prepared.entry : { ...prepared.entry, sig },
      );
      if (written.ok) this.#rememberWrittenAs(written.id, unsent.localId);
      this.#presenceAfterMessage();
      done();
    });
  }

  /** CH-V2: the local id a signed message was sent as, by its written id, for the newest
   * WRITTEN_AS_KEPT: `send`'s caller looks for it soon after (a follow-up before ending,
   * chat-end.ts), and a shift of messages does not grow the map (benchmark S8). */
  #rememberWrittenAs(id: string, localId: string): void {
    this.#writtenAs.set(id, localId);
    if (this.#writtenAs.size > WRITTEN_AS_KEPT) {
      this.#writtenAs.delete(this.#writtenAs.keys().next().value!);
    }
  }

  #focused = false;

  /** Presence (typing, draft, focus, page) goes out at most once per PRESENCE_COALESCE_MS
   * and only when it changed: a keystroke and the Send right after it put no awareness
   * frame ahead of the message, and a visitor's page is not re-rendered per keystroke. */
  #applyPresence(): void {
    if (this.#state.status !== 'live' || this.#timers.presence !== null) return;
    this.#timers.presence = setTimeout(() => {
      this.#timers.presence = null;
      this.#flushPresence();
    }, PRESENCE_COALESCE_MS);
  }

  /** CH-W7: a message was written: the presence that clears its draft follows it at once, in the
   * same task (never ahead of it), not up to PRESENCE_COALESCE_MS later; the others would
   * see the preview beside the line it became until then. */
  #presenceAfterMessage(): void {
    const sent = this.replica.awareness.getLocalState() as AwarenessState | null;
    if (sent?.typing !== true) return this.#applyPresence();
    this.#clearTimer('presence');
    this.#flushPresence();
  }

  /**
   * CH-W7: the others' draft previews that became a message of theirs, by participant id:
   * the preview whose text a line of theirs then came with must not stand beside that line
   * until their cleared presence arrives (it follows the message, in another task).
   * Forgotten as soon as their draft changes.
   */
  #sentDrafts = new Map<string, string>();

  #noteSentDrafts(ids: string[]): void {
    const drafts = this.replica.presence();
    let any = false;
    for (const state of drafts.values()) if (state.draft !== undefined) any = true;
    if (!any) return;
    const bindings = this.replica.bindings;
    for (const id of ids) {
      const message = this.replica.chat.message(id, bindings);
      // A page note or a file is not what was being typed.
      if (message?.kind !== 'text') continue;
      const author = message.author?.id;
      const draft = author === undefined ? undefined : drafts.get(author)?.draft;
      // Only the line the preview became (its text, as sent: trimmed): a page that joins
      // later gets the earlier lines after the draft, and those are not it.
      if (author !== undefined && draft !== undefined && draft.trim() === message.body) {
        this.#sentDrafts.set(author, draft);
      }
    }
  }

  #forgetSentDrafts(clients: number[]): void {
    const bindings = this.replica.bindings;
    for (const client of clients) {
      const who = bindings.author(client)?.id;
      if (who === undefined || !this.#sentDrafts.has(who)) continue;
      const state = this.replica.awareness.getStates().get(client) as AwarenessState | undefined;
      if (state?.draft !== this.#sentDrafts.get(who)) this.#sentDrafts.delete(who);
    }
  }

  /** The others' presence for the view, without the previews their messages followed. */
  #presenceView(): Map<string, AwarenessState> {
    const presence = this.replica.presence();
    if (this.#sentDrafts.size === 0) return presence;
    for (const [who, state] of presence) {
      if (state.draft === undefined || state.draft !== this.#sentDrafts.get(who)) continue;
      const { draft: _sent, ...rest } = state;
      presence.set(who, { ...rest, typing: false });
    }
    return presence;
  }

  #flushPresence(): void {
    if (this.#state.status !== 'live') return;
    const draft = this.#presence.draft;
    const state: AwarenessState = {
      typing: draft !== '',
      focus: !this.#reads.visible ? 'hidden' : this.#focused ? 'focused' : 'visible',
    };
    // F10: only the visitor's draft is previewed, and only when the service allows it.
    if (this.#role === 'visitor' && this.#typingPreview && draft !== '') state.draft = draft;
    if (this.#presence.page !== undefined) state.page = this.#presence.page;
    if (samePresence(this.replica.awareness.getLocalState(), state)) return;
    this.replica.setPresence(state);
  }

  #showUnsentLater(): void {
    this.#timers.unsent ??= setTimeout(() => {
      this.#timers.unsent = null;
      this.#changed();
    }, UNSENT_SHOW_MS);
  }

  #syncFilesSoon(): void {
    if (this.#filesQueued) return;
    this.#filesQueued = true;
    queueMicrotask(() => {
      this.#filesQueued = false;
      if (this.#state.status === 'destroyed') return;
      void this.files.sync(this.#attachments());
    });
  }

  #clearTimer(which: keyof SessionTimers): void {
    const timer = this.#timers[which];
    if (timer !== null) clearTimeout(timer);
    this.#timers[which] = null;
  }

  /** F9: one read mark for what is seen within READ_MARK_COALESCE_MS. */
  #markReadSoon(): void {
    this.#timers.read ??= setTimeout(() => {
      this.#timers.read = null;
      this.#markRead();
    }, READ_MARK_COALESCE_MS);
  }

  /** F9: moves this participant's read mark up to the last seen message of others. */
  #markRead(): void {
    if (this.#state.status !== 'live' || !this.#reads.visible) return;
    const fresh = this.#reads.takeFresh();
    if (fresh.length === 0) return;
    // Only the messages seen since the last mark are looked at (O(new), benchmark S8).
    const bindings = this.replica.bindings;
    const chat = this.replica.chat;
    const placed = (id: string) => {
      const m = chat.message(id);
      return m && { id: m.id, seq: m.seq, mine: bindings.author(m.authorClient)?.id === this.self };
    };
    const seen = fresh.map(placed).filter((m) => m !== undefined);
    const current = chat.readStates(bindings).get(this.self)?.upTo;
    const upTo = laterReadMark(seen, current === undefined ? undefined : placed(current));
    if (upTo !== null) this.replica.markRead(upTo);
  }

  // --- view -----------------------------------------------------------------

  #changed(): void {
    this.#view = null;
    if (this.#notifyQueued || this.#listeners.size === 0) return;
    this.#notifyQueued = true;
    queueMicrotask(() => {
      this.#notifyQueued = false;
      if (this.#state.status === 'destroyed') return;
      const view = this.view;
      for (const listener of [...this.#listeners]) listener(view);
    });
  }

  #buildView(): SessionView {
    const bindings = this.replica.bindings;
    const participants = new Map<string, KnownAuthor>();
    for (const p of this.#notes.participants) {
      participants.set(p.id, { id: p.id, role: p.role, name: p.name });
    }
    // SP-P4: authors and "mine" come from the service's last list, former participants
    // included, never from what this browser remembers writing with.
    const authors = new Map<number, KnownAuthor>();
    for (const p of [...this.#notes.participants, ...this.#notes.former]) {
      const author = { id: p.id, role: p.role, name: p.name };
      for (const c of p.clientIds) if (!authors.has(c)) authors.set(c, author);
    }
    const formerParticipants = new Map<string, KnownAuthor>();
    for (const p of this.#notes.former) {
      formerParticipants.set(p.id, { id: p.id, role: p.role, name: p.name });
    }
    return buildSessionView({
      formerParticipants,
      chatId: this.chatId,
      self: this.self,
      selfRole: this.#role,
      canWrite: this.#state.status === 'live' || this.#state.status === 'binding',
      connection: this.#connection(),
      messages: this.replica.chat.messages(bindings),
      entry: (id) => this.replica.chat.message(id, bindings),
      pending: this.replica.pendingIds(),
      localIds: this.#writtenAs,
      unsent: this.#unsent,
      reads: this.replica.chat.readStates(bindings),
      authors,
      participants,
      presence: this.#presenceView(),
      earlierHistory: this.#earlier.empty ? null : this.#earlier.judged(this.#visitor()),
      earlierSources: this.#earlier.sources(),
      lastRefusal: this.#lastRefusal,
      relayRefusal: this.#relayRefusal,
      problem: this.#problem,
      notes: this.replica.staffNotes.notes(),
      canWriteNotes:
        (this.#role === 'helper' || this.#role === 'monitor') &&
        bindings.author(this.doc.clientID)?.id === this.self,
      reuse: this.#viewReuse,
    });
  }

  #connection(): ConnectionView {
    const state = this.#state;
    if (state.status === 'ended') return { status: 'ended', by: state.by, at: state.at };
    const peers = this.replica.openLinks().length;
    if (peers === 0) return { status: 'connecting', serviceOnline: this.#online };
    return this.#online ? { status: 'connected', peers } : { status: 'service-offline', peers };
  }

  #saveNotes(): void {
    const encoded = encodeNotes(this.#notes);
    this.#saving = this.#saving
      .then(() => this.#store.saveNotes(encoded))
      .catch(() => {
        // Notes are a convenience (names, a reusable client id); the document is what matters.
      });
  }
}

/** CH-V1: the stored key pair, or a new one (stored); null when the platform has no signing. */
async function loadSigner(store: ChatStore): Promise<MessageSigner | null> {
  try {
    const stored = (await store.loadSigningKeys().catch(() => undefined)) as
      Partial<StoredSigningKeys> | undefined;
    if (
      (stored?.alg === 'Ed25519' || stored?.alg === 'ECDSA-P256') &&
      stored.keys?.privateKey instanceof CryptoKey &&
      stored.keys.publicKey instanceof CryptoKey
    ) {
      return await messageSigner(stored.alg, stored.keys);
    }
    const fresh = await generateSigningKeys();
    await store.saveSigningKeys(fresh).catch(() => undefined);
    return await messageSigner(fresh.alg, fresh.keys);
  } catch {
    return null;
  }
}

function randomClientId(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0]!;
}

/** Whether the awareness already holds this presence (its fields, in any order). */
function samePresence(current: unknown, next: AwarenessState): boolean {
  if (current === null || typeof current !== 'object') return false;
  const now = current as Record<string, unknown>;
  const keys = Object.keys(next) as (keyof AwarenessState)[];
  if (Object.keys(now).length !== keys.length) return false;
  return keys.every((key) => JSON.stringify(now[key]) === JSON.stringify(next[key]));
}

/** The file store `open` awaited (a promise never reaches the constructor). */
function fileStoreOf(files: ChatSessionOptions['files']): FileStore {
  return files === undefined || files instanceof Promise ? memoryFileStore() : files;
}
