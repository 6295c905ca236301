/**
 * The one HTTP helper of the console's admin and canned-response clients
 * (app/lib/api/authorized-call.ts): the bearer token on every call, JSON only when
 * there is a body, answers decoded with the caller's schema, and every failure a value
 * (no answer, an error answer with or without its detail, an answer that does not
 * decode). Driven through the two clients that use it, with a fetch of the test's own.
 */
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { authorizedCall } from '../../../app/lib/api/authorized-call.ts';
import { createAdminClient } from '../../../app/lib/admin/admin-client.ts';
import { createCannedClient } from '../../../app/lib/canned/canned-client.ts';

type Call = { url: string; init: RequestInit | undefined };

function fakeFetch(answer: () => Response | Error) {
  const calls: Call[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    calls.push({ url: String(input), init });
    const result = answer();
    if (result instanceof Error) throw result;
    return result;
  };
  return { fetch, calls };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const headersOf = (call: Call | undefined) => new Headers(call?.init?.headers);

const response = {
  id: 'r1',
  scope: 'personal',
  category: 'Troubleshooting',
  title: 'Printer driver',
  body: 'Which printer is it, {visitor}?',
  updatedAt: 1_700_000_000_000,
};

describe('authorized call', () => {
  it('sends the bearer token, JSON only with a body, and decodes the answer (canned client)', async () => {
    const { fetch, calls } = fakeFetch(() => json(201, { response }));
    const client = createCannedClient('t0k', fetch);
    const body = { category: 'Troubleshooting', title: 'Printer driver', body: response.body };
    const created = await client.createPersonal(body as never);
    expect(created).toEqual({ ok: true, value: { response } });
    expect(calls[0]?.url).toBe('/api/canned/personal');
    expect(calls[0]?.init?.method).toBe('POST');
    expect(headersOf(calls[0]).get('authorization')).toBe('Bearer t0k');
    expect(headersOf(calls[0]).get('content-type')).toBe('application/json');
    expect(JSON.parse(String(calls[0]?.init?.body))).toEqual(body);

    await client.list();
    expect(calls[1]?.init?.method).toBe('GET');
    expect(headersOf(calls[1]).get('content-type')).toBeNull();
    expect(calls[1]?.init?.body).toBeUndefined();
  });

  it('gives the service code and message, with the detail naming the field (SP-A1)', async () => {
    const { fetch } = fakeFetch(() =>
      json(400, {
        error: { code: 'bad_frame', message: 'The request is not valid.', detail: 'title' },
      }),
    );
    for (const result of [
      await createCannedClient('t', fetch).createPersonal({} as never),
      await createAdminClient('t', fetch).createDepartment('x'),
    ]) {
      expect(result).toEqual({
        ok: false,
        status: 400,
        code: 'bad_frame',
        message: 'The request is not valid. (title)',
      });
    }
  });

  it('gives the message alone when there is no detail', async () => {
    const { fetch } = fakeFetch(() =>
      json(404, { error: { code: 'unknown_response', message: 'No such response.' } }),
    );
    const result = await createCannedClient('t', fetch).deletePersonal('r9');
    expect(result).toEqual({
      ok: false,
      status: 404,
      code: 'unknown_response',
      message: 'No such response.',
    });
  });

  it('names the HTTP status when the error answer cannot be read (or its code is too long)', async () => {
    for (const answer of [
      () => new Response('<html>', { status: 502 }),
      () => json(502, { error: { code: 'x'.repeat(101), message: 'm' } }),
    ]) {
      const { fetch } = fakeFetch(answer);
      expect(await createAdminClient('t', fetch).accounts()).toEqual({
        ok: false,
        status: 502,
        code: 'http',
        message: 'The request failed (HTTP 502).',
      });
    }
  });

  it('says the service could not be reached when fetch throws', async () => {
    const { fetch } = fakeFetch(() => new TypeError('Failed to fetch'));
    expect(await authorizedCall('t', fetch)('GET', '/api/x', v.object({}))).toEqual({
      ok: false,
      status: null,
      code: 'network',
      message: 'Peerdesk could not be reached. Check your connection.',
    });
  });

  it('refuses an answer its schema does not accept', async () => {
    const { fetch } = fakeFetch(() => json(200, { responses: [{ ...response, scope: 'team' }] }));
    expect(await createCannedClient('t', fetch).list()).toMatchObject({
      ok: false,
      status: 200,
      code: 'bad_response',
    });
  });

  it('gives the CSV text, or the error answer, for the tag statistics (SP-K6)', async () => {
    const query = { from: '2026-12-01', to: '2026-12-06', bucket: 'day' } as const;
    const ok = fakeFetch(() => new Response('day,crash\r\n', { status: 200 }));
    expect(await createAdminClient('t', ok.fetch).tagStatsCsv(query)).toEqual({
      ok: true,
      value: 'day,crash\r\n',
    });
    expect(ok.calls[0]?.url).toBe(
      '/api/admin/tag-stats?from=2026-12-01&to=2026-12-06&bucket=day&format=csv',
    );
    const refused = fakeFetch(() =>
      json(403, { error: { code: 'forbidden', message: 'Not for your role.' } }),
    );
    expect(await createAdminClient('t', refused.fetch).tagStatsCsv(query)).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
  });
});
