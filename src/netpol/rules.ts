// nftables match expressions for one policy rule: its peers become set lookups (named sets, so a
// label change edits elements, not rules) and its ports one anonymous set per rule, e.g.
//   ip saddr @peer_x4k2m9bd_4 meta l4proto . th dport { tcp . 80, udp . 53 } accept
// Named ports are looked up per destination address: `ip daddr . tcp dport @port_http_tcp_4`.
import type { Family } from '../api/cidr.js';
import type { PlanChain } from './plan-types.js';
import type { PortSpec } from './policy.js';
import type { Protocol } from './types.js';

/** A match fragment, tied to one address family or to none. */
export interface Fragment {
  family?: Family;
  text: string;
}

export const ipKeyword = (f: Family) => (f === 4 ? 'ip' : 'ip6');
const proto = (p: Protocol) => p.toLowerCase();

export function namedPortSet(name: string, protocol: Protocol, family: Family): string {
  return `port_${name}_${proto(protocol)}_${family}`;
}

/** Merges overlapping and adjacent ranges: nft refuses overlapping intervals in one set. */
function mergeRanges(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

const range = ([lo, hi]: [number, number]) => (lo === hi ? String(lo) : `${lo}-${hi}`);

/**
 * The port part of a rule: one fragment for the numeric ports (family-free) and one per family for
 * each named port. Undefined ports (the rule has none) match everything: one empty fragment.
 */
export function portFragments(ports: PortSpec[] | undefined, families: Family[]): Fragment[] {
  if (!ports) return [{ text: '' }];
  const out: Fragment[] = [];
  const byProto = new Map<Protocol, [number, number][] | 'all'>();
  for (const p of ports) {
    if (p.name !== undefined) continue;
    const have = byProto.get(p.protocol);
    if (have === 'all') continue;
    if (p.port === undefined) byProto.set(p.protocol, 'all');
    else byProto.set(p.protocol, [...(have ?? []), [p.port, p.endPort ?? p.port]]);
  }
  const protos = [...byProto.keys()].sort();
  if (protos.length === 1) {
    const [p] = protos;
    const r = byProto.get(p)!;
    if (r === 'all') out.push({ text: `meta l4proto ${proto(p)}` });
    else {
      const merged = mergeRanges(r);
      out.push({ text: merged.length === 1 ? `${proto(p)} dport ${range(merged[0])}` : `${proto(p)} dport { ${merged.map(range).join(', ')} }` });
    }
  } else if (protos.length > 1) {
    if (protos.every((p) => byProto.get(p) === 'all')) out.push({ text: `meta l4proto { ${protos.map(proto).join(', ')} }` });
    else {
      const elems = protos.flatMap((p) => {
        const r = byProto.get(p)!;
        return (r === 'all' ? [[0, 65535] as [number, number]] : mergeRanges(r)).map((x) => `${proto(p)} . ${range(x)}`);
      });
      out.push({ text: `meta l4proto . th dport { ${elems.join(', ')} }` });
    }
  }
  const named = new Map<string, PortSpec>();
  for (const p of ports) if (p.name !== undefined) named.set(`${p.name}/${p.protocol}`, p);
  for (const p of [...named.values()].sort((a, b) => `${a.name}/${a.protocol}`.localeCompare(`${b.name}/${b.protocol}`))) {
    for (const f of families) out.push({ family: f, text: `${ipKeyword(f)} daddr . ${proto(p.protocol)} dport @${namedPortSet(p.name!, p.protocol, f)}` });
  }
  return out;
}

/** Every compatible peer × port pair, as rule texts ending in `accept`. */
export function combine(peers: Fragment[], ports: Fragment[], comment: string): string[] {
  const out: string[] = [];
  for (const a of peers) {
    for (const b of ports) {
      if (a.family && b.family && a.family !== b.family) continue;
      const match = [a.text, b.text].filter(Boolean).join(' ');
      out.push(`${match ? `${match} ` : ''}accept comment "${comment}"`);
    }
  }
  return out;
}

/**
 * IPv6's neighbour discovery and multicast listener messages are its ARP: conntrack leaves them
 * untracked (never "established"), so without this a pod isolated by policy could not even resolve
 * the neighbours it is allowed to reach. They never leave the link, so they carry no policy meaning.
 */
const ICMPV6_LINK = 'icmpv6 type { nd-router-solicit, nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert, nd-redirect, mld-listener-query, mld-listener-report, mld-listener-done, mld2-listener-report } accept';

export const hairpinSet = (f: Family) => `hairpin${f}`;

/** The three base chains: hooks, the stateful shortcut, then dispatch by address to pods' chains. */
export function baseChains(families: Family[]): Record<string, PlanChain> {
  const vmaps = (dir: 'saddr' | 'daddr', map: string) => families.map((f) => `${ipKeyword(f)} ${dir} vmap @${map}${f}`);
  const link = families.includes(6) ? [ICMPV6_LINK] : [];
  // Hairpin (a pod to itself through a VIP) reaches forward after the proxy's DNAT with source ==
  // destination, before its masquerade in postrouting; nft cannot compare two fields, so a set of
  // (pod . pod) pairs names it. Allowed in both directions: see model.ts HAIRPIN_SUMMARY for why.
  const hairpin = families.map((f) => `ct status dnat ${ipKeyword(f)} saddr . ${ipKeyword(f)} daddr @${hairpinSet(f)} accept`);
  return {
    'forward-egress': {
      hook: 'type filter hook forward priority filter - 1; policy accept;',
      rules: ['ct state established,related accept', 'ct state invalid drop', ...link, ...hairpin, ...vmaps('saddr', 'egress')],
    },
    'forward-ingress': {
      hook: 'type filter hook forward priority filter; policy accept;',
      // The node's own traffic to its pods (probes) leaves through output and never gets here; should it
      // be forwarded (a proxy that SNATs early), it is still the node's and always allowed.
      rules: ['ct state established,related accept', 'fib saddr type local accept', ...link, ...hairpin, ...vmaps('daddr', 'ingress')],
    },
    'input-egress': {
      hook: 'type filter hook input priority filter; policy accept;',
      rules: ['ct state established,related accept', ...link, ...vmaps('saddr', 'egress')],
    },
  };
}
