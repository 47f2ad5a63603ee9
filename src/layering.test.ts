// The layering rule as the repository configures it (eslint.config.js + eslint-rules/layering.js):
// ESLint run programmatically on fixture text with virtual paths under src/, so no fixture file is
// ever seen by tsc or by `npm run lint` of the real tree. Each back arrow must be refused with the
// folders named, each allowed arrow must pass, and every folder under src/ must be in the table.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

// dist/src/layering.test.js -> the repository root.
const root = fileURLToPath(new URL('../..', import.meta.url));
const RULE = 'podnet/layering';

let eslint: ESLint;
before(() => {
  eslint = new ESLint({ cwd: root, overrideConfigFile: join(root, 'eslint.config.js') });
});

/** The layering messages ESLint reports for `code` as if it were the file at `file`. */
async function layering(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message);
}

// [file, code, expected: substrings of each message in order; [] = clean]
const CASES: [string, string, string[]][] = [
  // api and store: the foundation imports nothing above it.
  ['src/api/fixture.ts', "import { validateService } from '../services/service-spec.js';",
    ['src/api may not import src/services (../services/service-spec.js): api is the foundation']],
  ['src/api/fixture.ts', "import type { V1Service } from './types.js';\nimport { parseCIDR } from './cidr.js';", []],
  ['src/api/fixture.ts', "import type { ObjectStore } from '../store/store.js';", ['src/api may not import src/store']],
  ['src/api/fixture.ts', "import { run } from '../sys/exec.js';", ['src/api may not import src/sys']],
  ['src/store/fixture.ts', "import type { Lab } from '../lab/daemon/lab.js';", ['src/store may not import src/lab']],
  ['src/store/fixture.ts', "import { isNamespaced } from '../api/kinds.js';", []],
  // Depth: the same text means another folder one level down; a detour through api is still an arrow.
  ['src/api/deep/fixture.ts', "import '../../netpol/validate.js';", ['src/api may not import src/netpol']],
  ['src/api/deep/fixture.ts', "import '../netpol.js';", []],
  ['src/api/fixture.ts', "import '../api/../netpol/validate.js';", ['src/api may not import src/netpol']],
  // Components import no cli, lab, agent, apiserver, nor the assembly in src/*.ts.
  ['src/services/proxy/fixture.ts', "import { main } from '../../cli/main.js';", ['src/services may not import src/cli']],
  ['src/netpol/fixture.ts', "export * from '../lab/check.js';", ['src/netpol may not import src/lab']],
  ['src/netpol/fixture.ts', "export const m = await import('../cli/main.js');", ['src/netpol may not import src/cli']],
  ['src/netpol/fixture.ts', "export type T = import('../agent/node.js').Node;", ['src/netpol may not import src/agent']],
  ['src/dns/fixture.ts', "import { podnetKinds } from '../kinds.js';", ['src/dns may not import src/*.ts']],
  ['src/gateway/fixture.ts', "import type { ServerConfig } from '../apiserver/server.js';", ['src/gateway may not import src/apiserver']],
  ['src/gateway/fixture.ts', "import { planRoutes } from '../l7/routes.js';\nimport type { V1Service } from '../api/types.js';\nimport { serviceKey } from '../services/labels.js';", []],
  // l7 sits under gateway and mesh: no component.
  ['src/l7/fixture.ts', "import { planProxy } from '../services/proxy/plan.js';", ['src/l7 may not import src/services']],
  ['src/l7/fixture.ts', "import type { KubeObject } from '../api/types.js';\nimport { ObjectStore } from '../store/store.js';", []],
  // Only apply steps, servers and mains touch the host.
  ['src/services/proxy/plan-fixture.ts', "import { run } from '../../sys/exec.js';", ['src/services/proxy/plan-fixture.ts may not import src/sys']],
  ['src/services/proxy/apply.ts', "import { run } from '../../sys/exec.js';", []],
  ['src/netpol/fixture.test.ts', "import { run } from '../sys/exec.js';", []],
  // The top: an agent runs against any API server; the lab composes; the cli may import all.
  ['src/agent/fixture.ts', "import { labDir } from '../lab/names.js';", ['src/agent may not import src/lab']],
  ['src/lab/fixture.ts', "import { program } from '../cli/main.js';", ['src/lab may not import src/cli']],
  ['src/cli/fixture.ts', "import { labUp } from '../lab/daemon/launch.js';\nimport { podnetKinds } from '../kinds.js';\nimport { run } from '../sys/exec.js';", []],
  // Test helpers are for tests; nothing in src reaches outside src; every folder is placed.
  ['src/lab/fixture.ts', "import { golden } from '../testing/golden.test-util.js';", ['src/lab/fixture.ts may not import src/testing']],
  ['src/lab/fixture.test.ts', "import { golden } from '../testing/golden.test-util.js';", []],
  ['src/fixture.ts', "import { labUp } from '../test/helpers.js';", ['src/*.ts may not import ../test/helpers.js']],
  ['test/fixture.test.ts', "import { labUp } from '../src/lab/daemon/launch.js';", []],
  ['src/frobnicate/fixture.ts', "export const x = 1;", ['src/frobnicate is not in the layering table']],
  ['src/services/fixture.ts', "import { x } from '../frobnicate/x.js';", ['src/frobnicate is not in the layering table']],
];

describe('layering lint rule', () => {
  for (const [file, code, expected] of CASES) {
    const what = expected.length ? `refuses ${expected[0].split(':')[0]}` : 'allows';
    it(`${file}: ${what} (${code.split('\n')[0]})`, async () => {
      const got = await layering(file, code);
      assert.equal(got.length, expected.length, `${file}\n${code}\ngot: ${JSON.stringify(got, null, 1)}`);
      expected.forEach((want, i) => assert.ok(got[i].includes(want), `got ${got[i]}\nwant …${want}…`));
    });
  }

  it('is on for every file under src, and places every folder that exists and every one the architecture names', async () => {
    const config = await eslint.calculateConfigForFile(join(root, 'src/api/kinds.ts'));
    const [severity, options] = config.rules[RULE] as [number, { layers: Record<string, unknown> }];
    assert.equal(severity, 2);
    const placed = Object.keys(options.layers);
    const onDisk = readdirSync(join(root, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    for (const folder of onDisk) assert.ok(placed.includes(folder), `src/${folder} is not in the layering table`);
    for (const folder of ['api', 'store', 'sys', 'cni', 'services', 'dns', 'netpol', 'l7', 'gateway', 'mesh', 'telemetry', 'apiserver', 'agent', 'lab', 'cli']) {
      assert.ok(placed.includes(folder), `${folder} missing`);
    }
  });
});
