/**
 * Which Yjs client id a page load writes with (CHAT.md CH-C11, SPEC.md SP-P2). Every
 * Y.Doc starts with a fresh random id and the service binds at most 16 per
 * participant, so a reload reuses the last id this chat used here, but only when
 * this tab can claim it exclusively: two tabs writing with one client id would
 * corrupt the document. The claim is a Web Lock (`ifAvailable`), held until the
 * session ends; without Web Locks the page takes a fresh id.
 *
 * And only when the stored document holds everything this browser wrote under that id
 * (`mayReuse`, ChatStore.holdsAllWrittenBy): a write goes out on the data channel before
 * IndexedDB commits it, and a reload can abort the commit. Reused then, the id would
 * number new writes with clocks the peers already hold for the lost ones, and Yjs would
 * take them as known: a helper's message shown "Delivered" that the visitor never saw
 * (e2e session-reload, 1 run in 12).
 */

export interface ClientIdLocks {
  /** Takes the lock `name` if nobody holds it; null when taken or unsupported. */
  claim(name: string): Promise<{ release(): void } | null>;
}

/** No locking at all: always a fresh client id. */
export const noClientIdLocks: ClientIdLocks = { claim: () => Promise.resolve(null) };

type LockManagerLike = {
  request(
    name: string,
    options: { ifAvailable: boolean },
    callback: (lock: unknown) => Promise<void> | void,
  ): Promise<unknown>;
};

/** The Web Locks API where the browser has it (navigator.locks). */
export function webClientIdLocks(locks: LockManagerLike | undefined): ClientIdLocks {
  if (locks === undefined) return noClientIdLocks;
  return {
    claim: (name) =>
      new Promise((resolve) => {
        locks
          .request(name, { ifAvailable: true }, (lock) => {
            if (lock === null) {
              resolve(null);
              return;
            }
            // The lock is held while this promise is pending.
            return new Promise<void>((release) => resolve({ release: () => release() }));
          })
          .catch(() => resolve(null));
      }),
  };
}

export function clientIdLockName(chatId: string, clientId: number): string {
  return `peerdesk:chat:${chatId}:client:${clientId}`;
}

/**
 * The id to write with: the newest bound id of this chat if its lock was claimed,
 * else a fresh one that collides with nothing this document or chat has seen.
 */
export async function chooseClientId(input: {
  chatId: string;
  boundBefore: readonly number[];
  inDocument: ReadonlySet<number>;
  locks: ClientIdLocks;
  fresh: () => number;
  /** Whether the store holds every write of this browser under the id (see above). */
  mayReuse?: (clientId: number) => boolean;
}): Promise<{ clientId: number; lock: { release(): void } | null }> {
  const last = input.boundBefore.at(-1);
  if (last !== undefined && (input.mayReuse?.(last) ?? true)) {
    const lock = await input.locks.claim(clientIdLockName(input.chatId, last));
    if (lock !== null) return { clientId: last, lock };
  }
  const clientId = unusedClientId([...input.boundBefore, ...input.inDocument], input.fresh);
  // Held too, so that another tab opened meanwhile does not take this one on reload.
  const lock = await input.locks.claim(clientIdLockName(input.chatId, clientId));
  return { clientId, lock };
}

/** A fresh id that collides with none of `used` (ids this chat or document has seen). */
export function unusedClientId(used: Iterable<number>, fresh: () => number): number {
  const seen = new Set(used);
  let clientId = fresh();
  while (seen.has(clientId)) clientId = fresh();
  return clientId;
}
