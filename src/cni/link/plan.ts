// What ADD changes on the node and in the pod, as `ip -batch` lines. Pure: names and MACs are
// derived deterministically (so ADD never has to read anything back from the kernel) and the
// whole wiring is two batches, one per namespace.
import { createHash } from 'node:crypto';
import { formatIp, parseCidr, parseIp } from '../ipam/ip.js';
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
  netnsPath: string;
  ips: IpConfig[];
  routes: Route[];
}

/**
 * Node side: the veth pair, the peer created directly inside the pod netns (named, MTU, MAC) and the
 * host end enslaved and up in the same request (the kernel applies master and flags on creation),
 * then hairpin, which is bridge-port data and needs the port to exist.
 */
export function nodeLines(s: AttachSpec): string[] {
  return [
    `link add ${s.hostVeth} mtu ${s.mtu} address ${s.hostMac} master ${s.bridge} up type veth peer name ${s.ifname} mtu ${s.mtu} address ${s.podMac} netns ${s.netnsPath}`,
    ...(s.hairpin ? [`link set ${s.hostVeth} type bridge_slave hairpin on`] : []),
  ];
}

/** Pod side: lo up, addresses (IPv6 with nodad: usable at once), eth0 up, routes via the gateway. */
export function podLines(s: AttachSpec): string[] {
  return [
    'link set lo up',
    ...s.ips.map((ip) => `addr add ${ip.address} dev ${s.ifname}${ip.address.includes(':') ? ' nodad' : ''}`),
    `link set ${s.ifname} up`,
    ...s.routes.map((r) => `route add ${r.dst} ${r.gw ? `via ${r.gw} ` : ''}dev ${s.ifname}`),
  ];
}
