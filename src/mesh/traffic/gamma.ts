// GAMMA: Gateway API HTTPRoutes whose parentRef is a Service (kind Service, group "" or core) route
// the mesh traffic sent to that Service. The rules compile as the gateway compiles them
// (src/gateway/httproute.ts: matches, filters, weights, timeouts), ordered by the spec's precedence
// (src/gateway/precedence.ts). Routes in the Service's namespace are producer routes and apply to
// every client; routes in another namespace are consumer routes and apply only to clients in their
// own namespace, before the producer's (GEP-1294). Hostnames are ignored for Service parents.
import type { Cluster, Route } from '../../l7/route-table.js';
import { compileHTTPRoute } from '../../gateway/httproute.js';
import { comparePrecedence, createdAt } from '../../gateway/precedence.js';
import type { HTTPRoute, ParentReference } from '../../gateway/types.js';
import { meshCluster, type ClusterContext } from './clusters.js';
import { DEFAULT_RETRY } from './virtual-service.js';

export function isServiceParent(p: ParentReference): boolean {
  return p.kind === 'Service' && (p.group === undefined || p.group === '' || p.group === 'core');
}

/** The HTTPRoutes attached to Service `ns/name`, each with the port it names (undefined: all ports). */
export function gammaRoutesOf(routes: readonly HTTPRoute[], ns: string, name: string): { route: HTTPRoute; ports: (number | undefined)[] }[] {
  const out: { route: HTTPRoute; ports: (number | undefined)[] }[] = [];
  for (const route of routes) {
    const rns = route.metadata.namespace ?? 'default';
    const ports = (route.spec.parentRefs ?? []).filter((p) => isServiceParent(p) && p.name === name && (p.namespace ?? rns) === ns).map((p) => p.port);
    if (ports.length > 0) out.push({ route, ports });
  }
  return out;
}

/** Routes for one port of Service `ns`, consumer routes first, each group in precedence order. */
export function gammaTableRoutes(ctx: ClusterContext, clusters: Record<string, Cluster>, attached: ReturnType<typeof gammaRoutesOf>, ns: string, port: number): Route[] {
  const ranked: { route: Route; consumer: boolean; rank: Parameters<typeof comparePrecedence>[0] }[] = [];
  for (const { route, ports } of attached) {
    if (!ports.some((p) => p === undefined || p === port)) continue;
    const rns = route.metadata.namespace ?? 'default';
    const compiled = compileHTTPRoute(route, ctx.index);
    // Backends get the DestinationRule policy of their Service, as Istio applies it to every route's clusters.
    const rekey = new Map<string, string>();
    for (const key of Object.keys(compiled.clusters)) {
      const m = /^([^/]+)\/([^:]+):([0-9]+)$/.exec(key);
      const c = m ? meshCluster(ctx, m[1], m[2], Number(m[3])) : undefined;
      if (c?.ok) {
        clusters[c.key] = c.cluster;
        rekey.set(key, c.key);
      }
    }
    for (const e of compiled.entries) {
      const consumer = rns !== ns;
      const r: Route = { ...e.route, backends: e.route.backends.map((b) => ({ ...b, cluster: rekey.get(b.cluster) ?? b.cluster })) };
      // Istio turns mesh HTTPRoutes into VirtualServices, so they get its default retries too.
      if (!r.retry && !r.directResponse) r.retry = DEFAULT_RETRY;
      if (consumer) r.match = { ...r.match, sourceNamespace: rns };
      ranked.push({ route: r, consumer, rank: { match: e.route.match, hostRank: 0, created: createdAt(route.metadata.creationTimestamp), owner: `${rns}/${route.metadata.name}`, rule: e.rule, matchIndex: e.matchIndex } });
    }
  }
  ranked.sort((a, b) => Number(b.consumer) - Number(a.consumer) || comparePrecedence(a.rank, b.rank));
  return ranked.map((x) => x.route);
}
