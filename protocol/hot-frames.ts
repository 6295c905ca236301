/**
 * A hand-written decoder for the relay's hot frame, `signal` (SPEC.md SP-R1), the one
 * frame a WebRTC link sends a dozen of (S2). It accepts exactly what the valibot
 * schema `SignalOut` accepts and builds the same output (the schema's fields in the
 * schema's order); anything it does not accept it leaves to the schema, so a refused
 * frame gets the schema's own error code, ref and detail. That it is neither looser
 * nor stricter is proven by tests/unit/protocol/hot-frames.property.test.ts over
 * the malformed-frame corpus and generated frames.
 *
 * Each check below names the schema rule it mirrors; change both together.
 */
import type * as v from 'valibot';
import { LIMITS } from './limits.ts';
import type { SignalOut } from './shared-messages.ts';

type SignalOutput = v.InferOutput<typeof SignalOut>;
type SignalDataOutput = SignalOutput['data'];

/** primitives.ts `Id`: a string of 1 to maxIdLength characters of [A-Za-z0-9_-]. */
const ID_CHARS = /^[A-Za-z0-9_-]+$/;

function isId(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= LIMITS.maxIdLength &&
    ID_CHARS.test(value)
  );
}

/** An object as valibot's object schemas take it: any non-null object. */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** `strictObject`: no key (own or inherited, enumerable) outside `allowed`. The
 * required keys are checked with `in`, as valibot does; together they mean the
 * object has exactly those keys. */
function onlyKeys(value: Record<string, unknown>, count: number): boolean {
  let keys = 0;
  for (const key in value) {
    keys += 1;
    if (keys > count || !Object.prototype.hasOwnProperty.call(value, key)) return false;
  }
  return keys === count;
}

/**
 * `SignalOut` (shared-messages.ts) on a parsed frame: the decoded message, or
 * undefined when the schema must decide (not a `signal` frame, or one the schema
 * refuses).
 */
export function decodeSignalOut(json: Record<string, unknown>): SignalOutput | undefined {
  // strictObject({ type: literal('signal'), chatId: ChatId, to: ParticipantId, link: Id, data })
  if (json['type'] !== 'signal') return undefined;
  if (!('chatId' in json && 'to' in json && 'link' in json && 'data' in json)) return undefined;
  if (!onlyKeys(json, 5)) return undefined;
  const { chatId, to, link } = json;
  if (!isId(chatId) || !isId(to) || !isId(link)) return undefined;
  const data = decodeSignalData(json['data']);
  if (data === undefined) return undefined;
  return { type: 'signal', chatId, to, link, data };
}

/** `SignalData` (signal-data.ts): variant on `kind`. */
function decodeSignalData(data: unknown): SignalDataOutput | undefined {
  if (!isObject(data) || !('kind' in data)) return undefined;
  switch (data['kind']) {
    case 'description': {
      // strictObject({ kind, type: picklist(['offer','answer']), sdp: string 1..maxSdpBytes })
      if (!('type' in data && 'sdp' in data) || !onlyKeys(data, 3)) return undefined;
      const { type, sdp } = data;
      if (type !== 'offer' && type !== 'answer') return undefined;
      if (typeof sdp !== 'string' || sdp.length < 1 || sdp.length > LIMITS.maxSdpBytes)
        return undefined;
      return { kind: 'description', type, sdp };
    }
    case 'candidate': {
      // strictObject({ kind, candidate: string ≤ maxCandidateBytes,
      //   sdpMid: nullable(string ≤ 64), sdpMLineIndex: nullable(integer 0..1024) })
      if (!('candidate' in data && 'sdpMid' in data && 'sdpMLineIndex' in data)) return undefined;
      if (!onlyKeys(data, 4)) return undefined;
      const { candidate, sdpMid, sdpMLineIndex } = data;
      if (typeof candidate !== 'string' || candidate.length > LIMITS.maxCandidateBytes)
        return undefined;
      if (sdpMid !== null && (typeof sdpMid !== 'string' || sdpMid.length > 64)) return undefined;
      if (
        sdpMLineIndex !== null &&
        (typeof sdpMLineIndex !== 'number' ||
          !Number.isInteger(sdpMLineIndex) ||
          sdpMLineIndex < 0 ||
          sdpMLineIndex > 1024)
      )
        return undefined;
      return { kind: 'candidate', candidate, sdpMid, sdpMLineIndex };
    }
    case 'restart':
      // strictObject({ kind: literal('restart') })
      return onlyKeys(data, 1) ? { kind: 'restart' } : undefined;
    default:
      return undefined;
  }
}
