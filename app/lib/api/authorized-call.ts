/**
 * One JSON call to the service's HTTP API with the session's bearer token, shared by
 * the console's clients of the admin and canned-response routes. Answers are decoded
 * with the caller's schema before use (STYLE.md point 3); every outcome is a value
 * (`ApiResult`), never a throw (STYLE.md point 9): no answer at all is `network`, an
 * answer that does not decode is `bad_response`, an error answer carries the service's
 * code and message (with its detail, such as the field a strict body refused, SP-A1).
 */
import * as v from 'valibot';
import type { ApiFailure, ApiResult } from './session-client.ts';

const ErrorBody = v.object({
  error: v.object({
    code: v.pipe(v.string(), v.maxLength(100)),
    message: v.pipe(v.string(), v.maxLength(1000)),
    detail: v.optional(v.pipe(v.string(), v.maxLength(2000))),
  }),
});

export type Failure = { ok: false } & ApiFailure;

export type AuthorizedCall = <T>(
  method: string,
  path: string,
  schema: v.GenericSchema<unknown, T>,
  body?: unknown,
) => Promise<ApiResult<T>>;

export function failure(status: number | null, code: string, message: string): Failure {
  return { ok: false, status, code, message };
}

export const unreachable = (): Failure =>
  failure(null, 'network', 'Peerdesk could not be reached. Check your connection.');

/** The body of an answer as JSON, or undefined when it is not JSON. */
export async function jsonOf(response: Response): Promise<unknown> {
  try {
    return (await response.json()) as unknown;
  } catch {
    return undefined;
  }
}

/** What an error answer (`{ error: { code, message, detail? } }`) says went wrong. */
export function errorAnswer(status: number, json: unknown): Failure {
  const parsed = v.safeParse(ErrorBody, json);
  if (!parsed.success) return failure(status, 'http', `The request failed (HTTP ${status}).`);
  const { code, message, detail } = parsed.output.error;
  return failure(status, code, detail === undefined ? message : `${message} (${detail})`);
}

export function authorizedCall(
  token: string,
  doFetch: typeof fetch = (input, init) => fetch(input, init),
): AuthorizedCall {
  return async function call<T>(
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
      return unreachable();
    }
    const json = await jsonOf(response);
    if (!response.ok) return errorAnswer(response.status, json);
    const parsed = v.safeParse(schema, json);
    return parsed.success
      ? { ok: true, value: parsed.output }
      : failure(response.status, 'bad_response', 'Peerdesk sent an answer that could not be read.');
  };
}
