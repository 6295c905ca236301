/**
 * The messages of a session's view, built on demand (benchmark S8). A console holds
 * every chat's view while it shows one chat, and that one renders a window of its
 * newest messages (app/lib/ui/log-window.ts): a view object per message of every chat
 * was most of what the page held beyond the documents. So a build keeps the messages'
 * ids in conversation order and what lists and counts need (MessageSummary), and a
 * message's view is made when something reads it: `between(from, to)` for a window,
 * `all()` for the widget and the archive (short chats, or once).
 */
import type { ChatMessage, MessageId, ReadEntry } from '../../../protocol/index.ts';
import type { Reader } from '../read-state/read-marks.ts';
import type { AuthorView, MessageView } from './session-view.ts';

/** What the console's lists and counts read of a chat's messages, without their views. */
export type MessageSummary = {
  /** Text and page messages written by someone else (unread counts). */
  fromOthers: number;
  /** When the visitor wrote the oldest of their messages no helper has answered yet;
   * null when the last word is a helper's or nobody wrote. Page views and system
   * notices neither start nor end the wait. */
  visitorWaitingSince: number | null;
  /** When the visitor last wrote a text message; null when they have not. */
  visitorLastTextAt: number | null;
  /** The newest message (an unsent one included) is this participant's. */
  newestMine: boolean;
};

/**
 * What one session keeps between builds of its view: the author views, and the message
 * views made from the last builds that were read. A message whose view would come out
 * the same (same entry, author, pending and read state) keeps its object, so a keyed
 * list (Svelte's `each`) skips every message that did not change.
 */
export class MessageViewReuse {
  /** Per writer's client id, its author view while the service names it the same. */
  readonly authors = new Map<number, AuthorView | null>();
  /** The message views made since the latest build (by any build: a view may be read
   * after a newer one was built), by message id. */
  current = new Map<string, MessageView>();
  /** Those made in the generation before: what the latest build had not read yet. */
  previous = new Map<string, MessageView>();

  /** A new build: what was made so far is what the next views compare with. */
  nextBuild(): void {
    if (this.current.size === 0) return;
    this.previous = this.current;
    this.current = new Map();
  }

  made(id: string): MessageView | undefined {
    return this.current.get(id) ?? this.previous.get(id);
  }
}

/** What a build knows of every message, to make any one's view later. */
export type MessageSource = {
  self: string;
  /** The messages in conversation order, read once by the build. */
  messages: readonly ChatMessage[];
  /** The current entry of a message by id. Given, the view keeps only the ids and
   * reads the entries again for the messages read (a long chat's entries are not held
   * twice); missing, it keeps `messages`. */
  entry?: (id: MessageId) => ChatMessage | undefined;
  pending: ReadonlySet<MessageId>;
  localIds?: ReadonlyMap<string, string>;
  /** Others' read marks (this participant's left out). */
  marks: ReadonlyMap<string, ReadEntry>;
  author: (client: number) => AuthorView | null;
  mineClient: (client: number) => boolean;
  nameOf: (participant: string) => string;
  /** Views of messages not written yet, after the others. */
  unsent: readonly MessageView[];
  reuse?: MessageViewReuse;
};

export type MessageViews = {
  count: number;
  summary: MessageSummary;
  /** The distinct authors of the messages. */
  writers: readonly AuthorView[];
  /** Views of messages `from` up to `to` (excluded), in order. */
  between(from: number, to?: number): MessageView[];
  /** Every message's view, made once per build. */
  all(): MessageView[];
};

export function messageViews(s: MessageSource): MessageViews {
  const sourceCount = s.messages.length;
  const ids: MessageId[] = new Array<MessageId>(sourceCount);
  /** Each mark's place among the messages, with the reader's rank among the marks. */
  const placed: { upTo: number; rank: number; reader: Reader }[] = [];
  const markPlace = new Map<MessageId, { rank: number; participant: string; at: number }[]>();
  let rank = 0;
  for (const [participant, mark] of s.marks) {
    const list = markPlace.get(mark.upTo) ?? [];
    list.push({ rank: rank++, participant, at: mark.at });
    markPlace.set(mark.upTo, list);
  }
  const summary = emptySummary();
  const writers = new Set<AuthorView>();
  for (let i = 0; i < sourceCount; i++) {
    const m = s.messages[i]!;
    ids[i] = m.id;
    const author = s.author(m.authorClient);
    if (author !== null) writers.add(author);
    const marks = markPlace.get(m.id);
    if (marks !== undefined) {
      for (const mark of marks) {
        placed.push({
          upTo: i,
          rank: mark.rank,
          reader: { participant: mark.participant, at: mark.at },
        });
      }
    }
    tally(summary, m.kind, m.at, author?.role === 'visitor', s.mineClient(m.authorClient));
  }
  for (const u of s.unsent) tally(summary, u.kind, u.at, u.author?.role === 'visitor', true);
  // Newest mark first: the readers of message i are the marks at or after it.
  placed.sort((a, b) => b.upTo - a.upTo);
  // What the views are made from later. Not `s` itself: the closures below live as long
  // as the view, and `s.messages` (every entry decoded for this build, 2,000 objects in a
  // long chat) would live with them although the entries are read again by id.
  const { messages: _all, ...rest } = s;
  const source: ViewSource = { ...rest, kept: s.entry === undefined ? s.messages : null };
  return windowOf(source, ids, placed, { summary, writers: [...writers] });
}

