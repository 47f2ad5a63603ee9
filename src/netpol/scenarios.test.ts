import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareMatrices, matrix, renderMatrix } from './matrix.js';
import { PolicyModel } from './model.js';
import { planPolicy } from './plan.js';
import { E2E_PODS, SCENARIOS, e2eWorld, expectedMatrix } from './scenarios.js';
import { pathOf, traceConnection } from './trace.js';
import { golden } from './golden.test.js';

describe('e2e scenarios: model against the expected truth tables', () => {
  it('has at least 30 scenarios, all with distinct names', () => {
    assert.ok(SCENARIOS.length >= 30, `${SCENARIOS.length} scenarios`);
    assert.equal(new Set(SCENARIOS.map((s) => s.name)).size, SCENARIOS.length);
  });

  for (const scenario of SCENARIOS) {
    for (const family of [4, 6] as const) {
      it(`${scenario.name} (IPv${family})`, () => {
        const model = new PolicyModel(e2eWorld(scenario, { family }));
        for (const c of scenario.cases) {
          const got = matrix(model, { port: c.port, protocol: c.protocol, family, pods: E2E_PODS });
          const want = expectedMatrix(c, family);
          const cmp = compareMatrices(want, got);
          assert.ok(cmp.equal, `${c.port}/${c.protocol}: ${cmp.mismatches.map((m) => `${m.from} -> ${m.to} expected ${m.expected ? '.' : 'X'}`).join('; ')}\nexpected\n${renderMatrix(want)}got\n${renderMatrix(got)}`);
        }
      });
    }
  }

  it('compiled rulesets (two nodes, traced) give the expected tables too', () => {
    for (const scenario of SCENARIOS) {
      for (const family of [4, 6] as const) {
        const world = e2eWorld(scenario, { family });
        const plans = Object.fromEntries(['node-1', 'node-2'].map((n) => [n, planPolicy({ ...world, node: { name: n } })]));
        const pod = (k: string) => world.pods.find((p) => `${p.namespace}/${p.name}` === k)!;
        for (const c of scenario.cases) {
          const allowed = E2E_PODS.map((from) => E2E_PODS.map((to) => {
            const s = pod(from);
            const d = pod(to);
            return traceConnection(plans, pathOf(s, d), { src: s.ips[0], dst: d.ips[0], protocol: c.protocol, dport: c.port, ct: 'new' }).verdict === 'accept';
          }));
          const cmp = compareMatrices(expectedMatrix(c, family), { pods: E2E_PODS, allowed });
          assert.ok(cmp.equal, `${scenario.name} IPv${family} ${c.port}/${c.protocol}:\n${cmp.text}`);
        }
      }
    }
  });

  it('expected tables, written out (testdata/e2e-scenarios.golden)', () => {
    const out: string[] = [];
    for (const s of SCENARIOS) {
      for (const c of s.cases) out.push(`# ${s.name}: ${c.port}/${c.protocol}`, renderMatrix(expectedMatrix(c)));
    }
    golden('e2e-scenarios.golden', out.join('\n'));
  });
});
