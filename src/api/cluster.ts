// The lab's cluster settings: defaults, then the `kind: Cluster` document, then explicit flags.
// Everything is checked up front (CIDR syntax, families, overlaps, sizes) so that a bad setting
// fails here with the field named, not later as a half-built network.
import { ManifestError, type ManifestErrorWhere } from './errors.js';
import { AddressError, formatCIDR, nthAddress, overlaps, parseCIDR, parseHostPort, size, subnet, type CIDR, type Family } from './cidr.js';
import { checkDNS1123Label } from './names.js';
import { validateLabels } from './selectors.js';
import type { Backend, ClusterConfig, IPFamily, Loaded, NodeSpec } from './types.js';
import { isRecord } from './util.js';

export interface ClusterFlags {
  name?: string;
  nodes?: number;
  backend?: string;
  ipFamily?: string;
}

const BACKENDS: readonly Backend[] = ['vxlan', 'routed'];
const IP_FAMILIES: readonly IPFamily[] = ['ipv4', 'dual'];
/** Defaults per family: [IPv4, IPv6]. */
const DEFAULTS = {
  podCIDR: ['10.244.0.0/16', 'fd00:10:244::/56'],
  nodeMaskSize: [24, 64],
  serviceCIDR: ['10.96.0.0/12', 'fd00:10:96::/108'],
  underlayCIDR: ['172.18.0.0/24', 'fd00:172:18::/64'],
};
const MAX_NODES = 64;
/** The lab name prefixes network namespace and link names, which the kernel caps at 15 bytes. */
const MAX_NAME = 12;

