/**
 * F13: where an attachment's bytes are kept on each side (CH-X8): IndexedDB, so a reload
 * or a helper who joins later still has them, or memory where the page is denied
 * IndexedDB (a widget in a third-party iframe may be). Partial downloads are kept in
 * batches, so a transfer resumes from the last batch stored (and acknowledged).
 *
 * Retention (CH-X14): every file is claimed by the chats that hold it (`forChat`); when
 * this page sees a chat end, its claim is marked ended, and `sweep` frees the bytes
 * (whole and partial) of files whose every claim ended more than `FILE_RETENTION_MS`
 * ago, and of files no chat claims. The page sweeps when it opens the store.
 */
export interface FileStore {
  loadFile(sha256: string): Promise<Uint8Array | null>;
  saveFile(sha256: string, bytes: Uint8Array): Promise<void>;
  /** The chunks stored so far of a file still arriving, in order. */
  loadPartial(sha256: string): Promise<Uint8Array[]>;
  /** Appends chunks from `index` on (the batches are keyed by their first index). */
  savePartial(sha256: string, index: number, chunks: readonly Uint8Array[]): Promise<void>;
  dropPartial(sha256: string): Promise<void>;
  /** CH-X14: the chat holds this file (kept while any chat holding it is live). */
  claim(sha256: string, chatId: string): Promise<void>;
  /** CH-X14: this page saw the chat end (or left it) at `at`. */
  chatEnded(chatId: string, at: number): Promise<void>;
  /** CH-X14: frees what no live or recent chat holds; returns the hashes freed. */
  sweep(now: number, retentionMs?: number): Promise<string[]>;
  close(): void;
}

/** CH-X14: how long a file stays after the last chat holding it ended here: 7 days. */
export const FILE_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/** Each chat claiming a file, with when it ended here (null: still live). */
type Owners = Record<string, number | null>;

/** Whether a file with these claims may be freed at `now`. */
function expired(owners: Owners | undefined, now: number, retentionMs: number): boolean {
  if (owners === undefined) return true;
  return Object.values(owners).every((ended) => ended !== null && ended + retentionMs <= now);
}

/** The same store, with every file this chat saves or finds claimed by it first. */
export function forChat(store: FileStore, chatId: string): FileStore {
  return {
    ...store,
    loadFile: async (sha) => {
      const found = await store.loadFile(sha);
      if (found !== null) await store.claim(sha, chatId);
      return found;
    },
    saveFile: async (sha, bytes) => {
      await store.claim(sha, chatId);
      await store.saveFile(sha, bytes);
    },
    savePartial: async (sha, index, chunks) => {
      await store.claim(sha, chatId);
      await store.savePartial(sha, index, chunks);
    },
  };
}

export function memoryFileStore(): FileStore {
  const files = new Map<string, Uint8Array>();
  const partials = new Map<string, Uint8Array[]>();
  const owners = new Map<string, Owners>();
  return {
    loadFile: async (sha) => files.get(sha) ?? null,
    saveFile: async (sha, bytes) => void files.set(sha, bytes),
    loadPartial: async (sha) => [...(partials.get(sha) ?? [])],
    savePartial: async (sha, index, chunks) => {
      const have = partials.get(sha) ?? [];
      have.length = Math.min(have.length, index);
      have.push(...chunks);
      partials.set(sha, have);
    },
    dropPartial: async (sha) => void partials.delete(sha),
    claim: async (sha, chatId) => void owners.set(sha, { ...owners.get(sha), [chatId]: null }),
    chatEnded: async (chatId, at) => {
      for (const claims of owners.values()) if (chatId in claims) claims[chatId] = at;
    },
    sweep: async (now, retentionMs = FILE_RETENTION_MS) => {
      const shas = new Set([...files.keys(), ...partials.keys(), ...owners.keys()]);
      const freed = [...shas].filter((sha) => expired(owners.get(sha), now, retentionMs));
      for (const sha of freed) {
        files.delete(sha);
        partials.delete(sha);
        owners.delete(sha);
      }
      return freed;
    },
    close: () => {},
  };
}

