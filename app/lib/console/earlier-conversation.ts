/**
 * How the console lays out a chat taken over after a requeue (protocol/CHAT.md CH-K3, CH-K9):
 * the earlier conversation above the live log, in the same message views. The earlier
 * part runs up to the last line only a copy holds (the chat document never has the
 * lines of helpers who left before this one joined), and takes in the document's own
 * messages up to there (the visitor's words, synced as usual), so the conversation reads
 * in order. Everything after it is the live log. A line that is in the document shows
 * as the document has it: its author as the service binds it, never a copy's claim.
 */
import type { EarlierHistoryView, MessageView, SessionView } from '../session/session-view.ts';

/** An entry of the log; `earlier` when it is part of the conversation before this one
 * joined, with whether it is a helper's line and whether anyone vouches for its author. */
export type LogEntry = MessageView & {
  earlier?: { verified: boolean; helper: boolean };
};

export type SplitConversation = {
  earlier: LogEntry[];
  live: LogEntry[];
  sources: EarlierHistoryView['sources'];
  /** Some helper line of the earlier part is only a copy's claim (no valid signature). */
  unverified: boolean;
};

export function splitConversation(view: SessionView | null): SplitConversation {
  const none = { earlier: [], live: view?.messages ?? [], sources: [], unverified: false };
  const history = view?.earlierHistory;
  if (view === null || history == null) return none;
  const inDocument = new Set(view.messages.map((m) => m.id));
  const onlyInCopies = history.lines.filter((line) => !inDocument.has(line.id));
  if (onlyInCopies.length === 0) return { ...none, sources: history.sources };
  const cut = Math.max(...onlyInCopies.map((line) => line.seq));
  const fromCopies: LogEntry[] = onlyInCopies.map((line) => ({
    id: line.id,
    kind: line.kind,
    body: line.body,
    at: line.at,
    seq: line.seq,
    ...(line.page ? { page: line.page } : {}),
    ...(line.attachment ? { attachment: line.attachment } : {}),
    author: line.author,
    mine: false,
    pending: false,
    readBy: [],
    earlier: { verified: line.verified, helper: line.claimedRole === 'helper' },
  }));
  const fromDocument: LogEntry[] = view.messages
    .filter((m) => m.seq <= cut)
    .map((m) => ({ ...m, earlier: { verified: true, helper: m.author?.role !== 'visitor' } }));
  const earlier = [...fromCopies, ...fromDocument].sort(
    (a, b) => a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return {
    earlier,
    live: view.messages.filter((m) => m.seq > cut),
    sources: history.sources,
    unverified: fromCopies.some((e) => e.earlier?.helper === true && !e.earlier.verified),
  };
}

/** The console's log of a chat as ChatLog renders it: a window of its entries. */
export type ConversationLog = {
  /** Entries in all, the earlier part included. */
  count: number;
  /** How many of them are the earlier conversation (0: none). */
  earlierCount: number;
  newestMine: boolean;
  /** The entries from index `from` on, made for those only (benchmark S8). */
  from(from: number): LogEntry[];
  sources: EarlierHistoryView['sources'];
  unverified: boolean;
};

/** The log of `view`: without an earlier part (nearly every chat) it reads the view's
 * window of messages, so a long chat makes views for what is rendered only; with one,
 * the split conversation (a chat taken over, CH-K9). */
export function conversationLog(view: SessionView | null): ConversationLog {
  const history = view?.earlierHistory;
  if (view === null || history == null) {
    return {
      count: view?.messageCount ?? 0,
      earlierCount: 0,
      newestMine: view?.messageSummary.newestMine ?? false,
      from: (from) => view?.messagesBetween(from) ?? [],
      sources: [],
      unverified: false,
    };
  }
  const split = splitConversation(view);
  const all = split.earlier.length === 0 ? split.live : [...split.earlier, ...split.live];
  return {
    count: all.length,
    earlierCount: split.earlier.length,
    newestMine: all.at(-1)?.mine ?? false,
    from: (from) => (from <= 0 ? all : all.slice(from)),
    sources: split.sources,
    unverified: split.unverified,
  };
}
