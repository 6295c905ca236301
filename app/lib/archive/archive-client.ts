/**
 * The console's client of the transcript archive (SPEC.md SP-U5, SP-U6): search and read.
 * Every answer is decoded with the protocol's schemas before it is shown, and every
 * outcome is a value (`ApiResult`), never a throw.
 */
import * as v from 'valibot';
import { ArchiveFilters, ArchiveResults, Transcript, type ArchiveQuery } from '$protocol';
import type { ApiResult } from '../api/session-client.ts';

const ErrorBody = v.object({ error: v.object({ code: v.string(), message: v.string() }) });

export type ArchiveClient = ReturnType<typeof createArchiveClient>;

export function createArchiveClient(token: string, doFetch: typeof fetch = (i, o) => fetch(i, o)) {
  async function get<T>(path: string, schema: v.GenericSchema<unknown, T>): Promise<ApiResult<T>> {
    let response: Response;
    try {
      response = await doFetch(path, {
        headers: { accept: 'application/json', authorization: `Bearer ${token}` },
      });
    } catch {
      return fail(null, 'network', 'Peerdesk could not be reached. Check your connection.');
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = v.safeParse(ErrorBody, body);
      return error.success
        ? fail(response.status, error.output.error.code, error.output.error.message)
        : fail(response.status, 'http', `The request failed (HTTP ${response.status}).`);
    }
    const parsed = v.safeParse(schema, body);
    return parsed.success
      ? { ok: true, value: parsed.output }
      : fail(response.status, 'bad_response', 'Peerdesk sent an answer that could not be read.');
  }

  return {
    search(query: ArchiveQuery): Promise<ApiResult<ArchiveResults>> {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) {
        if (value !== undefined && value !== '') params.set(key, String(value));
      }
      return get(`/api/archive?${params.toString()}`, ArchiveResults);
    },
    transcript: (chatId: string) => get(`/api/archive/${encodeURIComponent(chatId)}`, Transcript),
    filters: () => get('/api/archive/filters', ArchiveFilters),
    fileUrl: (chatId: string, sha256: string) =>
      `/api/archive/${encodeURIComponent(chatId)}/files/${sha256}`,
  };
}

function fail(status: number | null, code: string, message: string): ApiResult<never> {
  return { ok: false, status, code, message };
}
