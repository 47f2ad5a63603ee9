// The ranges Services draw from: ClusterIPs from the service CIDRs, NodePorts from the node-port
// range, load balancer addresses from the lab's pools. Range math only: who holds what is in
// claims.ts and the per-Service steps in allocator.ts.
import { formatCIDR, formatIP, parseCIDR, parseIP, size, type CIDR, type Family } from '../api/cidr.js';
import type { ClusterConfig } from '../api/types.js';

/** A range of allocatable addresses: offsets [first, last] into `cidr`. */
export interface IPRange {
  cidr: CIDR;
  first: bigint;
  last: bigint;
  /** Addresses (absolute values) never handed out dynamically: v4 pools skip .0 and .255. */
  skip?: (value: bigint) => boolean;
}

/**
 * Offsets of each service range kept for well-known Services: `.1` for default/kubernetes (the
 * API server's own Service) and `.10` for kube-system/kube-dns (kubeadm's clusterDNS), so a user's
 * Service created first can never take the address every pod's resolv.conf points at.
 */
export const RESERVED_SERVICE_IPS: ReadonlyMap<number, string> = new Map([[1, 'default/kubernetes'], [10, 'kube-system/kube-dns']]);

/**
 * How many addresses at the bottom of a service range are kept for fixed ClusterIPs (KEP-3070,
 * ipallocator calculateRangeOffset): min(max(16, size/16), 256) of the CIDR's size, none for a
 * range of 16 addresses or fewer. Dynamic allocation uses them only when the rest is full.
 */
export function serviceIPStaticSize(cidr: CIDR): bigint {
  const n = size(cidr);
  if (n <= 16n) return 0n;
  const off = n / 16n;
  return off < 16n ? 16n : off > 256n ? 256n : off;
}

/** The same for NodePorts (KEP-3668, portallocator calculateRangeOffset): min(max(16, size/32), 128). */
export function nodePortStaticSize(range: readonly [number, number]): bigint {
  const n = BigInt(range[1] - range[0] + 1);
  if (n <= 16n) return 0n;
  const off = n / 32n;
  return off < 16n ? 16n : off > 128n ? 128n : off;
}

/** The service range as the API server's allocator sees it: no network address, and no broadcast for IPv4. */
export function serviceIPRange(cidr: string): IPRange {
  const c = parseCIDR(cidr);
  const n = size(c);
  return { cidr: c, first: n > 2n ? 1n : 0n, last: c.family === 4 && n > 2n ? n - 2n : n - 1n };
}

/**
 * A LoadBalancer pool: every address in it. IPv4 pools skip addresses ending in .0 and .255 (MetalLB's
 * avoid-buggy-ips): the default pool is the top of the underlay /24, whose last address is its broadcast.
 */
export function poolRange(cidr: string): IPRange {
  const c = parseCIDR(cidr);
  const skip = c.family === 4 ? (v: bigint) => (v & 0xffn) === 0n || (v & 0xffn) === 0xffn : undefined;
  return { cidr: c, first: 0n, last: size(c) - 1n, skip };
}

/** The same address always in the same text, so `fd00::a` and `fd00:0::a` collide as they should. */
export function canonicalIP(ip: string): string {
  const { family, value } = parseIP(ip);
  return formatIP(family, value);
}

/** Canonical text, or nothing for text that is not an address (validation reports those). */
export function canonicalOrNone(ip: string | undefined): string[] {
  try {
    return ip && ip !== 'None' ? [canonicalIP(ip)] : [];
  } catch {
    return [];
  }
}

export function familyOf(ip: string): Family {
  return parseIP(ip).family;
}

export function familyName(f: Family): string {
  return f === 4 ? 'IPv4' : 'IPv6';
}

/** Offset of `ip` in the range, or undefined when it is outside the allocatable part. */
export function offsetIn(range: IPRange, ip: string): bigint | undefined {
  const { family, value } = parseIP(ip);
  if (family !== range.cidr.family) return undefined;
  const off = value - range.cidr.base;
  return off >= range.first && off <= range.last ? off : undefined;
}

/** The API server's ErrNotInRange text, for a fixed address the range cannot hold. */
export function notInRange(range: IPRange, ip: string): string {
  return `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${formatCIDR(range.cidr)}`;
}

/** The API server's port range text, e.g. `30000-32767`. */
export function portRangeText(range: readonly [number, number]): string {
  return `${range[0]}-${range[1]}`;
}

/** The cluster's allocatable ranges, by IP family name (`IPv4`, `IPv6`). */
export interface ClusterAllocators {
  /** Families of the service ranges, primary first. */
  families: string[];
  serviceRanges: Map<string, IPRange>;
  pools: Map<string, IPRange>;
  nodePorts: readonly [number, number];
}

export function clusterAllocators(config: ClusterConfig): ClusterAllocators {
  const byFamily = (cidrs: string[], range: (c: string) => IPRange) => new Map(cidrs.map((c) => {
    const r = range(c);
    return [familyName(r.cidr.family), r] as const;
  }));
  const serviceRanges = byFamily(config.serviceCIDRs, serviceIPRange);
  return { families: [...serviceRanges.keys()], serviceRanges, pools: byFamily(config.loadBalancerPools, poolRange), nodePorts: config.nodePortRange };
}
