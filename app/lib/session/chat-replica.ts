/**
 * One participant's replica of a chat document, independent of transport
 * (protocol/CHAT.md "Replicas", CH-C1–CH-C10). It holds the Y.Doc and the awareness,
 * runs every incoming frame through the wire decoder and the permission filter,
 * answers sync step 1, broadcasts local updates (helpers also relay what they
 * accepted), and tracks which of its messages no peer has acknowledged yet.
 * A peer whose bytes are refused is dropped: its link is closed and the event
 * reported. Links come from outside (ChatLink), so a fake and WebRTC both fit.
 */
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import {
  applyReceivedUpdate,
  ChatDocument,
  decodeAwarenessUpdate,
  decodeEarlierHistory,
  DocSizeBudget,
  encodeMessage,
  encodeOwnStateAsUpdate,
  encodeWireFrames,
  decodeMessage,
  filterAwarenessUpdate,
  filterNotesUpdate,
  filterUpdate,
  LIMITS,
  ParticipantBindings,
  Reassembler,
  refuse,
  StaffNotesDocument,
  type AwarenessState,
  type BoundParticipant,
  type ChatErrorCode,
  type ChatRole,
  type EarlierHistory,
  type MessageId,
  type MessageEntry,
  type NewMessage,
  type Participant,
  type RandomBytes,
  type Refusal,
  type StaffNote,
  type WireMessage,
} from '../../../protocol/index.ts';
import type { ChatLink } from './chat-link.ts';

export type ReplicaEvent =
  | { type: 'refused'; peer: string; code: ChatErrorCode; detail: string }
  | { type: 'link-open'; peer: string }
  | { type: 'link-closed'; peer: string }
  | { type: 'pending'; ids: readonly MessageId[] }
  /** Yjs replaced doc.clientID (an update carried structs of the old one, CHAT.md
   * CH-C11): the session must bind the new id before this replica writes again. */
  | { type: 'client-id-changed'; clientId: number }
  /** A copy of the earlier conversation, decoded apart (CHAT.md CH-K1–CH-K5, CH-K8, CH-K9): the
   * visitor's, or a staff peer's (its trusted document, or a copy it holds). */
  | { type: 'history'; peer: string; from: HistorySource; history: EarlierHistory };

/** CH-K9: whose copy of the earlier conversation: the visitor's word, or a staff member's. */
export type HistorySource = 'visitor' | 'staff';

export type ReplicaParticipant = Pick<Participant, 'id' | 'role' | 'clientIds'>;

export type ChatReplicaOptions = {
  doc: Y.Doc;
  /** This participant's id in the chat. */
  self: string;
  /** The service's announcement of the chat's participants and their client ids. */
  participants: readonly ReplicaParticipant[];
  /** Who left the chat, with the client ids that stay theirs (SPEC.md SP-P4). */
  former?: readonly ReplicaParticipant[];
  now?: () => number;
  random?: RandomBytes;
  /** Client ids this participant wrote with before (earlier page loads of this chat):
   * their restored messages start pending too (CH-C7), before the service lists them. */
  ownClientIds?: readonly number[];
  /** CH-C12: how long a visitor's update that runs ahead may wait for what it answers. */
  seqHoldMs?: number;
};

/** CH-C12: at most this many updates wait per link; one more drops the peer. */
const MAX_HELD_UPDATES = 64;
const DEFAULT_SEQ_HOLD_MS = 10_000;
/** CH-K6: a history `seq` counts only this far above this document's own highest. */
const MAX_OUTSIDE_SEQ_LEAD = 100_000;

/** What the replica keeps per link; also the Yjs transaction origin of what it applied. */
class LinkState {
  readonly reassembler = new Reassembler();
  closed = false;
  /** CH-C12: updates from a visitor that ran ahead, in arrival order. */
  readonly held: { message: 'step2' | 'update'; update: Uint8Array }[] = [];
  heldTimer: ReturnType<typeof setTimeout> | null = null;
  /** Why the last held update waited (its `seq_ahead` detail), for the refusal. */
  heldWhy = '';
  /** CH-C13: frames under a client id no list names yet, in arrival order. */
  readonly unlisted: { kind: 'awareness' | 'step2' | 'update'; update: Uint8Array }[] = [];
  unlistedTimer: ReturnType<typeof setTimeout> | null = null;
  constructor(readonly link: ChatLink) {}
}

const PRESENCE_REMOVED = 'link-closed';

