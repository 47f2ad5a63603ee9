// Golden files: testdata/NAME.in.yaml → NAME.out.json holding every Gateway's table, the Ingress
// table and the status, as the compilers give them. UPDATE_GOLDEN=1 rewrites them; review the diff.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { golden, testdataOf } from '../testing/golden.test-util.js';
import { compileGateways } from './gateways.js';
import { compileIngresses } from './ingress.js';
import { mergeTables } from './merge.js';
import { objectsFromYaml } from './objects.test-util.js';

const TESTDATA = testdataOf('gateway', import.meta.url);

/** PEM bodies are long and say nothing a reviewer needs; their size and first line stay. */
function redact(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith('-----BEGIN')) return `${value.split('\n')[0]} (${value.length} bytes)`;
  return value;
}

describe('golden route tables', () => {
  const inputs = readdirSync(TESTDATA).filter((f) => f.endsWith('.in.yaml'));
  for (const file of inputs) {
    const name = file.replace(/\.in\.yaml$/, '');
    it(name, () => {
      const objects = objectsFromYaml(readFileSync(new URL(file, TESTDATA), 'utf8'));
      const addresses = Object.fromEntries(objects.gateways.map((g, i) => [`${g.metadata.namespace}/${g.metadata.name}`, [`172.18.0.${240 + i}`]]));
      const gateways = compileGateways(objects, { addresses });
      const ingress = compileIngresses(objects, { address: '172.18.0.250' });
      // A deployment serving a Gateway and the Ingresses too gets both merged (merge.ts).
      const merged = ingress.table.listeners.length === 0 ? {} : Object.fromEntries(Object.entries(gateways.tables).map(([k, t]) => [k, mergeTables([t, ingress.table])]));
      golden(TESTDATA, `${name}.out.json`, `${JSON.stringify({ gateways, ingress, merged }, redact, 2)}\n`);
    });
  }
});
