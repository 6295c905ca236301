/** The WebRTC signalling payload the relay forwards (SPEC.md SP-R1–SP-R3). The service
 * parses it and re-serialises only these fields, so nothing else a peer adds
 * reaches the other side. */
import * as v from 'valibot';
import { LIMITS } from './limits.ts';

export const SignalData = v.variant('kind', [
  v.strictObject({
    kind: v.literal('description'),
    type: v.picklist(['offer', 'answer']),
    sdp: v.pipe(v.string(), v.minLength(1), v.maxLength(LIMITS.maxSdpBytes)),
  }),
  v.strictObject({
    kind: v.literal('candidate'),
    candidate: v.pipe(v.string(), v.maxLength(LIMITS.maxCandidateBytes)),
    sdpMid: v.nullable(v.pipe(v.string(), v.maxLength(64))),
    sdpMLineIndex: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(1024))),
  }),
  /** Ask the other side to tear the link down and start a fresh one. */
  v.strictObject({ kind: v.literal('restart') }),
]);
export type SignalData = v.InferOutput<typeof SignalData>;