export function resolveCluster(flags: ClusterFlags, clusterDoc: Loaded | undefined): ClusterConfig {
  const docName = clusterDoc?.object.metadata.name;
  const docWhere = (field: string): ManifestErrorWhere =>
    (clusterDoc ? { file: clusterDoc.source.file, object: `Cluster ${docName}`, field } : { field });
  const flagWhere = (flag: string): ManifestErrorWhere => ({ field: flag });
  const spec = clusterDoc?.object.spec ?? {};
  if (!isRecord(spec)) throw new ManifestError(docWhere('spec'), 'must be a mapping');

  // Where a value came from decides where its error points.
  const pick = <T>(flag: T | undefined, flagName: string, field: string): { value: unknown; where: ManifestErrorWhere } =>
    flag !== undefined ? { value: flag, where: flagWhere(flagName) } : { value: spec[field], where: docWhere(`spec.${field}`) };

  const name = flags.name ?? docName ?? 'podnet';
  const nameWhere = flags.name !== undefined ? flagWhere('--name') : docWhere('metadata.name');
  const badName = name.length > MAX_NAME ? `${JSON.stringify(name)} must be no more than ${MAX_NAME} characters (it prefixes namespace and link names)` : checkDNS1123Label(name);
  if (badName) throw new ManifestError(nameWhere, badName);

  const backend = oneOf(pick(flags.backend, '--backend', 'backend'), BACKENDS, 'vxlan');
  const ipFamily = oneOf(pick(flags.ipFamily, '--ip-family', 'ipFamily'), IP_FAMILIES, 'ipv4');
  const families: Family[] = ipFamily === 'dual' ? [4, 6] : [4];
  const nodes = resolveNodes(flags.nodes, spec.nodes, docWhere);

  const pods = cidrs(spec.podCIDR, DEFAULTS.podCIDR, families, docWhere('spec.podCIDR'), ipFamily);
  const services = cidrs(spec.serviceCIDR, DEFAULTS.serviceCIDR, families, docWhere('spec.serviceCIDR'), ipFamily);
  const underlay = cidrs(spec.underlayCIDR, DEFAULTS.underlayCIDR, families, docWhere('spec.underlayCIDR'), ipFamily);
  const masks = maskSizes(spec.nodeMaskSize, families, pods, docWhere('spec.nodeMaskSize'));

  families.forEach((_, f) => {
    const room = 1n << BigInt(masks[f] - pods[f].prefix);
    if (room < BigInt(nodes.length)) {
      throw new ManifestError(docWhere('spec.podCIDR'),
        `${formatCIDR(pods[f])} has room for ${room} /${masks[f]} node ranges, but the cluster has ${nodes.length} nodes`);
    }
    // Node i takes .(i+2); .0 is the network, .1 the gateway, and IPv4 keeps the broadcast address.
    const needed = BigInt(nodes.length + 2 + (underlay[f].family === 4 ? 1 : 0));
    if (size(underlay[f]) < needed) {
      throw new ManifestError(docWhere('spec.underlayCIDR'), `${formatCIDR(underlay[f])} is too small for ${nodes.length} nodes and a gateway`);
    }
    const named: [string, CIDR][] = [['podCIDR', pods[f]], ['serviceCIDR', services[f]], ['underlayCIDR', underlay[f]]];
    for (let i = 0; i < named.length; i++) {
      for (let j = i + 1; j < named.length; j++) {
        if (overlaps(named[i][1], named[j][1])) {
          throw new ManifestError(docWhere(`spec.${named[j][0]}`),
            `${formatCIDR(named[j][1])} overlaps ${named[i][0]} ${formatCIDR(named[i][1])}`);
        }
      }
    }
  });

  const mtu = spec.mtu ?? 1500;
  if (!Number.isInteger(mtu) || (mtu as number) < 1280 || (mtu as number) > 9000) {
    throw new ManifestError(docWhere('spec.mtu'), `must be an integer between 1280 and 9000, not ${JSON.stringify(mtu)}`);
  }

  const pools = cidrs(spec.loadBalancerPool, underlay.map(defaultPool).map(formatCIDR), families, docWhere('spec.loadBalancerPool'), ipFamily);
  pools.forEach((p, f) => {
    if (!overlaps(underlay[f], p) || p.prefix < underlay[f].prefix) {
      throw new ManifestError(docWhere('spec.loadBalancerPool'), `${formatCIDR(p)} must lie inside underlayCIDR ${formatCIDR(underlay[f])}, where nodes can announce it`);
    }
    const lastNode = BigInt(nodes.length + 1);
    if (offsetOf(underlay[f], p) <= lastNode) {
      throw new ManifestError(docWhere('spec.loadBalancerPool'), `${formatCIDR(p)} overlaps the node addresses of underlayCIDR ${formatCIDR(underlay[f])}`);
    }
  });

  return {
    name, nodes, backend, ipFamily,
    podCIDRs: pods.map(formatCIDR),
    nodeMaskSizes: masks,
    serviceCIDRs: services.map(formatCIDR),
    underlayCIDRs: underlay.map(formatCIDR),
    mtu: mtu as number,
    clusterDomain: clusterDomain(spec.clusterDomain, docWhere('spec.clusterDomain')),
    nodePortRange: portRange(spec.serviceNodePortRange, docWhere('spec.serviceNodePortRange')),
    loadBalancerPools: pools.map(formatCIDR),
    dnsUpstreams: upstreams(spec.dns, docWhere('spec.dns.upstreams')),
  };
}

/** The default pool is the top sixteenth of the underlay range (172.18.0.240/28 for a /24). */
function defaultPool(underlay: CIDR): CIDR {
  const bits = underlay.family === 4 ? 32 : 128;
  const prefix = Math.min(bits, underlay.prefix + 4);
  const last = (1n << BigInt(prefix - underlay.prefix)) - 1n;
  return subnet(underlay, prefix, Number(last));
}

function offsetOf(outer: CIDR, inner: CIDR): bigint {
  return inner.base - outer.base;
}

