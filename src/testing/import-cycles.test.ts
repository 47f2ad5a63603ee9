// Imports under src/ point one way: any cycle fails here with its path, e.g.
// `netpol/model.ts -> netpol/match.ts -> netpol/model.ts`. Break it by moving the shared piece
// (usually types) into a small module both import.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { importCycles, importGraph } from './import-graph.test-util.js';

/** src/ of the source tree, from this test running in dist/src/testing/. */
const SRC = fileURLToPath(new URL('../../../src/', import.meta.url));

function sources(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(SRC, { recursive: true, encoding: 'utf8' })) {
    if (entry.endsWith('.ts') && !entry.endsWith('.d.ts')) files[entry.split('\\').join('/')] = readFileSync(SRC + entry, 'utf8');
  }
  return files;
}

describe('import cycles', () => {
  it('there are none under src/', () => {
    const files = sources();
    assert.ok(Object.keys(files).length > 100, `found only ${Object.keys(files).length} files under ${SRC}`);
    const cycles = importCycles(importGraph(files));
    assert.deepEqual(cycles, [], `import cycles under src/:\n  ${cycles.join('\n  ')}`);
  });

  it('finds a cycle through type-only, multi-line and re-export imports, with its path', () => {
    const graph = importGraph({
      'a/model.ts': "import {\n  x,\n  type Y,\n} from './match.js';\n",
      'a/match.ts': "import type { Endpoint } from '../b/endpoint.js';\n",
      'b/endpoint.ts': "export { model } from '../a/model.js';\nimport 'node:fs';\n",
      'b/leaf.ts': "// import { nothing } from './endpoint.js';\nconst s = 'from \"./endpoint.js\"';\n",
    });
    assert.deepEqual(graph.get('b/leaf.ts'), []);
    assert.deepEqual(importCycles(graph), ['a/match.ts -> b/endpoint.ts -> a/model.ts -> a/match.ts']);
  });

  it('finds no cycle in a diamond', () => {
    const graph = importGraph({
      'top.ts': "import './left.js';\nimport './right.js';\n",
      'left.ts': "import { x } from './base.js';\n",
      'right.ts': "export * from './base.js';\n",
      'base.ts': 'export const x = 1;\n',
    });
    assert.deepEqual(importCycles(graph), []);
  });
});
