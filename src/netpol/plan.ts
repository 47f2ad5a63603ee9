// NetworkPolicy → one node's nftables ruleset, as data (`table inet podnet-policy`). Pure.
//
// Layout (Calico-like: endpoint chains jump to policy chains):
//   forward-egress  (forward, priority filter - 1)  ct established/related accept; invalid drop;
//                   hairpin accept; ip saddr vmap @egress4 → the chain of the source pod's egress policies
//   forward-ingress (forward, priority filter)      ct established/related accept; the node's own
//                   traffic accept; hairpin accept; ip daddr vmap @ingress4 → the destination pod's ingress chain
//   input-egress    (input, priority filter)        pods' egress to the node itself
// Two base chains, so that an egress `accept` still leaves the ingress check to run. Only pods
// isolated in a direction get a map element; pods selected by the same policies share one chain
// (`in_<hash>`: jump to each policy's chain, then drop), and a policy's chain (`pol-in_<ns>_<name>`)
// accepts what one of its rules allows. Peers are named sets of addresses, keyed by what they
// select, so a label change only edits set elements. Service traffic is judged after the proxy's
// DNAT (priority dstnat), on the endpoint's address.
import type { Family } from '../api/cidr.js';
import { safeHash } from '../api/hash.js';
import { canonicalJSON } from '../api/util.js';
import { cidrMinus, sortElements } from './addresses.js';
import { formatPeer, type CompiledPolicy, type Direction, type Peer } from './policy.js';
import { baseChains, combine, hairpinSet, ipKeyword, namedPortSet, portFragments, type Fragment } from './rules.js';
import { POLICY_TABLE, type PolicyPlan } from './plan-types.js';
import type { PodInfo, PolicyWorld, Protocol } from './types.js';
import { canonicalIP, familyOf, WorldIndex } from './world.js';

export { POLICY_TABLE, type PlanChain, type PlanMap, type PlanSet, type PolicyPlan } from './plan-types.js';

export interface PolicyPlanInput extends PolicyWorld {
  /** The node this ruleset is for; podCIDRs give the address families (else the pods' addresses do). */
  node: { name: string; podCIDRs?: string[] };
}

const addrType = (f: Family) => (f === 4 ? 'ipv4_addr' : 'ipv6_addr');
const short = (s: string) => (s.length > 120 ? `${s.slice(0, 117)}...` : s);
const DIR = { Ingress: { tag: 'in', field: 'from', addr: 'saddr' }, Egress: { tag: 'out', field: 'to', addr: 'daddr' } } as const;

export function planPolicy(input: PolicyPlanInput): PolicyPlan {
  const index = new WorldIndex(input);
  const families = familiesOf(input);
  const plan: PolicyPlan = { table: POLICY_TABLE, families, sets: {}, maps: {}, chains: {} };
  const compiler = new Compiler(index, plan);
  for (const f of families) {
    plan.maps[`ingress${f}`] = { type: `${addrType(f)} : verdict`, elements: {} };
    plan.maps[`egress${f}`] = { type: `${addrType(f)} : verdict`, elements: {} };
  }
  Object.assign(plan.chains, baseChains(families));
  const local = input.pods.filter((p) => p.node === input.node.name && p.ips.length > 0).sort(byName);
  // Hairpin pairs (pod . pod) of this node's pods: always allowed, see model.ts HAIRPIN_SUMMARY.
  for (const f of families) {
    const pairs = local.flatMap((p) => p.ips.filter((ip) => familyOf(ip) === f).map((ip) => `${canonicalIP(ip)} . ${canonicalIP(ip)}`));
    plan.sets[hairpinSet(f)] = { type: `${addrType(f)} . ${addrType(f)}`, comment: 'hairpin: a local pod reaching itself through a Service VIP', elements: sortElements(pairs) };
  }
  for (const pod of local) {
    for (const direction of ['Ingress', 'Egress'] as const) {
      const policies = index.selecting(pod, direction);
      if (policies.length === 0) continue;
      const chain = compiler.podChain(direction, policies);
      for (const ip of pod.ips) plan.maps[`${direction === 'Ingress' ? 'ingress' : 'egress'}${familyOf(ip)}`].elements[canonicalIP(ip)] = `goto ${chain}`;
    }
  }
  return plan;
}

