// Service admission: what the API server does between receiving a Service and storing it.
// Defaults (pkg/apis/core/v1/defaults.go SetDefaults_Service), the IP-family rules and ClusterIP,
// NodePort and LoadBalancer allocation (pkg/registry/core/service/storage/alloc.go), and the update
// rules (an apply that omits server-set values keeps them; a ClusterIP never changes). Pure: what is
// taken comes from `existing` and from earlier Services of the same batch, never from a side table.
import type { V1ServicePort, V1ServiceSpec } from '@kubernetes/client-node';
import { errorsFor, type FieldError } from '../api/errors.js';
import type { ClusterConfig, Loaded, V1Service } from '../api/types.js';
import type { Random } from './claims.js';
import { canonicalJSON } from '../api/util.js';
import { BatchAllocator, needsHealthCheck, needsNodePorts, type BatchFixed } from './allocator.js';
import { serviceKey, type ServiceObject } from './labels.js';
import { canonicalOrNone, clusterAllocators } from './ranges.js';
import { validateService } from './service-spec.js';

/**
 * Admits a batch: returns each incoming Service defaulted and allocated, in input order, or throws
 * the first ManifestError (nothing is half-admitted: the caller stores all or nothing).
 * `existing` is every stored Service, including older versions of those being updated; `random`
 * picks ClusterIPs and NodePorts (see RandomFree).
 */
export function admitServices(incoming: readonly Loaded<ServiceObject>[], existing: readonly V1Service[], config: ClusterConfig, random: Random): ServiceObject[] {
  const current = new Map(existing.map((s) => [serviceKey(s), s]));
  const batch = new BatchAllocator(clusterAllocators(config), existing, batchFixed(incoming), random);
  return incoming.map(({ object, source }) => {
    const err = errorsFor(object, source);
    const key = serviceKey(object);
    const old = current.get(key);
    const svc = prepare(object, old, err);
    initIPFamilies(svc.spec as V1ServiceSpec, old?.spec, batch.alloc.families, err);
    batch.clusterIPs(svc, key, err);
    batch.nodePorts(svc, key, err);
    batch.loadBalancer(svc, key, old, err);
    current.set(key, svc);
    return svc;
  });
}

/**
 * Validation of what the user wrote (so the steps below may trust the shape), defaults and values
 * kept from the stored version, then validation again, as the API server validates after defaulting.
 */
function prepare(object: ServiceObject, old: V1Service | undefined, err: FieldError): ServiceObject {
  validateService(object, err);
  const svc = structuredClone(object);
  delete svc.status; // status is the API server's (and the load balancer's) to write
  const spec: V1ServiceSpec = (svc.spec ??= {});
  if (spec.clusterIP === '') delete spec.clusterIP;
  if (old?.spec) inherit(spec, old.spec);
  applyDefaults(spec);
  if (old?.spec) downgrade(spec, old.spec, err);
  validateService(svc, err);
  if (old?.spec) immutable(spec, old.spec, err);
  return svc;
}

function applyDefaults(spec: V1ServiceSpec): void {
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.sessionAffinity === 'ClientIP') {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800 } };
  }
  if (spec.ports) spec.ports = spec.ports.map((p) => {
    const q: V1ServicePort = { ...p, protocol: p.protocol ?? 'TCP' };
    if (q.targetPort === undefined || q.targetPort === 0 || q.targetPort === '') q.targetPort = q.port;
    if (q.nodePort === 0) delete q.nodePort;
    return q;
  });
  if (spec.healthCheckNodePort === 0) delete spec.healthCheckNodePort;
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.externalTrafficPolicy ??= 'Cluster';
  if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  // Old clients write only clusterIP; the plural field follows it (strategy NormalizeClusterIPs).
  if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
}

/**
 * `kubectl apply` leaves alone what the server set and the user never wrote; the lab's store replaces
 * objects whole, so the values are copied from the stored version (upstream patchAllocatedValues).
 */
function inherit(spec: V1ServiceSpec, old: V1ServiceSpec): void {
  const type = spec.type ?? 'ClusterIP';
  if (type !== 'ExternalName' && old.type !== 'ExternalName') {
    if (spec.clusterIP === undefined) spec.clusterIP = old.clusterIP;
    if (!spec.clusterIPs?.length && spec.clusterIP === old.clusterIP && old.clusterIPs) spec.clusterIPs = [...old.clusterIPs];
    spec.ipFamilyPolicy ??= old.ipFamilyPolicy;
  }
  if (needsNodePorts(spec) && needsNodePorts(old)) {
    // By port name, as upstream: other properties of a port may change and keep its nodePort.
    const mine = new Set((spec.ports ?? []).map((p) => p.nodePort).filter(Boolean));
    const byName = new Map((old.ports ?? []).map((p) => [p.name ?? '', p.nodePort]));
    for (const p of spec.ports ?? []) {
      const np = byName.get(p.name ?? '');
      if (!p.nodePort && np && !mine.has(np)) p.nodePort = np;
    }
  }
  if (needsHealthCheck(spec) && needsHealthCheck(old) && !spec.healthCheckNodePort) spec.healthCheckNodePort = old.healthCheckNodePort;
}

