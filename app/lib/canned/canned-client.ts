/**
 * The console's client of the canned-response routes (SPEC.md CN1–CN6): requests
 * built from the protocol's body types, answers decoded with its schemas before use,
 * every outcome a value (`ApiResult`), never a throw.
 */
import * as v from 'valibot';
import {
  CannedList,
  CannedResponse,
  SuggestionList,
  type AcceptSuggestionBody,
  type CannedBody,
} from '$protocol';
import type { ApiResult } from '../api/session-client.ts';

const ErrorBody = v.object({
  error: v.object({ code: v.string(), message: v.pipe(v.string(), v.maxLength(1000)) }),
});
const Created = v.object({ response: CannedResponse });
const Ok = v.object({});

export type CannedClient = ReturnType<typeof createCannedClient>;

export function createCannedClient(token: string, doFetch: typeof fetch = (i, o) => fetch(i, o)) {
  async function call<T>(
    method: string,
    path: string,
    schema: v.GenericSchema<unknown, T>,
    body?: unknown,
  ): Promise<ApiResult<T>> {
    let response: Response;
    try {
      response = await doFetch(path, {
        method,
        headers: {
          accept: 'application/json',
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      return fail(null, 'network', 'Peerdesk could not be reached. Check your connection.');
    }
    const json: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = v.safeParse(ErrorBody, json);
      return error.success
        ? fail(response.status, error.output.error.code, error.output.error.message)
        : fail(response.status, 'http', `The request failed (HTTP ${response.status}).`);
    }
    const parsed = v.safeParse(schema, json);
    return parsed.success
      ? { ok: true, value: parsed.output }
      : fail(response.status, 'bad_response', 'Peerdesk sent an answer that could not be read.');
  }

  const id = encodeURIComponent;
  return {
    list: () => call('GET', '/api/canned', CannedList),
    createPersonal: (body: CannedBody) => call('POST', '/api/canned/personal', Created, body),
    updatePersonal: (responseId: string, body: CannedBody) =>
      call('PUT', `/api/canned/personal/${id(responseId)}`, Created, body),
    deletePersonal: (responseId: string) =>
      call('POST', `/api/canned/personal/${id(responseId)}/delete`, Ok, {}),
    suggest: (body: CannedBody) =>
      call('POST', '/api/canned/suggestions', v.object({ id: v.string() }), body),
    suggestions: () => call('GET', '/api/admin/canned/suggestions', SuggestionList),
    accept: (suggestionId: string, body: AcceptSuggestionBody) =>
      call('POST', `/api/admin/canned/suggestions/${id(suggestionId)}/accept`, Created, body),
    decline: (suggestionId: string) =>
      call('POST', `/api/admin/canned/suggestions/${id(suggestionId)}/decline`, Ok, {}),
  };
}

function fail(status: number | null, code: string, message: string) {
  return { ok: false as const, status, code, message };
}
