/**
 * F27, SPEC.md SP-U1–SP-U4: when a chat a helper took part in ends, their console uploads
 * the final chat document to the archive. The end travels over the socket and the
 * upload over HTTP, so the service may not have closed the chat yet: `chat_not_ended`
 * is retried with backoff. `already_archived` means another helper of the chat was
 * first, which is as good. File bytes go along only when the service keeps them
 * (`ArchivePolicy.fileBytes`), largest last, within that budget.
 *
 * Exports: `uploadTranscript(deps, chatId, update, attachments, earlier)`, `UploadOutcome`,
 * `toBase64(bytes)`.
 */
import * as v from 'valibot';
import { ArchivePolicy, ArchiveUploaded, type Attachment } from '$protocol';

export type UploadOutcome =
  { ok: true; stored: boolean } | { ok: false; code: string; message: string };

export type UploadDeps = {
  token: string;
  fetch?: typeof fetch;
  /** Waits between retries; injected so tests need no real time. */
  wait?: (ms: number) => Promise<void>;
  /** Where attachments' bytes are, for a service that keeps them. */
  loadFile?: (sha256: string) => Promise<Uint8Array | null>;
};

/** Backoff while the service has not closed the chat yet: about a minute in all. */
const RETRY_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000, 16000, 30000];

const ErrorBody = v.object({ error: v.object({ code: v.string(), message: v.string() }) });

export async function uploadTranscript(
  deps: UploadDeps,
  chatId: string,
  update: Uint8Array,
  attachments: readonly Attachment[],
  /** SP-U10: the copies of the earlier conversation the session holds after a requeue. */
  earlier: readonly Uint8Array[] = [],
): Promise<UploadOutcome> {
  const doFetch = deps.fetch ?? ((input, init) => fetch(input, init));
  const wait = deps.wait ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const auth = { authorization: `Bearer ${deps.token}` };

  const policy = await call(doFetch, '/api/archive/policy', { headers: auth }, ArchivePolicy);
  if (!policy.ok) return policy;
  // SP-U9: a service that keeps nothing need not be sent anything.
  if (policy.value.retentionDays === 0) return { ok: true, stored: false };
  const files = await filesWithin(policy.value.fileBytes, attachments, deps.loadFile);
  const body = JSON.stringify({
    update: toBase64(update),
    ...(files.length > 0 ? { files } : {}),
    ...(earlier.length > 0 ? { earlier: earlier.slice(0, 2).map(toBase64) } : {}),
  });
  for (let attempt = 0; ; attempt += 1) {
    const answer = await call(
      doFetch,
      `/api/archive/${encodeURIComponent(chatId)}`,
      { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body },
      ArchiveUploaded,
    );
    if (answer.ok) return { ok: true, stored: answer.value.stored };
    if (answer.code === 'already_archived') return { ok: true, stored: true };
    const delay = RETRY_DELAYS_MS[attempt];
    if ((answer.code !== 'chat_not_ended' && answer.code !== 'network') || delay === undefined) {
      return answer;
    }
    await wait(delay);
  }
}

async function filesWithin(
  budget: number,
  attachments: readonly Attachment[],
  loadFile: UploadDeps['loadFile'],
): Promise<{ sha256: string; data: string }[]> {
  if (budget === 0 || loadFile === undefined) return [];
  const out: { sha256: string; data: string }[] = [];
  const seen = new Set<string>();
  let total = 0;
  for (const a of [...attachments].sort((x, y) => x.bytes - y.bytes)) {
    if (seen.has(a.sha256) || total + a.bytes > budget) continue;
    seen.add(a.sha256);
    const bytes = await loadFile(a.sha256).catch(() => null);
    if (bytes === null || bytes.byteLength !== a.bytes) continue;
    total += bytes.byteLength;
    out.push({ sha256: a.sha256, data: toBase64(bytes) });
  }
  return out;
}

async function call<T>(
  doFetch: typeof fetch,
  path: string,
  init: RequestInit,
  schema: v.GenericSchema<unknown, T>,
): Promise<{ ok: true; value: T } | { ok: false; code: string; message: string }> {
  let response: Response;
  try {
    response = await doFetch(path, {
      ...init,
      headers: { accept: 'application/json', ...init.headers },
    });
  } catch {
    return { ok: false, code: 'network', message: 'Peerdesk could not be reached.' };
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    json = undefined;
  }
  if (!response.ok) {
    const error = v.safeParse(ErrorBody, json);
    return error.success
      ? { ok: false, ...error.output.error }
      : { ok: false, code: 'http', message: `The archive answered HTTP ${response.status}.` };
  }
  const parsed = v.safeParse(schema, json);
  return parsed.success
    ? { ok: true, value: parsed.output }
    : {
        ok: false,
        code: 'bad_response',
        message: 'The archive sent an answer that could not be read.',
      };
}

/** Standard base64 of any size (btoa takes a binary string; built in slices so a
 * large document does not overflow the argument list). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
