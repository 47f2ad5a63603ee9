// Services + EndpointSlices → the node's nftables table (see ruleset.ts for the layout). Pure: the
// same objects give the same plan, byte for byte, on every node and every run.
import type { V1Service, V1ServicePort } from '../../api/types.js';
import type { Family } from '../../api/cidr.js';
import { announcedAddresses } from './announce.js';
import { backendsFor, canonicalIP, categorize, indexSlices, type Backend } from './endpoints.js';
import { addSkeleton, oneOrSet, PROTOCOLS, TableBuilder, type FamilyInfo } from './ruleset.js';
import type { ProxyInput, ProxyPlan, UdpBackend } from './types.js';

export type { ProxyInput, ProxyPlan } from './types.js';

/** Kubernetes' default for sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_AFFINITY_TIMEOUT = 10800;

type Pool = 'cluster' | 'local';

function families(input: ProxyInput): FamilyInfo[] {
  const fams: Family[] = input.config.ipFamily === 'dual' ? [4, 6] : [4];
  const of = (list: string[], f: Family) => list.filter((c) => (c.includes(':') ? 6 : 4) === f);
  return fams.map((family) => ({
    family,
    ip: family === 4 ? 'ip' : 'ip6',
    addrType: family === 4 ? 'ipv4_addr' : 'ipv6_addr',
    v: family === 4 ? 'v4' : 'v6',
    podCIDRs: of(input.config.podCIDRs, family),
    serviceCIDRs: of(input.config.serviceCIDRs, family),
    nodeIPs: input.node.underlayIPs.map((ip) => canonicalIP(ip, family)).filter((ip): ip is string => !!ip),
  }));
}

/** `ADDR:PORT`, bracketed for IPv6, as `dnat to` wants it. */
function hostPort(b: Backend): string {
  return b.ip.includes(':') ? `[${b.ip}]:${b.port}` : `${b.ip}:${b.port}`;
}

class ProxyPlanner {
  readonly b = new TableBuilder();
  readonly warnings: string[] = [];
  readonly udp = new Map<string, UdpBackend>();
  /** Largest endpoint count per pool and family: how many `backend-I` chains and maps exist. */
  private readonly maxN = new Map<string, number>();

  constructor(private readonly node: string) {}

  /**
   * The verdict that DNATs traffic addressed to any of `keys` (`ADDR . PROTO . PORT`) to one of
   * `list`, chosen at random. Affinity services get kube-proxy's chain per endpoint instead (below).
   */
  target(f: FamilyInfo, pool: Pool, list: Backend[], keys: string[]): string {
    const p = pool === 'local' ? 'local-' : '';
    const n = list.length;
    this.maxN.set(`${p}${f.v}`, Math.max(n, this.maxN.get(`${p}${f.v}`) ?? 0));
    list.forEach((be, i) => {
      const map = `${p}backends-${f.v}-${i}`;
      this.b.defineSet({ name: map, kind: 'map', type: `${f.addrType} . inet_proto . inet_service : ${f.addrType} . inet_service` });
      for (const key of keys) this.b.addElement(map, key, `${be.ip} . ${be.port}`);
    });
    if (n === 1) return `goto ${p}backend-0`;
    const group = `${p}dnat-n${n}`;
    if (!this.b.hasChain(group)) {
      const arms = Array.from({ length: n }, (_, i) => `${i} : goto ${p}backend-${i}`).join(', ');
      this.b.addChain({ name: group, rules: [`numgen random mod ${n} vmap { ${arms} }`] });
    }
    return `goto ${group}`;
  }

  /** ClientIP affinity, as kube-proxy does it: a dynamic set per endpoint remembers recent clients. */
  affinity(f: FamilyInfo, pool: Pool, list: Backend[], base: string, proto: string, timeout: number): string {
    const chain = `${pool === 'local' ? 'local' : 'service'}${f.family}-${base}`;
    if (this.b.hasChain(chain)) return `goto ${chain}`;
    const ep = (be: Backend) => `${base}__${be.ip.replace(/:/g, '.')}/${be.port}`;
    const rules: string[] = [];
    for (const be of list) {
      const set = `affinity${f.family}-${ep(be)}`;
      const epChain = `endpoint${f.family}-${ep(be)}`;
      this.b.defineSet({ name: set, kind: 'set', type: f.addrType, flags: ['dynamic', 'timeout'], timeout });
      this.b.addChain({ name: epChain, rules: [`update @${set} { ${f.ip} saddr }`, `meta l4proto ${proto} dnat ${f.ip} to ${hostPort(be)}`] });
      rules.push(`${f.ip} saddr @${set} goto ${epChain}`);
    }
    const arms = list.map((be, i) => `${i} : goto endpoint${f.family}-${ep(be)}`).join(', ');
    rules.push(list.length === 1 ? `goto endpoint${f.family}-${ep(list[0])}` : `numgen random mod ${list.length} vmap { ${arms} }`);
    this.b.addChain({ name: chain, rules });
    return `goto ${chain}`;
  }

