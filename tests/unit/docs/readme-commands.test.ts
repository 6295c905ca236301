/**
 * The README's promises that a test can check (STYLE.md point 11): it opens with the
 * two fresh-machine commands, CI runs exactly the test command, the scripts it names
 * exist, and the configuration table's heading closes the file.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const readme = read('README.md');
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

const codeBlocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => (m[1] ?? '').trim());

describe('README', () => {
  it('opens with the install-and-run and install-and-test commands', () => {
    expect(codeBlocks.slice(0, 2)).toEqual(['npm install && npm run demo', 'npm ci && npm test']);
    // Nothing but the title comes before the first command.
    const firstBlock = readme.indexOf('```sh');
    expect(readme.slice(0, firstBlock).match(/^#+ /gm)).toEqual(['# ']);
  });

  it('is what CI runs', () => {
    const ciRun = read('.ci/run');
    expect(ciRun).toMatch(/^set -euo pipefail$/m);
    expect(ciRun).toMatch(/^npm ci && npm test$/m);
  });

  it('names only npm scripts that exist', () => {
    const named = [...readme.matchAll(/`npm (?:run )?([a-z:]+)(?: --[^`]*)?`/g)].map((m) => m[1]);
    const npmCommands = new Set(['install', 'ci']);
    for (const name of named) {
      if (name !== undefined && !npmCommands.has(name)) {
        expect(scripts, `npm script "${name}"`).toHaveProperty([name]);
      }
    }
    expect(scripts['test']).toMatch(/^node tests\/setup\/ensure-chromium\.mjs && /);
  });

  it('ends with the Configuration section', () => {
    const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings.at(-1)).toBe('Configuration');
  });
});
