/**
 * The service's modules import each other without cycles, type imports included
 * (issue 17: the board and its queue notices, board feed, tag book and queue-wait alert
 * imported each other). A module the board uses says what it needs of the board as a
 * narrow interface of its own (`QueueNoticeHost`, `BoardFeedHost`…), so it can be read,
 * tested and changed without the board.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../../', import.meta.url);

/** Relative imports of each module (`import …`, `import type …`, `export … from`). */
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+'(\.{1,2}\/[^']+)'/gm;

function graphOf(files: string[], read: (path: string) => string): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = [...read(file).matchAll(IMPORT)]
      .map((m) => normalize(join(dirname(file), m[1]!)))
      .filter((target) => known.has(target));
    graph.set(file, targets);
  }
  return graph;
}

/** Every cycle, once, as the path that closes it (a → b → a). */
function cyclesOf(graph: Map<string, string[]>): string[][] {
  const found = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = [...path.slice(path.indexOf(next)), next];
        const key = [...cycle.slice(0, -1)].sort().join(' ');
        if (!found.has(key)) found.set(key, cycle);
      } else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return [...found.values()];
}

describe('import cycles', () => {
  it('the service (signal/) and the protocol import without cycles', () => {
    const files = execFileSync('git', ['ls-files', 'signal', 'protocol'], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\n')
      .filter((path) => path.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(50);
    const graph = graphOf(files, (path) => readFileSync(new URL(path, root), 'utf8'));
    expect(cyclesOf(graph).map((cycle) => cycle.join(' → '))).toEqual([]);
  });

  it('finds a cycle through a type import, and none in a tree', () => {
    const modules: Record<string, string> = {
      'a/board.ts': "import { Feed } from './feed.ts';\nimport { x } from '../b/c.ts';",
      'a/feed.ts': "import type { Board } from './board.ts';",
      'b/c.ts': "export { y } from './d.ts';",
      'b/d.ts': '',
    };
    const graph = graphOf(Object.keys(modules), (path) => modules[path]!);
    expect(cyclesOf(graph)).toEqual([['a/board.ts', 'a/feed.ts', 'a/board.ts']]);
    modules['a/feed.ts'] = "import type { Host } from '../b/d.ts';";
    expect(cyclesOf(graphOf(Object.keys(modules), (path) => modules[path]!))).toEqual([]);
  });
});
