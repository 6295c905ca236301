/**
 * F32 the optional privacy notice before a chat starts (SPEC.md SP-PN1–SP-PN3): what the
 * service tells the widget in its welcome when `PRIVACY_NOTICE` is set, and the
 * acknowledgement a chat request then carries. The policy link is an http(s) address
 * only, so it can never be a `javascript:` or `data:` link in the widget.
 */
import * as v from 'valibot';
import { LIMITS } from './limits.ts';

export const PRIVACY_NOTICE_MAX_LENGTH = 2000;

/** An http:// or https:// address, as a privacy policy link may be. */
export const PolicyUrl = v.pipe(
  v.string(),
  v.maxLength(LIMITS.maxUrlLength),
  v.regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// address'),
);

export const PrivacyNotice = v.strictObject({
  /** Plain text, shown as written (never as HTML). */
  text: v.pipe(v.string(), v.minLength(1), v.maxLength(PRIVACY_NOTICE_MAX_LENGTH)),
  policyUrl: v.nullable(PolicyUrl),
});
export type PrivacyNotice = v.InferOutput<typeof PrivacyNotice>;
