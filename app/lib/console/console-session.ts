/**
 * The console's sign-in lifecycle as one explicit state type (STYLE.md point 4),
 * changed only here. Svelte components subscribe and render; they never call the
 * API themselves. Client and token store are injected, so two consoles can live
 * side by side in one test and nothing here is a module-level singleton.
 */
import type { Account, DemoAccount, SessionClient } from '../api/session-client.ts';
import type { TokenStore } from '../api/token-store.ts';

export type SessionState =
  /** A remembered token is being checked with the service. */
  | { kind: 'restoring' }
  | { kind: 'signed-out'; error: string | null }
  | { kind: 'signing-in'; nickname: string }
  | { kind: 'signed-in'; token: string; account: Account }
  | { kind: 'signing-out'; token: string; account: Account };

export type ConsoleView = {
  session: SessionState;
  /** Demo credentials to show on the sign-in page: empty unless the service runs in demo mode. */
  demoAccounts: readonly DemoAccount[];
};

type Listener = (view: ConsoleView) => void;

export const MESSAGES = {
  missingFields: 'Enter your nickname and password.',
  wrongCredentials: 'That nickname and password do not match an account.',
  sessionExpired: 'Your session has ended; please sign in again.',
  signOutUnconfirmed:
    'You are signed out on this device, but Peerdesk could not be told; the session ends on its own later.',
} as const;

/** SP-A9: the sign-in page says when a locked account may try again. */
export function lockedMessage(retryAt: number): string {
  const time = new Date(retryAt).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return `Too many wrong passwords for this account. Try again after ${time}.`;
}

export class ConsoleSession {
  readonly #client: SessionClient;
  readonly #tokens: TokenStore;
  #view: ConsoleView;
  readonly #listeners = new Set<Listener>();

  constructor(deps: { client: SessionClient; tokens: TokenStore }) {
    this.#client = deps.client;
    this.#tokens = deps.tokens;
    this.#view = {
      session:
        deps.tokens.get() === null ? { kind: 'signed-out', error: null } : { kind: 'restoring' },
      demoAccounts: [],
    };
  }

  get view(): ConsoleView {
    return this.#view;
  }

  /** Calls `listener` now and on every change; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    listener(this.#view);
    return () => this.#listeners.delete(listener);
  }

  /** Loads the demo credentials and resumes a remembered session, both at once. */
  async start(): Promise<void> {
    await Promise.all([this.#loadDemo(), this.#restore()]);
  }

  async signIn(nickname: string, password: string): Promise<void> {
    const { session } = this.#view;
    if (session.kind !== 'signed-out') return;
    const trimmed = nickname.trim();
    if (trimmed === '' || password === '') {
      this.#setSession({ kind: 'signed-out', error: MESSAGES.missingFields });
      return;
    }
    this.#setSession({ kind: 'signing-in', nickname: trimmed });
    const result = await this.#client.signIn(trimmed, password);
    if (result.ok) {
      this.#tokens.set(result.value.token);
      this.#setSession({
        kind: 'signed-in',
        token: result.value.token,
        account: result.value.account,
      });
    } else {
      const error =
        result.code === 'account_locked' && result.retryAt !== undefined
          ? lockedMessage(result.retryAt)
          : result.status === 401
            ? result.message || MESSAGES.wrongCredentials
            : result.message;
      this.#setSession({ kind: 'signed-out', error });
    }
  }

  /** Forgets the token here whatever the service answers: the person asked to leave. */
  async signOut(): Promise<void> {
    const { session } = this.#view;
    if (session.kind !== 'signed-in') return;
    this.#setSession({ kind: 'signing-out', token: session.token, account: session.account });
    const result = await this.#client.signOut(session.token);
    this.#tokens.clear();
    // 401: the token was already revoked or expired, which is what signing out wants.
    const confirmed = result.ok || result.status === 401;
    this.#setSession({ kind: 'signed-out', error: confirmed ? null : MESSAGES.signOutUnconfirmed });
  }

  async #restore(): Promise<void> {
    const token = this.#tokens.get();
    if (token === null || this.#view.session.kind !== 'restoring') return;
    const result = await this.#client.me(token);
    if (this.#view.session.kind !== 'restoring') return;
    if (result.ok) {
      this.#setSession({ kind: 'signed-in', token, account: result.value });
      return;
    }
    if (result.status === 401 || result.status === 403) {
      this.#tokens.clear();
      this.#setSession({ kind: 'signed-out', error: MESSAGES.sessionExpired });
      return;
    }
    // The service is unreachable or confused: keep the token for a later reload.
    this.#setSession({ kind: 'signed-out', error: result.message });
  }

  async #loadDemo(): Promise<void> {
    const result = await this.#client.demo();
    // Without a clear "demo: true" nothing is shown: credentials never leak by accident.
    const demoAccounts = result.ok && result.value.demo ? result.value.accounts : [];
    this.#update({ ...this.#view, demoAccounts });
  }

  #setSession(session: SessionState): void {
    this.#update({ ...this.#view, session });
  }

  #update(view: ConsoleView): void {
    this.#view = view;
    for (const listener of this.#listeners) listener(view);
  }
}
