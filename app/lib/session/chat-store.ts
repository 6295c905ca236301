/**
 * Where a chat's document and the session's small notes about it are kept between
 * page loads (DESIGN.md 5): y-indexeddb in the browser. The document is loaded
 * before the session connects, so a reload shows the transcript at once and then
 * merges with the peers; every later update (local or from a peer) is stored as it
 * happens. Tests inject an in-memory store or fake-indexeddb.
 */
import { IndexeddbPersistence } from 'y-indexeddb';
import * as Y from 'yjs';
import type { SigningAlg } from '../../../protocol/index.ts';
import type { HistorySource } from './chat-replica.ts';

export interface ChatStore {
  /** Resolves once what was stored is in the document. */
  readonly whenLoaded: Promise<void>;
  /** The session's notes (session-notes.ts), as stored; decoded by the caller. */
  loadNotes(): Promise<unknown>;
  saveNotes(notes: string): Promise<void>;
  /** The earlier conversation (CHAT.md CH-K7, CH-K9), one copy per source (the visitor's, a
   * staff peer's), as received with who sent it; checked and decoded by the caller.
   * Kept beside the document, never in it (CH-K2). */
  loadHistory(from: HistorySource): Promise<unknown>;
  saveHistory(from: HistorySource, copy: StoredHistory): Promise<void>;
  /** A staff session's signing key pair (CHAT.md CH-V1), as stored; checked by the caller. */
  loadSigningKeys(): Promise<unknown>;
  saveSigningKeys(keys: StoredSigningKeys): Promise<void>;
  /** Whether the document as loaded holds everything this browser wrote under `clientId`
   * (client-id-claim.ts: only then may a reload write on with it). */
  holdsAllWrittenBy(clientId: number): boolean;
  /** Stops storing; what is stored stays. */
  destroy(): Promise<void>;
}

/**
 * How far this browser wrote under each client id of a store, kept at once (localStorage
 * is synchronous), while the write's bytes reach IndexedDB only when its transaction
 * commits, which a reload can abort after the frames went out. Unavailable (a sandboxed
 * or storage-denied frame): nothing counts as held, and every page load takes a fresh id.
 */
export interface WriteMarks {
  readonly available: boolean;
  get(key: string): number | null;
  set(key: string, clock: number): void;
}

/** Marks in a Web Storage (the page's localStorage), if it can be used. */
export function storageWriteMarks(
  storage: () => Pick<Storage, 'getItem' | 'setItem'> | undefined,
): WriteMarks {
  let target: Pick<Storage, 'getItem' | 'setItem'> | undefined;
  try {
    target = storage();
    target?.getItem('peerdesk.probe');
  } catch {
    target = undefined;
  }
  if (target === undefined) return { available: false, get: () => null, set: () => undefined };
  const kept = target;
  return {
    available: true,
    get: (key) => {
      const raw = kept.getItem(key);
      const clock = raw === null ? NaN : Number(raw);
      return Number.isSafeInteger(clock) ? clock : null;
    },
    set: (key, clock) => {
      try {
        kept.setItem(key, String(clock));
      } catch {
        // Full: the next load finds an older mark, below what it holds, and may reuse the
        // id (the bytes committed); a lost commit then is the old risk, not a crash.
      }
    },
  };
}

/** Marks kept in memory (tests: one "browser" across several sessions). */
export function memoryWriteMarks(): WriteMarks {
  const marks = new Map<string, number>();
  return {
    available: true,
    get: (key) => marks.get(key) ?? null,
    set: (key, clock) => void marks.set(key, clock),
  };
}

function markKey(store: string, clientId: number): string {
  return `peerdesk.wrote.${store}.${clientId}`;
}

/** The page's marks, in localStorage, made once. */
let pageMarks: WriteMarks | null = null;
function pageWriteMarks(): WriteMarks {
  pageMarks ??= storageWriteMarks(() => globalThis.localStorage as Storage | undefined);
  return pageMarks;
}

/** A copy of the earlier conversation as received, and the participant who sent it. */
export type StoredHistory = { update: Uint8Array; peer: string };

/** The private key stays a non-extractable CryptoKey: IndexedDB keeps it as it is. */
export type StoredSigningKeys = { alg: SigningAlg; keys: CryptoKeyPair };