/** A build's source without its messages (kept only when they cannot be read again). */
type ViewSource = Omit<MessageSource, 'messages'> & { kept: readonly ChatMessage[] | null };

/** The views of a build, made on demand from the ids in order and the placed marks. */
function windowOf(
  s: ViewSource,
  ids: readonly MessageId[],
  placed: readonly { upTo: number; rank: number; reader: Reader }[],
  counts: { summary: MessageSummary; writers: AuthorView[] },
): MessageViews {
  const sourceCount = ids.length;
  const bands = new Map<number, MessageView['readBy']>();
  const readBy = (i: number): MessageView['readBy'] => {
    let k = 0;
    while (k < placed.length && placed[k]!.upTo >= i) k++;
    let band = bands.get(k);
    if (band === undefined) {
      band = Object.freeze(
        placed
          .slice(0, k)
          .sort((a, b) => a.rank - b.rank)
          .map(({ reader }) => ({ ...reader, name: s.nameOf(reader.participant) })),
      );
      bands.set(k, band);
    }
    return band;
  };
  const entryAt = (i: number): ChatMessage | undefined => s.kept?.[i] ?? s.entry?.(ids[i]!);
  const reuse = s.reuse;
  reuse?.nextBuild();
  const built = new Map<number, MessageView | null>();
  const viewAt = (i: number): MessageView | null => {
    if (i >= sourceCount) return s.unsent[i - sourceCount] ?? null;
    let view = built.get(i);
    if (view !== undefined) return view;
    // Null: the entry is gone since the build (a newer view is on its way).
    const source = entryAt(i);
    view = source === undefined ? null : messageView(s, source, readBy(i), reuse);
    built.set(i, view);
    if (view !== null) reuse?.current.set(view.id, view);
    return view;
  };
  const count = sourceCount + s.unsent.length;
  let everything: MessageView[] | null = null;
  const between = (from: number, to = count): MessageView[] => {
    const out: MessageView[] = [];
    for (let i = Math.max(0, from); i < Math.min(to, count); i++) {
      const view = viewAt(i);
      if (view !== null) out.push(view);
    }
    return out;
  };
  return {
    count,
    summary: counts.summary,
    writers: counts.writers,
    between,
    all: () => (everything ??= between(0)),
  };
}

export function emptySummary(): MessageSummary {
  return { fromOthers: 0, visitorWaitingSince: null, visitorLastTextAt: null, newestMine: false };
}

/** Counts one more message, the newest so far, into `summary`. */
export function tally(
  summary: MessageSummary,
  kind: ChatMessage['kind'],
  at: number,
  byVisitor: boolean,
  mine: boolean,
): void {
  summary.newestMine = mine;
  if (!mine && kind !== 'system') summary.fromOthers++;
  if (kind === 'text' && byVisitor) summary.visitorLastTextAt = at;
  if (kind === 'page' || kind === 'system') return;
  if (byVisitor && !mine) summary.visitorWaitingSince ??= at;
  else summary.visitorWaitingSince = null;
}

function messageView(
  s: ViewSource,
  source: ChatMessage,
  readBy: MessageView['readBy'],
  reuse: MessageViewReuse | undefined,
): MessageView {
  const { author: _a, authorClient, ...m } = source;
  // Mine only when the service binds the writer's id to this participant (SP-P4).
  const mine = s.mineClient(authorClient);
  const localId = s.localIds?.get(m.id);
  const now = {
    author: s.author(authorClient),
    mine,
    pending: mine && s.pending.has(m.id),
    readBy,
    localId,
  };
  const before = reuse?.made(m.id);
  if (before !== undefined && sameMessageView(before, source, now)) return before;
  return {
    ...m,
    ...(localId === undefined ? {} : { localId }),
    author: now.author,
    mine,
    pending: now.pending,
    readBy,
  };
}

/** Fields of a message view that do not come from its entry. */
const VIEW_FIELDS = new Set(['author', 'mine', 'pending', 'readBy', 'localId']);

/** Whether `before` is what a build would make now of `source` (its entry's fields,
 * compared by identity) with this author, pending and read state. */
function sameMessageView(
  before: MessageView,
  source: ChatMessage,
  now: Pick<MessageView, 'author' | 'mine' | 'pending' | 'readBy' | 'localId'>,
): boolean {
  if (
    before.author !== now.author ||
    before.mine !== now.mine ||
    before.pending !== now.pending ||
    before.localId !== now.localId ||
    before.readBy.length !== now.readBy.length
  ) {
    return false;
  }
  for (let i = 0; i < now.readBy.length; i++) {
    const was = before.readBy[i]!;
    const is = now.readBy[i]!;
    if (was.participant !== is.participant || was.at !== is.at || was.name !== is.name) {
      return false;
    }
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