  /** The per-index chains and the group chains' targets, once every Service is in. */
  finishBackends(fams: FamilyInfo[]): void {
    for (const p of ['', 'local-']) {
      const top = Math.max(0, ...fams.map((f) => this.maxN.get(`${p}${f.v}`) ?? 0));
      for (let i = 0; i < top; i++) {
        const rules = fams.filter((f) => i < (this.maxN.get(`${p}${f.v}`) ?? 0)).map((f) =>
          // nft 1.0.6 wants the transport protocol matched in the rule that maps to a port.
          `meta l4proto { ${PROTOCOLS.join(', ')} } dnat ${f.ip} to ${f.ip} daddr . meta l4proto . th dport map @${p}backends-${f.v}-${i}`);
        this.b.addChain({ name: `${p}backend-${i}`, rules });
      }
    }
  }

  /** Frontends (`ADDR . PROTO . PORT`, or `PROTO . NODEPORT`) are first come, first served. */
  private readonly claimed = new Set<string>();

  claim(f: FamilyInfo, key: string, who: string): boolean {
    if (!this.claimed.has(`${f.v} ${key}`)) {
      this.claimed.add(`${f.v} ${key}`);
      return true;
    }
    this.warnings.push(`${who}: ${key} is already used by another Service; skipped`);
    return false;
  }

  recordUdp(dst: string, port: number, list: Backend[]): void {
    for (const be of list) this.udp.set(`${dst}|${port}|${be.ip}`, { dst, port, endpoint: be.ip });
  }

  hairpin(f: FamilyInfo, list: Backend[]): void {
    // Only a pod on this node can reach itself through this node's DNAT.
    for (const be of list) if (!be.nodeName || be.nodeName === this.node) this.b.addElement(`hairpin-${f.v}`, `${be.ip} . ${be.ip}`);
  }

