/**
 * Reading an HTTP request at the trust boundary (STYLE.md point 3): the bearer
 * token, and a JSON body decoded against a schema, with nothing unparsed let in.
 *
 * Exports: `bearerToken(req)`, `decodeJsonBody(req, schema)`, `BodyResult`.
 */
import * as v from 'valibot';
import type { HttpRequest, HttpResponse } from '../transport/transport.ts';
import { jsonError } from './json-response.ts';

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(req: HttpRequest): string | null {
  const header = req.headers['authorization'];
  const match = header === undefined ? null : /^Bearer +(\S+)$/i.exec(header.trim());
  return match?.[1] ?? null;
}

export type BodyResult<T> = { ok: true; value: T } | { ok: false; response: HttpResponse };

/** Decodes a JSON body against a schema: 415 when it is not JSON by its type, 400
 * `bad_frame` naming the first field at fault. */
export function decodeJsonBody<T>(
  req: HttpRequest,
  schema: v.GenericSchema<unknown, T>,
): BodyResult<T> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    return { ok: false, response: jsonError(415, 'unsupported_media_type') };
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(req.body));
  } catch {
    return { ok: false, response: jsonError(400, 'bad_frame', { detail: 'not JSON' }) };
  }
  const parsed = v.safeParse(schema, value);
  if (parsed.success) return { ok: true, value: parsed.output };
  const issue = parsed.issues[0];
  const detail = issue ? `${v.getDotPath(issue) ?? '(body)'}: ${issue.message}` : 'invalid';
  return { ok: false, response: jsonError(400, 'bad_frame', { detail }) };
}
