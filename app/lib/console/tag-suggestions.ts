/**
 * What `/tag` suggests (F17, SPEC.md SP-K7): the common tags first, then the team's own
 * (most used first), then what was typed as a new tag; never a tag the chat has.
 * Tags that start with what was typed come before those that only contain it.
 */
import { COMMON_TAGS, normalizeTag } from '$protocol';
import type { Suggestion } from './slash-commands.ts';

export function tagSuggestions(
  typed: string,
  present: readonly string[],
  team: readonly string[],
): Suggestion[] {
  const wanted = typed.trim() === '' ? '' : (normalizeTag(typed) ?? '');
  const candidates = [...new Set([...COMMON_TAGS, ...team])].filter((t) => !present.includes(t));
  const starts = candidates.filter((t) => t.startsWith(wanted));
  const contains = candidates.filter((t) => !t.startsWith(wanted) && t.includes(wanted));
  const common = new Set<string>(COMMON_TAGS);
  const out = [...starts, ...contains].map((tag) => ({
    key: `tag-${tag}`,
    label: tag,
    detail: common.has(tag) ? 'Common tag' : 'Used by the team',
    text: `/tag ${tag}`,
    complete: true,
  }));
  if (wanted !== '' && !candidates.includes(wanted) && !present.includes(wanted)) {
    out.push({
      key: `tag-${wanted}`,
      label: wanted,
      detail: 'New tag',
      text: `/tag ${wanted}`,
      complete: true,
    });
  }
  return out;
}
