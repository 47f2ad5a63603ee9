// One Service's share of the table: the map elements, chains and sets it adds. Fragments depend only
// on the Service, its EndpointSlices and the node, so planProxy can reuse them between syncs.
import type { V1Service, V1ServicePort } from '../../api/types.js';
import { canonicalIP, categorize, type Backend } from './endpoints.js';
import { oneOrSet, PROTOCOLS, type FamilyInfo } from './ruleset.js';
import type { NftChain, NftSet, UdpBackend } from './types.js';

/** Kubernetes' default for sessionAffinityConfig.clientIP.timeoutSeconds (3 hours). */
export const DEFAULT_AFFINITY_TIMEOUT = 10800;

type Pool = 'cluster' | 'local';

export interface Fragment {
  /** Set name → elements (`KEY` or `KEY : VALUE`), in the order they were made. */
  elements: Map<string, string[]>;
  chains: NftChain[];
  sets: Omit<NftSet, 'elements'>[];
  /** `v4`, `local-v4`, ... → the largest endpoint count: how many backend maps the pool needs. */
  maxN: Map<string, number>;
  /** Group chains (`dnat-nN`, `local-dnat-nN`) → N. */
  groups: Map<string, number>;
  /** Frontends taken (`v4 ADDR . PROTO . PORT`, `v4 PROTO . NODEPORT`): first Service wins. */
  claims: string[];
  warnings: string[];
  udp: UdpBackend[];
}

/** `ADDR:PORT`, bracketed for IPv6, as `dnat to` wants it. */
function hostPort(b: Backend): string {
  return b.ip.includes(':') ? `[${b.ip}]:${b.port}` : `${b.ip}:${b.port}`;
}

export class FragmentBuilder {
  readonly frag: Fragment = { elements: new Map(), chains: [], sets: [], maxN: new Map(), groups: new Map(), claims: [], warnings: [], udp: [] };
  private readonly chainNames = new Set<string>();

  /** `taken`: frontends claimed by Services planned earlier (empty when building a reusable fragment). */
  constructor(private readonly node: string, private readonly taken: ReadonlySet<string> = new Set()) {}

  private add(set: string, element: string): void {
    const list = this.frag.elements.get(set);
    if (list) list.push(element);
    else this.frag.elements.set(set, [element]);
  }

  private chain(c: NftChain): void {
    if (this.chainNames.has(c.name)) return;
    this.chainNames.add(c.name);
    this.frag.chains.push(c);
  }

  private claim(f: FamilyInfo, key: string, who: string): boolean {
    const id = `${f.v} ${key}`;
    if (this.taken.has(id) || this.frag.claims.includes(id)) {
      this.frag.warnings.push(`${who}: ${key} is already used by another Service; skipped`);
      return false;
    }
    this.frag.claims.push(id);
    return true;
  }

  /** DNAT to one of `list` at random for traffic addressed to any of `keys` (`ADDR . PROTO . PORT`). */
  private target(f: FamilyInfo, pool: Pool, list: Backend[], keys: string[]): string {
    const p = pool === 'local' ? 'local-' : '';
    this.frag.maxN.set(`${p}${f.v}`, Math.max(list.length, this.frag.maxN.get(`${p}${f.v}`) ?? 0));
    const unique = [...new Set(keys)];
    list.forEach((be, i) => {
      for (const key of unique) this.add(`${p}backends-${f.v}-${i}`, `${key} : ${be.ip} . ${be.port}`);
    });
    if (list.length === 1) return `goto ${p}backend-0`;
    this.frag.groups.set(`${p}dnat-n${list.length}`, list.length);
    return `goto ${p}dnat-n${list.length}`;
  }

  /** ClientIP affinity, as kube-proxy does it: a dynamic set per endpoint remembers recent clients. */
  private affinity(f: FamilyInfo, pool: Pool, list: Backend[], base: string, proto: string, timeout: number): string {
    const chain = `${pool === 'local' ? 'local' : 'service'}${f.family}-${base}`;
    const ep = (be: Backend) => `${base}__${be.ip.replace(/:/g, '.')}/${be.port}`;
    if (this.chainNames.has(chain)) return `goto ${chain}`;
    const rules: string[] = [];
    for (const be of list) {
      const set = `affinity${f.family}-${ep(be)}`;
      const epChain = `endpoint${f.family}-${ep(be)}`;
      if (!this.frag.sets.some((s) => s.name === set)) this.frag.sets.push({ name: set, kind: 'set', type: f.addrType, flags: ['dynamic', 'timeout'], timeout });
      this.chain({ name: epChain, rules: [`update @${set} { ${f.ip} saddr }`, `meta l4proto ${proto} dnat ${f.ip} to ${hostPort(be)}`] });
      rules.push(`${f.ip} saddr @${set} goto ${epChain}`);
    }
    const arms = list.map((be, i) => `${i} : goto endpoint${f.family}-${ep(be)}`).join(', ');
    rules.push(list.length === 1 ? `goto endpoint${f.family}-${ep(list[0])}` : `numgen random mod ${list.length} vmap { ${arms} }`);
    this.chain({ name: chain, rules });
    return `goto ${chain}`;
  }

