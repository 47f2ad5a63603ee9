// The static import graph of a TypeScript tree and its cycles, for the unit test that keeps imports
// pointing one way (ARCHITECTURE.md). Type-only imports count: they tie modules together just as
// much for a reader, and a cycle of types is usually a shared piece waiting for its own module.
// Pure: it takes the files' texts, so the detector itself is tested on made-up graphs.
import { posix } from 'node:path';

/** `import … from './x.js'`, `export … from '../y.js'` and `import './z.js'`, across lines. */
const RELATIVE = /(?:^|\n)[ \t]*(?:import|export)\b[^;'"]*?(?:\bfrom\s*)?['"](\.{1,2}\/[^'"]+)['"]/g;

/** Edges between the given files (paths relative to the tree, `a/b.ts`), relative imports only. */
export function importGraph(files: Record<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [file, text] of Object.entries(files)) {
    const deps = new Set<string>();
    for (const m of text.matchAll(RELATIVE)) {
      const target = posix.normalize(posix.join(posix.dirname(file), m[1])).replace(/\.js$/, '.ts');
      if (target in files) deps.add(target);
    }
    graph.set(file, [...deps].sort());
  }
  return graph;
}

/** Each cycle once, as its path `a.ts -> b.ts -> a.ts`, found by depth-first search (back edges). */
export function importCycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (state.get(dep) === 'open') cycles.push([...stack.slice(stack.indexOf(dep)), dep].join(' -> '));
      else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}
