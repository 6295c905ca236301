import { describe, expect, it } from 'vitest';
import type {
  Account,
  ApiResult,
  DemoInfo,
  SessionClient,
  SignedIn,
} from '../../../app/lib/api/session-client.ts';
import { memoryTokenStore } from '../../../app/lib/api/token-store.ts';
import { ConsoleSession, MESSAGES } from '../../../app/lib/console/console-session.ts';

const alice: Account = {
  id: 'a1',
  nickname: 'alice',
  name: 'Alice Example',
  role: 'helper',
  chatLimit: 3,
};

const fail = (status: number | null, code: string, message: string) =>
  ({ ok: false, status, code, message }) as const;

/** A client whose answers the test sets; it remembers which calls were made. */
function scriptedClient(overrides: Partial<SessionClient> = {}) {
  const calls: string[] = [];
  const client: SessionClient = {
    signIn: async (nickname, password): Promise<ApiResult<SignedIn>> => {
      calls.push(`signIn ${nickname}`);
      return password === 'demo-pass'
        ? { ok: true, value: { token: 'tok-1', account: alice } }
        : fail(401, 'bad_credentials', 'Wrong nickname or password.');
    },
    signOut: async (token) => {
      calls.push(`signOut ${token}`);
      return { ok: true, value: null };
    },
    me: async (token) => {
      calls.push(`me ${token}`);
      return token === 'tok-1' ? { ok: true, value: alice } : fail(401, 'unauthorized', 'Sign in.');
    },
    demo: async (): Promise<ApiResult<DemoInfo>> => ({
      ok: true,
      value: { demo: false, accounts: [] },
    }),
    ...overrides,
  };
  return { client, calls };
}

describe('console session', () => {
  it('signs in, remembers the token, and signs out again', async () => {
    const tokens = memoryTokenStore();
    const { client, calls } = scriptedClient();
    const session = new ConsoleSession({ client, tokens });
    const kinds: string[] = [];
    // Demo loading also notifies; only record changes of the session kind.
    session.subscribe((view) => {
      if (kinds.at(-1) !== view.session.kind) kinds.push(view.session.kind);
    });
    await session.start();

    await session.signIn('  alice ', 'demo-pass');
    expect(session.view.session).toEqual({ kind: 'signed-in', token: 'tok-1', account: alice });
    expect(tokens.get()).toBe('tok-1');

    await session.signOut();
    expect(session.view.session).toEqual({ kind: 'signed-out', error: null });
    expect(tokens.get()).toBeNull();
    expect(calls).toEqual(['signIn alice', 'signOut tok-1']);
    expect(kinds).toEqual(['signed-out', 'signing-in', 'signed-in', 'signing-out', 'signed-out']);
  });

  it('shows the service message for a wrong password and stores nothing', async () => {
    const tokens = memoryTokenStore();
    const session = new ConsoleSession({ client: scriptedClient().client, tokens });
    await session.signIn('alice', 'wrong');
    expect(session.view.session).toEqual({
      kind: 'signed-out',
      error: 'Wrong nickname or password.',
    });
    expect(tokens.get()).toBeNull();
  });

  it('asks for both fields without calling the service', async () => {
    const { client, calls } = scriptedClient();
    const session = new ConsoleSession({ client, tokens: memoryTokenStore() });
    await session.signIn('   ', 'x');
    expect(session.view.session).toEqual({ kind: 'signed-out', error: MESSAGES.missingFields });
    expect(calls).toEqual([]);
  });

  it('ignores a second sign-in while the first is under way', async () => {
    const { client, calls } = scriptedClient();
    const session = new ConsoleSession({ client, tokens: memoryTokenStore() });
    await Promise.all([session.signIn('alice', 'demo-pass'), session.signIn('alice', 'demo-pass')]);
    expect(calls).toEqual(['signIn alice']);
  });

  it('resumes a remembered token', async () => {
    const { client } = scriptedClient();
    const session = new ConsoleSession({ client, tokens: memoryTokenStore('tok-1') });
    expect(session.view.session.kind).toBe('restoring');
    await session.start();
    expect(session.view.session).toEqual({ kind: 'signed-in', token: 'tok-1', account: alice });
  });

  it('forgets a revoked token and says so', async () => {
    const tokens = memoryTokenStore('revoked');
    const session = new ConsoleSession({ client: scriptedClient().client, tokens });
    await session.start();
    expect(session.view.session).toEqual({ kind: 'signed-out', error: MESSAGES.sessionExpired });
    expect(tokens.get()).toBeNull();
  });

  it('keeps a remembered token when the service cannot be reached', async () => {
    const tokens = memoryTokenStore('tok-1');
    const { client } = scriptedClient({ me: async () => fail(null, 'network', 'Unreachable.') });
    const session = new ConsoleSession({ client, tokens });
    await session.start();
    expect(session.view.session).toEqual({ kind: 'signed-out', error: 'Unreachable.' });
    expect(tokens.get()).toBe('tok-1');
  });

  it('signs out locally even when the service cannot be told', async () => {
    const tokens = memoryTokenStore();
    const { client } = scriptedClient({
      signOut: async () => fail(null, 'network', 'Unreachable.'),
    });
    const session = new ConsoleSession({ client, tokens });
    await session.signIn('alice', 'demo-pass');
    await session.signOut();
    expect(session.view.session).toEqual({
      kind: 'signed-out',
      error: MESSAGES.signOutUnconfirmed,
    });
    expect(tokens.get()).toBeNull();
  });

  it('shows demo accounts only when the service says demo: true', async () => {
    const accounts = [{ nickname: 'alice', password: 'demo-pass', role: 'helper' as const }];
    const answer = (demo: boolean) => async (): Promise<ApiResult<DemoInfo>> => ({
      ok: true,
      value: { demo, accounts },
    });
    const on = new ConsoleSession({
      client: scriptedClient({ demo: answer(true) }).client,
      tokens: memoryTokenStore(),
    });
    await on.start();
    expect(on.view.demoAccounts).toEqual(accounts);

    // Accounts listed without demo: true are never shown.
    const off = new ConsoleSession({
      client: scriptedClient({ demo: answer(false) }).client,
      tokens: memoryTokenStore(),
    });
    await off.start();
    expect(off.view.demoAccounts).toEqual([]);

    const broken = new ConsoleSession({
      client: scriptedClient({ demo: async () => fail(500, 'internal', 'Oops.') }).client,
      tokens: memoryTokenStore(),
    });
    await broken.start();
    expect(broken.view.demoAccounts).toEqual([]);
  });
});

describe('console session: a locked account (SPEC.md SP-A9)', () => {
  it('SP-A9 the sign-in page says after what time to try again', async () => {
    const retryAt = new Date(2026, 0, 1, 14, 5, 30).getTime();
    const { client } = scriptedClient({
      signIn: async () => ({
        ...fail(429, 'account_locked', 'Too many wrong passwords for this account.'),
        retryAt,
      }),
    });
    const session = new ConsoleSession({ client, tokens: memoryTokenStore() });
    await session.signIn('alice', 'guess');
    const view = session.view.session;
    expect(view.kind).toBe('signed-out');
    const error = view.kind === 'signed-out' ? view.error : null;
    expect(error).toMatch(/^Too many wrong passwords for this account\. Try again after /);
    expect(error).toContain(
      new Date(retryAt).toLocaleTimeString([], {
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      }),
    );
  });
});
