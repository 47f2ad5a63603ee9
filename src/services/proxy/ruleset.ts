// The fixed part of the proxy's table (hooks, dispatch, masquerade, reject) and a small builder that
// collects the per-service parts. The layout follows kube-proxy's nftables proxier (pkg/proxy/nftables)
// with one change that matters at scale: endpoint selection does not use a chain per Service or per
// endpoint. Services with N endpoints all `goto dnat-nN`, which draws `numgen random mod N` and jumps
// to `backend-I`; that chain DNATs through the named map `backends-vF-I`, keyed by the destination
// the client used (address . protocol . port). So the number of chains and rules depends on the
// largest endpoint count, not on the number of Services, and an endpoint change is a map element
// change. Measured with nft 1.0.6 for 10,000 Services x 10 endpoints (bench/services-sync.ts): about
// 0.7 s to load, where one anonymous `numgen ... map { }` per Service takes ~11 s (the kernel names
// anonymous sets by scanning all sets: quadratic) and kube-proxy's chain-per-endpoint layout ~70 s.
// Why one map per index rather than one map keyed by `... . numgen random mod N`: nft 1.0.6 can
// create such a `typeof` map, but then refuses any later rule that uses it with data `ip daddr . th
// dport` ("conflicting protocols specified: tcp vs. th"), which would break incremental updates.
import type { Family } from '../../api/cidr.js';
import type { NftChain, NftSet, NftTable } from './types.js';
import { PROXY_TABLE } from './types.js';

export const MASQ_MARK = '0x4000';
export const PROTOCOLS = ['tcp', 'udp', 'sctp'] as const;

export interface FamilyInfo {
  family: Family;
  /** `ip` or `ip6`: the payload keyword and the dnat family. */
  ip: 'ip' | 'ip6';
  addrType: 'ipv4_addr' | 'ipv6_addr';
  /** Suffix of per-family set names: `v4` or `v6`. */
  v: 'v4' | 'v6';
  podCIDRs: string[];
  serviceCIDRs: string[];
  nodeIPs: string[];
}

/** `X` for one item, `{ X, Y }` for more: nft reads both as a match against the items. */
export function oneOrSet(items: string[]): string {
  return items.length === 1 ? items[0] : `{ ${items.join(', ')} }`;
}

export class TableBuilder {
  private readonly sets = new Map<string, { def: Omit<NftSet, 'elements'>; elements: Map<string, string | undefined> }>();
  private readonly chains = new Map<string, NftChain>();
  private readonly order: string[] = [];

  defineSet(def: Omit<NftSet, 'elements'>): void {
    if (!this.sets.has(def.name)) this.sets.set(def.name, { def, elements: new Map() });
  }

  /** Adds an element; false when the key is already there (the first owner keeps it). */
  addElement(set: string, key: string, value?: string): boolean {
    const s = this.sets.get(set);
    if (!s) throw new Error(`internal: set ${set} is not defined`);
    if (s.elements.has(key)) return s.elements.get(key) === value;
    s.elements.set(key, value);
    return true;
  }

  hasChain(name: string): boolean {
    return this.chains.has(name);
  }

  addChain(chain: NftChain): void {
    if (this.chains.has(chain.name)) return;
    this.chains.set(chain.name, chain);
    this.order.push(chain.name);
  }

  build(fixedSets: number, fixedChains: number): NftTable {
    const sets = [...this.sets.values()].map(({ def, elements }) => ({
      ...def,
      elements: [...elements].map(([k, v]) => (v === undefined ? k : `${k} : ${v}`)).sort(),
    }));
    const chains = this.order.map((n) => this.chains.get(n) as NftChain);
    // The fixed skeleton keeps its reading order; generated parts are sorted by name.
    const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    return {
      family: 'inet',
      name: PROXY_TABLE,
      sets: [...sets.slice(0, fixedSets), ...sets.slice(fixedSets).sort(byName)],
      chains: [...chains.slice(0, fixedChains), ...chains.slice(fixedChains).sort(byName)],
    };
  }
}

