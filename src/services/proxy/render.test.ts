// Golden files (testdata/NAME.in.yaml → NAME.out.nft, UPDATE_GOLDEN=1 regenerates) and incremental
// updates checked structurally: replaying renderUpdate(prev, next) on a model of prev must give next,
// and every statement must only refer to things that exist at that point (what nft would enforce).
// The same property was checked against nft 1.0.6 itself by hand: full(prev) + update == full(next).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { golden } from '../../testing/golden.test-util.js';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { V1EndpointSlice, V1Service } from '../../api/types.js';
import { planProxy } from './plan.js';
import { countPlan, renderFull, renderUpdate } from './render.js';
import { CONFIG_DUAL, CONFIG_V4, input, slice, svc } from './fixtures.test-util.js';
import type { NftSet, ProxyInput, ProxyPlan } from './types.js';

// Tests run from dist/src/services/proxy/; the golden files live in the source tree.
const TESTDATA = new URL('../../../../src/services/proxy/testdata/', import.meta.url);

function loadCase(name: string): ProxyInput {
  const docs = parseAllDocuments(readFileSync(new URL(`${name}.in.yaml`, TESTDATA), 'utf8')).map((d) => d.toJSON() as Record<string, unknown>);
  const head = docs[0] as { node: ProxyInput['node']; nodes: string[]; ipFamily: string };
  return {
    node: head.node,
    nodes: head.nodes,
    config: head.ipFamily === 'dual' ? CONFIG_DUAL : CONFIG_V4,
    services: docs.filter((d) => d.kind === 'Service') as unknown as V1Service[],
    endpointSlices: docs.filter((d) => d.kind === 'EndpointSlice') as unknown as V1EndpointSlice[],
  };
}

function goldenText(plan: ProxyPlan): string {
  const head = [`# announce on eth0: ${plan.announce.join(' ') || '-'}`, ...plan.warnings.map((w) => `# warning: ${w}`)];
  return `${head.join('\n')}\n${renderFull(plan)}`;
}

const CASES = readdirSync(TESTDATA).filter((f) => f.endsWith('.in.yaml')).map((f) => f.slice(0, -'.in.yaml'.length)).sort();

describe('renderFull golden files', () => {
  it('has cases', () => assert.ok(CASES.length >= 3));
  for (const name of CASES) {
    it(name, () => {
      const actual = goldenText(planProxy(loadCase(name)));
      golden(TESTDATA, `${name}.out.nft`, actual);
    });
  }

  it('writes one statement per line and replaces the table in one transaction', () => {
    const text = renderFull(planProxy(loadCase('clusterip-ipv4')));
    assert.ok(text.startsWith('add table inet podnet-proxy\ndelete table inet podnet-proxy\ntable inet podnet-proxy {\n'));
    assert.ok(!text.split('\n').some((l) => /[^{]\S.*;\s*\S+.*}$/.test(l) && !l.includes('policy accept')), 'no rule shares a line with a closing brace');
  });
});

/** A model of the kernel's table that checks references the way nft does. */
class Model {
  sets = new Map<string, Map<string, string>>();
  chains = new Map<string, string[]>();

  constructor(plan: ProxyPlan) {
    for (const s of plan.tables[0].sets) this.sets.set(s.name, new Map(s.elements.map(split)));
    for (const c of plan.tables[0].chains) this.chains.set(c.name, [...c.rules]);
  }

  private refsChain(text: string, name: string): boolean {
    return [...text.matchAll(/(?:goto|jump) ([^\s,}]+)/g)].some((m) => m[1] === name);
  }

  private checkRefs(text: string): void {
    for (const m of text.matchAll(/(?:goto|jump) ([^\s,}]+)/g)) assert.ok(this.chains.has(m[1]), `refers to missing chain ${m[1]}: ${text}`);
    for (const m of text.matchAll(/@([^\s,}]+)/g)) assert.ok(this.sets.has(m[1]), `refers to missing set ${m[1]}: ${text}`);
  }

  apply(line: string): void {
    const T = 'inet podnet-proxy';
    let m: RegExpMatchArray | null;
    if ((m = line.match(new RegExp(`^add (?:set|map) ${T} (\\S+) \\{`)))) {
      assert.ok(!this.sets.has(m[1]), `set ${m[1]} exists`);
      this.sets.set(m[1], new Map());
    } else if ((m = line.match(new RegExp(`^add chain ${T} (\\S+)`)))) {
      assert.ok(!this.chains.has(m[1]), `chain ${m[1]} exists`);
      this.chains.set(m[1], []);
    } else if ((m = line.match(new RegExp(`^(add|delete) element ${T} (\\S+) \\{ (.*) \\}$`)))) {
      const set = this.sets.get(m[2]);
      assert.ok(set, `no set ${m[2]}`);
      for (const item of m[3].split(', ')) {
        const [k, v] = split(item);
        if (m[1] === 'add') {
          assert.ok(!set.has(k), `${m[2]}: element ${k} exists`);
          this.checkRefs(v);
          set.set(k, v);
        } else {
          assert.ok(set.delete(k), `${m[2]}: no element ${k}`);
        }
      }
    } else if ((m = line.match(new RegExp(`^flush chain ${T} (\\S+)$`)))) {
      assert.ok(this.chains.has(m[1]));
      this.chains.set(m[1], []);
    } else if ((m = line.match(new RegExp(`^add rule ${T} (\\S+) (.*)$`)))) {
      this.checkRefs(m[2]);
      const rules = this.chains.get(m[1]);
      assert.ok(rules, `no chain ${m[1]}`);
      rules.push(m[2]);
    } else if ((m = line.match(new RegExp(`^delete (?:set|map) ${T} (\\S+)$`)))) {
      for (const [c, rules] of this.chains) assert.ok(!rules.some((r) => r.includes(`@${m?.[1]}`)), `${m[1]} still used by ${c}`);
      this.sets.delete(m[1]);
    } else if ((m = line.match(new RegExp(`^delete chain ${T} (\\S+)$`)))) {
      const name = m[1];
      for (const [c, rules] of this.chains) assert.ok(!rules.some((r) => this.refsChain(r, name)), `${name} still used by chain ${c}`);
      for (const [s, els] of this.sets) assert.ok(![...els.values()].some((v) => this.refsChain(v, name)), `${name} still used by set ${s}`);
      this.chains.delete(name);
    } else {
      assert.fail(`unexpected statement ${line}`);
    }
  }

  equals(plan: ProxyPlan): void {
    const want = (s: NftSet) => new Map(s.elements.map(split));
    assert.deepEqual([...this.sets.keys()].sort(), plan.tables[0].sets.map((s) => s.name).sort());
    for (const s of plan.tables[0].sets) assert.deepEqual(this.sets.get(s.name), want(s), s.name);
    assert.deepEqual(new Map(this.chains), new Map(plan.tables[0].chains.map((c) => [c.name, c.rules])));
  }
}