function clusterDomain(value: unknown, where: ManifestErrorWhere): string {
  if (value === undefined) return 'cluster.local';
  if (typeof value !== 'string' || value.split('.').some((l) => checkDNS1123Label(l) !== undefined)) {
    throw new ManifestError(where, `must be a DNS domain such as cluster.local, not ${JSON.stringify(value)}`);
  }
  return value.toLowerCase();
}

function portRange(value: unknown, where: ManifestErrorWhere): [number, number] {
  if (value === undefined) return [30000, 32767];
  const m = typeof value === 'string' ? /^(\d+)-(\d+)$/.exec(value) : null;
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2]) : NaN;
  if (!m || lo < 1 || hi > 65535 || lo > hi) throw new ManifestError(where, `must be a port range such as "30000-32767", not ${JSON.stringify(value)}`);
  return [lo, hi];
}

function upstreams(dns: unknown, where: ManifestErrorWhere): string[] {
  if (dns === undefined) return [];
  const list = isRecord(dns) ? dns.upstreams : undefined;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new ManifestError(where, 'must be a list of IP or IP:PORT strings');
  return list.map((u: unknown, i) => {
    const at = { ...where, field: `${where.field}[${i}]` };
    if (typeof u !== 'string') throw new ManifestError(at, 'must be an IP or IP:PORT string');
    try {
      parseHostPort(u, 53);
    } catch {
      throw new ManifestError(at, `${JSON.stringify(u)} is not an IP or IP:PORT`);
    }
    return u;
  });
}

function oneOf<T extends string>(v: { value: unknown; where: ManifestErrorWhere }, allowed: readonly T[], fallback: T): T {
  if (v.value === undefined) return fallback;
  if (!allowed.includes(v.value as T)) {
    throw new ManifestError(v.where, `unsupported value ${JSON.stringify(v.value)}: must be one of ${allowed.join(', ')}`);
  }
  return v.value as T;
}

/**
 * Nodes come as a count or a list. An explicit --nodes wins: listed nodes keep their names and
 * labels up to that count, and any extra nodes get default names.
 */
function resolveNodes(flagCount: number | undefined, value: unknown, docWhere: (f: string) => ManifestErrorWhere): NodeSpec[] {
  const listed: NodeSpec[] = [];
  let count = 2;
  if (Array.isArray(value)) {
    const seen = new Set<string>();
    value.forEach((n: unknown, i) => {
      const at = `spec.nodes[${i}]`;
      if (!isRecord(n) || typeof n.name !== 'string') throw new ManifestError(docWhere(`${at}.name`), 'required');
      const bad = checkDNS1123Label(n.name);
      if (bad) throw new ManifestError(docWhere(`${at}.name`), bad);
      if (seen.has(n.name)) throw new ManifestError(docWhere(`${at}.name`), `duplicate node name ${JSON.stringify(n.name)}`);
      seen.add(n.name);
      validateLabels(n.labels, `${at}.labels`, (field, problem) => new ManifestError(docWhere(field), problem));
      listed.push({ name: n.name, labels: { ...(n.labels as Record<string, string> | undefined) } });
    });
    count = listed.length;
  } else if (value !== undefined) {
    count = value as number;
  }
  const where = flagCount !== undefined ? { field: '--nodes' } : docWhere('spec.nodes');
  count = flagCount ?? count;
  if (!Number.isInteger(count) || count < 1 || count > MAX_NODES) {
    throw new ManifestError(where, `must be a list of nodes or a number between 1 and ${MAX_NODES}, not ${String(count)}`);
  }
  const nodes: NodeSpec[] = [];
  const names = new Set(listed.map((n) => n.name));
  for (let i = 0; i < count; i++) {
    let node = listed[i];
    if (!node) {
      let k = i + 1;
      while (names.has(`node-${k}`)) k++;
      node = { name: `node-${k}`, labels: {} };
      names.add(node.name);
    }
    // The kubelet sets these two itself; a manifest cannot override them.
    nodes.push({ name: node.name, labels: { ...node.labels, 'kubernetes.io/hostname': node.name, 'kubernetes.io/os': 'linux' } });
  }
  return nodes;
}

