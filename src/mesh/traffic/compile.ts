// Istio and GAMMA objects → one RouteTable per destination Service, for the sidecars. Pure.
//
// Which object routes a Service (Istio's rules where it has them):
// - A GAMMA HTTPRoute attached to the Service wins over any VirtualService for it. Istio compiles
//   mesh HTTPRoutes into VirtualServices of its own and does not merge VirtualServices for sidecars,
//   so the two cannot combine; podnet picks the Gateway API one, deterministically (not by object
//   age), because it is the portable API the issue asks for, and reports the VirtualService as
//   shadowed so `podnet` shows the conflict instead of a silent choice.
// - Otherwise the VirtualService with the most specific host covering the Service (exact over
//   `*.suffix` over `*`) whose gateways include `mesh` (the default); among equally specific ones the
//   oldest wins and the others are reported (sidecars do not merge them: istio/istio#36621).
// - Otherwise a default route to the Service itself, with Istio's default retries.
// Within a VirtualService the first matching rule wins, as written. With no matching rule the
// sidecar answers 404, as Envoy does for an Istio virtual host without a match.
import { createdAt } from '../../gateway/precedence.js';
import { buildIndex } from '../../gateway/refs.js';
import type { Cluster, Listener, Route } from '../../l7/route-table.js';
import type { VirtualService } from '../kinds/types.js';
import type { ClusterContext } from './clusters.js';
import { meshCluster } from './clusters.js';
import { gammaRoutesOf, gammaTableRoutes } from './gamma.js';
import { expandHost, hostSpecificity, serviceFqdn, serviceHosts } from './hosts.js';
import type { MeshObjects, ServiceTable, TrafficOptions, TrafficProblem, TrafficResult } from './types.js';
import { DEFAULT_RETRY, virtualServiceRoutes } from './virtual-service.js';

export function compileMeshTraffic(objects: MeshObjects, options: TrafficOptions = {}): TrafficResult {
  const domain = options.clusterDomain ?? 'cluster.local';
  const problems: TrafficProblem[] = [];
  const index = buildIndex({ services: objects.services, endpointSlices: objects.endpointSlices, namespaces: objects.namespaces, referenceGrants: objects.referenceGrants });
  const podLabels = new Map(objects.pods.map((p) => [`${p.metadata?.namespace ?? 'default'}/${p.metadata?.name ?? ''}`, p.metadata?.labels ?? {}]));
  const ctx: ClusterContext = { index, destinationRules: objects.destinationRules, podLabels, domain, rootNamespace: options.rootNamespace ?? 'istio-system', problems };
  for (const dr of objects.destinationRules) {
    if (dr.spec.workloadSelector) problems.push({ object: `DestinationRule ${dr.metadata.namespace}/${dr.metadata.name}`, field: 'spec.workloadSelector', message: 'not supported yet: this DestinationRule is not applied' });
  }
  const servicePorts = new Map<string, number[]>();
  for (const s of objects.services) {
    const ports = (s.spec?.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP').map((p) => p.port);
    servicePorts.set(`${s.metadata?.namespace ?? 'default'}/${s.metadata?.name ?? ''}`, ports);
  }
  const meshVirtualServices = objects.virtualServices.filter((vs) => !vs.spec.gateways || vs.spec.gateways.includes('mesh'));
  const tables: Record<string, ServiceTable> = {};
  for (const key of [...servicePorts.keys()].sort()) {
    const [ns, name] = key.split('/');
    const ports = servicePorts.get(key) ?? [];
    if (ports.length === 0) continue;
    const fqdn = serviceFqdn(ns, name, domain);
    const gamma = gammaRoutesOf(objects.httpRoutes, ns, name);
    const vs = pickVirtualService(meshVirtualServices, fqdn, domain, problems, key);
    if (gamma.length > 0 && vs) {
      problems.push({ object: ref(vs), message: `not applied to Service ${key}: HTTPRoute ${gamma.map((g) => `${g.route.metadata.namespace ?? 'default'}/${g.route.metadata.name}`).join(', ')} routes it (GAMMA routes win over VirtualServices)` });
    }
    const clusters: Record<string, Cluster> = {};
    const listeners: Listener[] = ports.map((port) => {
      let routes: Route[];
      if (gamma.length > 0) routes = gammaTableRoutes(ctx, clusters, gamma, ns, port);
      else if (vs) routes = virtualServiceRoutes({ ...ctx, clusters }, vs, ns, name, port, servicePorts);
      else routes = [defaultRoute(ctx, clusters, ns, name, port)];
      return { name: `mesh/${ns}/${name}:${port}`, port, protocol: 'HTTP', virtualHosts: [{ hostname: '*', routes }] };
    });
    const routedBy = gamma.length > 0 ? gamma.map((g) => `HTTPRoute ${g.route.metadata.namespace ?? 'default'}/${g.route.metadata.name}`).join(', ') : vs ? ref(vs) : 'default';
    tables[key] = { service: key, hosts: serviceHosts(ns, name, domain), routedBy, table: { listeners, clusters: sortKeys(clusters) } };
  }
  // A problem in a rule shows once, though the rule compiles once per Service port.
  const seen = new Set<string>();
  return { tables, problems: problems.filter((p) => !seen.has(JSON.stringify(p)) && seen.add(JSON.stringify(p)) !== undefined) };
}

function ref(vs: VirtualService): string {
  return `VirtualService ${vs.metadata.namespace ?? 'default'}/${vs.metadata.name}`;
}

function pickVirtualService(all: readonly VirtualService[], fqdn: string, domain: string, problems: TrafficProblem[], service: string): VirtualService | undefined {
  const scored = all
    .map((vs) => ({ vs, spec: Math.max(0, ...(vs.spec.hosts ?? []).map((h) => hostSpecificity(expandHost(h, vs.metadata.namespace ?? 'default', domain), fqdn))) }))
    .filter((x) => x.spec > 0);
  if (scored.length === 0) return undefined;
  const top = Math.max(...scored.map((x) => x.spec));
  const tied = scored.filter((x) => x.spec === top).map((x) => x.vs);
  tied.sort((a, b) => {
    const ta = createdAt(a.metadata.creationTimestamp);
    const tb = createdAt(b.metadata.creationTimestamp);
    return ta !== tb ? (ta < tb ? -1 : 1) : ref(a) < ref(b) ? -1 : 1;
  });
  for (const loser of tied.slice(1)) {
    problems.push({ object: ref(loser), message: `not applied to Service ${service}: ${ref(tied[0])} is older and routes the same host (sidecars do not merge VirtualServices)` });
  }
  return tied[0];
}

function defaultRoute(ctx: ClusterContext, clusters: Record<string, Cluster>, ns: string, name: string, port: number): Route {
  const c = meshCluster(ctx, ns, name, port);
  const route: Route = { name: `default/${ns}/${name}:${port}`, match: { path: { type: 'PathPrefix', value: '/' } }, filters: [], backends: [], retry: DEFAULT_RETRY };
  if (c.ok) {
    clusters[c.key] = c.cluster;
    route.backends = [{ cluster: c.key, weight: 100 }];
  } else {
    route.directResponse = { status: 503, body: `${c.message}\n` };
  }
  return route;
}

function sortKeys<T>(rec: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(rec).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
