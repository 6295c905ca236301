import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../../signal/config.ts';

// Docs that no test checks drift (STYLE.md point 11): the README's configuration
// section must be the table of what the service reads, row for row: each variable
// with its default and its meaning as signal/config.ts states them, nothing missing,
// nothing extra, nothing stale.
describe('README configuration section', () => {
  const file = new URL('../../../README.md', import.meta.url);
  const readme = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = readme.search(/^## Configuration\s*$/m);
  const rest = start === -1 ? '' : readme.slice(start + 1);
  const next = rest.search(/^## /m);
  const section = next === -1 ? rest : rest.slice(0, next);
  /** The table's body rows as [variable, default, meaning], cells trimmed. */
  const rows = section
    .split('\n')
    .filter((line) => /^\|\s*`[A-Z0-9_]+`\s*\|/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );

  it('exists', () => {
    expect(start).not.toBe(-1);
  });

  it('lists every variable once, in the order of signal/config.ts, and no other', () => {
    expect(rows.map((row) => row[0])).toEqual(CONFIG_VARIABLES.map((v) => `\`${v.name}\``));
  });

  it.each(CONFIG_VARIABLES.map((variable) => [variable.name, variable] as const))(
    'states the default and meaning of %s as the service has them',
    (name, variable) => {
      const row = rows.find((r) => r[0] === `\`${name}\``);
      expect(row).toEqual([
        `\`${name}\``,
        variable.default === '' ? '(unset)' : `\`${variable.default}\``,
        variable.description,
      ]);
    },
  );
});
