// What ADD changes on the node and in the pod, as `ip -batch` lines. Pure: names and MACs are
// derived deterministically (so ADD never has to read anything back from the kernel) and the
// whole wiring is two batches, one per namespace.
import { createHash } from 'node:crypto';
import { formatIp, networkOf, parseCidr, parseIp } from '../ipam/ip.js';
import type { IpConfig, Route } from '../types.js';

/** Host-side veth name: "veth" + 8 hex of sha256(containerID/ifname), stable across ADD/DEL/GC. */
export function hostVethName(containerID: string, ifname: string): string {
  return 'veth' + createHash('sha256').update(`${containerID}/${ifname}`).digest('hex').slice(0, 8);
}

export const HOST_VETH_RE = /^veth[0-9a-f]{8}$/;

function macFromBytes(prefix: string, bytes: number[]): string {
  return [prefix, ...bytes.map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

function low32(ip: string): number[] {
  const p = parseIp(ip);
  if (!p) throw new Error(`bad ip ${ip}`);
  const v = p.value & 0xffffffffn;
  return [24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn));
}

/**
 * 0a:58 + the low 32 bits of the address (the IPv4 one when there is one), as OVN-Kubernetes does:
 * locally administered, unicast, unique within the node because addresses are.
 */
export function macForIp(ips: string[]): string {
  const v4 = ips.find((ip) => !ip.includes(':'));
  return macFromBytes('0a:58', low32(v4 ?? ips[0]));
}

/** Host-side veth MAC: 0a:5a + 4 bytes of the same hash as its name. */
export function hostVethMac(containerID: string, ifname: string): string {
  const h = createHash('sha256').update(`${containerID}/${ifname}`).digest();
  return macFromBytes('0a:5a', [h[0], h[1], h[2], h[3]]);
}

const addrOnly = (cidr: string) => cidr.split('/')[0];

export interface BridgeSpec {
  name: string;
  mtu: number;
  /** Gateway addresses with prefix, e.g. 10.244.1.1/24, fd00::1/64. */
  gateways: string[];
}

export function bridgeSpec(name: string, mtu: number, ips: IpConfig[]): BridgeSpec {
  const gateways = ips.filter((ip) => ip.gateway).map((ip) => `${ip.gateway}/${ip.address.split('/')[1]}`);
  return { name, mtu, gateways };
}

export function bridgeMac(spec: BridgeSpec): string {
  return macForIp(spec.gateways.map(addrOnly));
}

/** Lines creating what is missing of the bridge, given what exists (undefined: no bridge). */
export function bridgeLines(spec: BridgeSpec, existing: { addrs: string[] } | undefined): string[] {
  const lines: string[] = [];
  if (!existing) lines.push(`link add ${spec.name} address ${bridgeMac(spec)} mtu ${spec.mtu} type bridge`);
  const have = new Set((existing?.addrs ?? []).map(normalizeCidr));
  for (const gw of spec.gateways) {
    if (!have.has(normalizeCidr(gw))) lines.push(`addr add ${gw} dev ${spec.name}${gw.includes(':') ? ' nodad' : ''}`);
  }
  lines.push(`link set ${spec.name} up`);
  return lines;
}

/**
 * Sysctls of the node (the plugin's netns) for the bridge, written once per bridge per agent. The
 * node routes pod traffic, same-node traffic too (see podLines), so it forwards (as the reference
 * bridge plugin turns forwarding on at ADD) and sends no ICMP redirects back into the bridge, which
 * would tell pods to resolve each other directly (IPv4 sends one when all OR the device allows it).
 * Keys use slashes: a bridge name may contain dots.
 */
export function bridgeSysctls(spec: BridgeSpec): Record<string, string> {
  const v4 = spec.gateways.some((g) => !g.includes(':'));
  const v6 = spec.gateways.some((g) => g.includes(':'));
  return {
    ...(v4 ? { 'net/ipv4/ip_forward': '1', 'net/ipv4/conf/all/send_redirects': '0', [`net/ipv4/conf/${spec.name}/send_redirects`]: '0' } : {}),
    ...(v6 ? { 'net/ipv6/conf/all/forwarding': '1' } : {}),
  };
}

export function normalizeCidr(c: string): string {
  const p = parseCidr(c);
  return p ? `${formatIp(p.ip)}/${p.prefix}` : c;
}

export interface AttachSpec {
  bridge: string;
  mtu: number;
  hairpin: boolean;
  hostVeth: string;
  hostMac: string;
  ifname: string;
  podMac: string;
  /** The bridge's MAC: every gateway address of the pod lives on it. */
  gatewayMac: string;
  netnsPath: string;
  ips: IpConfig[];
  routes: Route[];
}

// Neighbour entries. The kernel's neighbour tables (ARP, NDISC) count the non-permanent entries of
// every network namespace of the machine against one limit (gc_thresh3, 1,024 by default;
// net/core/neighbour.c neigh_alloc: permanent entries are exempt_from_gc and not counted). A lab
// of 1,000 pods where pods resolve each other and the node resolves its pods overflows it
// ("neighbor table overflow", table_fulls in /proc/net/stat/arp_cache) and probes time out. So
// everything ADD knows is written as a permanent entry, and no pod resolves another pod:
// - node: each local pod address -> the pod's MAC on the bridge (added at ADD, removed at DEL);
// - pod: the gateway -> the bridge's MAC, and the pod's subnet is routed via the gateway (as
//   Calico routes everything via 169.254.1.1), so same-node pods talk through the node's IP layer
//   instead of resolving each other: O(pods) entries in all, none counted, instead of O(pods²).
// Both MACs are functions of the addresses, so an entry left behind by a lost DEL still names the
// right MAC for whichever pod gets that address next.

/** Node side, per pod address: the pod's MAC on the bridge, permanent. */
export function nodeNeighLines(s: Pick<AttachSpec, 'bridge' | 'podMac' | 'ips'>): string[] {
  return s.ips.map((ip) => `neigh replace ${addrOnly(ip.address)} lladdr ${s.podMac} dev ${s.bridge} nud permanent`);
}

/** DEL: removes the node's entries for the pod's addresses (no error when they are already gone). */
export function nodeNeighDelLines(bridge: string, addrs: string[]): string[] {
  return addrs.map((a) => `neigh flush to ${addrOnly(a)} dev ${bridge} nud permanent`);
}

/**
 * Node side: the veth pair, the peer created directly inside the pod netns (named, MTU, MAC) and the
 * host end enslaved and up in the same request (the kernel applies master and flags on creation),
 * then hairpin, which is bridge-port data and needs the port to exist, then the pod's permanent
 * neighbour entries on the bridge.
 */
export function nodeLines(s: AttachSpec): string[] {
  return [
    `link add ${s.hostVeth} mtu ${s.mtu} address ${s.hostMac} master ${s.bridge} up type veth peer name ${s.ifname} mtu ${s.mtu} address ${s.podMac} netns ${s.netnsPath}`,
    ...(s.hairpin ? [`link set ${s.hostVeth} type bridge_slave hairpin on`] : []),
    ...nodeNeighLines(s),
  ];
}

/** The subnet of an address with prefix, as `network/prefix`. */
export function subnetOf(cidr: string): string {
  const c = parseCidr(cidr);
  if (!c) throw new Error(`bad address ${cidr}`);
  return `${formatIp(networkOf(c))}/${c.prefix}`;
}

/**
 * Pod side: lo up, addresses (IPv6 with nodad: usable at once), eth0 up, then per address with a
 * gateway: no connected route (noprefixroute) but the gateway as a host route, a permanent
 * neighbour entry for it, and the subnet via the gateway; then the result's routes. Neighbour
 * entries go after `link up`: taking a link down flushes even permanent ones.
 */
export function podLines(s: AttachSpec): string[] {
  const routed = s.ips.filter((ip) => ip.gateway);
  const host = (gw: string) => `${gw}/${gw.includes(':') ? 128 : 32}`;
  return [
    'link set lo up',
    ...s.ips.map((ip) => `addr add ${ip.address} dev ${s.ifname}${ip.address.includes(':') ? ' nodad' : ''}${ip.gateway ? ' noprefixroute' : ''}`),
    `link set ${s.ifname} up`,
    ...routed.flatMap((ip) => [
      `route add ${host(ip.gateway ?? '')} dev ${s.ifname} scope link`,
      `neigh replace ${ip.gateway} lladdr ${s.gatewayMac} dev ${s.ifname} nud permanent`,
      `route add ${subnetOf(ip.address)} via ${ip.gateway} dev ${s.ifname} src ${addrOnly(ip.address)}`,
    ]),
    ...s.routes.map((r) => `route add ${r.dst} ${r.gw ? `via ${r.gw} ` : ''}dev ${s.ifname}`),
  ];
}
