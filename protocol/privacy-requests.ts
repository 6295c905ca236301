/**
 * F32 privacy controls at the HTTP boundary (SPEC.md SP-PV1–SP-PV3): an admin's request
 * to forget a visitor, by visitor id, email or both, and what was erased.
 */
import * as v from 'valibot';
import { Email } from './primitives.ts';

export const ForgetVisitorBody = v.pipe(
  v.strictObject({
    visitorId: v.optional(
      v.pipe(v.string(), v.trim(), v.regex(/^[A-Za-z0-9_-]{1,64}$/, 'a visitor id')),
    ),
    email: v.optional(Email),
  }),
  v.check(
    (body) => body.visitorId !== undefined || body.email !== undefined,
    'a visitor id or an email is needed',
  ),
);
export type ForgetVisitorBody = v.InferOutput<typeof ForgetVisitorBody>;

/** How many rows of each kind were erased, and how many visitor ids they named. */
export const ForgetVisitorResult = v.strictObject({
  erased: v.record(v.string(), v.pipe(v.number(), v.integer(), v.minValue(0))),
});
export type ForgetVisitorResult = v.InferOutput<typeof ForgetVisitorResult>;