/** One store per chat document; `name` is unique per chat. */
export type ChatStoreFactory = (name: string, doc: Y.Doc) => ChatStore;

const NOTES_KEY = 'session-notes';
const HISTORY_KEY = 'earlier-history';
const SIGNING_KEY = 'signing-keys';

/** y-indexeddb 9: the document's updates, plus our notes in its `custom` object store. */
export const indexeddbChatStore: ChatStoreFactory = (name, doc) =>
  indexeddbChatStoreWith(pageWriteMarks())(name, doc);

/** The same, with the write marks given (tests). */
export function indexeddbChatStoreWith(marks: WriteMarks): ChatStoreFactory {
  return (name, doc) => {
    const persistence = new IndexeddbPersistence(name, doc);
    const stopStoring = storeAfterTheFrames(persistence, doc, (clientId, clock) =>
      marks.set(markKey(name, clientId), clock),
    );
    return {
      whenLoaded: persistence.whenSynced.then(() => undefined),
      loadNotes: () => persistence.get(NOTES_KEY) as Promise<unknown>,
      saveNotes: async (notes) => {
        await persistence.set(NOTES_KEY, notes);
      },
      // y-indexeddb stores an ArrayBuffer, not a view of one (structured clone keeps the object).
      loadHistory: async (from) => {
        const stored = (await persistence.get(`${HISTORY_KEY}-${from}`)) as unknown;
        if (typeof stored !== 'object' || stored === null) return undefined;
        const { update, peer } = stored as { update?: unknown; peer?: unknown };
        return update instanceof ArrayBuffer && typeof peer === 'string'
          ? { update: new Uint8Array(update), peer }
          : undefined;
      },
      saveHistory: async (from, copy) => {
        const value = { update: copy.update.slice().buffer, peer: copy.peer };
        await persistence.set(`${HISTORY_KEY}-${from}`, value as unknown as string);
      },
      loadSigningKeys: () => persistence.get(SIGNING_KEY) as Promise<unknown>,
      saveSigningKeys: async (keys) => {
        // y-indexeddb's types name only plain values; IndexedDB clones CryptoKeys (structured clone).
        await persistence.set(SIGNING_KEY, keys as unknown as string);
      },
      holdsAllWrittenBy: (clientId) => {
        if (!marks.available) return false;
        return (marks.get(markKey(name, clientId)) ?? 0) <= Y.getState(doc.store, clientId);
      },
      destroy: async () => {
        stopStoring();
        await persistence.destroy();
      },
    };
  };
}

/**
 * Frames first, then IndexedDB (benchmark S5): y-indexeddb writes each update from its own
 * `update` handler, which Yjs calls before the replica's (the store is made before the
 * replica, to load the document), so every local update opened an IndexedDB transaction
 * before it went on the data channel, and every received one before its ack went back.
 * Its handler runs in a microtask instead: after the update's other handlers (the
 * frames are sent), before any other task (no event, and no unload, comes between the
 * update and its write), in the updates' order. Returns what stops it (`destroy`).
 *
 * `mark` hears, at once, how far the document's own client id has written (WriteMarks):
 * this handler runs before the replica's, so before the frames go out.
 */
export function storeAfterTheFrames(
  persistence: IndexeddbPersistence,
  doc: Y.Doc,
  mark: (clientId: number, clock: number) => void = () => undefined,
): () => void {
  let stopped = false;
  const marked = new Map<number, number>();
  const store = (update: Uint8Array, origin: unknown) => {
    const own = Y.getState(doc.store, doc.clientID);
    if (own > (marked.get(doc.clientID) ?? 0)) {
      marked.set(doc.clientID, own);
      mark(doc.clientID, own);
    }
    queueMicrotask(() => {
      if (!stopped && !persistence._destroyed) persistence._storeUpdate(update, origin);
    });
  };
  doc.off('update', persistence._storeUpdate);
  doc.on('update', store);
  return () => {
    stopped = true;
    doc.off('update', store);
  };
}

/** The IndexedDB database name of a chat's document as one participant keeps it: a visitor
 * and a helper in one browser profile (two windows of the demo) must not share a store. */
export function chatStoreName(chatId: string, self: string): string {
  return `peerdesk-chat-${chatId}-${self}`;
}
