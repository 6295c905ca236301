/**
 * What the UI renders of one chat (plain data, rebuilt on change): the messages
 * with their authors resolved from the service's bindings, pending flags and read
 * receipts, the others' presence (typing, draft, focus, page), the connection, and
 * the earlier conversation a visitor kept, when there is one. Built by a pure
 * function from the session's parts, so it is tested without any network.
 */
import type {
  AwarenessState,
  ChatErrorCode,
  ChatMessage,
  ChatRole,
  MessageId,
  ReadEntry,
  StaffNote,
} from '../../../protocol/index.ts';
import { readersByPlace, type Reader } from '../read-state/read-marks.ts';
import type { KnownAuthor } from './session-notes.ts';
import type { HistorySource } from './chat-replica.ts';
import type { EarlierLine } from './earlier-copies.ts';
import type { RelayRefusal } from '../peer/relay-refusal.ts';

export type AuthorView = { id: string; role: ChatRole; name: string };

export type MessageView = Omit<ChatMessage, 'author' | 'authorClient'> & {
  /** Null when nobody ever announced the writer's client id (should not happen). */
  author: AuthorView | null;
  mine: boolean;
  /** Mine and not yet held by any other visitor or helper (CHAT.md CH-C7), or not yet written. */
  pending: boolean;
  /** Who has read it and when (F9), this participant excluded. */
  readBy: readonly { participant: string; name: string; at: number }[];
  /** The id `send` returned for it, when that was a local one (a signed write, CH-V2). */
  localId?: string;
};

export type PresenceView = AuthorView & AwarenessState;

/** A staff note (CHAT.md CH-N1–CH-N8): staff only, never in the visitor's document. */
export type NoteView = {
  id: string;
  body: string;
  at: number;
  author: AuthorView | null;
  mine: boolean;
};

/** The connection as the UI words it. */
export type ConnectionView =
  /** Reading the stored transcript. */
  | { status: 'loading' }
  /** No peer linked yet (or none any more); `serviceOnline` says whether help can reach us. */
  | { status: 'connecting'; serviceOnline: boolean }
  | { status: 'connected'; peers: number }
  /** B1: the service is gone, the chat goes on peer to peer. */
  | { status: 'service-offline'; peers: number }
  | { status: 'ended'; by: 'visitor' | 'helper' | 'service'; at: number };

export type EarlierHistoryView = {
  /** Whether some helper line is only the visitor's word: no valid signature (CHAT.md CH-K3, CH-V3). */
  helperLinesUnverified: boolean;
  lines: (EarlierLine & { author: AuthorView | null; alsoInTranscript: boolean })[];
  /** CH-K9: whose copies they come from, a staff member's first; the visitor's is the fallback. */
  sources: { from: HistorySource; id: string; name: string; role: ChatRole | null }[];
};

export type SessionView = {
  chatId: string;
  self: AuthorView | null;
  /** Whether this participant may write now: visitor or helper, client id bound (CH-C11). */
  canWrite: boolean;
  connection: ConnectionView;
  messages: MessageView[];
  presence: PresenceView[];
  earlierHistory: EarlierHistoryView | null;
  /** The last refusal of a peer's bytes, for the console's diagnostics. */
  lastRefusal: { peer: string; code: ChatErrorCode } | null;
  /** B5: the TURN server refused this participant's credentials; cleared when a link opens. */
  relayRefusal: RelayRefusal | null;
  /** A problem the person should know about (client id could not be bound, …). */
  problem: string | null;
  /** Staff notes of the chat, in order; always empty for the visitor. */
  notes: NoteView[];
  /** Whether this participant may write a staff note now (staff, client id bound). */
  canWriteNotes: boolean;
  /** Room monitors watching the chat (SPEC.md SP-M2), this participant excluded; the
   * visitor's list never names them, so for the visitor this is always empty. */
  watchers: AuthorView[];
  /** The chat's helpers as the service last listed them, this participant excluded. */
  helpers: AuthorView[];
};

/** A message typed while the client id was not bound yet: shown pending, written later. */
export type UnsentMessage = { localId: string; body: string; at: number };

