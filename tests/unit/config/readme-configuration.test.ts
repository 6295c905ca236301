import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../../signal/config.ts';

// Docs that no test checks drift (STYLE.md point 11): the README's configuration
// section must name every variable the service reads.
describe('README configuration section', () => {
  const file = new URL('../../../README.md', import.meta.url);
  const readme = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = readme.search(/^## Configuration\s*$/m);
  const rest = start === -1 ? '' : readme.slice(start + 1);
  const next = rest.search(/^## /m);
  const section = next === -1 ? rest : rest.slice(0, next);

  it('exists', () => {
    expect(start).not.toBe(-1);
  });

  it.each(CONFIG_VARIABLES.map((variable) => variable.name))('mentions %s', (name) => {
    expect(section).toMatch(new RegExp(`\\b${name}\\b`));
  });
});
