import { describe, expect, it } from 'vitest';
import { createSessionClient } from '../../../app/lib/api/session-client.ts';

type Call = { url: string; init: RequestInit | undefined };

/** A fetch that answers from a table and records what it was asked. */
function fakeFetch(answer: (url: string, init?: RequestInit) => Response | Error) {
  const calls: Call[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const url = String(input);
    calls.push({ url, init });
    const result = answer(url, init);
    if (result instanceof Error) throw result;
    return result;
  };
  return { fetch, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const alice = { id: 'a1', nickname: 'alice', name: 'Alice Example', role: 'helper', chatLimit: 3 };

describe('session client', () => {
  it('signs in with a JSON body and decodes the token and account', async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { token: 't0k', account: alice }));
    const result = await createSessionClient({ fetch }).signIn('alice', 'demo-pass');
    expect(result).toEqual({ ok: true, value: { token: 't0k', account: alice } });
    expect(calls[0]?.url).toBe('/api/session');
    expect(calls[0]?.init?.method).toBe('POST');
    expect(JSON.parse(String(calls[0]?.init?.body))).toEqual({
      nickname: 'alice',
      password: 'demo-pass',
    });
  });

  it('reports the service error code and message on 401', async () => {
    const { fetch } = fakeFetch(() =>
      json(401, { error: { code: 'bad_credentials', message: 'Wrong nickname or password.' } }),
    );
    const result = await createSessionClient({ fetch }).signIn('alice', 'nope');
    expect(result).toEqual({
      ok: false,
      status: 401,
      code: 'bad_credentials',
      message: 'Wrong nickname or password.',
    });
  });

  it('refuses an answer that does not match the schema', async () => {
    const { fetch } = fakeFetch(() =>
      json(200, { token: 't', account: { ...alice, role: 'superuser' } }),
    );
    const result = await createSessionClient({ fetch }).signIn('alice', 'x');
    expect(result).toMatchObject({ ok: false, code: 'bad_response' });
  });

  it('refuses a body that is not JSON', async () => {
    const { fetch } = fakeFetch(() => new Response('<html>', { status: 200 }));
    const result = await createSessionClient({ fetch }).me('t');
    expect(result).toMatchObject({ ok: false, code: 'bad_response' });
  });

  it('turns a failed fetch into a network failure value', async () => {
    const { fetch } = fakeFetch(() => new TypeError('connection refused'));
    const result = await createSessionClient({ fetch }).signIn('alice', 'x');
    expect(result).toMatchObject({ ok: false, status: null, code: 'network' });
  });

  it('describes an error answer without a body by its status', async () => {
    const { fetch } = fakeFetch(() => new Response(null, { status: 502 }));
    const result = await createSessionClient({ fetch }).signIn('alice', 'x');
    expect(result).toMatchObject({ ok: false, status: 502, code: 'http' });
  });

  it('signs out and reads the account with a bearer token', async () => {
    const { fetch, calls } = fakeFetch((url) =>
      url === '/api/me' ? json(200, alice) : new Response(null, { status: 204 }),
    );
    const client = createSessionClient({ fetch });
    expect(await client.me('t0k')).toEqual({ ok: true, value: alice });
    expect(await client.signOut('t0k')).toEqual({ ok: true, value: null });
    expect(
      calls.map((c) => [c.init?.method, new Headers(c.init?.headers).get('authorization')]),
    ).toEqual([
      ['GET', 'Bearer t0k'],
      ['DELETE', 'Bearer t0k'],
    ]);
  });

  it('reads the demo accounts, and treats a missing demo endpoint as no demo', async () => {
    const demo = {
      demo: true,
      accounts: [{ nickname: 'alice', password: 'demo-pass', role: 'helper' }],
    };
    const on = fakeFetch(() => json(200, demo));
    expect(await createSessionClient({ fetch: on.fetch }).demo()).toEqual({
      ok: true,
      value: demo,
    });
    const off = fakeFetch(() => json(404, { error: { code: 'not_found', message: 'Not found.' } }));
    expect(await createSessionClient({ fetch: off.fetch }).demo()).toEqual({
      ok: true,
      value: { demo: false, accounts: [] },
    });
  });

  it('prefixes the base URL', async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { demo: false, accounts: [] }));
    await createSessionClient({ fetch, baseUrl: 'http://127.0.0.1:9' }).demo();
    expect(calls[0]?.url).toBe('http://127.0.0.1:9/api/demo');
  });
});
