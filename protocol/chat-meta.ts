/**
 * Chat metadata (SPEC.md SP-K1–SP-K7): the tags (F17) and the label (F14) staff give a
 * chat. They are staff data about the chat, not part of the conversation, so they
 * live at the service and travel only on the staff endpoint: never in the chat
 * document, which the visitor holds a copy of.
 */
import * as v from 'valibot';
import { LIMITS } from './limits.ts';
import { ChatId } from './primitives.ts';

/** A tag as the service keeps it: lower-case letters, digits and '-', starting with a
 * letter or digit (SP-K2). `normalizeTag` makes one from what a person typed. */
export const Tag = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(LIMITS.maxTagLength),
  v.regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and - only'),
);
export type Tag = v.InferOutput<typeof Tag>;

/** The label of a chat (F14): free text, one line; the empty string clears it. */
export const Label = v.pipe(
  v.string(),
  v.maxLength(LIMITS.maxLabelLength),
  v.regex(/^[^\p{Cc}]*$/u, 'no control characters'),
);

export const Tags = v.pipe(v.array(Tag), v.maxLength(LIMITS.maxTagsPerChat));

/** Staff → service (SP-K3): each changes one thing, so two helpers never overwrite
 * each other's tags with a stale list. */
export const TagAdd = v.strictObject({ type: v.literal('tag_add'), chatId: ChatId, tag: Tag });
export const TagRemove = v.strictObject({
  type: v.literal('tag_remove'),
  chatId: ChatId,
  tag: Tag,
});
export const LabelSet = v.strictObject({
  type: v.literal('label_set'),
  chatId: ChatId,
  label: Label,
});

/** Service → staff (SP-K4): the chat's whole metadata after a change, or when a staff
 * member gets the chat. */
export const ChatMeta = v.strictObject({
  type: v.literal('chat_meta'),
  chatId: ChatId,
  tags: Tags,
  label: Label,
});
export type ChatMeta = v.InferOutput<typeof ChatMeta>;

/** The common tags of the Firefox Live Chat handbook (F17), offered first. */
export const COMMON_TAGS = [
  'qa',
  'crash',
  'print',
  'wontstart',
  'addon',
  'firewall',
  'website',
  'flash',
  'solved',
  'followup',
  'userleft',
] as const;

/** What a person typed as a tag ("Won't Start ", "#Crash") → the tag the service
 * keeps ("wont-start", "crash"), or null when nothing usable is left. */
export function normalizeTag(typed: string): string | null {
  const tag = typed
    .trim()
    .toLowerCase()
    .replace(/^#+/, '')
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, LIMITS.maxTagLength)
    .replace(/-+$/, '');
  return tag === '' ? null : tag;
}
