// Upstream clusters for the mesh: a Service port's ready endpoints (the gateway's resolver: pods,
// never the VIP), narrowed to a DestinationRule subset's pods, with the rule's traffic policy.
// Istio's precedence for which DestinationRule applies to a host: the most specific host, then one
// in the Service's own namespace, then the root namespace's (mesh-wide), then any other; the oldest
// wins a remaining tie. Policy layers merge field by field (loadBalancer, connectionPool and
// outlierDetection each replaced whole): rule < rule's port level < subset < subset's port level.
import type { Cluster, LoadBalancerPolicy } from '../../l7/route-table.js';
import { resolveService } from '../../gateway/backends.js';
import { createdAt } from '../../gateway/precedence.js';
import type { Index } from '../../gateway/refs.js';
import { parseIstioDuration } from '../kinds/common.js';
import type { DestinationRule, Subset, TrafficPolicy } from '../kinds/types.js';
import { expandHost, hostSpecificity } from './hosts.js';
import type { TrafficProblem } from './types.js';

export interface ClusterContext {
  index: Index;
  destinationRules: readonly DestinationRule[];
  podLabels: Map<string, Record<string, string>>;
  domain: string;
  rootNamespace: string;
  problems: TrafficProblem[];
}

const LB: Record<string, LoadBalancerPolicy | undefined> = {
  ROUND_ROBIN: 'round-robin', LEAST_REQUEST: 'least-request', LEAST_CONN: 'least-request', RANDOM: 'random',
};

/** Istio's outlierDetection defaults (networking/v1 destination_rule.proto). */
const OUTLIER_DEFAULTS = { consecutive5xxErrors: 5, intervalMs: 10_000, baseEjectionTimeMs: 30_000, maxEjectionPercent: 10 };

/** The DestinationRule for Service `ns/name` (FQDN `fqdn`), if any. */
export function ruleFor(ctx: ClusterContext, ns: string, fqdn: string): DestinationRule | undefined {
  let best: { dr: DestinationRule; rank: number[] } | undefined;
  for (const dr of ctx.destinationRules) {
    if (dr.spec.workloadSelector) continue; // noted once by compile.ts
    const drNs = dr.metadata.namespace ?? 'default';
    const spec = hostSpecificity(expandHost(dr.spec.host, drNs, ctx.domain), fqdn);
    if (spec === 0) continue;
    const nsRank = drNs === ns ? 2 : drNs === ctx.rootNamespace ? 1 : 0;
    const rank = [spec, nsRank];
    const better = !best || rank[0] > best.rank[0] || (rank[0] === best.rank[0] && (rank[1] > best.rank[1] || (rank[1] === best.rank[1] && older(dr, best.dr))));
    if (better) best = { dr, rank };
  }
  return best?.dr;
}

function older(a: DestinationRule, b: DestinationRule): boolean {
  const ta = createdAt(a.metadata.creationTimestamp);
  const tb = createdAt(b.metadata.creationTimestamp);
  if (ta !== tb) return ta < tb;
  return `${a.metadata.namespace}/${a.metadata.name}` < `${b.metadata.namespace}/${b.metadata.name}`;
}

export type ClusterResult = { ok: true; key: string; cluster: Cluster } | { ok: false; message: string };

/** The cluster for Service `ns/name` port `port`, optionally a subset, with its policy applied. */
export function meshCluster(ctx: ClusterContext, ns: string, name: string, port: number, subsetName?: string): ClusterResult {
  const base = resolveService(ctx.index, ns, name, { number: port });
  if (!base.ok) return base;
  const dr = ruleFor(ctx, ns, `${name}.${ns}.svc.${ctx.domain}`);
  let subset: Subset | undefined;
  if (subsetName !== undefined) {
    subset = dr?.spec.subsets?.find((s) => s.name === subsetName);
    if (!subset) return { ok: false, message: `subset ${JSON.stringify(subsetName)} of Service ${ns}/${name} is not defined by ${dr ? `DestinationRule ${dr.metadata.namespace}/${dr.metadata.name}` : 'any DestinationRule'}` };
  }
  const key = subset ? `${base.key}/${subset.name}` : base.key;
  const cluster: Cluster = { ...base.cluster, name: key };
  if (subset) {
    const labels = subset.labels ?? {};
    cluster.subset = { name: subset.name, labels };
    cluster.endpoints = base.cluster.endpoints.filter((e) => {
      const have = e.pod ? ctx.podLabels.get(e.pod) : undefined;
      return have !== undefined && Object.entries(labels).every(([k, v]) => have[k] === v);
    });
  }
  const policy = mergePolicies(port, dr?.spec.trafficPolicy, subset?.trafficPolicy);
  applyPolicy(cluster, policy, dr, ctx.problems);
  return { ok: true, key, cluster };
}

type FlatPolicy = Omit<TrafficPolicy, 'portLevelSettings'>;

function mergePolicies(port: number, ...layers: (TrafficPolicy | undefined)[]): FlatPolicy {
  const out: FlatPolicy = {};
  for (const layer of layers) {
    if (!layer) continue;
    const atPort = layer.portLevelSettings?.find((p) => p.port?.number === port);
    for (const l of [layer, atPort]) {
      if (!l) continue;
      if (l.loadBalancer) out.loadBalancer = l.loadBalancer;
      if (l.connectionPool) out.connectionPool = l.connectionPool;
      if (l.outlierDetection) out.outlierDetection = l.outlierDetection;
    }
  }
  return out;
}

function applyPolicy(cluster: Cluster, p: FlatPolicy, dr: DestinationRule | undefined, problems: TrafficProblem[]): void {
  const simple = p.loadBalancer?.simple;
  if (simple === 'PASSTHROUGH' && dr) {
    problems.push({ object: `DestinationRule ${dr.metadata.namespace}/${dr.metadata.name}`, field: 'loadBalancer.simple', message: 'PASSTHROUGH is not supported: the sidecar balances over the endpoints (its default policy)' });
  }
  const lb = simple ? LB[simple] : undefined;
  if (lb) cluster.loadBalancer = lb;
  const cp = p.connectionPool;
  if (cp) {
    const pool: NonNullable<Cluster['connectionPool']> = {};
    if (cp.tcp?.maxConnections !== undefined) pool.maxConnections = cp.tcp.maxConnections;
    if (cp.http?.http1MaxPendingRequests !== undefined) pool.maxPendingRequests = cp.http.http1MaxPendingRequests;
    if (cp.http?.http2MaxRequests !== undefined) pool.maxRequests = cp.http.http2MaxRequests;
    if (cp.http?.maxRequestsPerConnection !== undefined) pool.maxRequestsPerConnection = cp.http.maxRequestsPerConnection;
    if (Object.keys(pool).length > 0) cluster.connectionPool = pool;
  }
  const od = p.outlierDetection;
  if (od) {
    const ms = (v: string | undefined, dflt: number): number => (v === undefined ? dflt : parseIstioDuration(v) ?? dflt);
    cluster.outlierDetection = {
      consecutive5xxErrors: od.consecutive5xxErrors ?? OUTLIER_DEFAULTS.consecutive5xxErrors,
      intervalMs: ms(od.interval, OUTLIER_DEFAULTS.intervalMs),
      baseEjectionTimeMs: ms(od.baseEjectionTime, OUTLIER_DEFAULTS.baseEjectionTimeMs),
      maxEjectionPercent: od.maxEjectionPercent ?? OUTLIER_DEFAULTS.maxEjectionPercent,
      ...(od.consecutiveGatewayErrors ? { consecutiveGatewayErrors: od.consecutiveGatewayErrors } : {}),
    };
  }
}
