// The fixed part of the proxy's table (hooks, dispatch, masquerade, reject) and the shared chains
// that pick an endpoint; per-Service parts come from fragment.ts. The layout follows kube-proxy's nftables proxier (pkg/proxy/nftables)
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
import type { NftChain, NftSet } from './types.js';

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

/** The per-family sets (with the node's addresses in nodeport-ips) and the fixed chains. */
export function skeleton(fams: FamilyInfo[]): { sets: NftSet[]; chains: NftChain[] } {
  const sets: NftSet[] = [];
  for (const f of fams) {
    const key = `${f.addrType} . inet_proto . inet_service`;
    const set = (name: string, kind: 'set' | 'map', type: string, elements: string[] = []) => sets.push({ name, kind, type, elements });
    set(`cluster-ips-${f.v}`, 'set', f.addrType);
    set(`nodeport-ips-${f.v}`, 'set', f.addrType, [...f.nodeIPs]);
    set(`service-ips-${f.v}`, 'map', `${key} : verdict`);
    set(`service-nodeports-${f.v}`, 'map', 'inet_proto . inet_service : verdict');
    set(`no-endpoint-services-${f.v}`, 'map', `${key} : verdict`);
    set(`no-endpoint-nodeports-${f.v}`, 'map', 'inet_proto . inet_service : verdict');
    // Pairs (endpoint . endpoint): after DNAT, saddr == daddr means a pod reached itself (hairpin).
    set(`hairpin-${f.v}`, 'set', `${f.addrType} . ${f.addrType}`);
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
  return { sets, chains };
}

/**
 * The shared endpoint-selection chains: `backend-I` (one DNAT rule per family through map
 * `backends-vF-I`) for every index any Service uses, and `dnat-nN` for every endpoint count N > 1
 * in use; the same with a `local-` prefix for externalTrafficPolicy/internalTrafficPolicy Local.
 */
export function backendParts(fams: FamilyInfo[], maxN: Map<string, number>, groups: Map<string, number>): { sets: NftSet[]; chains: NftChain[] } {
  const sets: NftSet[] = [];
  const chains: NftChain[] = [];
  for (const p of ['', 'local-']) {
    const top = Math.max(0, ...fams.map((f) => maxN.get(`${p}${f.v}`) ?? 0));
    for (let i = 0; i < top; i++) {
      const present = fams.filter((f) => i < (maxN.get(`${p}${f.v}`) ?? 0));
      for (const f of present) sets.push({ name: `${p}backends-${f.v}-${i}`, kind: 'map', type: `${f.addrType} . inet_proto . inet_service : ${f.addrType} . inet_service`, elements: [] });
      // nft 1.0.6 wants the transport protocol matched in the rule that maps to a port.
      chains.push({ name: `${p}backend-${i}`, rules: present.map((f) => `meta l4proto { ${PROTOCOLS.join(', ')} } dnat ${f.ip} to ${f.ip} daddr . meta l4proto . th dport map @${p}backends-${f.v}-${i}`) });
    }
  }
  for (const [name, n] of groups) {
    const p = name.startsWith('local-') ? 'local-' : '';
    const arms = Array.from({ length: n }, (_, i) => `${i} : goto ${p}backend-${i}`).join(', ');
    chains.push({ name, rules: [`numgen random mod ${n} vmap { ${arms} }`] });
  }
  return { sets, chains };
}