const byName = (a: PodInfo, b: PodInfo) => (a.namespace !== b.namespace ? (a.namespace < b.namespace ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function familiesOf(input: PolicyPlanInput): Family[] {
  const from = input.node.podCIDRs?.length ? input.node.podCIDRs : input.pods.flatMap((p) => p.ips);
  const fams = new Set(from.map((a) => familyOf(a.split('/')[0])));
  return fams.size ? [...fams].sort() : [4];
}

class Compiler {
  private readonly peerSets = new Map<string, string>();
  private readonly groups = new Map<string, string>();

  constructor(private readonly index: WorldIndex, private readonly plan: PolicyPlan) {}

  /** The chain shared by pods isolated by exactly these policies in this direction. */
  podChain(direction: Direction, policies: CompiledPolicy[]): string {
    const keys = policies.map((p) => p.key).sort();
    const groupKey = `${direction} ${keys.join(' ')}`;
    const known = this.groups.get(groupKey);
    if (known) return known;
    const name = `${DIR[direction].tag}_${safeHash(10, direction, keys)}`;
    this.groups.set(groupKey, name);
    if (!this.plan.chains[name]) {
      const jumps = [...policies].sort((a, b) => (a.key < b.key ? -1 : 1)).map((p) => `jump ${this.policyChain(direction, p)}`);
      this.plan.chains[name] = { comment: short(`${direction.toLowerCase()} of pods selected by ${keys.join(' ')}`), rules: [...jumps, 'drop'] };
    }
    return name;
  }

  private policyChain(direction: Direction, p: CompiledPolicy): string {
    let name = `pol-${DIR[direction].tag}_${p.namespace}_${p.name}`;
    if (name.length > 200) name = `${name.slice(0, 180)}_${safeHash(10, p.key)}`;
    if (this.plan.chains[name]) return name;
    const rules: string[] = [];
    const dir = direction.toLowerCase();
    for (const r of (direction === 'Ingress' ? p.ingress : p.egress) ?? []) {
      const ports = portFragments(r.ports, this.plan.families);
      for (const pr of r.ports ?? []) if (pr.name !== undefined) this.namedPorts(pr.name, pr.protocol);
      if (!r.peers) rules.push(...combine([{ text: '' }], ports, `${dir}[${r.index}]`));
      for (const peer of r.peers ?? []) {
        rules.push(...combine(this.peerFragments(peer, DIR[direction].addr), ports, `${dir}[${r.index}] ${DIR[direction].field}[${peer.index}]`));
      }
    }
    this.plan.chains[name] = { comment: short(`${p.key} ${dir}`), rules };
    return name;
  }

  private peerFragments(peer: Peer, addr: 'saddr' | 'daddr'): Fragment[] {
    if (peer.kind === 'ipBlock') {
      const f = familyOf(peer.cidr.split('/')[0]);
      if (!this.plan.families.includes(f)) return [];
      const name = `cidr_${safeHash(10, peer.cidr, peer.except)}_${f}`;
      this.plan.sets[name] ??= { type: addrType(f), interval: true, comment: short(formatPeer(peer)), elements: cidrMinus(peer.cidr, peer.except) };
      return [{ family: f, text: `${ipKeyword(f)} ${addr} @${name}` }];
    }
    const key = canonicalJSON({ ns: peer.namespace ?? null, nsSel: peer.namespaceSelector ?? null, podSel: peer.podSelector ?? null });
    let base = this.peerSets.get(key);
    if (!base) {
      base = `peer_${safeHash(10, key)}`;
      this.peerSets.set(key, base);
      const pods = this.index.peerPods(peer);
      for (const f of this.plan.families) {
        this.plan.sets[`${base}_${f}`] = { type: addrType(f), comment: short(formatPeer({ ...peer, index: 0 })), elements: addresses(pods, f) };
      }
    }
    return this.plan.families.map((f) => ({ family: f, text: `${ipKeyword(f)} ${addr} @${base}_${f}` }));
  }

  /** Every pod's (address . port) for a named container port, cluster-wide (egress can go anywhere). */
  private namedPorts(name: string, protocol: Protocol): void {
    for (const f of this.plan.families) {
      const set = namedPortSet(name, protocol, f);
      if (this.plan.sets[set]) continue;
      const elems = new Set<string>();
      for (const pod of this.index.pods) {
        const ip = pod.ips.find((a) => familyOf(a) === f);
        if (!ip) continue;
        for (const c of pod.ports) if (c.name === name && c.protocol === protocol) elems.add(`${canonicalIP(ip)} . ${c.port}`);
      }
      this.plan.sets[set] = { type: `${addrType(f)} . inet_service`, comment: `container ports named ${name}/${protocol}`, elements: sortElements(elems) };
    }
  }
}

function addresses(pods: PodInfo[], f: Family): string[] {
  const out = new Set<string>();
  for (const p of pods) for (const ip of p.ips) if (familyOf(ip) === f) out.add(canonicalIP(ip));
  return sortElements(out);
}

export interface PlanStats {
  chains: number;
  rules: number;
  sets: number;
  setElements: number;
  mapElements: number;
}

export function planStats(plan: PolicyPlan): PlanStats {
  const chains = Object.values(plan.chains);
  const sets = Object.values(plan.sets);
  return {
    chains: chains.length,
    rules: chains.reduce((n, c) => n + c.rules.length, 0),
    sets: sets.length,
    setElements: sets.reduce((n, s) => n + s.elements.length, 0),
    mapElements: Object.values(plan.maps).reduce((n, m) => n + Object.keys(m.elements).length, 0),
  };
}