export class ChatReplica {
  readonly doc: Y.Doc;
  readonly chat: ChatDocument;
  /** The staff notes (CHAT.md CH-N1–CH-N8): a second document, synced between staff only. */
  readonly notesDoc = new Y.Doc();
  readonly staffNotes: StaffNotesDocument;
  readonly awareness: awarenessProtocol.Awareness;
  readonly self: string;
  readonly #now: () => number;
  readonly #budget: DocSizeBudget;
  readonly #links = new Map<string, LinkState>();
  readonly #listeners = new Set<(event: ReplicaEvent) => void>();
  /** Per client id, the highest clock some helper or visitor peer reported having. */
  readonly #acked = new Map<number, number>();
  /** CH-C7: this participant's messages no helper or visitor peer has yet. Once handed to a
   * view (pendingIds), the set is not changed any more but replaced by a changed copy: a
   * view keeps the set it was built from without a copy of its own, and a long chat whose
   * messages no peer acknowledges (2,000 ids) is held once, not once more per view (S8). */
  #pending = new Set<MessageId>();
  #pendingHandedOut = false;
  #bindings: ParticipantBindings;
  readonly #formerClientIds: ReadonlySet<number>;
  #nextMessageId = 0;
  /** CH-K6: the highest `seq` of the earlier history this replica shows, if any. */
  #outsideSeq = 0;
  readonly #seqHoldMs: number;
  #retrying = false;

