/**
 * The console's client for the session part of the HTTP API: sign in, sign out,
 * who am I, and the demo accounts. Every response is decoded with a schema before
 * it is trusted (STYLE.md point 3), and every outcome is a value, never a throw
 * (STYLE.md point 9), so the console can show a clear message for each.
 */
import * as v from 'valibot';
import { AccountRole, Id, LIMITS, Name, Nickname, Timestamp, Token } from '$protocol';

export const Account = v.object({
  id: Id,
  nickname: Nickname,
  name: Name,
  role: AccountRole,
  chatLimit: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(LIMITS.maxChatLimitCeiling)),
});
export type Account = v.InferOutput<typeof Account>;

export const SignedIn = v.object({ token: Token, account: Account });
export type SignedIn = v.InferOutput<typeof SignedIn>;

export const DemoAccount = v.object({
  nickname: Nickname,
  password: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxPasswordLength)),
  role: AccountRole,
});
export type DemoAccount = v.InferOutput<typeof DemoAccount>;

export const DemoInfo = v.object({
  demo: v.boolean(),
  accounts: v.pipe(v.array(DemoAccount), v.maxLength(50)),
});
export type DemoInfo = v.InferOutput<typeof DemoInfo>;

const ErrorBody = v.object({
  error: v.object({
    code: v.pipe(v.string(), v.maxLength(100)),
    message: v.pipe(v.string(), v.maxLength(1000)),
    /** When a locked account may try again (SPEC.md SP-A9). */
    retryAt: v.optional(Timestamp),
  }),
});

/** Why a call failed. `status` is null when no HTTP answer arrived at all. */
export type ApiFailure = {
  status: number | null;
  /** The service's error code, or `network` / `bad_response` for client-side failures. */
  code: string;
  message: string;
  /** Set when the service said when to try again (a locked account, SP-A9). */
  retryAt?: number;
};

export type ApiResult<T> = { ok: true; value: T } | ({ ok: false } & ApiFailure);

export type SessionClient = {
  signIn(nickname: string, password: string): Promise<ApiResult<SignedIn>>;
  signOut(token: string): Promise<ApiResult<null>>;
  me(token: string): Promise<ApiResult<Account>>;
  demo(): Promise<ApiResult<DemoInfo>>;
};

export type SessionClientOptions = {
  /** Injected so tests and other origins can supply their own; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Prefix for the API paths; empty means the page's own origin. */
  baseUrl?: string;
};

const NOT_DEMO: DemoInfo = { demo: false, accounts: [] };

export function createSessionClient(options: SessionClientOptions = {}): SessionClient {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const baseUrl = options.baseUrl ?? '';

  async function call<T>(
    path: string,
    init: RequestInit,
    schema: v.GenericSchema<unknown, T>,
  ): Promise<ApiResult<T>> {
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, {
        ...init,
        headers: { accept: 'application/json', ...init.headers },
      });
    } catch {
      return failure(null, 'network', 'Peerdesk could not be reached. Check your connection.');
    }
    const body = await readJson(response);
    if (!response.ok) {
      const parsed = v.safeParse(ErrorBody, body);
      if (!parsed.success) {
        return failure(response.status, 'http', `The request failed (HTTP ${response.status}).`);
      }
      const { code, message, retryAt } = parsed.output.error;
      const failed = failure(response.status, code, message);
      return retryAt === undefined ? failed : { ...failed, retryAt };
    }
    const parsed = v.safeParse(schema, body);
    return parsed.success
      ? { ok: true, value: parsed.output }
      : failure(response.status, 'bad_response', 'Peerdesk sent an answer that could not be read.');
  }

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  return {
    signIn: (nickname, password) =>
      call(
        '/api/session',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ nickname, password }),
        },
        SignedIn,
      ),

    signOut: async (token) => {
      const result = await call(
        '/api/session',
        { method: 'DELETE', headers: bearer(token) },
        v.unknown(),
      );
      return result.ok ? { ok: true, value: null } : result;
    },

    // GET /api/me answers with the account itself (signal/http/http-handler.ts).
    me: (token) => call('/api/me', { method: 'GET', headers: bearer(token) }, Account),

    demo: async () => {
      const result = await call('/api/demo', { method: 'GET' }, DemoInfo);
      // Outside demo mode the endpoint does not exist: that simply means "no demo".
      if (!result.ok && result.status === 404) return { ok: true, value: NOT_DEMO };
      return result;
    },
  };
}

function failure(status: number | null, code: string, message: string): { ok: false } & ApiFailure {
  return { ok: false, status, code, message };
}

/** The body as JSON, or undefined when it is empty or not JSON (the schema then refuses it). */
async function readJson(response: Response): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return undefined;
  }
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
