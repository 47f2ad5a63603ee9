// ClusterIP, NodePort and LoadBalancer allocation for Services, as the API server's allocators do
// it on create and update (pkg/registry/core/service/ipallocator, portallocator): ClusterIPs and
// NodePorts at random, above a static band kept for values users fix (KEP-3070, KEP-3668), so a
// Service created again gets a new address; load balancer addresses lowest-free, as MetalLB. Pure:
// the random source is passed in (a seeded one makes the picks repeatable).
import type { V1ServiceSpec } from '@kubernetes/client-node';
import { formatCIDR, formatIP } from '../api/cidr.js';
import type { FieldError } from '../api/errors.js';
import type { V1Service } from '../api/types.js';
import { claimsOf, ipSpace, LowestFree, portSpace, RandomFree, type Random, type ServiceClaims } from './claims.js';
import {
  canonicalIP, canonicalOrNone, familyName, familyOf, nodePortStaticSize, notInRange, offsetIn, portRangeText, RESERVED_SERVICE_IPS, serviceIPStaticSize,
  type ClusterAllocators,
} from './ranges.js';

/** Values users fixed anywhere in a batch (canonical text), kept out of dynamic picks. */
export interface BatchFixed {
  ips: Set<string>;
  ports: Set<number>;
  lbIPs: Set<string>;
}

