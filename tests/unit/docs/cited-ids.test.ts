/**
 * Every ID the code cites is defined somewhere in the repository (issue 17): feature
 * IDs (F…, B…) in the README's "Feature IDs" table, and rules by their document's prefix,
 * "SP-Q3" in protocol/SPEC.md and "CH-X2" in protocol/CHAT.md. A stale or mistyped
 * citation fails here, and so does a rule cited without its prefix, naming the file.
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
  // This file's samples, and the rename script's, cite undefined or bare IDs on purpose.
  .filter(
    (path) => !/^tests\/(unit\/docs\/cited-ids\.test|tools\/prefix-rule-ids)\.ts$/.test(path),
  );

const readme = read('README.md');
const featureSection = readme.slice(readme.indexOf('## Feature IDs'));
const features = new Set([...featureSection.matchAll(/^\|\s*([FB]\d+)\s*\|/gm)].map((m) => m[1]!));

/** The rule IDs a protocol document defines, in order, repeats included, with their prefix. */
const ruleIdsOf = (doc: string) =>
  [...read(`protocol/${doc}`).matchAll(/^- \*\*([A-Z]{2}-[A-Z]{1,2}\d+|[A-Z]{1,2}\d+)\*\*/gm)].map(
    (m) => m[1]!,
  );
/** One prefix per document (issue 17): SPEC.md's rules are SP-…, CHAT.md's CH-…. */
const PREFIX = { 'SPEC.md': 'SP', 'CHAT.md': 'CH' } as const;
const rules = new Set([...ruleIdsOf('SPEC.md'), ...ruleIdsOf('CHAT.md')]);
/** The letters of the rule families, without the prefix: A, CN, TK… */
const families = new Set([...rules].map((id) => id.replace(/^[A-Z]{2}-/, '').replace(/\d+$/, '')));

/** A prefixed rule ID wherever it stands: "SP-Q3", "(CH-X2)", "SP-A1–SP-A9". */
const RULE_CITATION = /(?<![\w-])((?:SP|CH)-[A-Z]{1,2}\d+)(?![\w-])/g;
/** An ID of a rule family without its prefix ("Q3"), as the rename script finds them. */
const BARE_CITATION = /(?<![\w#.\-/@}])([A-Z]{1,2})(\d{1,2})(?![\w-])/g;
/**
 * Bare IDs that are not rule citations: S… names a benchmark scenario (S1–S11) and B… a
 * feature; V8 is the JavaScript engine.
 */
const NOT_RULES = new Set(['S', 'B', 'F']);
const ENGINES = new Set(['V8']);
/** A feature ID standing alone (not part of a longer word, a hex colour or a key name). */
const FEATURE_CITATION = /(?<![\w#-])([FB]\d{1,2})(?![\w-])/g;

type Miss = { id: string; file: string };

/** "X1-X3" or "SP-X1-X3": a range with a hyphen hides its ends from the scans above. */
const HYPHEN_RANGE = /(?<![\w#./@])((?:SP-|CH-)?[A-Z]{1,2}\d{1,2})-([A-Z]{1,2}\d{1,2})(?![\w-])/g;

function bareRuleIds(text: string): string[] {
  const found: string[] = [];
  for (const line of text.split('\n')) {
    for (const m of line.matchAll(HYPHEN_RANGE)) {
      const family = m[2]!.replace(/\d+$/, '');
      if (families.has(family) || m[1]!.includes('-')) found.push(m[0]);
    }
    for (const m of line.matchAll(BARE_CITATION)) {
      if (NOT_RULES.has(m[1]!) || !families.has(m[1]!) || ENGINES.has(m[0])) continue;
      // A string that is exactly the ID is a value in code ('L2' as a peer id).
      const quote = line[m.index - 1];
      if (quote && `'"\``.includes(quote) && line[m.index + m[0].length] === quote) continue;
      found.push(m[0]);
    }
  }
  return found;
}

function citations(): { features: Miss[]; rules: Miss[]; bare: Miss[] } {
  const missing = { features: [] as Miss[], rules: [] as Miss[], bare: [] as Miss[] };
  for (const file of [...files, 'protocol/SPEC.md', 'protocol/CHAT.md']) {
    const text = read(file);
    for (const m of text.matchAll(FEATURE_CITATION)) {
      if (!features.has(m[1]!)) missing.features.push({ id: m[1]!, file });
    }
    for (const m of text.matchAll(RULE_CITATION)) {
      if (!rules.has(m[1]!)) missing.rules.push({ id: m[1]!, file });
    }
    for (const id of bareRuleIds(text)) missing.bare.push({ id, file });
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

  it('the protocol documents define their rules once each, each with its prefix', () => {
    for (const doc of ['SPEC.md', 'CHAT.md'] as const) {
      const ids = ruleIdsOf(doc);
      expect(ids.length, doc).toBeGreaterThan(50);
      expect(new Set(ids).size, doc).toBe(ids.length);
      expect(
        ids.filter((id) => !id.startsWith(`${PREFIX[doc]}-`)),
        doc,
      ).toEqual([]);
    }
  });

  const found = citations();

  it('every feature ID cited in the code is defined', () => {
    expect(found.features).toEqual([]);
  });

  it('every rule cited (SP-…, CH-…) is defined in its document', () => {
    expect(found.rules).toEqual([]);
  });

  it('no rule is cited without its prefix (run tests/tools/prefix-rule-ids.ts)', () => {
    expect(found.bare).toEqual([]);
  });

  it('the scan sees citations (it would catch a missing or a bare one)', () => {
    expect(files.length).toBeGreaterThan(200);
    const sample = 'see SP-Q3, SP-Q99 and CH-X2 for F13 and F77, not Q3; S5 and V8 are no rules';
    expect(bareRuleIds('CHAT.md X4-X12, CH-X1-X3, CH-X1–CH-X3, F8–F10')).toEqual([
      'X4-X12',
      'CH-X1-X3',
    ]);
    expect([...sample.matchAll(RULE_CITATION)].map((m) => m[1])).toEqual([
      'SP-Q3',
      'SP-Q99',
      'CH-X2',
    ]);
    expect(rules.has('SP-Q3') && rules.has('CH-X2')).toBe(true);
    expect(rules.has('SP-Q99') || rules.has('SP-X2') || rules.has('CH-Q3')).toBe(false);
    expect(bareRuleIds(sample)).toEqual(['Q3']);
    expect(bareRuleIds("signal('a', 'L2', OFFER)")).toEqual([]);
    expect([...sample.matchAll(FEATURE_CITATION)].map((m) => m[1])).toEqual(['F13', 'F77']);
    expect(features.has('F77')).toBe(false);
  });
});