export type ViewParts = {
  chatId: string;
  self: string;
  selfRole: ChatRole | undefined;
  canWrite: boolean;
  connection: ConnectionView;
  messages: readonly ChatMessage[];
  pending: ReadonlySet<MessageId>;
  /** Written id → the local id `send` returned (signed writes, CH-V2). */
  localIds?: ReadonlyMap<string, string>;
  unsent: readonly UnsentMessage[];
  reads: ReadonlyMap<string, ReadEntry>;
  /** Client id → participant, from the service's list (SPEC.md SP-P1, SP-P4), former ones included. */
  authors: ReadonlyMap<number, KnownAuthor>;
  participants: ReadonlyMap<string, KnownAuthor>;
  /** Who left the chat (SP-P4), to name the sender of a stored copy (CH-K7). */
  formerParticipants?: ReadonlyMap<string, KnownAuthor>;
  presence: ReadonlyMap<string, AwarenessState>;
  earlierHistory: readonly EarlierLine[] | null;
  earlierSources: readonly { from: HistorySource; peer: string }[];
  lastRefusal: SessionView['lastRefusal'];
  relayRefusal?: RelayRefusal | null;
  problem: string | null;
  notes: readonly StaffNote[];
  canWriteNotes: boolean;
  /** The views of the previous build of the same session, reused where unchanged. */
  reuse?: MessageViewReuse;
};

/**
 * What one session's view keeps between builds (benchmark S8): the author views and the
 * message views of the last build. A message whose view would come out the same (same
 * entry, author, pending and read state) keeps its object, so a keyed list of a long chat
 * (Svelte's `each`) skips every message that did not change, and a rebuild allocates for
 * the changed ones only.
 */
export class MessageViewReuse {
  /** The last build's message views, in order. */
  messages: readonly MessageView[] = [];
  /** Per writer's client id, its author view while the service names it the same. */
  readonly authors = new Map<number, AuthorView | null>();
}