  private udpFlows(dst: string, port: number, list: Backend[]): void {
    for (const be of list) if (!this.frag.udp.some((u) => u.dst === dst && u.port === port && u.endpoint === be.ip)) this.frag.udp.push({ dst, port, endpoint: be.ip });
  }

  private hairpin(f: FamilyInfo, list: Backend[]): void {
    // Only a pod on this node can reach itself through this node's DNAT.
    for (const be of list) if (!be.nodeName || be.nodeName === this.node) this.add(`hairpin-${f.v}`, `${be.ip} . ${be.ip}`);
  }

  servicePort(svc: V1Service, port: V1ServicePort, index: number, f: FamilyInfo, clusterIP: string, backends: Backend[]): void {
    const spec = svc.spec ?? {};
    const who = `Service ${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name}: spec.ports[${index}]`;
    const proto = (port.protocol ?? 'TCP').toLowerCase();
    if (!(PROTOCOLS as readonly string[]).includes(proto)) {
      this.frag.warnings.push(`${who}.protocol: ${JSON.stringify(port.protocol)} is not TCP, UDP or SCTP; skipped`);
      return;
    }
    const base = `${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name}/${proto}/${port.name || port.port}`;
    const { cluster, local } = categorize(backends, this.node);
    const timeout = spec.sessionAffinity === 'ClientIP' ? spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT : undefined;
    const to = (pool: Pool, list: Backend[], keys: string[]) =>
      (timeout !== undefined ? this.affinity(f, pool, list, base, proto, timeout) : this.target(f, pool, list, keys));
    const reject = 'goto reject-chain';
    const ipKey = (ip: string) => `${ip} . ${proto} . ${port.port}`;

    // Internal traffic: the ClusterIP.
    this.add(`cluster-ips-${f.v}`, clusterIP);
    const itpLocal = spec.internalTrafficPolicy === 'Local';
    const internal = itpLocal ? local : cluster;
    if (this.claim(f, ipKey(clusterIP), who)) {
      if (internal.length) {
        this.add(`service-ips-${f.v}`, `${ipKey(clusterIP)} : ${to(itpLocal ? 'local' : 'cluster', internal, [ipKey(clusterIP)])}`);
        this.hairpin(f, internal);
        if (proto === 'udp') this.udpFlows(clusterIP, port.port, internal);
      } else {
        // internalTrafficPolicy Local with endpoints elsewhere only: drop (kube-proxy); none at all: refuse.
        this.add(`no-endpoint-services-${f.v}`, `${ipKey(clusterIP)} : ${cluster.length ? 'drop' : reject}`);
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
      for (const ip of extIPs) this.add(`no-endpoint-services-${f.v}`, `${ipKey(ip)} : ${reject}`);
      if (nodePort !== undefined) this.add(`no-endpoint-nodeports-${f.v}`, `${proto} . ${nodePort} : ${reject}`);
      return;
    }
    const nodeKeys = nodePort !== undefined ? f.nodeIPs.map((ip) => `${ip} . ${proto} . ${nodePort}`) : [];
    const keys = [...extIPs.map(ipKey), ...nodeKeys];
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
    this.chain({ name: chain, rules });
    this.hairpin(f, cluster);
    for (const ip of extIPs) this.add(`service-ips-${f.v}`, `${ipKey(ip)} : goto ${chain}`);
    if (nodePort !== undefined) this.add(`service-nodeports-${f.v}`, `${proto} . ${nodePort} : goto ${chain}`);
    if (proto === 'udp') {
      const used = [...cluster, ...local];
      for (const ip of extIPs) this.udpFlows(ip, port.port, used);
      if (nodePort !== undefined) for (const ip of f.nodeIPs) this.udpFlows(ip, nodePort, used);
    }
  }
}
