/**
 * F13: where an attachment's bytes are kept on each side (X8): IndexedDB, so a reload
 * or a helper who joins later still has them, or memory where the page is denied
 * IndexedDB (a widget in a third-party iframe may be). Partial downloads are kept in
 * batches, so a transfer resumes from the last batch stored (and acknowledged).
 */
export interface FileStore {
  loadFile(sha256: string): Promise<Uint8Array | null>;
  saveFile(sha256: string, bytes: Uint8Array): Promise<void>;
  /** The chunks stored so far of a file still arriving, in order. */
  loadPartial(sha256: string): Promise<Uint8Array[]>;
  /** Appends chunks from `index` on (the batches are keyed by their first index). */
  savePartial(sha256: string, index: number, chunks: readonly Uint8Array[]): Promise<void>;
  dropPartial(sha256: string): Promise<void>;
  close(): void;
}

export function memoryFileStore(): FileStore {
  const files = new Map<string, Uint8Array>();
  const partials = new Map<string, Uint8Array[]>();
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
    close: () => {},
  };
}

const DB_NAME = 'peerdesk-files';
const FILES = 'files';
const PARTS = 'parts';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

/** IndexedDB when it opens, memory otherwise. */
export async function openFileStore(
  factory: IDBFactory | undefined = globalThis.indexedDB,
): Promise<FileStore> {
  if (factory === undefined) return memoryFileStore();
  let db: IDBDatabase;
  try {
    const open = factory.open(DB_NAME, 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore(FILES);
      open.result.createObjectStore(PARTS);
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
    close: () => db.close(),
  };
}
