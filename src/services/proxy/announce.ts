// Which node holds each LoadBalancer address on the lab's L2 segment, as MetalLB's L2 mode does:
// exactly one node answers ARP/NDP for an address. Every node computes the same answer on its own
// from the same objects, with no coordination, by rendezvous (highest random weight) hashing of the
// address over the node names: an address moves only when its owner leaves, unlike `hash mod N`,
// which reshuffles most addresses whenever a node comes or goes.
import { createHash } from 'node:crypto';
import { contains, parseCIDR } from '../../api/cidr.js';
import type { V1EndpointSlice, V1Service } from '../../api/types.js';
import { canonicalIP, indexSlices } from './endpoints.js';

function weight(address: string, node: string): string {
  return createHash('sha256').update(`${node}#${address}`).digest('hex');
}

/** The node that announces `address`: the highest weight among `candidates` (ties cannot happen with distinct names). */
export function announcer(address: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = '';
  for (const node of [...new Set(candidates)].sort()) {
    const w = weight(address, node);
    if (best === undefined || w > bestWeight) {
      best = node;
      bestWeight = w;
    }
  }
  return best;
}

/** Nodes with a ready endpoint of the service in the address's family (any port). */
function readyNodes(slices: V1EndpointSlice[], family: 4 | 6): Set<string> {
  const out = new Set<string>();
  for (const slice of slices) {
    if (slice.addressType !== (family === 4 ? 'IPv4' : 'IPv6')) continue;
    for (const ep of slice.endpoints ?? []) {
      if ((ep.conditions?.ready ?? true) && ep.nodeName) out.add(ep.nodeName);
    }
  }
  return out;
}

/**
 * The LoadBalancer addresses `node` must hold, sorted. Only addresses inside the cluster's pools are
 * announced (anything else is not ours to claim on the segment). With externalTrafficPolicy Local the
 * owner is chosen among nodes with a ready local endpoint, when there is one, so that traffic lands
 * where it can be served without leaving the node.
 */
export function announcedAddresses(node: string, nodes: string[], pools: string[], services: V1Service[], slices: V1EndpointSlice[] | Map<string, V1EndpointSlice[]>): string[] {
  const poolCIDRs = pools.map(parseCIDR);
  const byService = slices instanceof Map ? slices : indexSlices(slices);
  const all = nodes.length ? nodes : [node];
  const out = new Set<string>();
  for (const svc of services) {
    if (svc.spec?.type !== 'LoadBalancer') continue;
    const key = `${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name}`;
    for (const ingress of svc.status?.loadBalancer?.ingress ?? []) {
      const family = ingress.ip?.includes(':') ? 6 : 4;
      const ip = canonicalIP(ingress.ip, family);
      if (!ip || !poolCIDRs.some((p) => contains(p, ip))) continue;
      let candidates = all;
      if (svc.spec.externalTrafficPolicy === 'Local') {
        const ready = readyNodes(byService.get(key) ?? [], family);
        const withEndpoints = all.filter((n) => ready.has(n));
        if (withEndpoints.length) candidates = withEndpoints;
      }
      if (announcer(ip, candidates) === node) out.add(ip);
    }
  }
  return [...out].sort();
}
