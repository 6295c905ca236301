/**
 * Canned responses (F18, SPEC.md SP-CN1–SP-CN6): Global ones curated by admins, Personal ones
 * each staff member's own, in the Firefox community's categories; helpers suggest
 * Global ones and admins accept (possibly edited) or decline. Bodies of the HTTP API
 * and what it answers, all strict.
 */
import * as v from 'valibot';
import { LIMITS } from './limits.ts';
import { Id, Name, Nickname, Timestamp } from './primitives.ts';

/** The seed's categories, in its order (FX). */
export const CANNED_CATEGORIES = [
  'Troubleshooting',
  'Common issues',
  'Error messages',
  'Web sites',
  'Using Firefox',
  'Resources',
  'Following up',
  'Administration',
  'RRRT',
  'Tags',
  'Common instructions',
] as const;
export const CannedCategory = v.picklist(CANNED_CATEGORIES);
export type CannedCategory = v.InferOutput<typeof CannedCategory>;

const Title = v.pipe(
  v.string(),
  v.trim(),
  v.minLength(1),
  v.maxLength(LIMITS.maxCannedTitleLength),
);
const Body = v.pipe(v.string(), v.trim(), v.minLength(1), v.maxLength(LIMITS.maxCannedBodyLength));

/** Create or replace a response (Personal, or Global by an admin). */
export const CannedBody = v.strictObject({ category: CannedCategory, title: Title, body: Body });
export type CannedBody = v.InferOutput<typeof CannedBody>;

/** An admin's answer to a suggestion: accept as it is, or with edits. */
export const AcceptSuggestionBody = v.strictObject({
  category: v.optional(CannedCategory),
  title: v.optional(Title),
  body: v.optional(Body),
});
export type AcceptSuggestionBody = v.InferOutput<typeof AcceptSuggestionBody>;

export const CannedResponse = v.strictObject({
  id: Id,
  scope: v.picklist(['global', 'personal']),
  category: CannedCategory,
  title: Title,
  body: Body,
  updatedAt: Timestamp,
});
export type CannedResponse = v.InferOutput<typeof CannedResponse>;

export const CannedList = v.strictObject({ responses: v.array(CannedResponse) });

export const CannedSuggestion = v.strictObject({
  id: Id,
  by: v.strictObject({ nickname: Nickname, name: Name }),
  category: CannedCategory,
  title: Title,
  body: Body,
  createdAt: Timestamp,
  status: v.picklist(['pending', 'accepted', 'declined']),
});
export type CannedSuggestion = v.InferOutput<typeof CannedSuggestion>;

export const SuggestionList = v.strictObject({ suggestions: v.array(CannedSuggestion) });

/** SP-CN3: `{visitor}` and `{helper}` in a body are filled in when it is inserted. */
export function fillPlaceholders(body: string, names: { visitor: string; helper: string }): string {
  return body.replace(/\{(visitor|helper)\}/g, (_, key: 'visitor' | 'helper') => names[key]);
}