  constructor(options: ChatReplicaOptions) {
    this.#seqHoldMs = options.seqHoldMs ?? DEFAULT_SEQ_HOLD_MS;
    this.doc = options.doc;
    this.self = options.self;
    this.#now = options.now ?? Date.now;
    this.#bindings = new ParticipantBindings(options.participants, options.former);
    this.#formerClientIds = new Set(options.ownClientIds ?? []);
    this.#budget = new DocSizeBudget(this.doc);
    const random = options.random;
    this.chat = new ChatDocument(
      this.doc,
      random ? { random, budget: this.#budget } : { budget: this.#budget },
    );
    this.staffNotes = new StaffNotesDocument(
      this.notesDoc,
      ...(random === undefined ? [] : [random]),
    );
    this.awareness = new awarenessProtocol.Awareness(this.doc);
    // y-protocols starts every awareness at `{}`, which is not a valid state (CH-W1):
    // a participant is absent until the UI says where it is.
    this.awareness.setLocalState(null);
    // A reloaded page may write with its earlier client id (CH-C11). Receivers ignore an
    // awareness clock at or below the last one they saw for an id, so a page's clock
    // starts at the time, above that of any earlier page.
    this.awareness.meta.set(this.awareness.clientID, {
      clock: this.#now(),
      lastUpdated: this.#now(),
    });
    this.doc.on('update', this.#onDocUpdate);
    this.notesDoc.on('update', this.#onNotesUpdate);
    this.awareness.on('update', this.#onAwarenessUpdate);
    // Messages written before a reload (restored from IndexedDB) may never have
    // reached anyone: pending until a peer's state vector shows them (CH-C7).
    const own = this.#ownClients();
    for (const m of this.chat.messages()) if (own.has(m.authorClient)) this.#pending.add(m.id);
  }

  get role(): ChatRole | undefined {
    return this.#bindings.participant(this.self)?.role;
  }

  get bindings(): ParticipantBindings {
    return this.#bindings;
  }

  onEvent(listener: (event: ReplicaEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A new participant list from the service (SP-P1). Links to peers no longer in it end. */
  setParticipants(
    participants: readonly ReplicaParticipant[],
    former: readonly ReplicaParticipant[] = [],
  ): void {
    this.#bindings = new ParticipantBindings(participants, former);
    for (const [peer, state] of this.#links) {
      if (!this.#bindings.participant(peer)) state.link.close('left');
    }
    // CH-C13: what this list binds is applied, what it binds to someone else refused;
    // frames under ids it still names for nobody wait on, until their deadline.
    for (const state of this.#links.values()) this.#judgeUnlisted(state, false);
  }

  /**
   * CH-C13: a peer sends under its new client id as soon as the service's echo of its
   * `bind` reaches it; the same list reaches this replica over the WebSocket, which the
   * data channel can beat. A frame whose foreign client ids are bound to nobody yet waits
   * for a list that binds them (at most 64 per link, 10 s after the first of them); one
   * that speaks for a client id bound to someone else is refused at once.
   */
  #mayBeUnlisted(clientIds: Iterable<number>, sender: BoundParticipant | undefined): boolean {
    if (sender === undefined) return false;
    let unlisted = false;
    for (const c of clientIds) {
      if (sender.clientIds.has(c)) continue;
      if (this.#bindings.author(c) !== undefined) return false;
      unlisted = true;
    }
    return unlisted;
  }

  #awaitList(state: LinkState, kind: 'awareness' | 'step2' | 'update', update: Uint8Array): void {
    if (state.unlisted.length >= MAX_HELD_UPDATES) {
      return this.#drop(state, refuse('foreign_struct', `${MAX_HELD_UPDATES} frames unlisted`));
    }
    state.unlisted.push({ kind, update });
    state.unlistedTimer ??= setTimeout(() => {
      state.unlistedTimer = null;
      if (!state.closed) this.#judgeUnlisted(state, true);
    }, this.#seqHoldMs);
  }

  /**
   * Judges the waiting frames in arrival order. `final` (the deadline): an id still bound
   * to nobody refuses its frame; otherwise such a frame waits on, under the running timer,
   * since a list sent before the sender's `bind` (a monitor joining) may arrive after it.
   */
  #judgeUnlisted(state: LinkState, final: boolean): void {
    if (state.unlisted.length === 0) return;
    if (final && state.unlistedTimer !== null) clearTimeout(state.unlistedTimer);
    if (final) state.unlistedTimer = null;
    for (const { kind, update } of state.unlisted.splice(0)) {
      if (state.closed) return;
      if (kind === 'awareness') this.#onAwareness(state, update, final);
      else this.#onUpdate(state, kind, update, final);
    }
    if (state.unlisted.length === 0 && state.unlistedTimer !== null) {
      clearTimeout(state.unlistedTimer);
      state.unlistedTimer = null;
    }
  }

  /** Starts syncing over a new link (CH-C1); a previous link to the same peer is replaced. */
  connect(link: ChatLink): void {
    this.#links.get(link.peer)?.link.close('replaced');
    const state = new LinkState(link);
    this.#links.set(link.peer, state);
    link.onFrame((frame) => this.#onFrame(state, frame));
    link.onClose(() => this.#onClosed(state));
    this.#emit({ type: 'link-open', peer: link.peer });
    this.#send(state, { type: 'sync-step1', stateVector: Y.encodeStateVector(this.doc) });
    const local = this.awareness.getLocalState();
    if (local !== null && this.#maySend()) {
      const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, [
        this.awareness.clientID,
      ]);
      this.#send(state, { type: 'awareness', update });
    }
    // CH-N2: the notes sync only where both ends are staff.
    if (this.#staffLink(state)) {
      this.#send(state, {
        type: 'notes-step1',
        stateVector: Y.encodeStateVector(this.notesDoc),
      });
    }
    // CH-W5: a monitor linking to a helper sees the visitor's presence as it is now.
    const peerRole = this.#bindings.participant(link.peer)?.role;
    if (this.role === 'helper' && peerRole === 'monitor') {
      const visitor = this.#visitorClients().filter((c) => this.awareness.states.has(c));
      if (visitor.length > 0) {
        const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, visitor);
        this.#send(state, { type: 'awareness', update });
      }
    }
  }

  /** CH-N4: writes a staff note, as a helper or monitor whose client id is bound (CH-C11). */
  postNote(body: string): { ok: true; id: MessageId } | Refusal {
    const role = this.role;
    if (role !== 'helper' && role !== 'monitor') {
      return refuse('not_writable', `${role ?? 'unknown'} participant`);
    }
    if (this.#bindings.author(this.doc.clientID)?.id !== this.self) {
      return refuse('not_writable', 'client id not bound yet');
    }
    // CH-N3: notes are written under the chat document's bound client id.
    this.notesDoc.clientID = this.doc.clientID;
    return this.staffNotes.post(body, this.#now());
  }

  /** The staff notes with their authors' participant ids, in order. */
  notes(): (StaffNote & { author: string | null })[] {
    return this.staffNotes
      .notes()
      .map((n) => ({ ...n, author: this.#bindings.author(n.authorClient)?.id ?? null }));
  }

  /** Writes a message (CH-C7: pending until a peer acknowledges it). */
  post(message: NewMessage, seenSeq = 0): { ok: true; id: MessageId } | Refusal {
    if (!this.#mayWrite()) return refuse('not_writable', `${this.role ?? 'unknown'} participant`);
    const result = this.chat.postMessage(
      message,
      this.#now(),
      Math.max(seenSeq, this.highestSeq()),
    );
    if (result.ok) {
      this.#pendingToChange().add(result.id);
      this.#emitPending();
      this.#retryHeld();
    }
    return result;
  }

  /** CH-V2: the id and entry of a message to sign before writing it with postPrepared. */
  prepare(
    message: NewMessage,
    seenSeq = 0,
  ): { ok: true; id: MessageId; entry: MessageEntry } | Refusal {
    if (!this.#mayWrite()) return refuse('not_writable', `${this.role ?? 'unknown'} participant`);
    return this.chat.prepareMessage(message, this.#now(), Math.max(seenSeq, this.highestSeq()));
  }

  /** Writes a prepared (signed) message (CH-C7: pending until a peer acknowledges it). */
  postPrepared(id: MessageId, entry: MessageEntry): { ok: true; id: MessageId } | Refusal {
    if (!this.#mayWrite()) return refuse('not_writable', `${this.role ?? 'unknown'} participant`);
    const result = this.chat.writePrepared(id, entry);
    if (result.ok) {
      this.#pendingToChange().add(result.id);
      this.#emitPending();
      this.#retryHeld();
    }
    return result;
  }

  /** Records that this participant has seen everything up to `upTo` (F9). */
  markRead(upTo: MessageId): { ok: true } | Refusal {
    if (!this.#mayWrite()) return refuse('not_writable', `${this.role ?? 'unknown'} participant`);
    this.chat.markRead(this.self, upTo, this.#now());
    return { ok: true };
  }

  /** Sets this participant's presence (draft, typing, focus, page); null: absent. */
  setPresence(state: AwarenessState | null): void {
    if (this.role === 'monitor') return;
    this.awareness.setLocalState(state);
  }

  /** Presence of the other participants, by participant id. */
  presence(): Map<string, AwarenessState> {
    const out = new Map<string, AwarenessState>();
    for (const [client, state] of this.awareness.getStates()) {
      const who = this.#bindings.author(client);
      if (who && who.id !== this.self && state) out.set(who.id, state as AwarenessState);
    }
    return out;
  }

  /** This participant's messages that no helper or visitor peer has yet (CH-C7). */
  pending(): MessageId[] {
    return [...this.#pending];
  }

  /** The same as a set, for a view to keep: never changed after it is handed out. */
  pendingIds(): ReadonlySet<MessageId> {
    this.#pendingHandedOut = true;
    return this.#pending;
  }

  /** The pending set to change: a copy when the current one was handed out. */
  #pendingToChange(): Set<MessageId> {
    if (this.#pendingHandedOut) {
      this.#pending = new Set(this.#pending);
      this.#pendingHandedOut = false;
    }
    return this.#pending;
  }

  /**
   * CH-K1: whether this document holds structs of client ids nobody in the chat is bound
   * to now (helpers who left before a requeue). A new helper cannot get those through
   * the trusted sync, so the visitor offers its earlier history.
   */
  holdsUnboundStructs(): boolean {
    for (const [client, structs] of this.doc.store.clients) {
      const author = this.#bindings.author(client);
      if (
        structs.length > 0 &&
        (author === undefined || author.left) &&
        !this.#ownClients().has(client)
      ) {
        return true;
      }
    }
    return false;
  }

  /** CH-K1: a visitor sends its whole document, as history, to one helper's open link. */
  sendHistory(peer: string): boolean {
    const state = this.#links.get(peer);
    if (this.role !== 'visitor' || state === undefined) return false;
    if (this.#bindings.participant(peer)?.role !== 'helper') return false;
    this.#send(state, { type: 'history', update: Y.encodeStateAsUpdate(this.doc) });
    return true;
  }

  /**
   * CH-K8: a staff peer hands another staff peer who may take it (CH-K4) its copy of the
   * earlier conversation: its own document when that holds structs of client ids nobody
   * in the chat is bound to now (a trusted copy: every struct passed this replica's
   * filter, CH-A1–CH-A9), otherwise `held`, the copy it was given, as received.
   */
  sendStaffCopy(peer: string, held: Uint8Array | null): boolean {
    const state = this.#links.get(peer);
    if (state === undefined || !this.#staffLink(state)) return false;
    if (!mayTakeHistory(this.#bindings.participant(peer)?.role, this.role)) return false;
    const update = this.holdsUnboundStructs() ? Y.encodeStateAsUpdate(this.doc) : held;
    if (update === null) return false;
    this.#send(state, { type: 'history', update });
    return true;
  }

  openLinks(): string[] {
    return [...this.#links.keys()];
  }

  destroy(): void {
    for (const state of [...this.#links.values()]) {
      state.link.close('left');
      this.#onClosed(state);
    }
    this.doc.off('update', this.#onDocUpdate);
    this.notesDoc.off('update', this.#onNotesUpdate);
    this.notesDoc.destroy();
    this.awareness.off('update', this.#onAwarenessUpdate);
    this.awareness.destroy();
    this.#budget.destroy();
  }

  // --- incoming -------------------------------------------------------------

  #onFrame(state: LinkState, frame: Uint8Array): void {
    if (state.closed) return;
    const assembled = state.reassembler.push(frame);
    if (!assembled.ok) return this.#drop(state, assembled);
    if (assembled.message === null) return;
    const decoded = decodeMessage(assembled.message);
    if (!decoded.ok) return this.#drop(state, decoded);
    const sender = this.#bindings.participant(state.link.peer);
    if (sender === undefined) {
      return this.#drop(state, refuse('unknown_sender', `${state.link.peer} is not a participant`));
    }
    const message = decoded.message;
    switch (message.type) {
      case 'sync-step1':
        return this.#onStep1(state, sender.role, message.stateVector);
      case 'sync-step2':
      case 'sync-update':
        return this.#onUpdate(
          state,
          message.type === 'sync-step2' ? 'step2' : 'update',
          message.update,
        );
      case 'awareness':
        return this.#onAwareness(state, message.update);
      case 'history':
        return this.#onHistory(state, sender.role, message.update);
      case 'notes-step1':
      case 'notes-step2':
      case 'notes-update':
        return this.#onNotes(state, message);
      case 'ack': {
        // Monitors send nothing but step 1 (CH-C8).
        if (sender.role === 'monitor')
          return this.#drop(state, refuse('read_only', 'ack from a monitor'));
        const sv = decodeStateVector(message.stateVector);
        if (!sv.ok) return this.#drop(state, sv);
        return this.#recordAck(sv.value);
      }
    }
  }

  #onStep1(state: LinkState, peerRole: ChatRole, encoded: Uint8Array): void {
    const sv = decodeStateVector(encoded);
    if (!sv.ok) return this.#drop(state, sv);
    if (peerRole !== 'monitor') this.#recordAck(sv.value);
    const role = this.role;
    if (role === 'monitor' || role === undefined) return;
    // CH-C4: a visitor answers with its own structs only; a helper with everything.
    const update =
      role === 'visitor'
        ? encodeOwnStateAsUpdate(this.doc, this.#ownClients(), sv.value)
        : Y.encodeStateAsUpdate(this.doc, encoded);
    this.#send(state, { type: 'sync-step2', update });
  }

  /** `listed`: judged by the list that came after it waited (CH-C13). */
  #onUpdate(
    state: LinkState,
    message: 'step2' | 'update',
    update: Uint8Array,
    listed = false,
  ): void {
    // CH-C12: a later update may be what a held one waits for (a sync reply that crossed
    // a new write on a fresh link), so each is tried on its own; Yjs itself waits for
    // missing structs.
    const outcome = this.#tryApply(state, message, update, listed);
    if (outcome === 'ahead') this.#hold(state, message, update);
    else if (outcome === 'unlisted') this.#awaitList(state, message, update);
    else if (outcome === 'applied') this.#retryHeld();
  }

  /** Filters and applies one update; 'ahead' when a visitor's `seq` runs ahead (CH-S8). */
  #tryApply(
    state: LinkState,
    message: 'step2' | 'update',
    update: Uint8Array,
    listed = false,
  ): 'applied' | 'ahead' | 'unlisted' | 'dropped' {
    const sender = this.#bindings.participant(state.link.peer);
    const verdict = filterUpdate(update, {
      sender,
      bindings: this.#bindings,
      message,
      seqBound: { highest: this.highestSeq(), deleted: this.chat.deletedMessages() },
    });
    if (!verdict.ok && verdict.code === 'seq_ahead') {
      state.heldWhy = verdict.detail;
      return 'ahead';
    }
    if (
      !verdict.ok &&
      verdict.code === 'foreign_struct' &&
      !listed &&
      this.#mayBeUnlisted(Y.parseUpdateMeta(update).from.keys(), sender)
    ) {
      return 'unlisted';
    }
    if (!verdict.ok) {
      this.#drop(state, verdict);
      return 'dropped';
    }
    if (!this.#budget.admits(update.length)) {
      this.#drop(state, refuse('doc_too_large', `${update.length} more bytes`));
      return 'dropped';
    }
    const clientId = this.doc.clientID;
    try {
      applyReceivedUpdate(this.doc, update, state, this.#relays(state));
    } catch (error) {
      this.#drop(
        state,
        refuse('apply_failed', error instanceof Error ? error.message : 'apply threw'),
      );
      return 'dropped';
    }
    if (this.doc.clientID !== clientId) {
      this.#emit({ type: 'client-id-changed', clientId: this.doc.clientID });
    }
    if (this.#maySend() && !state.closed) {
      this.#send(state, { type: 'ack', stateVector: Y.encodeStateVector(this.doc) });
    }
    return 'applied';
  }

  /** The highest `seq` this replica holds: its document's, and the earlier history's (CH-K6). */
  highestSeq(): number {
    const own = this.chat.highestSeq();
    return Math.max(own, Math.min(this.#outsideSeq, own + MAX_OUTSIDE_SEQ_LEAD));
  }

  /** CH-K6 CH-C12: the earlier history shown beside the document reaches this `seq`. */
  noteOutsideSeq(seq: number): void {
    if (seq <= this.#outsideSeq) return;
    this.#outsideSeq = seq;
    this.#retryHeld();
  }

  /** CH-C12: a visitor's update ahead of this replica waits, bounded in count and time. */
  #hold(state: LinkState, message: 'step2' | 'update', update: Uint8Array): void {
    if (state.held.length >= MAX_HELD_UPDATES) {
      return this.#drop(state, refuse('seq_ahead', `${MAX_HELD_UPDATES} updates waiting`));
    }
    state.held.push({ message, update });
    state.heldTimer ??= setTimeout(() => {
      state.heldTimer = null;
      if (state.held.length > 0 && !state.closed) {
        const why = `waited ${this.#seqHoldMs} ms for earlier messages (${state.heldWhy})`;
        this.#drop(state, refuse('seq_ahead', why));
      }
    }, this.#seqHoldMs);
  }

  /** CH-C12: applies held updates whose turn has come, until none moves. */
  #retryHeld(): void {
    if (this.#retrying) return;
    this.#retrying = true;
    try {
      let moved = true;
      while (moved) {
        moved = false;
        for (const state of [...this.#links.values()]) {
          for (const held of [...state.held]) {
            if (state.closed) break;
            if (this.#tryApply(state, held.message, held.update) === 'ahead') continue;
            state.held.splice(state.held.indexOf(held), 1);
            moved = true;
          }
          if (state.held.length === 0 && state.heldTimer !== null) {
            clearTimeout(state.heldTimer);
            state.heldTimer = null;
          }
        }
      }
    } finally {
      this.#retrying = false;
    }
  }

  /** `listed`: judged by the list that came after it waited (CH-C13). */
  #onAwareness(state: LinkState, update: Uint8Array, listed = false): void {
    const sender = this.#bindings.participant(state.link.peer);
    // CH-W5: a monitor takes the visitor's states from a helper, who relays them.
    const relayed =
      this.role === 'monitor' && sender?.role === 'helper' ? this.#visitor() : undefined;
    const verdict = filterAwarenessUpdate(update, sender, relayed);
    if (!verdict.ok && verdict.code === 'foreign_awareness' && !listed) {
      const entries = decodeAwarenessUpdate(update);
      const others = entries.ok
        ? entries.entries.map((e) => e.clientId).filter((c) => !relayed?.clientIds.has(c))
        : [];
      if (this.#mayBeUnlisted(others, sender)) return this.#awaitList(state, 'awareness', update);
    }
    if (!verdict.ok) return this.#drop(state, verdict);
    try {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, update, state);
    } catch (error) {
      return this.#drop(
        state,
        refuse('bad_awareness', error instanceof Error ? error.message : 'apply threw'),
      );
    }
    if (this.role === 'helper' && sender?.role === 'visitor') this.#toMonitors(update);
  }

  /** CH-N2, CH-N5–CH-N7: the staff notes sync; never with the visitor, either way. */
  #onNotes(
    state: LinkState,
    message: Extract<WireMessage, { type: 'notes-step1' | 'notes-step2' | 'notes-update' }>,
  ): void {
    if (!this.#staffLink(state)) {
      return this.#drop(state, refuse('unknown_message', 'staff notes on a link to the visitor'));
    }
    if (message.type === 'notes-step1') {
      const sv = decodeStateVector(message.stateVector);
      if (!sv.ok) return this.#drop(state, sv);
      // A monitor answers with its own notes only: helpers take nothing else from it (CH-N6).
      const update =
        this.role === 'monitor'
          ? encodeOwnStateAsUpdate(this.notesDoc, this.#ownClients(), sv.value)
          : Y.encodeStateAsUpdate(this.notesDoc, message.stateVector);
      return this.#send(state, { type: 'notes-step2', update });
    }
    const sender = this.#bindings.participant(state.link.peer);
    const verdict = filterNotesUpdate(message.update, sender, this.#bindings);
    if (!verdict.ok) return this.#drop(state, verdict);
    try {
      Y.applyUpdate(this.notesDoc, message.update, state);
    } catch (error) {
      this.#drop(
        state,
        refuse('apply_failed', error instanceof Error ? error.message : 'apply threw'),
      );
    }
  }

  /** CH-K2, CH-K4: a helper takes history from the visitor or staff, a monitor from a helper;
   * never into this doc. */
  #onHistory(state: LinkState, senderRole: ChatRole, update: Uint8Array): void {
    if (!mayTakeHistory(this.role, senderRole)) {
      return this.#drop(
        state,
        refuse('unknown_message', `history from a ${senderRole} to a ${this.role ?? 'stranger'}`),
      );
    }
    const decoded = decodeEarlierHistory(update);
    if (!decoded.ok) return this.#drop(state, decoded);
    this.#emit({
      type: 'history',
      peer: state.link.peer,
      from: senderRole === 'visitor' ? 'visitor' : 'staff',
      history: decoded.history,
    });
  }

  #recordAck(sv: Map<number, number>): void {
    for (const [client, clock] of sv) {
      if ((this.#acked.get(client) ?? 0) < clock) this.#acked.set(client, clock);
    }
    const held: MessageId[] = [];
    for (const id of this.#pending) {
      const struct = this.chat.messageStruct(id);
      if (struct === undefined || (this.#acked.get(struct.client) ?? 0) > struct.clock) {
        held.push(id);
      }
    }
    if (held.length === 0) return;
    const pending = this.#pendingToChange();
    for (const id of held) pending.delete(id);
    this.#emitPending();
  }

  // --- outgoing -------------------------------------------------------------

  /** CH-C5: whether what `from` sends is relayed, to this helper's other links. */
  #relays(from: LinkState): boolean {
    if (!this.#maySend() || this.role !== 'helper') return false;
    for (const state of this.#links.values()) if (state !== from && !state.closed) return true;
    return false;
  }

  readonly #onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (!this.#maySend()) return;
    if (origin instanceof LinkState) {
      // CH-C5: helpers relay what they accepted (a monitor has no link to the
      // visitor); visitors send only their own writes.
      if (this.role !== 'helper') return;
      for (const state of this.#links.values()) {
        if (state !== origin) this.#send(state, { type: 'sync-update', update });
      }
      return;
    }
    for (const state of this.#links.values()) this.#send(state, { type: 'sync-update', update });
  };

  /** CH-N2, CH-N8: notes go to staff links only; helpers relay what they accepted. */
  readonly #onNotesUpdate = (update: Uint8Array, origin: unknown): void => {
    const role = this.role;
    if (role !== 'helper' && role !== 'monitor') return;
    // Own notes (no origin) go out; helpers also relay what they accepted. What the
    // store loads goes by the sync (notes-step1), so a monitor never resends others'.
    const relayed = origin instanceof LinkState;
    if (!(origin === null || (relayed && role === 'helper'))) return;
    for (const state of this.#links.values()) {
      if (state !== origin && this.#staffLink(state)) {
        this.#send(state, { type: 'notes-update', update });
      }
    }
  };

  readonly #onAwarenessUpdate = (
    changes: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    if (origin !== 'local' || !this.#maySend()) return;
    // The awareness keeps the client id the document had when it was made, also after
    // Yjs replaced doc.clientID (CH-C11); that id stays bound.
    const mine = [...changes.added, ...changes.updated, ...changes.removed].filter(
      (c) => c === this.awareness.clientID,
    );
    if (mine.length === 0) return;
    const update = awarenessProtocol.encodeAwarenessUpdate(this.awareness, mine);
    for (const state of this.#links.values()) this.#send(state, { type: 'awareness', update });
  };

  #send(state: LinkState, message: WireMessage): void {
    if (state.closed) return;
    const id = this.#nextMessageId;
    this.#nextMessageId = (this.#nextMessageId + 1) % 0x1_0000_0000;
    for (const frame of encodeWireFrames(id, encodeMessage(message))) {
      if (state.closed) return;
      state.link.send(frame);
    }
  }

  // --- teardown -------------------------------------------------------------

  /** CH-C9: refused bytes end the link; the reason is reported, never thrown. */
  #drop(state: LinkState, refusal: Refusal): void {
    this.#emit({
      type: 'refused',
      peer: state.link.peer,
      code: refusal.code,
      detail: refusal.detail,
    });
    state.link.close(refusal.code);
    this.#onClosed(state);
  }

  #onClosed(state: LinkState): void {
    if (state.closed) return;
    state.closed = true;
    state.held.length = 0;
    if (state.heldTimer !== null) clearTimeout(state.heldTimer);
    state.heldTimer = null;
    state.unlisted.length = 0;
    if (state.unlistedTimer !== null) clearTimeout(state.unlistedTimer);
    state.unlistedTimer = null;
    if (this.#links.get(state.link.peer) === state) this.#links.delete(state.link.peer);
    const peer = this.#bindings.participant(state.link.peer);
    // A monitor's view of the visitor came through helpers (CH-W5): it goes with them.
    const relayed = this.role === 'monitor' ? this.#visitorClients() : [];
    const present = [...(peer?.clientIds ?? []), ...relayed].filter((c) =>
      this.awareness.states.has(c),
    );
    if (present.length > 0) {
      awarenessProtocol.removeAwarenessStates(this.awareness, present, PRESENCE_REMOVED);
      if (this.role === 'helper' && peer?.role === 'visitor') {
        this.#toMonitors(awarenessProtocol.encodeAwarenessUpdate(this.awareness, present));
      }
    }
    this.#emit({ type: 'link-closed', peer: state.link.peer });
  }

  // --- helpers --------------------------------------------------------------

  #ownClients(): Set<number> {
    const own = new Set(this.#bindings.participant(this.self)?.clientIds ?? []);
    for (const c of this.#formerClientIds) own.add(c);
    own.add(this.doc.clientID);
    return own;
  }

  #visitor() {
    for (const p of this.#bindings.participants()) if (p.role === 'visitor') return p;
    return undefined;
  }

  #visitorClients(): number[] {
    return [...(this.#visitor()?.clientIds ?? [])];
  }

  /** CH-W5: the visitor's presence, relayed by a helper to the monitors it links to. */
  #toMonitors(update: Uint8Array): void {
    for (const state of this.#links.values()) {
      if (this.#bindings.participant(state.link.peer)?.role === 'monitor') {
        this.#send(state, { type: 'awareness', update });
      }
    }
  }

  /** CH-N2: a link whose two ends are both staff (helper or monitor). */
  #staffLink(state: LinkState): boolean {
    const mine = this.role;
    const theirs = this.#bindings.participant(state.link.peer)?.role;
    return (
      (mine === 'helper' || mine === 'monitor') && (theirs === 'helper' || theirs === 'monitor')
    );
  }

  #mayWrite(): boolean {
    const role = this.role;
    return role === 'visitor' || role === 'helper';
  }

  /** Monitors send nothing but sync step 1 (CH-C8). */
  #maySend(): boolean {
    return this.#mayWrite();
  }

  #emitPending(): void {
    this.#emit({ type: 'pending', ids: this.pending() });
  }

  #emit(event: ReplicaEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

/** CH-K4: who takes a `history` from whom: a helper from the visitor, a helper or a monitor
 * (CH-K8); a monitor from a helper only (it has no link to the visitor, SPEC.md SP-M2). */
function mayTakeHistory(receiver: ChatRole | undefined, sender: ChatRole | undefined): boolean {
  if (receiver === 'helper')
    return sender === 'visitor' || sender === 'helper' || sender === 'monitor';
  if (receiver === 'monitor') return sender === 'helper';
  return false;
}

/** A peer's state vector, decoded without trusting it (CH-C3). */
function decodeStateVector(bytes: Uint8Array): { ok: true; value: Map<number, number> } | Refusal {
  if (bytes.length > LIMITS.maxChatFrameBytes) {
    return refuse('bad_state_vector', `${bytes.length} bytes`);
  }
  try {
    return { ok: true, value: Y.decodeStateVector(bytes) };
  } catch (error) {
    return refuse('bad_state_vector', error instanceof Error ? error.message : 'undecodable');
  }
}