const DB_NAME = 'peerdesk-files';
const DB_VERSION = 2;
const FILES = 'files';
const PARTS = 'parts';
const OWNERS = 'owners';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** IndexedDB when it opens, memory otherwise. */
export async function openFileStore(
  factory: IDBFactory | undefined = globalThis.indexedDB,
): Promise<FileStore> {
  if (factory === undefined) return memoryFileStore();
  let db: IDBDatabase;
  try {
    const open = factory.open(DB_NAME, DB_VERSION);
    open.onupgradeneeded = () => {
      for (const name of [FILES, PARTS, OWNERS]) {
        if (!open.result.objectStoreNames.contains(name)) open.result.createObjectStore(name);
      }
    };
    db = await request(open);
  } catch {
    return memoryFileStore();
  }
  const store = (name: string, mode: IDBTransactionMode) =>
    db.transaction(name, mode).objectStore(name);
  // A part's key is the hash and its first chunk's index, zero-padded so keys sort by index.
  const partKey = (sha: string, index: number) => `${sha}/${String(index).padStart(8, '0')}`;
  const partRange = (sha: string) => IDBKeyRange.bound(`${sha}/`, `${sha}/\uffff`);
  /** Reads and rewrites one file's claims in one transaction. */
  const updateOwners = async (sha: string, change: (owners: Owners) => Owners) => {
    const tx = db.transaction(OWNERS, 'readwrite');
    const owners = tx.objectStore(OWNERS);
    const found = (await request(owners.get(sha))) as Owners | undefined;
    owners.put(change({ ...found }), sha);
    await done(tx);
  };
  return {
    loadFile: async (sha) => {
      const found: unknown = await request(store(FILES, 'readonly').get(sha));
      return found instanceof Uint8Array
        ? found
        : found instanceof ArrayBuffer
          ? new Uint8Array(found)
          : null;
    },
    saveFile: async (sha, bytes) => {
      await request(store(FILES, 'readwrite').put(bytes, sha));
    },
    loadPartial: async (sha) => {
      const parts = (await request(
        store(PARTS, 'readonly').getAll(partRange(sha)),
      )) as Uint8Array[][];
      return parts.flat();
    },
    savePartial: async (sha, index, chunks) => {
      await request(store(PARTS, 'readwrite').put([...chunks], partKey(sha, index)));
    },
    dropPartial: async (sha) => {
      await request(store(PARTS, 'readwrite').delete(partRange(sha)));
    },
    claim: (sha, chatId) => updateOwners(sha, (owners) => ({ ...owners, [chatId]: null })),
    chatEnded: async (chatId, at) => {
      const tx = db.transaction(OWNERS, 'readwrite');
      const owners = tx.objectStore(OWNERS);
      const all = (await request(owners.getAll())) as Owners[];
      const keys = (await request(owners.getAllKeys())) as string[];
      all.forEach((claims, i) => {
        if (chatId in claims) owners.put({ ...claims, [chatId]: at }, keys[i]!);
      });
      await done(tx);
    },
    sweep: async (now, retentionMs = FILE_RETENTION_MS) => {
      const tx = db.transaction([FILES, PARTS, OWNERS], 'readwrite');
      const files = tx.objectStore(FILES);
      const parts = tx.objectStore(PARTS);
      const owners = tx.objectStore(OWNERS);
      const claims = new Map<string, Owners>();
      const ownerKeys = (await request(owners.getAllKeys())) as string[];
      const ownerValues = (await request(owners.getAll())) as Owners[];
      ownerKeys.forEach((sha, i) => claims.set(sha, ownerValues[i]!));
      const shas = new Set<string>([
        ...((await request(files.getAllKeys())) as string[]),
        ...((await request(parts.getAllKeys())) as string[]).map((key) => key.split('/')[0]!),
        ...ownerKeys,
      ]);
      const freed = [...shas].filter((sha) => expired(claims.get(sha), now, retentionMs));
      for (const sha of freed) {
        files.delete(sha);
        parts.delete(partRange(sha));
        owners.delete(sha);
      }
      await done(tx);
      return freed;
    },
    close: () => db.close(),
  };
}
