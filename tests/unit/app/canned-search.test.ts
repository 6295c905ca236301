/**
 * Finding and inserting canned responses in the reply box (F18, SPEC.md SP-CN3; F17):
 * every word of the query in the title, text or category, titles first and the
 * helper's own first among equals; placeholders filled; a Tags response names the tag
 * it applies.
 */
import { describe, expect, it } from 'vitest';
import { insertText, searchResponses, tagOf } from '../../../app/lib/canned/canned-search.ts';
import type { CannedResponse } from '../../../protocol/index.ts';

function response(
  id: string,
  title: string,
  body: string,
  extra: Partial<CannedResponse> = {},
): CannedResponse {
  return { id, scope: 'global', category: 'Troubleshooting', title, body, updatedAt: 1, ...extra };
}

const printing = response('g1', 'Pages will not print', 'Open the print preview first.');
const driver = response('p1', 'Printer driver', 'An outdated driver prints blank pages.', {
  scope: 'personal',
});
const cache = response('g2', 'Clear cache', 'Clear the cache, {visitor}; {helper} will wait.');
const solved = response('t1', 'Solved', 'Glad that worked!', { category: 'Tags' });

describe('canned search', () => {
  it('matches every word of the query in the title, the text or the category', () => {
    const all = [printing, driver, cache, solved];
    expect(searchResponses(all, 'outdated').map((r) => r.id)).toEqual(['p1']);
    expect(searchResponses(all, 'clear WAIT').map((r) => r.id)).toEqual(['g2']);
    expect(searchResponses(all, 'tags').map((r) => r.id)).toEqual(['t1']);
    expect(searchResponses(all, 'print nothing-like-this')).toEqual([]);
    // No words: everything, the helper's own first, then by title.
    expect(searchResponses(all, '  ').map((r) => r.id)).toEqual(['p1', 'g2', 'g1', 't1']);
  });

  it('puts title matches first, the helper’s own first among equals, then by title', () => {
    expect(searchResponses([printing, driver], 'print').map((r) => r.id)).toEqual(['p1', 'g1']);
    const preview = response('g3', 'Preview', 'Print it.');
    expect(searchResponses([preview, printing], 'print').map((r) => r.id)).toEqual(['g1', 'g3']);
  });

  it('SP-CN3 fills the visitor’s and the helper’s names into the text to insert', () => {
    expect(insertText(cache, { visitor: 'Vera', helper: 'Alice' })).toBe(
      'Clear the cache, Vera; Alice will wait.',
    );
  });

  it('F17 a response of the Tags category names the tag its title spells; others none', () => {
    expect(tagOf(solved)).toBe('solved');
    expect(tagOf(printing)).toBeNull();
    expect(tagOf(response('t2', 'Not a tag!', 'x', { category: 'Tags' }))).toBeNull();
  });
});