/** Going single-stack on purpose drops the secondary IP and family; anything else may not drop them. */
function downgrade(spec: V1ServiceSpec, old: V1ServiceSpec, err: FieldError): void {
  if (spec.type === 'ExternalName' || old.type === 'ExternalName') return;
  const ips = spec.clusterIPs ?? [];
  const oldIPs = old.clusterIPs ?? [];
  if (spec.ipFamilyPolicy === 'SingleStack') {
    if (ips.length > 1 && canonicalJSON(ips) === canonicalJSON(oldIPs)) spec.clusterIPs = ips.slice(0, 1);
    if ((spec.ipFamilies?.length ?? 0) > 1 && canonicalJSON(spec.ipFamilies) === canonicalJSON(old.ipFamilies)) spec.ipFamilies = spec.ipFamilies?.slice(0, 1);
    return;
  }
  if (ips.length > 0 && ips.length < oldIPs.length) throw err('spec.ipFamilyPolicy', "must be 'SingleStack' to release the secondary cluster IP");
  const fams = spec.ipFamilies ?? [];
  if (fams.length > 0 && fams.length < (old.ipFamilies?.length ?? 0)) throw err('spec.ipFamilyPolicy', "must be 'SingleStack' to release the secondary IP family");
}

/** ClusterIPs never change once set (ValidateServiceUpdate's validateUpgradeDowngradeClusterIPs). */
function immutable(spec: V1ServiceSpec, old: V1ServiceSpec, err: FieldError): void {
  if (spec.type === 'ExternalName' || old.type === 'ExternalName') return;
  const ips = spec.clusterIPs ?? [];
  const oldIPs = old.clusterIPs ?? [];
  if (ips[0] === 'None' && oldIPs[0] === 'None') return;
  for (let i = 0; i < Math.min(ips.length, oldIPs.length); i++) {
    if (ips[i] !== oldIPs[i]) {
      throw err(i === 0 ? 'spec.clusterIP' : `spec.clusterIPs[${i}]`, `field is immutable: it is ${oldIPs[i]}, not ${ips[i]} (delete the Service to change it)`);
    }
  }
}

/** initIPFamilyFields: fills ipFamilyPolicy and ipFamilies from the clusterIPs and the cluster's families. */
function initIPFamilies(spec: V1ServiceSpec, old: V1ServiceSpec | undefined, cluster: readonly string[], err: FieldError): void {
  if (spec.type === 'ExternalName') return;
  const headlessNoSelector = spec.clusterIP === 'None' && Object.keys(spec.selector ?? {}).length === 0;
  // Without a selector a headless Service's endpoints are the user's, of any family.
  spec.ipFamilyPolicy ??= old?.ipFamilyPolicy ?? (headlessNoSelector ? 'RequireDualStack' : 'SingleStack');
  if (spec.ipFamilyPolicy === 'SingleStack') {
    const two = (spec.clusterIPs?.length ?? 0) === 2 ? 'cluster IPs' : (spec.ipFamilies?.length ?? 0) === 2 ? 'IP families' : undefined;
    if (two) throw err('spec.ipFamilyPolicy', `must be 'RequireDualStack' or 'PreferDualStack' when multiple ${two} are specified`);
  }
  const families = [...(spec.ipFamilies ?? [])];
  (spec.clusterIPs ?? []).forEach((ip, i) => {
    if (ip === 'None' || i < families.length) return;
    const fam = ip.includes(':') ? 'IPv6' : 'IPv4';
    if (!cluster.includes(fam)) throw err(i === 0 ? 'spec.clusterIP' : `spec.clusterIPs[${i}]`, `${fam} is not configured on this cluster`);
    families.push(fam);
  });
  const alt = (f: string): string => (f === 'IPv4' ? 'IPv6' : 'IPv4');
  if (headlessNoSelector) {
    if (families.length === 0) families.push(cluster[0]);
    if (families.length < 2 && spec.ipFamilyPolicy !== 'SingleStack') families.push(alt(families[0]));
    spec.ipFamilies = families;
    return;
  }
  if (spec.ipFamilyPolicy === 'RequireDualStack' && cluster.length < 2) {
    throw err('spec.ipFamilyPolicy', 'this cluster is not configured for dual-stack services (RequireDualStack needs a dual-stack lab)');
  }
  families.forEach((f, i) => {
    if (!cluster.includes(f)) throw err(`spec.ipFamilies[${i}]`, `${f} is not configured on this cluster`);
  });
  if (families.length === 0) families.push(cluster[0]);
  if (spec.ipFamilyPolicy !== 'SingleStack' && families.length === 1 && cluster.length === 2) families.push(alt(families[0]));
  spec.ipFamilies = families;
}

/** Values users fixed anywhere in the batch: dynamic picks for earlier Services must leave them free. */
function batchFixed(incoming: readonly Loaded<ServiceObject>[]): BatchFixed {
  const fixed: BatchFixed = { ips: new Set(), ports: new Set(), lbIPs: new Set() };
  for (const { object } of incoming) {
    const spec = object.spec ?? {};
    for (const ip of [spec.clusterIP, ...(spec.clusterIPs ?? [])].flatMap(canonicalOrNone)) fixed.ips.add(ip);
    for (const p of spec.ports ?? []) if (p.nodePort) fixed.ports.add(p.nodePort);
    if (spec.healthCheckNodePort) fixed.ports.add(spec.healthCheckNodePort);
    for (const ip of canonicalOrNone(spec.loadBalancerIP)) fixed.lbIPs.add(ip);
  }
  return fixed;
}
