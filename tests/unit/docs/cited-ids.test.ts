/**
 * Every ID the code cites is defined somewhere in the repository (issue 17): feature
 * IDs (F…, B…) in the README's "Feature IDs" table, and rules cited as "SPEC.md Q3" or
 * "CHAT.md X2" in that document. A stale or mistyped citation fails here, naming the
 * file that holds it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

/** The repository's own text files: sources, tests, protocol documents, README. */
const files = execFileSync('git', ['ls-files', 'signal', 'app', 'protocol', 'tests', 'README.md'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter((path) => /\.(ts|svelte|md|mjs|js)$/.test(path))
  // This file's own samples cite undefined IDs on purpose.
  .filter((path) => path !== 'tests/unit/docs/cited-ids.test.ts');

const readme = read('README.md');
const featureSection = readme.slice(readme.indexOf('## Feature IDs'));
const features = new Set([...featureSection.matchAll(/^\|\s*([FB]\d+)\s*\|/gm)].map((m) => m[1]!));

/** The rule IDs a protocol document defines, in order, repeats included. */
const ruleIdsOf = (doc: string) =>
  [...read(`protocol/${doc}`).matchAll(/^- \*\*([A-Z]{1,2}\d+)\*\*/gm)].map((m) => m[1]!);
const rules: Record<string, Set<string>> = {
  'SPEC.md': new Set(ruleIdsOf('SPEC.md')),
  'CHAT.md': new Set(ruleIdsOf('CHAT.md')),
};

/** "SPEC.md Q3", "CHAT.md, X2 and X5", "(SPEC.md A6, F28)": the document, then its IDs. */
const DOC_CITATION = /\b(SPEC\.md|CHAT\.md)[,:]?((?:[ ,/]+(?:and |or )?[A-Z]{1,2}\d+\b)+)/g;
/** A feature ID standing alone (not part of a longer word, a hex colour or a key name). */
const FEATURE_CITATION = /(?<![\w#-])([FB]\d{1,2})(?![\w-])/g;

type Miss = { id: string; file: string };

function citations(): { features: Miss[]; rules: Miss[] } {
  const missing = { features: [] as Miss[], rules: [] as Miss[] };
  for (const file of files) {
    const text = read(file);
    for (const m of text.matchAll(FEATURE_CITATION)) {
      if (!features.has(m[1]!)) missing.features.push({ id: m[1]!, file });
    }
    for (const m of text.matchAll(DOC_CITATION)) {
      for (const id of m[2]!.match(/[A-Z]{1,2}\d+/g) ?? []) {
        // A feature cited beside the rules ("SPEC.md A6, F28") is checked above.
        if (/^[FB]\d+$/.test(id) && features.has(id)) continue;
        if (!rules[m[1]!]!.has(id)) missing.rules.push({ id: `${m[1]} ${id}`, file });
      }
    }
  }
  return missing;
}

describe('cited IDs', () => {
  it('the README defines F1–F35 and B1–B7', () => {
    const expected = [
      ...Array.from({ length: 35 }, (_, i) => `F${i + 1}`),
      ...Array.from({ length: 7 }, (_, i) => `B${i + 1}`),
    ];
    expect([...features].sort()).toEqual(expected.sort());
  });

  it('the protocol documents define their rules once each', () => {
    for (const doc of ['SPEC.md', 'CHAT.md']) {
      const ids = ruleIdsOf(doc);
      expect(ids.length, doc).toBeGreaterThan(50);
      expect(new Set(ids).size, doc).toBe(ids.length);
    }
  });

  const found = citations();

  it('every feature ID cited in the code is defined', () => {
    expect(found.features).toEqual([]);
  });

  it('every rule cited as SPEC.md or CHAT.md is defined there', () => {
    expect(found.rules).toEqual([]);
  });

  it('the scan sees citations (it would catch a missing one)', () => {
    expect(files.length).toBeGreaterThan(200);
    const sample = 'see SPEC.md Q3, Q99 and CHAT.md X2 for F13 and F77';
    const ids = [...sample.matchAll(DOC_CITATION)].map((m) => m[2]!.match(/[A-Z]{1,2}\d+/g));
    expect(ids).toEqual([['Q3', 'Q99'], ['X2']]);
    expect([...sample.matchAll(FEATURE_CITATION)].map((m) => m[1])).toEqual(['F13', 'F77']);
    expect(rules['SPEC.md']!.has('Q99')).toBe(false);
    expect(features.has('F77')).toBe(false);
  });
});
