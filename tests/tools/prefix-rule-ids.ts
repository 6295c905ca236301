/**
 * Gives every rule ID cited in the repository its document's prefix: `SP-` for
 * protocol/SPEC.md, `CH-` for protocol/CHAT.md (issue 17: both documents used A, K, S, V
 * and W for different rules, and SPEC's B clashed with the feature IDs). Idempotent: an
 * ID already prefixed is left alone, so after a rebase that brings back bare IDs, run it
 * again: `node --import tsx tests/tools/prefix-rule-ids.ts [--dry]`. `--dry` prints what it
 * would change and what it cannot place; tests/unit/docs/cited-ids.test.ts fails on any
 * bare rule ID left.
 *
 * How a bare ID is placed, first rule that applies:
 * 1. the nearest "SPEC.md" or "CHAT.md" before it on the same line (else the first after
 *    it), when that document defines the ID; inside SPEC.md or CHAT.md, that document;
 * 2. the only document that defines it;
 * 3. for an ID both define, the file's place: the chat document and sessions
 *    (`protocol/chat-doc`, `app/lib/session`, `app/lib/peer`, their tests, and the few
 *    files in `CH_FILES`) cite CHAT; everything else cites SPEC. Read the dry run's lines
 *    for A, K, S, V and W when a new file cites them.
 * Left alone: feature IDs (F…, and B… unless the line is about blocks), benchmark
 * scenarios (S… unless the line names SPEC.md or CHAT.md), strings
 * that are exactly an ID (a value in code), and anything neither document defines.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

type Prefix = 'SP' | 'CH';

const dry = process.argv.includes('--dry');
const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

const DEFINITION = /^(- \*\*)(?:(?:SP|CH)-)?([A-Z]{1,2}\d+)(\*\*)/gm;
const definedIn = (doc: string) =>
  new Set([...read(`protocol/${doc}`).matchAll(DEFINITION)].map((m) => m[2]!));
const docs: Record<Prefix, Set<string>> = { SP: definedIn('SPEC.md'), CH: definedIn('CHAT.md') };
const OWN: Record<string, Prefix> = { 'protocol/SPEC.md': 'SP', 'protocol/CHAT.md': 'CH' };

const CH_PLACES =
  /^(protocol\/chat-doc|app\/lib\/session|app\/lib\/peer|tests\/(unit|integration|property)\/(chat-doc|session|peer))/;
/** Files outside those places whose clashing IDs cite CHAT (the rest cite SPEC). */
const CH_FILES = new Set([
  'app/lib/console/ChatLog.svelte',
  'app/lib/console/WatchPanel.svelte',
  'tests/bench/servers/chat-doc.ts',
  'tests/e2e/authorship.spec.ts',
  'tests/e2e/chat-handover.spec.ts',
  'tests/e2e/monitor-board.spec.ts',
]);

/** A bare rule-like ID: not part of a word, a prefixed ID, a hex colour or a path. */
const TOKEN = /(?<![\w#.\-/@])([A-Z]{1,2})(\d{1,2})(?![\w-])/g;

const files = execFileSync('git', ['ls-files', 'signal', 'app', 'protocol', 'tests', 'README.md'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter((path) => /\.(ts|svelte|md|mjs|js)$/.test(path))
  .filter(
    (path) => !/^tests\/(tools\/prefix-rule-ids|unit\/docs\/cited-ids\.test)\.ts$/.test(path),
  );

const unplaced: string[] = [];

/** The document a line names around `index`: the nearest before it, else the first after. */
function namedDoc(line: string, index: number): Prefix | null {
  const mention =
    [...line.slice(0, index).matchAll(/\b(SPEC|CHAT)\.md\b/g)].at(-1)?.[1] ??
    /\b(SPEC|CHAT)\.md\b/.exec(line.slice(index))?.[1];
  return mention === 'SPEC' ? 'SP' : mention === 'CHAT' ? 'CH' : null;
}

function place(
  file: string,
  line: string,
  index: number,
  family: string,
  id: string,
): Prefix | null {
  if (family === 'F') return null;
  const named = namedDoc(line, index);
  if (named && docs[named].has(id)) return named;
  if (family === 'B' && !/block/i.test(line)) return null;
  const own = OWN[file];
  if (own) return docs[own].has(id) ? own : null;
  // Since the rename, a bare S… names a benchmark scenario (S1–S11): only a document
  // named on the line makes it a rule.
  if (family === 'S') return null;
  const inSp = docs.SP.has(id);
  const inCh = docs.CH.has(id);
  if (!inSp && !inCh) return null;
  if (!inCh) return 'SP';
  if (!inSp) return 'CH';
  if (CH_PLACES.test(file) || CH_FILES.has(file)) return 'CH';
  if (/^(signal|protocol|app|tests)\/|^README\.md$/.test(file)) return 'SP';
  unplaced.push(`${file}: ${id}: ${line.trim().slice(0, 140)}`);
  return null;
}

/** "X1-X3": a range written with a hyphen, which hides both ends from TOKEN. */
const HYPHEN_RANGE = /(?<![\w#.\-/@])([A-Z]{1,2}\d{1,2})-([A-Z]{1,2}\d{1,2})(?![\w-])/g;

function rewriteLine(file: string, line: string): string {
  // A range takes an en dash first ("X1–X3"), so each end is read as an ID of its own.
  line = line.replace(HYPHEN_RANGE, '$1–$2');
  return line.replace(TOKEN, (whole: string, family: string, number: string, index: number) => {
    // A string that is exactly the ID is a value in code ('L2' as a peer id), not a citation.
    const quote = line[index - 1];
    if (quote && `'"\``.includes(quote) && line[index + whole.length] === quote) return whole;
    const id = family + number;
    const prefix = place(file, line, index, family, id);
    if (!prefix) return whole;
    if (dry) console.log(`${prefix}-${id}\t${file}\t${line.trim().slice(0, 120)}`);
    return `${prefix}-${id}`;
  });
}

let changed = 0;
for (const file of files) {
  const text = read(file);
  const own = OWN[file];
  const next = text
    .split('\n')
    .map((line) => {
      if (!own) return rewriteLine(file, line);
      // A definition takes its document's prefix; the rest of its line is text like any.
      const definition = /^- \*\*(?:(?:SP|CH)-)?([A-Z]{1,2}\d+)\*\*/.exec(line);
      if (!definition) return rewriteLine(file, line);
      return `- **${own}-${definition[1]}**${rewriteLine(file, line.slice(definition[0].length))}`;
    })
    .join('\n');
  if (next !== text) {
    changed++;
    if (!dry) writeFileSync(new URL(file, root), next);
  }
}

console.error(
  `${changed} files ${dry ? 'would change' : 'changed'}; ${unplaced.length} IDs not placed`,
);
for (const line of unplaced) console.error(`  ${line}`);