  servicePort(svc: V1Service, port: V1ServicePort, index: number, f: FamilyInfo, clusterIP: string, backends: Backend[]): void {
    const spec = svc.spec ?? {};
    const who = `Service ${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name}: spec.ports[${index}]`;
    const proto = (port.protocol ?? 'TCP').toLowerCase();
    if (!(PROTOCOLS as readonly string[]).includes(proto)) {
      this.warnings.push(`${who}.protocol: ${JSON.stringify(port.protocol)} is not TCP, UDP or SCTP; skipped`);
      return;
    }
    const base = `${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name}/${proto}/${port.name || port.port}`;
    const { cluster, local } = categorize(backends, this.node);
    const affinityTimeout = spec.sessionAffinity === 'ClientIP' ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT : undefined;
    const to = (pool: Pool, list: Backend[], keys: string[]) =>
      affinityTimeout !== undefined ? this.affinity(f, pool, list, base, proto, affinityTimeout) : this.target(f, pool, list, keys);
    const reject = 'goto reject-chain';

    // Internal traffic: the ClusterIP.
    this.b.addElement(`cluster-ips-${f.v}`, clusterIP);
    const internal = spec.internalTrafficPolicy === 'Local' ? local : cluster;
    const ipKey = (ip: string) => `${ip} . ${proto} . ${port.port}`;
    if (this.claim(f, ipKey(clusterIP), who)) {
      if (internal.length) {
        this.b.addElement(`service-ips-${f.v}`, ipKey(clusterIP), to(spec.internalTrafficPolicy === 'Local' ? 'local' : 'cluster', internal, [ipKey(clusterIP)]));
        this.hairpin(f, internal);
        if (proto === 'udp') this.recordUdp(clusterIP, port.port, internal);
      } else {
        // internalTrafficPolicy Local with endpoints elsewhere only: drop (kube-proxy); none at all: refuse.
        this.b.addElement(`no-endpoint-services-${f.v}`, ipKey(clusterIP), cluster.length ? 'drop' : reject);
      }
    }

    // External traffic: LoadBalancer ingress and externalIPs of this family, and the NodePort.
    const lbIPs = spec.type === 'LoadBalancer' ? (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip) : [];
    const extIPs = [...new Set([...lbIPs, ...(spec.externalIPs ?? [])].map((ip) => canonicalIP(ip, f.family)).filter((ip): ip is string => !!ip))]
      .sort().filter((ip) => this.claim(f, ipKey(ip), who));
    let nodePort = (spec.type === 'NodePort' || spec.type === 'LoadBalancer') && port.nodePort ? port.nodePort : undefined;
    if (nodePort !== undefined && !this.claim(f, `${proto} . ${nodePort}`, `${who}.nodePort`)) nodePort = undefined;
    if (!extIPs.length && nodePort === undefined) return;
    if (!cluster.length) {
      for (const ip of extIPs) this.b.addElement(`no-endpoint-services-${f.v}`, ipKey(ip), reject);
      if (nodePort !== undefined) this.b.addElement(`no-endpoint-nodeports-${f.v}`, `${proto} . ${nodePort}`, reject);
      return;
    }
    const keys = [...extIPs.map(ipKey), ...(nodePort !== undefined ? f.nodeIPs.map((ip) => `${ip} . ${proto} . ${nodePort}`) : [])];
    const chain = `external${f.family}-${base}`;
    const rules: string[] = [];
    if (spec.externalTrafficPolicy !== 'Local') {
      rules.push('jump mark-for-masquerade', to('cluster', cluster, keys));
    } else {
      // Source IP preserved: only this node's endpoints. Pods and the node itself still reach every
      // endpoint (kube-proxy's short-circuit), the node masqueraded since its source is local.
      const all = to('cluster', cluster, keys);
      rules.push(`${f.ip} saddr ${oneOrSet(f.podCIDRs)} ${all}`, 'fib saddr type local jump mark-for-masquerade', `fib saddr type local ${all}`);
      rules.push(local.length ? to('local', local, keys) : 'drop');
      this.hairpin(f, local);
    }
    this.b.addChain({ name: chain, rules });
    this.hairpin(f, cluster);
    for (const ip of extIPs) this.b.addElement(`service-ips-${f.v}`, ipKey(ip), `goto ${chain}`);
    if (nodePort !== undefined) this.b.addElement(`service-nodeports-${f.v}`, `${proto} . ${nodePort}`, `goto ${chain}`);
    if (proto === 'udp') {
      const used = [...cluster, ...local];
      for (const ip of extIPs) this.recordUdp(ip, port.port, used);
      if (nodePort !== undefined) for (const ip of f.nodeIPs) this.recordUdp(ip, nodePort, used);
    }
  }
}

/** The node's proxy plan. See types.ts for the shape and ruleset.ts for the nftables layout. */
export function planProxy(input: ProxyInput): ProxyPlan {
  const fams = families(input);
  const planner = new ProxyPlanner(input.node.name);
  const fixed = addSkeleton(planner.b, fams);
  const slices = indexSlices(input.endpointSlices);
  const services = [...input.services].sort((a, b) =>
    `${a.metadata?.namespace ?? 'default'}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace ?? 'default'}/${b.metadata?.name}`));
  for (const svc of services) {
    const spec = svc.spec;
    if (!spec || spec.type === 'ExternalName') continue;
    const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
    const key = `${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name}`;
    for (const raw of ips) {
      if (raw === 'None' || raw === '') continue; // headless: DNS only
      const f = fams.find((x) => canonicalIP(raw, x.family));
      if (!f) {
        planner.warnings.push(`Service ${key}: spec.clusterIPs: ${raw} is not an address of the cluster's families (${input.config.ipFamily}); skipped`);
        continue;
      }
      const clusterIP = canonicalIP(raw, f.family) as string;
      (spec.ports ?? []).forEach((port, i) => planner.servicePort(svc, port, i, f, clusterIP, backendsFor(slices.get(key) ?? [], port, f.family)));
    }
  }
  planner.finishBackends(fams);
  return {
    node: { name: input.node.name, underlayIPs: [...input.node.underlayIPs] },
    tables: [planner.b.build(fixed.sets, fixed.chains)],
    announce: announcedAddresses(input.node.name, input.nodes ?? [], input.config.loadBalancerPools, services, input.endpointSlices),
    announcePools: [...input.config.loadBalancerPools],
    udp: [...planner.udp.values()].sort((a, b) => `${a.dst}|${a.port}|${a.endpoint}`.localeCompare(`${b.dst}|${b.port}|${b.endpoint}`)),
    warnings: planner.warnings,
  };
}
