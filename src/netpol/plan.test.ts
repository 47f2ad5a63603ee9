import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { V1Namespace, V1NetworkPolicy, V1Node, V1Pod } from '../api/types.js';
import { golden, readTestdata } from './golden.test.js';
import { PolicyModel } from './model.js';
import { planPolicy, planStats, type PolicyPlanInput } from './plan.js';
import { renderFull, renderUpdate } from './render.js';
import { tracePlan, type Packet } from './trace.js';
import { worldFromObjects, type PodInfo, type PolicyWorld } from './types.js';

/** testdata/NAME.in.yaml: Namespaces, Pods (with addresses), NetworkPolicies and the Node to plan for. */
function input(name: string): PolicyPlanInput {
  const docs = parseAllDocuments(readTestdata(`${name}.in.yaml`)).map((d) => d.toJS() as { kind: string });
  const of = <T>(kind: string) => docs.filter((d) => d.kind === kind) as T[];
  const node = of<V1Node>('Node')[0];
  const world = worldFromObjects({ pods: of<V1Pod>('Pod'), namespaces: of<V1Namespace>('Namespace'), policies: of<V1NetworkPolicy>('NetworkPolicy') });
  return { ...world, node: { name: node.metadata!.name!, podCIDRs: node.spec?.podCIDRs } };
}

const CASES = ['deny-and-allow', 'dual-stack', 'no-policies'];

describe('planPolicy golden files (testdata/NAME.in.yaml → NAME.out.nft)', () => {
  for (const name of CASES) it(name, () => golden(`${name}.out.nft`, renderFull(planPolicy(input(name)))));

  it('a remote pod\'s label change only edits set elements (deny-and-allow.update-remote.nft)', () => {
    const before = input('deny-and-allow');
    const pods = before.pods.map((p) => (p.name === 'web-2' ? { ...p, labels: { app: 'db' } } : p));
    const update = renderUpdate(planPolicy(before), planPolicy({ ...before, pods }));
    golden('deny-and-allow.update-remote.nft', update);
    assert.ok(update.split('\n').filter(Boolean).every((l) => /^(add|delete) element /.test(l)), update);
  });

  it('a local pod leaving the last policy chain in use: map elements move, then the chain and sets go (deny-and-allow.update-local.nft)', () => {
    const before = input('deny-and-allow');
    const pods = before.pods.map((p) => (p.name === 'web-1' ? { ...p, labels: { app: 'db' } } : p));
    golden('deny-and-allow.update-local.nft', renderUpdate(planPolicy(before), planPolicy({ ...before, pods })));
  });

  it('is deterministic and independent of the order of pods and policies', () => {
    const a = input('deny-and-allow');
    const b = { ...a, pods: [...a.pods].reverse(), policies: [...a.policies].reverse(), namespaces: [...a.namespaces].reverse() };
    assert.equal(renderFull(planPolicy(a)), renderFull(planPolicy(b)));
  });
});

const pkt = (src: string, dst: string, dport: number | undefined, protocol = 'TCP', extra: Partial<Packet> = {}): Packet => ({ hook: 'forward', src, dst, dport, protocol, ct: 'new', ...extra });

