// Golden files: testdata/NAME.in.yaml → NAME.out.json, every Service's table and the problems, as
// compileMeshTraffic gives them; plus, where a table has caller conditions, the table specialised
// for the callers listed in SPECIALISE. UPDATE_GOLDEN=1 rewrites them; review the diff.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { golden } from '../../testing/golden.test-util.js';
import { compileMeshTraffic } from './compile.js';
import { meshObjectsFromYaml } from './objects.test-util.js';
import { specializeTable, type Caller } from './specialize.js';

// dist/src/mesh/traffic/ → src/mesh/traffic/testdata/ (testdataOf assumes one folder level).
const TESTDATA = new URL('../../../../src/mesh/traffic/testdata/', import.meta.url);

const SPECIALISE: Record<string, { service: string; callers: Record<string, Caller> }> = {
  'retries-fault': { service: 'default/ratings', callers: { 'reviews-v2': { namespace: 'default', labels: { app: 'reviews', version: 'v2' } }, 'reviews-v1': { namespace: 'default', labels: { app: 'reviews', version: 'v1' } } } },
  gamma: { service: 'default/echo', callers: { frontend: { namespace: 'frontend', labels: {} }, default: { namespace: 'default', labels: {} } } },
};

describe('golden mesh route tables', () => {
  for (const file of readdirSync(TESTDATA).filter((f) => f.endsWith('.in.yaml'))) {
    const name = file.replace(/\.in\.yaml$/, '');
    it(name, () => {
      const result = compileMeshTraffic(meshObjectsFromYaml(readFileSync(new URL(file, TESTDATA), 'utf8')));
      const s = SPECIALISE[name];
      const specialised = s ? Object.fromEntries(Object.entries(s.callers).map(([k, c]) => [k, specializeTable(result.tables[s.service].table, c).listeners.map((l) => ({ port: l.port, routes: l.virtualHosts[0].routes.map((r) => r.name) }))])) : undefined;
      golden(TESTDATA, `${name}.out.json`, `${JSON.stringify({ ...result, ...(specialised ? { specialised } : {}) }, null, 2)}\n`);
    });
  }
});