/** Defines the per-family sets and the fixed chains; returns how many of each it added. */
export function addSkeleton(b: TableBuilder, fams: FamilyInfo[]): { sets: number; chains: number } {
  for (const f of fams) {
    const key = `${f.addrType} . inet_proto . inet_service`;
    b.defineSet({ name: `cluster-ips-${f.v}`, kind: 'set', type: f.addrType });
    b.defineSet({ name: `nodeport-ips-${f.v}`, kind: 'set', type: f.addrType });
    b.defineSet({ name: `service-ips-${f.v}`, kind: 'map', type: `${key} : verdict` });
    b.defineSet({ name: `service-nodeports-${f.v}`, kind: 'map', type: 'inet_proto . inet_service : verdict' });
    b.defineSet({ name: `no-endpoint-services-${f.v}`, kind: 'map', type: `${key} : verdict` });
    b.defineSet({ name: `no-endpoint-nodeports-${f.v}`, kind: 'map', type: 'inet_proto . inet_service : verdict' });
    // Pairs (endpoint . endpoint): after DNAT, saddr == daddr means a pod reached itself (hairpin).
    b.defineSet({ name: `hairpin-${f.v}`, kind: 'set', type: `${f.addrType} . ${f.addrType}` });
    for (const ip of f.nodeIPs) b.addElement(`nodeport-ips-${f.v}`, ip);
  }
  const perFamily = (fn: (f: FamilyInfo) => string[]) => fams.flatMap(fn);
  const chains: NftChain[] = [
    // Filter before DNAT (kube-proxy's dstnat - 10), so the checks see the address the client used.
    { name: 'filter-input', base: { type: 'filter', hook: 'input', priority: -110 }, rules: ['ct state new jump endpoints-check'] },
    { name: 'filter-forward', base: { type: 'filter', hook: 'forward', priority: -110 }, rules: ['ct state new jump endpoints-check', 'ct state new jump cluster-ips-check'] },
    { name: 'filter-output', base: { type: 'filter', hook: 'output', priority: -110 }, rules: ['ct state new jump endpoints-check'] },
    { name: 'nat-prerouting', base: { type: 'nat', hook: 'prerouting', priority: -100 }, rules: ['jump services'] },
    { name: 'nat-output', base: { type: 'nat', hook: 'output', priority: -100 }, rules: ['jump services'] },
    { name: 'nat-postrouting', base: { type: 'nat', hook: 'postrouting', priority: 100 }, rules: ['jump masquerading'] },
    {
      name: 'services',
      rules: perFamily((f) => [
        // Traffic to a ClusterIP from outside the pod network may cross nodes: masquerade it so replies come back.
        `${f.ip} daddr @cluster-ips-${f.v} ${f.ip} saddr != ${oneOrSet(f.podCIDRs)} jump mark-for-masquerade`,
        `${f.ip} daddr . meta l4proto . th dport vmap @service-ips-${f.v}`,
        `${f.ip} daddr @nodeport-ips-${f.v} meta l4proto . th dport vmap @service-nodeports-${f.v}`,
      ]),
    },
    {
      name: 'endpoints-check',
      rules: perFamily((f) => [
        `${f.ip} daddr . meta l4proto . th dport vmap @no-endpoint-services-${f.v}`,
        `${f.ip} daddr @nodeport-ips-${f.v} meta l4proto . th dport vmap @no-endpoint-nodeports-${f.v}`,
      ]),
    },
    {
      // Still addressed to the service range after DNAT: a port the ClusterIP does not serve (refuse)
      // or an address no Service has (drop, as kube-proxy does), rather than leaking out of the node.
      name: 'cluster-ips-check',
      rules: perFamily((f) => [`${f.ip} daddr @cluster-ips-${f.v} reject`, `${f.ip} daddr ${oneOrSet(f.serviceCIDRs)} drop`]),
    },
    {
      name: 'masquerading',
      rules: [
        ...perFamily((f) => [`ct status dnat ${f.ip} saddr . ${f.ip} daddr @hairpin-${f.v} masquerade fully-random`]),
        `meta mark & ${MASQ_MARK} == 0 return`,
        `meta mark set meta mark ^ ${MASQ_MARK}`,
        'masquerade fully-random',
      ],
    },
    { name: 'mark-for-masquerade', rules: [`meta mark set meta mark | ${MASQ_MARK}`] },
    // ICMP port unreachable, which a TCP client sees as ECONNREFUSED at once.
    { name: 'reject-chain', rules: ['reject'] },
  ];
  chains.forEach((c) => b.addChain(c));
  return { sets: fams.length * 7, chains: chains.length };
}
