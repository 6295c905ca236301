/**
 * Where the widget keeps a chat when the browser refuses it IndexedDB: a widget in a
 * third-party iframe with third-party storage blocked is denied the database (Chromium:
 * "The user denied permission to access the database"), and y-indexeddb would then
 * never load. The chat then lives in memory; after a reload it comes back from the
 * helper's copy when the link is up again.
 */
import type { ChatStoreFactory } from '../session/chat-store.ts';

export const memoryChatStore: ChatStoreFactory = () => {
  let notes: unknown = undefined;
  const history = new Map<string, unknown>();
  return {
    whenLoaded: Promise.resolve(),
    loadNotes: async () => notes,
    saveNotes: async (next) => {
      notes = next;
    },
    loadHistory: async (from) => history.get(from),
    loadSigningKeys: async () => undefined,
    saveSigningKeys: async () => {},
    saveHistory: async (from, copy) => {
      history.set(from, copy);
    },
    // Nothing outlives the page, so no reload reuses a client id of it.
    holdsAllWrittenBy: () => false,
    destroy: async () => {},
  };
};

/** Whether this document may open an IndexedDB database at all. */
export function indexedDbUsable(idb: IDBFactory | undefined): Promise<boolean> {
  if (idb === undefined) return Promise.resolve(false);
  return new Promise((resolve) => {
    let request: IDBOpenDBRequest;
    try {
      request = idb.open('peerdesk-probe');
    } catch {
      resolve(false);
      return;
    }
    request.onsuccess = () => {
      request.result.close();
      resolve(true);
    };
    request.onerror = () => resolve(false);
    // Another tab holds an older version open: the database itself is usable.
    request.onblocked = () => resolve(true);
  });
}
