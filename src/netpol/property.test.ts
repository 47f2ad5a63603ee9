// Property test: on random clusters and policies, the compiled rulesets (one per node, walked by the
// tracer along the packet's path) agree with the reference model on every random connection.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1LabelSelector } from '@kubernetes/client-node';
import type { V1NetworkPolicy } from '../api/types.js';
import { PolicyModel } from './model.js';
import { planPolicy, type PolicyPlan } from './plan.js';
import { pathOf, traceConnection } from './trace.js';
import { NAMESPACE_NAME_LABEL, type PodInfo, type PolicyWorld, type Protocol } from './types.js';

/** mulberry32: small, seedable, good enough to pick test cases. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const chance = (p: number) => next() < p;
  return { int, pick, chance };
}
type R = ReturnType<typeof rng>;

const KEYS = { app: ['web', 'db', 'api'], tier: ['1', '2'] };
const NS_KEYS = { team: ['red', 'blue'], env: ['prod', 'dev'] };
const NAMED = [
  { name: 'http', port: 80, protocol: 'TCP' }, { name: 'http', port: 8080, protocol: 'TCP' },
  { name: 'dns', port: 53, protocol: 'UDP' }, { name: 'metrics', port: 81, protocol: 'TCP' },
] as const;

function randomLabels(r: R, keys: Record<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, vs] of Object.entries(keys)) if (r.chance(0.7)) out[k] = r.pick(vs);
  return out;
}

function randomSelector(r: R, keys: Record<string, string[]>): V1LabelSelector {
  const sel: V1LabelSelector = {};
  const [k, vs] = r.pick(Object.entries(keys));
  switch (r.int(6)) {
    case 0: return sel;
    case 1: case 2: return { matchLabels: { [k]: r.pick(vs) } };
    case 3: return { matchExpressions: [{ key: k, operator: r.pick(['In', 'NotIn']), values: [r.pick(vs), r.pick(vs)] }] };
    default: return { matchExpressions: [{ key: k, operator: r.pick(['Exists', 'DoesNotExist']) }] };
  }
}

function randomWorld(seed: number): { world: PolicyWorld; nodeIPs: Record<string, string[]>; dual: boolean } {
  const r = rng(seed);
  const dual = r.chance(0.4);
  const nodes = Array.from({ length: 1 + r.int(3) }, (_, i) => `node-${i + 1}`);
  const nodeIPs: Record<string, string[]> = {};
  nodes.forEach((n, i) => (nodeIPs[n] = [`172.18.0.${i + 2}`, `10.244.${i}.1`, ...(dual ? [`fd00:172:18::${i + 2}`] : [])]));
  const namespaces = ['ns1', 'ns2', 'ns3'].slice(0, 1 + r.int(3)).map((name) => ({ name, labels: { ...randomLabels(r, NS_KEYS), [NAMESPACE_NAME_LABEL]: name } }));
  const pods: PodInfo[] = Array.from({ length: 3 + r.int(9) }, (_, i) => {
    const node = r.int(nodes.length);
    const ports = NAMED.filter(() => r.chance(0.4)).filter((p, j, all) => all.findIndex((q) => q.name === p.name) === j).map((p) => ({ ...p }));
    return {
      namespace: r.pick(namespaces).name, name: `p${i}`, labels: randomLabels(r, KEYS), node: nodes[node], ports,
      ips: [`10.244.${node}.${10 + i}`, ...(dual ? [`fd00:10:244:${node}::${(10 + i).toString(16)}`] : [])],
    };
  });
  const policies: V1NetworkPolicy[] = Array.from({ length: 1 + r.int(5) }, (_, i) => randomPolicy(r, r.pick(namespaces).name, `np${i}`, pods, dual));
  return { world: { pods, namespaces, policies, nodes: nodes.map((name) => ({ name, ips: nodeIPs[name] })) }, nodeIPs, dual };
}

function randomPolicy(r: R, namespace: string, name: string, pods: PodInfo[], dual: boolean): V1NetworkPolicy {
  const somePodIP = () => r.pick(pods).ips[dual && r.chance(0.3) ? 1 : 0];
  const peer = () => {
    switch (r.int(5)) {
      case 0: return { podSelector: randomSelector(r, KEYS) };
      case 1: return { namespaceSelector: randomSelector(r, NS_KEYS) };
      case 2: return { namespaceSelector: randomSelector(r, NS_KEYS), podSelector: randomSelector(r, KEYS) };
      case 3: {
        const ip = somePodIP();
        const v6 = ip.includes(':');
        return { ipBlock: { cidr: v6 ? 'fd00::/16' : '10.244.0.0/16', except: r.chance(0.6) ? [`${ip}/${v6 ? 128 : 32}`] : [] } };
      }
      default: {
        const ip = somePodIP();
        return { ipBlock: { cidr: r.pick(['172.18.0.0/24', '0.0.0.0/0', '::/0', `${ip}/${ip.includes(':') ? 128 : 32}`]) } };
      }
    }
  };
  const port = () => {
    const protocol = r.pick<Protocol>(['TCP', 'TCP', 'UDP', 'SCTP']);
    switch (r.int(4)) {
      case 0: return { protocol };
      case 1: return { protocol, port: r.pick([53, 80, 81, 8080]) };
      case 2: return { protocol, port: r.pick([53, 80]), endPort: r.pick([81, 8080]) };
      default: return { protocol, port: r.pick(['http', 'dns', 'metrics']) };
    }
  };
  const rules = () => Array.from({ length: r.int(3) }, () => ({
    ...(r.chance(0.7) ? { peers: Array.from({ length: r.int(3) }, peer) } : {}),
    ...(r.chance(0.6) ? { ports: Array.from({ length: r.int(3) }, port) } : {}),
  }));
  const types = r.pick([undefined, ['Ingress'], ['Egress'], ['Ingress', 'Egress']]);
  const spec: Record<string, unknown> = { podSelector: randomSelector(r, KEYS), ...(types ? { policyTypes: types } : {}) };
  if (r.chance(0.8)) spec.ingress = rules().map(({ peers, ports }) => ({ ...(peers ? { from: peers } : {}), ...(ports ? { ports } : {}) }));
  if (r.chance(0.7)) spec.egress = rules().map(({ peers, ports }) => ({ ...(peers ? { to: peers } : {}), ...(ports ? { ports } : {}) }));
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace, name }, spec } as V1NetworkPolicy;
}

describe('compiled ruleset agrees with the model (property)', () => {
  it('on 400 random clusters × 40 random connections', () => {
    let checked = 0;
    let denied = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const { world, nodeIPs, dual } = randomWorld(seed);
      const model = new PolicyModel(world);
      const plans: Record<string, PolicyPlan> = {};
      for (const node of world.nodes!) plans[node.name] = planPolicy({ ...world, node: { name: node.name } });
      const r = rng(seed * 7919);
      for (let q = 0; q < 40; q++) {
        const v6 = dual && r.chance(0.5);
        const endpoint = () => {
          const k = r.int(10);
          if (k < 7) { const p = r.pick(world.pods); return { ip: p.ips[v6 ? 1 : 0], node: p.node, isNode: false }; }
          if (k < 9) { const n = r.pick(world.nodes!); return { ip: n.ips.filter((a) => a.includes(':') === v6)[0], node: n.name, isNode: true }; }
          return { ip: v6 ? 'fd00:99::5' : r.pick(['192.168.5.5', '10.244.0.250']), node: undefined, isNode: false };
        };
        const src = endpoint();
        const dst = endpoint();
        if (src.ip === dst.ip || (src.isNode && dst.isNode)) continue;
        const protocol = r.pick(['TCP', 'UDP', 'SCTP', 'ICMP']);
        const dport = protocol === 'ICMP' ? undefined : r.pick([53, 80, 81, 8080, 9000]);
        const want = model.allowed(src.ip, dst.ip, dport, protocol).allowed;
        const got = traceConnection(plans, pathOf(src, dst), { src: src.ip, dst: dst.ip, protocol, dport, ct: 'new' }, nodeIPs);
        assert.equal(got.verdict === 'accept', want,
          `seed ${seed} query ${q}: ${src.ip} -> ${dst.ip} ${dport ?? ''}/${protocol}: model ${want ? 'allows' : 'denies'}, ruleset ${got.verdict}s\n` +
          `${got.steps.join('\n')}\npolicies: ${JSON.stringify(world.policies.map((p) => ({ ns: p.metadata?.namespace, ...p.spec })))}`);
        checked++;
        if (!want) denied++;
      }
    }
    // The generator must produce both outcomes in bulk, or the property says little.
    if (process.env.NETPOL_VERBOSE) console.log({ checked, denied });
    assert.ok(checked > 10000 && denied > checked / 10, `checked ${checked}, denied ${denied}`);
  });
});