function split(element: string): [string, string] {
  const i = element.indexOf(' : ');
  return i < 0 ? [element, ''] : [element.slice(0, i), element.slice(i + 3)];
}

const ports = [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 5353, protocol: 'UDP' }];
const svcPorts = [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }];
const STEPS: Record<string, ProxyPlan> = {
  empty: planProxy(input([], [])),
  small: planProxy(input(
    [svc('web', ['10.96.0.10'], { ports: svcPorts }), svc('gone', ['10.96.0.11']), svc('np', ['10.96.0.12'], { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ ...svcPorts[0], nodePort: 30080 }] })],
    [slice('web', ['10.244.0.5@node-1', '10.244.1.5@node-2'], ports), slice('np', ['10.244.1.8@node-2', '10.244.0.8@node-1'])],
  )),
  grown: planProxy(input(
    [svc('web', ['10.96.0.10'], { ports: svcPorts }), svc('np', ['10.96.0.12'], { type: 'NodePort', ports: [{ ...svcPorts[0], nodePort: 30080 }] }),
      svc('sticky', ['10.96.0.15'], { sessionAffinity: 'ClientIP' })],
    [slice('web', ['10.244.0.5@node-1', '10.244.1.5@node-2', '10.244.2.5@node-3'], ports), slice('np', ['10.244.1.8@node-2']), slice('sticky', ['10.244.1.10@node-2', '10.244.0.10@node-1'])],
  )),
  ...Object.fromEntries(CASES.map((c) => [c, planProxy(loadCase(c))])),
};

describe('renderUpdate', () => {
  for (const [from, prev] of Object.entries(STEPS)) {
    for (const [to, next] of Object.entries(STEPS)) {
      if (from === to) continue;
      it(`${from} → ${to}`, () => {
        const text = renderUpdate(prev, next);
        if (text.includes('delete table')) return; // a full replace: covered by the golden files
        const model = new Model(prev);
        for (const line of text.split('\n').filter(Boolean)) model.apply(line);
        model.equals(next);
      });
    }
  }

  it('is empty when nothing changed', () => {
    assert.equal(renderUpdate(STEPS.grown, planProxy(input(
      [svc('sticky', ['10.96.0.15'], { sessionAffinity: 'ClientIP' }), svc('np', ['10.96.0.12'], { type: 'NodePort', ports: [{ ...svcPorts[0], nodePort: 30080 }] }), svc('web', ['10.96.0.10'], { ports: svcPorts })],
      [slice('sticky', ['10.244.0.10@node-1', '10.244.1.10@node-2']), slice('np', ['10.244.1.8@node-2']), slice('web', ['10.244.2.5@node-3', '10.244.1.5@node-2', '10.244.0.5@node-1'], ports)],
    ))), '');
  });

  it('an endpoint replaced in place is two element statements, no chain touched', () => {
    const next = planProxy(input(
      [svc('web', ['10.96.0.10'], { ports: svcPorts }), svc('gone', ['10.96.0.11']), svc('np', ['10.96.0.12'], { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ ...svcPorts[0], nodePort: 30080 }] })],
      [slice('web', ['10.244.0.5@node-1', '10.244.1.6@node-2'], ports), slice('np', ['10.244.1.8@node-2', '10.244.0.8@node-1'])],
    ));
    assert.equal(renderUpdate(STEPS.small, next), [
      'delete element inet podnet-proxy backends-v4-1 { 10.96.0.10 . tcp . 80, 10.96.0.10 . udp . 53 }',
      'add element inet podnet-proxy backends-v4-1 { 10.96.0.10 . tcp . 80 : 10.244.1.6 . 8080, 10.96.0.10 . udp . 53 : 10.244.1.6 . 5353 }',
    ].join('\n') + '\n');
  });

  it('falls back to a full replace when a set changes type (affinity timeout)', () => {
    const a = planProxy(input([svc('s', ['10.96.0.15'], { sessionAffinity: 'ClientIP' })], [slice('s', ['10.244.0.1@node-1'])]));
    const b = planProxy(input([svc('s', ['10.96.0.15'], { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } } })], [slice('s', ['10.244.0.1@node-1'])]));
    assert.equal(renderUpdate(a, b), renderFull(b));
  });

  it('counts rules and elements', () => {
    assert.deepEqual(countPlan(STEPS.empty), { chains: 12, rules: 20, sets: 7, elements: 1 });
  });
});
