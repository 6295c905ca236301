/**
 * `npm run bench` rewrites the README's `## Benchmarks` section (tests/bench/lib/report.ts):
 * only that section, up to the next `## ` heading. The sections written after it stay
 * (a version that cut up to `## Configuration` deleted four of them from main).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeReadmeSection } from '../../bench/lib/report.ts';

let dir: string | null = null;

function readme(text: string): string {
  dir = mkdtempSync(join(tmpdir(), 'peerdesk-readme-'));
  const path = join(dir, 'README.md');
  writeFileSync(path, text);
  return path;
}

afterEach(() => {
  if (dir !== null) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

describe('writeReadmeSection', () => {
  // renderSection's text ends without a newline.
  it('replaces the Benchmarks section only, keeping the sections after it', () => {
    const path = readme(
      '# P\n\n## Tests\n\nt\n\n## Benchmarks\n\nold table\n\n### Notes\n\nold\n\n## Email\n\nkept\n\n## Configuration\n\nc\n',
    );
    writeReadmeSection(path, '## Benchmarks\n\nnew table');
    expect(readFileSync(path, 'utf8')).toBe(
      '# P\n\n## Tests\n\nt\n\n## Benchmarks\n\nnew table\n\n## Email\n\nkept\n\n## Configuration\n\nc\n',
    );
  });

  it('inserts the section just before Configuration when there is none', () => {
    const path = readme('# P\n\n## Email\n\nkept\n\n## Configuration\n\nc\n');
    writeReadmeSection(path, '## Benchmarks\n\nnew');
    expect(readFileSync(path, 'utf8')).toBe(
      '# P\n\n## Email\n\nkept\n\n## Benchmarks\n\nnew\n\n## Configuration\n\nc\n',
    );
  });
});
