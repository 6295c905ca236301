/**
 * Decoding at the trust boundary (STYLE.md point 3): bytes in, a typed message or
 * an error code out. Never throws, whatever the input.
 */
import * as v from 'valibot';
import type { ErrorCode } from './errors.ts';
import { LIMITS } from './limits.ts';

export type Decoded<T> =
  { ok: true; value: T } | { ok: false; code: ErrorCode; ref?: string; detail: string };

/** A faster decoder for some frames of a schema (hot-frames.ts): the value the
 * schema would give, or undefined to let the schema decide. */
export type HotDecoder<T> = (json: Record<string, unknown>) => T | undefined;

/** Parses a text frame against a union schema keyed on `type`. JSON.parse does not
 * touch prototypes (a `__proto__` key becomes an own property), and the strict
 * object schemas then refuse any key they do not name. `hot` may take a frame the
 * schema accepts; every other one, and every refusal, is the schema's. */
export function decodeFrame<T>(
  schema: v.GenericSchema<unknown, T>,
  text: string,
  hot?: HotDecoder<T>,
): Decoded<T> {
  if (text.length > LIMITS.maxFrameBytes) {
    return { ok: false, code: 'frame_too_large', detail: `${text.length} characters` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad_frame', detail: 'not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, code: 'bad_frame', detail: 'not an object' };
  }
  if (hot !== undefined) {
    const value = hot(json as Record<string, unknown>);
    if (value !== undefined) return { ok: true, value };
  }
  const type: unknown = (json as Record<string, unknown>)['type'];
  const ref = typeof type === 'string' ? type.slice(0, 40) : undefined;
  const result = v.safeParse(schema, json);
  if (result.success) return { ok: true, value: result.output };
  const first = result.issues[0];
  // An unknown `type` fails at the discriminator itself.
  const unknownType =
    first?.kind === 'schema' && first.type === 'variant' && (first.path?.length ?? 0) <= 1;
  const detail = first ? `${v.getDotPath(first) ?? '(root)'}: ${first.message}` : 'invalid';
  const base = {
    ok: false as const,
    code: (unknownType ? 'unknown_type' : 'bad_frame') as ErrorCode,
    detail,
  };
  return ref === undefined ? base : { ...base, ref };
}
