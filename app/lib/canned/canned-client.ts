/**
 * The console's client of the canned-response routes (SPEC.md SP-CN1–SP-CN6): requests
 * built from the protocol's body types, answers decoded with its schemas before use,
 * every outcome a value (`ApiResult`), never a throw (api/authorized-call.ts).
 */
import * as v from 'valibot';
import {
  CannedList,
  CannedResponse,
  SuggestionList,
  type AcceptSuggestionBody,
  type CannedBody,
} from '$protocol';
import { authorizedCall } from '../api/authorized-call.ts';

const Created = v.object({ response: CannedResponse });
const Ok = v.object({});

export type CannedClient = ReturnType<typeof createCannedClient>;

export function createCannedClient(token: string, doFetch: typeof fetch = (i, o) => fetch(i, o)) {
  const call = authorizedCall(token, doFetch);
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
    createGlobal: (body: CannedBody) => call('POST', '/api/admin/canned/global', Created, body),
    updateGlobal: (responseId: string, body: CannedBody) =>
      call('PUT', `/api/admin/canned/global/${id(responseId)}`, Created, body),
    deleteGlobal: (responseId: string) =>
      call('POST', `/api/admin/canned/global/${id(responseId)}/delete`, Ok, {}),
  };
}