export function buildSessionView(p: ViewParts): SessionView {
  const order = new Map(p.messages.map((m, i) => [m.id, i] as const));
  // One author view per writer and one reader list per band of the read marks, shared
  // by the messages (a long chat's view is rebuilt on every change: benchmark S8).
  const reuse = p.reuse;
  const authorViews = new Map<number, AuthorView | null>();
  const author = (client: number): AuthorView | null => {
    let view = authorViews.get(client);
    if (view === undefined) {
      const known = p.authors.get(client);
      const before = reuse?.authors.get(client);
      view =
        known === undefined
          ? null
          : before != null && sameAuthor(before, known)
            ? before
            : { id: known.id, role: known.role, name: known.name };
      authorViews.set(client, view);
      reuse?.authors.set(client, view);
    }
    return view;
  };
  const nameOf = (participant: string) => p.participants.get(participant)?.name ?? participant;
  const others = new Map([...p.reads].filter(([participant]) => participant !== p.self));
  const bands = readersByPlace(
    p.messages.map((m) => m.id),
    order,
    others,
  );
  const named = new Map<readonly Reader[], MessageView['readBy']>();
  const readBy = (band: readonly Reader[]): MessageView['readBy'] => {
    let list = named.get(band);
    if (list === undefined) {
      list = Object.freeze(band.map((r) => ({ ...r, name: nameOf(r.participant) })));
      named.set(band, list);
    }
    return list;
  };
  const earlier = reuse?.messages ?? [];
  /** The previous views by id, made only when the order changed. */
  let earlierById: Map<string, MessageView> | null = null;
  const previous = (id: MessageId, i: number): MessageView | undefined => {
    const same = earlier[i];
    if (same?.id === id) return same;
    // Appended past the last build's end: new, unless the order changed before.
    if (same === undefined) return earlierById?.get(id);
    earlierById ??= new Map(earlier.map((view) => [view.id, view]));
    return earlierById.get(id);
  };
  const messages: MessageView[] = p.messages.map((source, i) => {
    const { author: _a, authorClient, ...m } = source;
    // Mine only when the service binds the writer's id to this participant (SP-P4).
    const mine = p.authors.get(authorClient)?.id === p.self;
    const localId = p.localIds?.get(m.id);
    const view = {
      author: author(authorClient),
      mine,
      pending: mine && p.pending.has(m.id),
      band: bands[i]!,
      localId,
    };
    const before = previous(m.id, i);
    if (before !== undefined && sameMessageView(before, source, view, nameOf)) return before;
    return {
      ...m,
      ...(localId === undefined ? {} : { localId }),
      author: view.author,
      mine,
      pending: view.pending,
      readBy: readBy(view.band),
    };
  });
  if (reuse) reuse.messages = messages;
  const me = p.participants.get(p.self);
  const selfView: AuthorView | null =
    me ?? (p.selfRole ? { id: p.self, role: p.selfRole, name: '' } : null);
  for (const u of p.unsent) {
    messages.push({
      id: u.localId as MessageId,
      kind: 'text',
      body: u.body,
      at: u.at,
      seq: Number.MAX_SAFE_INTEGER,
      author: selfView,
      mine: true,
      pending: true,
      readBy: [],
    });
  }
  const presence: PresenceView[] = [];
  for (const [id, state] of p.presence) {
    const who = p.participants.get(id);
    if (who) presence.push({ ...who, ...state });
  }
  const inTranscript = new Set(p.messages.map((m) => m.id));
  return {
    chatId: p.chatId,
    self: selfView,
    canWrite: p.canWrite,
    connection: p.connection,
    messages,
    presence,
    earlierHistory:
      p.earlierHistory === null
        ? null
        : {
            helperLinesUnverified: p.earlierHistory.some((l) => !l.verified),
            lines: p.earlierHistory.map((line) => ({
              ...line,
              // An unverified line names nobody: its client id is only the visitor's claim,
              // and might even be a current helper's.
              author: line.verified ? author(line.authorClient) : null,
              alsoInTranscript: inTranscript.has(line.id),
            })),
            sources: p.earlierSources.map(({ from, peer }) => {
              const who = p.participants.get(peer) ?? p.formerParticipants?.get(peer);
              return { from, id: peer, name: who?.name ?? peer, role: who?.role ?? null };
            }),
          },
    lastRefusal: p.lastRefusal,
    relayRefusal: p.relayRefusal ?? null,
    problem: p.problem,
    notes: p.notes.map((n) => ({
      id: n.id,
      body: n.body,
      at: n.at,
      author: author(n.authorClient),
      mine: p.authors.get(n.authorClient)?.id === p.self,
    })),
    canWriteNotes: p.canWriteNotes,
    watchers: [...p.participants.values()]
      .filter((w) => w.role === 'monitor' && w.id !== p.self)
      .map((w) => ({ id: w.id, role: w.role, name: w.name })),
    helpers: [...p.participants.values()]
      .filter((h) => h.role === 'helper' && h.id !== p.self)
      .map((h) => ({ id: h.id, role: h.role, name: h.name })),
  };
}

function sameAuthor(view: AuthorView, known: KnownAuthor): boolean {
  return view.id === known.id && view.role === known.role && view.name === known.name;
}

/** Fields of a message view that do not come from its entry. */
const VIEW_FIELDS = new Set(['author', 'mine', 'pending', 'readBy', 'localId']);

/** Whether `before` is what a build would make now of `source` (its entry's fields,
 * compared by identity: decoded entries are kept per Yjs item) with this author,
 * pending and read state. */
function sameMessageView(
  before: MessageView,
  source: ChatMessage,
  now: {
    author: AuthorView | null;
    mine: boolean;
    pending: boolean;
    band: readonly Reader[];
    localId: string | undefined;
  },
  nameOf: (participant: string) => string,
): boolean {
  if (
    before.author !== now.author ||
    before.mine !== now.mine ||
    before.pending !== now.pending ||
    before.localId !== now.localId ||
    before.readBy.length !== now.band.length
  ) {
    return false;
  }
  for (let i = 0; i < now.band.length; i++) {
    const was = before.readBy[i]!;
    const is = now.band[i]!;
    if (was.participant !== is.participant || was.at !== is.at) return false;
    if (was.name !== nameOf(is.participant)) return false;
  }
  let fields = 0;
  for (const key in source) {
    if (key === 'author' || key === 'authorClient') continue;
    fields++;
    if ((before as Record<string, unknown>)[key] !== (source as Record<string, unknown>)[key]) {
      return false;
    }
  }
  let kept = 0;
  for (const key in before) if (!VIEW_FIELDS.has(key)) kept++;
  return kept === fields;
}
