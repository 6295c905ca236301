/** JSON responses of the HTTP API: never cached, errors as `{ error: { code, message } }`
 * with a code from the protocol's table (or one of the HTTP-only codes). */
import type { ErrorCode } from '../../protocol/index.ts';
import { errorMessage } from '../../protocol/index.ts';
import type { HttpResponse } from '../transport/transport.ts';

/** Codes that only HTTP needs; everything else comes from `protocol/errors.ts`. */
export const HTTP_ONLY_ERRORS = {
  not_found: 'There is nothing here.',
  method_not_allowed: 'That method is not allowed here.',
  unsupported_media_type: 'Send JSON (Content-Type: application/json).',
} as const;

export type HttpErrorCode = ErrorCode | keyof typeof HTTP_ONLY_ERRORS;

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export function json(
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(value) };
}

export function jsonError(
  status: number,
  code: HttpErrorCode,
  options: { detail?: string; headers?: Record<string, string> } = {},
): HttpResponse {
  const message = isHttpOnly(code) ? HTTP_ONLY_ERRORS[code] : errorMessage(code);
  const error =
    options.detail === undefined ? { code, message } : { code, message, detail: options.detail };
  return json(status, { error }, options.headers);
}

function isHttpOnly(code: HttpErrorCode): code is keyof typeof HTTP_ONLY_ERRORS {
  return Object.hasOwn(HTTP_ONLY_ERRORS, code);
}