describe('planPolicy behaviour (traced)', () => {
  const world = input('deny-and-allow');
  const plan = planPolicy(world);
  const verdict = (p: Packet) => tracePlan(plan, p).verdict;

  it('accepts established and related packets before any policy, drops invalid ones', () => {
    assert.equal(verdict(pkt('10.244.1.12', '10.244.1.11', 80)), 'drop'); // y/client → x/db: default deny
    assert.equal(verdict(pkt('10.244.1.12', '10.244.1.11', 80, 'TCP', { ct: 'established' })), 'accept');
    assert.equal(verdict(pkt('10.244.1.12', '10.244.1.11', 80, 'TCP', { ct: 'related' })), 'accept');
    assert.equal(verdict(pkt('10.244.1.12', '10.244.2.99', 80, 'TCP', { ct: 'invalid' })), 'drop');
  });

  it("allows the node's own traffic to its pods (output has no policy; forwarded node traffic is accepted)", () => {
    assert.equal(verdict(pkt('10.244.1.1', '10.244.1.11', 80, 'TCP', { hook: 'output' })), 'accept');
    assert.equal(verdict(pkt('10.244.1.1', '10.244.1.11', 80, 'TCP', { local: ['10.244.1.1'] })), 'accept');
    assert.equal(verdict(pkt('10.244.2.1', '10.244.1.11', 80, 'TCP', { local: ['10.244.1.1'] })), 'drop');
  });

  it('resolves named ports per destination pod and matches ranges and protocol-only ports', () => {
    assert.equal(verdict(pkt('10.244.1.12', '10.244.1.10', 8080)), 'accept'); // http is 8080 on web-1
    assert.equal(verdict(pkt('10.244.1.12', '10.244.1.10', 8081)), 'drop'); // 8081 is http on web-2 only
    assert.equal(verdict(pkt('10.244.1.12', '10.244.1.10', 9095)), 'accept');
    assert.equal(verdict(pkt('10.244.1.12', '10.244.1.10', 9100)), 'drop');
    assert.equal(verdict(pkt('10.244.1.12', '10.244.1.10', 4444, 'SCTP')), 'accept');
    assert.equal(verdict(pkt('10.244.1.12', '10.244.1.10', undefined, 'ICMP')), 'drop');
  });

  it('enforces egress with ipBlock excepts, and egress to a remote pod by named port', () => {
    assert.equal(verdict(pkt('10.244.1.11', '10.1.2.3', 5432)), 'accept');
    assert.equal(verdict(pkt('10.244.1.11', '10.244.9.9', 5432)), 'drop'); // except 10.244.0.0/16
    assert.equal(verdict(pkt('10.244.1.11', '10.100.0.1', 53, 'UDP')), 'drop'); // except 10.96.0.0/12
    assert.equal(verdict(pkt('10.244.1.11', '10.244.2.10', 8081)), 'accept'); // web-2's http, forwarded to node-2
    assert.equal(verdict(pkt('10.244.1.11', '10.244.2.10', 8080)), 'drop');
    assert.equal(verdict({ ...pkt('10.244.1.11', '10.244.1.1', 22), hook: 'input' }), 'drop'); // egress to the node itself
  });

  it('gives map elements only to local pods isolated in that direction, and chains only to policies in use', () => {
    // y/client-egress omits policyTypes, so it isolates ingress too (the API's default).
    assert.deepEqual(Object.keys(plan.maps.ingress4.elements).sort(), ['10.244.1.10', '10.244.1.11', '10.244.1.12']);
    assert.deepEqual(Object.keys(plan.maps.egress4.elements).sort(), ['10.244.1.11', '10.244.1.12']);
    assert.deepEqual(Object.keys(plan.chains).filter((c) => c.startsWith('pol-')).sort(), [
      'pol-in_x_default-deny', 'pol-in_x_web-from-blue', 'pol-in_y_client-egress', 'pol-out_x_db-egress', 'pol-out_y_client-egress',
    ]);
    assert.deepEqual(planStats(plan), { chains: 13, rules: 28, sets: 6, setElements: 19, mapElements: 5 }); // 6 sets: the hairpin pairs of the 3 local pods; 2 rules accept them
  });

  it('shares one chain between pods isolated by the same policies', () => {
    const pods: PodInfo[] = [...world.pods, { namespace: 'x', name: 'web-3', labels: { app: 'web' }, ips: ['10.244.1.20'], node: 'node-1', ports: [] }];
    const p = planPolicy({ ...world, pods });
    assert.equal(p.maps.ingress4.elements['10.244.1.20'], p.maps.ingress4.elements['10.244.1.10']);
  });

  it('agrees with the model on every pod pair, port and protocol of the golden inputs', () => {
    for (const name of CASES) {
      const w: PolicyWorld & PolicyPlanInput = input(name);
      const model = new PolicyModel(w);
      const nodes = [...new Set(w.pods.map((p) => p.node!))];
      const plans = Object.fromEntries(nodes.map((n) => [n, planPolicy({ ...w, node: { name: n } })]));
      for (const s of w.pods) for (const d of w.pods) {
        if (s === d) continue;
        for (const [port, protocol] of [[8080, 'TCP'], [8081, 'TCP'], [53, 'UDP'], [9000, 'TCP'], [5, 'SCTP']] as const) {
          for (const i of s.ips.keys()) {
            const want = model.allowed(s.ips[i], d.ips[i], port, protocol).allowed;
            const hops = s.node === d.node ? [s.node!] : [s.node!, d.node!];
            const got = hops.every((n) => tracePlan(plans[n], pkt(s.ips[i], d.ips[i], port, protocol)).verdict === 'accept');
            assert.equal(got, want, `${name}: ${s.name} -> ${d.name} ${port}/${protocol}`);
          }
        }
      }
    }
  });
});