/** Parses a CIDR or a list of them, and orders them by family: [IPv4, IPv6]. */
function cidrs(value: unknown, defaults: string[], families: Family[], where: ManifestErrorWhere, ipFamily: IPFamily): CIDR[] {
  const texts = value === undefined ? defaults.slice(0, families.length) : Array.isArray(value) ? value : [value];
  const parsed = texts.map((t: unknown, i) => {
    const at = Array.isArray(value) ? { ...where, field: `${where.field}[${i}]` } : where;
    if (typeof t !== 'string') throw new ManifestError(at, 'must be a CIDR string such as 10.244.0.0/16');
    try {
      const c = parseCIDR(t);
      if (c.hadHostBits) throw new ManifestError(at, `${t} has host bits set; did you mean ${formatCIDR(c)}?`);
      return c;
    } catch (e) {
      if (e instanceof AddressError) throw new ManifestError(at, e.message);
      throw e;
    }
  });
  const got = parsed.map((c) => c.family).sort();
  if (got.join() !== families.join()) {
    const want = ipFamily === 'dual' ? 'one IPv4 and one IPv6 CIDR' : 'one IPv4 CIDR';
    throw new ManifestError(where, `ipFamily ${ipFamily} needs ${want}, got ${texts.join(', ')}`);
  }
  return parsed.sort((a, b) => a.family - b.family);
}

function maskSizes(value: unknown, families: Family[], pods: CIDR[], where: ManifestErrorWhere): number[] {
  if (value !== undefined && !Array.isArray(value) && families.length > 1) {
    throw new ManifestError(where, 'with ipFamily dual, give one mask size per family: [IPv4, IPv6]');
  }
  const masks = value === undefined ? DEFAULTS.nodeMaskSize.slice(0, families.length) : Array.isArray(value) ? value : [value];
  if (masks.length !== families.length) throw new ManifestError(where, `needs ${families.length} mask size(s), got ${masks.length}`);
  return families.map((family, f) => {
    const m: unknown = masks[f];
    // Leave room for at least one pod beside the reserved addresses (see podCapacity).
    const max = family === 4 ? 30 : 126;
    if (!Number.isInteger(m) || (m as number) < pods[f].prefix || (m as number) > max) {
      throw new ManifestError(where, `IPv${family} mask size must be an integer between ${pods[f].prefix} and ${max}, not ${JSON.stringify(m)}`);
    }
    return m as number;
  });
}

/** The pod ranges of node `nodeIndex` (0-based), one per family. */
export function nodePodCIDRs(config: ClusterConfig, nodeIndex: number): string[] {
  return config.podCIDRs.map((c, f) => formatCIDR(subnet(parseCIDR(c), config.nodeMaskSizes[f], nodeIndex)));
}

/** Node i's underlay addresses: .(i+2) of each underlay range (.1 is the gateway, see underlayGateways). */
export function nodeUnderlayIPs(config: ClusterConfig, nodeIndex: number): string[] {
  return config.underlayCIDRs.map((c) => nthAddress(parseCIDR(c), nodeIndex + 2));
}

export function underlayGateways(config: ClusterConfig): string[] {
  return config.underlayCIDRs.map((c) => nthAddress(parseCIDR(c), 1));
}

/**
 * Usable pod addresses per node in the tightest family: the node range minus the network address,
 * the gateway (the node's bridge) and, for IPv4, the broadcast address. /24 → 253.
 */
export function podCapacity(config: ClusterConfig): number {
  let min = BigInt(Number.MAX_SAFE_INTEGER);
  config.podCIDRs.forEach((c, f) => {
    const family = parseCIDR(c).family;
    const usable = (1n << BigInt((family === 4 ? 32 : 128) - config.nodeMaskSizes[f])) - (family === 4 ? 3n : 2n);
    if (usable < min) min = usable;
  });
  return Number(min);
}