export function needsNodePorts(spec: V1ServiceSpec): boolean {
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

export function needsHealthCheck(spec: V1ServiceSpec): boolean {
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

const reservedOffset = (off: bigint): boolean => off <= 255n && RESERVED_SERVICE_IPS.has(Number(off));

/**
 * The allocators of one admission batch: the claims of the stored Services, updated as each
 * Service of the batch is admitted, a random picker per service range and for NodePorts, and a
 * lowest-free cursor per pool. Each step writes its values into the Service (spec or status).
 */
export class BatchAllocator {
  readonly claims: ServiceClaims;
  private readonly serviceIPs = new Map<string, RandomFree<string>>();
  private readonly poolIPs = new Map<string, LowestFree<string>>();
  private readonly freePorts: RandomFree<number>;

  constructor(readonly alloc: ClusterAllocators, existing: readonly V1Service[], private readonly fixed: BatchFixed, random: Random) {
    this.claims = claimsOf(existing);
    for (const [fam, r] of alloc.serviceRanges) {
      this.serviceIPs.set(fam, new RandomFree(ipSpace(r, reservedOffset), this.claims.ips, fixed.ips, serviceIPStaticSize(r.cidr), random));
    }
    for (const [fam, r] of alloc.pools) this.poolIPs.set(fam, new LowestFree(ipSpace(r), this.claims.lbIPs, fixed.lbIPs));
    this.freePorts = new RandomFree(portSpace(alloc.nodePorts), this.claims.ports, fixed.ports, nodePortStaticSize(alloc.nodePorts), random);
  }

  /** One ClusterIP per entry of spec.ipFamilies: the user's (checked), or a random free one. */
  clusterIPs(svc: V1Service, key: string, err: FieldError): void {
    const spec = svc.spec as V1ServiceSpec;
    const claims = this.claims.ips;
    if (spec.type === 'ExternalName' || spec.clusterIP === 'None') {
      if (spec.clusterIP === 'None') spec.clusterIPs = ['None'];
      claims.set(key, []);
      return;
    }
    const mine = [...RESERVED_SERVICE_IPS].find(([, owner]) => owner === key)?.[0];
    const ips = (spec.ipFamilies ?? []).map((fam, i) => {
      const field = i === 0 ? 'spec.clusterIP' : `spec.clusterIPs[${i}]`;
      const range = this.alloc.serviceRanges.get(fam);
      if (!range) throw err(`spec.ipFamilies[${i}]`, `${fam} is not configured on this cluster`);
      const want = spec.clusterIPs?.[i];
      if (want) {
        if (offsetIn(range, want) === undefined) throw err(field, `failed to allocate IP ${want}: ${notInRange(range, want)}`);
        const owner = claims.ownerOf(canonicalIP(want));
        if (owner !== undefined && owner !== key) throw err(field, `failed to allocate IP ${want}: provided IP is already allocated (to Service ${owner})`);
        return want;
      }
      // A well-known Service gets its reserved address when free; everyone else steps around them.
      const reserved = mine !== undefined && BigInt(mine) <= range.last ? formatIP(range.cidr.family, range.cidr.base + BigInt(mine)) : undefined;
      const pick = reserved !== undefined && !claims.heldByOther(reserved, key) && !this.fixed.ips.has(reserved) ? reserved
        : this.serviceIPs.get(fam)?.next(key);
      if (pick === undefined) throw err(field, `failed to allocate a serviceIP: range is full (${formatCIDR(range.cidr)})`);
      return pick;
    });
    spec.clusterIPs = ips;
    spec.clusterIP = ips[0];
    claims.set(key, ips.map(canonicalIP));
  }

  /**
   * NodePorts for NodePort and LoadBalancer Services (upstream initNodePorts): a fixed one is checked,
   * ports with the same number share one NodePort (TCP and UDP 53 both answer on 30053), others get
   * a random free port. LoadBalancer Services with externalTrafficPolicy Local also get a health-check port.
   */
  nodePorts(svc: V1Service, key: string, err: FieldError): void {
    const spec = svc.spec as V1ServiceSpec;
    const claims = this.claims.ports;
    const [lo, hi] = this.alloc.nodePorts;
    const mine: number[] = [];
    const ports = spec.ports ?? [];
    // Ports this Service already names (fixed or kept from before) are spoken for, wherever they come in the list.
    const own = new Set([...ports.map((p) => p.nodePort), spec.healthCheckNodePort]);
    const also = (p: number): boolean => own.has(p) || mine.includes(p);
    const check = (np: number, field: string): void => {
      if (np < lo || np > hi) throw err(field, `${np}: provided port is not in the valid range. The range of valid ports is ${portRangeText(this.alloc.nodePorts)}`);
      const owner = claims.ownerOf(np);
      if (owner !== undefined && owner !== key) throw err(field, `${np}: provided port is already allocated (to Service ${owner})`);
    };
    const full = `failed to allocate a nodePort: range is full (${portRangeText(this.alloc.nodePorts)})`;
    ports.forEach((p, i) => {
      if (!p.nodePort && !needsNodePorts(spec)) return;
      const field = `spec.ports[${i}].nodePort`;
      const np = p.nodePort ?? ports.find((q) => q.port === p.port && q.nodePort)?.nodePort;
      if (np !== undefined) {
        if (!mine.includes(np)) check(np, field);
        p.nodePort = np;
      } else {
        const pick = this.freePorts.next(key, also);
        if (pick === undefined) throw err(field, full);
        p.nodePort = pick;
      }
      if (!mine.includes(p.nodePort)) mine.push(p.nodePort);
    });
    if (needsHealthCheck(spec)) {
      const field = 'spec.healthCheckNodePort';
      const hc = spec.healthCheckNodePort;
      if (hc !== undefined) {
        if (mine.includes(hc)) throw err(field, `${hc}: provided port is already allocated (to this Service's spec.ports)`);
        check(hc, field);
      }
      const pick = hc ?? this.freePorts.next(key, also);
      if (pick === undefined) throw err(field, full);
      spec.healthCheckNodePort = pick;
      mine.push(pick);
    }
    claims.set(key, mine);
  }

  /**
   * What MetalLB's L2 mode would do: one address per family of the Service from the lab's pools into
   * status.loadBalancer.ingress. A user's spec.loadBalancerIP is checked; an exhausted pool leaves the
   * Service `<pending>` rather than failing the apply, as a real load balancer controller does.
   */
  loadBalancer(svc: V1Service, key: string, old: V1Service | undefined, err: FieldError): void {
    const spec = svc.spec as V1ServiceSpec;
    const claims = this.claims.lbIPs;
    if (spec.type !== 'LoadBalancer') {
      svc.status = { loadBalancer: {} };
      claims.set(key, []);
      return;
    }
    const families = spec.ipFamilies ?? [];
    const want = spec.loadBalancerIP || undefined;
    const wantFamily = want !== undefined ? familyName(familyOf(want)) : undefined;
    if (want !== undefined && wantFamily !== undefined) {
      const field = 'spec.loadBalancerIP';
      if (!families.includes(wantFamily)) throw err(field, `${want} is an ${wantFamily} address, but the Service's ipFamilies are ${families.join(', ')}`);
      const pool = this.alloc.pools.get(wantFamily);
      if (!pool || offsetIn(pool, want) === undefined) throw err(field, `${want} is not in the load balancer pool ${pool ? formatCIDR(pool.cidr) : `(no ${wantFamily} pool)`}`);
      const owner = claims.ownerOf(canonicalIP(want));
      if (owner !== undefined && owner !== key) throw err(field, `${want} is already assigned to Service ${owner}`);
    }
    const had = old?.spec?.type === 'LoadBalancer' ? (old.status?.loadBalancer?.ingress ?? []).flatMap((i) => canonicalOrNone(i.ip)) : [];
    const ips: string[] = [];
    for (const fam of families) {
      if (fam === wantFamily && want !== undefined) {
        ips.push(want);
        continue;
      }
      const pool = this.alloc.pools.get(fam);
      if (!pool) continue;
      const keep = had.find((ip) => familyName(familyOf(ip)) === fam && offsetIn(pool, ip) !== undefined && !claims.heldByOther(ip, key));
      const ip = keep ?? this.poolIPs.get(fam)?.next(key);
      if (ip !== undefined) ips.push(ip);
    }
    svc.status = { loadBalancer: ips.length > 0 ? { ingress: ips.map((ip) => ({ ip })) } : {} };
    claims.set(key, ips.map(canonicalIP));
  }
}
