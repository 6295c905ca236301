/**
 * F18: finding a canned response as the helper types (every word of the query in the
 * title, the text or the category, titles first), and filling its placeholders
 * (SP-CN3) before it lands in the reply box for editing.
 */
import { fillPlaceholders, type CannedResponse } from '$protocol';

export function searchResponses(
  responses: readonly CannedResponse[],
  query: string,
): CannedResponse[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const scored: { response: CannedResponse; score: number }[] = [];
  for (const response of responses) {
    const title = response.title.toLowerCase();
    const rest = `${response.body} ${response.category}`.toLowerCase();
    if (!words.every((w) => title.includes(w) || rest.includes(w))) continue;
    const inTitle = words.filter((w) => title.includes(w)).length;
    // Personal ones first among equals: they are the helper's own phrasing.
    scored.push({ response, score: inTitle * 2 + (response.scope === 'personal' ? 1 : 0) });
  }
  return scored
    .sort((a, b) => b.score - a.score || a.response.title.localeCompare(b.response.title))
    .map((s) => s.response);
}

/** What goes into the reply box: the body with the visitor's and helper's names in. */
export function insertText(
  response: CannedResponse,
  names: { visitor: string; helper: string },
): string {
  return fillPlaceholders(response.body, names);
}

/** F17 link: a response of the Tags category applies the tag its title names. */
export function tagOf(response: CannedResponse): string | null {
  if (response.category !== 'Tags') return null;
  const tag = response.title.trim().toLowerCase();
  return /^[a-z0-9][a-z0-9_-]{0,39}$/.test(tag) ? tag : null;
}
