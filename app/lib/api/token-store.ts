/**
 * Where the console keeps its session token: sessionStorage, so the token lives as
 * long as the tab and is not shared with other tabs or left behind after the
 * browser closes. Behind a tiny interface so tests can use a map instead.
 */
export type TokenStore = {
  get(): string | null;
  set(token: string): void;
  clear(): void;
};

const KEY = 'peerdesk.console.token';

/** A store over a Web Storage area. Storage can throw (disabled, quota, privacy
 * modes); then the token simply is not remembered across reloads. */
export function webStorageTokenStore(
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>,
): TokenStore {
  return {
    get() {
      try {
        return storage.getItem(KEY);
      } catch {
        return null;
      }
    },
    set(token) {
      try {
        storage.setItem(KEY, token);
      } catch {
        // Not remembered; the session still works until the page is reloaded.
      }
    },
    clear() {
      try {
        storage.removeItem(KEY);
      } catch {
        // Nothing was remembered, so there is nothing to forget.
      }
    },
  };
}

export function memoryTokenStore(initial: string | null = null): TokenStore {
  let token = initial;
  return {
    get: () => token,
    set: (value) => {
      token = value;
    },
    clear: () => {
      token = null;
    },
  };
}
