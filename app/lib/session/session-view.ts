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
import { messageViews, type MessageSummary, type MessageViewReuse } from './message-views.ts';
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
  /** Every message's view (unsent ones last), made when first read: the widget's and
   * the archive's. The console reads a window (`messagesBetween`) and the summary, so
   * a long chat it does not show holds no view per message (benchmark S8). */
  readonly messages: MessageView[];
  /** How many messages `messages` holds. */
  messageCount: number;
  /** The views of messages `from` up to `to` (excluded; the end when left out). */
  messagesBetween: (from: number, to?: number) => MessageView[];
  /** What lists and counts read of the messages (chat list, unread, chat end). */
  messageSummary: MessageSummary;
  /** The messages' distinct authors. */
  writers: readonly AuthorView[];
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
  /** A message's current entry by id: given, the view keeps the ids only and reads
   * the entries of the messages it makes views of again (message-views.ts). */
  entry?: (id: MessageId) => ChatMessage | undefined;
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

export { MessageViewReuse, type MessageSummary } from './message-views.ts';

export function buildSessionView(p: ViewParts): SessionView {
  // The closures made here live as long as the view: none may refer to `p`, whose
  // `messages` (every entry decoded for this build) would then live with it (S8).
  const { reuse, authors, participants, self } = p;
  // One author view per writer, kept while the service names it the same.
  const authorViews = new Map<number, AuthorView | null>();
  const author = (client: number): AuthorView | null => {
    let view = authorViews.get(client);
    if (view === undefined) {
      const known = authors.get(client);
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
  const nameOf = (participant: string) => participants.get(participant)?.name ?? participant;
  const me = p.participants.get(p.self);
  const selfView: AuthorView | null =
    me ?? (p.selfRole ? { id: p.self, role: p.selfRole, name: '' } : null);
  const unsent: MessageView[] = p.unsent.map((u) => ({
    id: u.localId as MessageId,
    kind: 'text',
    body: u.body,
    at: u.at,
    seq: Number.MAX_SAFE_INTEGER,
    author: selfView,
    mine: true,
    pending: true,
    readBy: [],
  }));
  const views = messageViews({
    self: p.self,
    messages: p.messages,
    ...(p.entry ? { entry: p.entry } : {}),
    pending: p.pending,
    ...(p.localIds ? { localIds: p.localIds } : {}),
    marks: new Map([...p.reads].filter(([participant]) => participant !== self)),
    author,
    mineClient: (client) => authors.get(client)?.id === self,
    nameOf,
    unsent,
    ...(reuse ? { reuse } : {}),
  });
  const presence: PresenceView[] = [];
  for (const [id, state] of p.presence) {
    const who = p.participants.get(id);
    if (who) presence.push({ ...who, ...state });
  }
  return {
    chatId: p.chatId,
    self: selfView,
    canWrite: p.canWrite,
    connection: p.connection,
    get messages() {
      return views.all();
    },
    messageCount: views.count,
    messagesBetween: views.between,
    messageSummary: views.summary,
    writers: views.writers,
    presence,
    earlierHistory: earlierView(p, author),
    lastRefusal: p.lastRefusal,
    relayRefusal: p.relayRefusal ?? null,
    problem: p.problem,
    notes: p.notes.map((n) => ({
      id: n.id,
      body: n.body,
      at: n.at,
      author: author(n.authorClient),
      mine: authors.get(n.authorClient)?.id === self,
    })),
    canWriteNotes: p.canWriteNotes,
    watchers: [...p.participants.values()]
      .filter((w) => w.role === 'monitor' && w.id !== self)
      .map((w) => ({ id: w.id, role: w.role, name: w.name })),
    helpers: [...p.participants.values()]
      .filter((h) => h.role === 'helper' && h.id !== self)
      .map((h) => ({ id: h.id, role: h.role, name: h.name })),
  };
}

function sameAuthor(view: AuthorView, known: KnownAuthor): boolean {
  return view.id === known.id && view.role === known.role && view.name === known.name;
}

/** The earlier conversation a visitor kept (CH-K3, CH-K9), its lines judged. */
function earlierView(
  p: ViewParts,
  author: (client: number) => AuthorView | null,
): EarlierHistoryView | null {
  if (p.earlierHistory === null) return null;
  const inTranscript = new Set(p.messages.map((m) => m.id));
  return {
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
  };
}
