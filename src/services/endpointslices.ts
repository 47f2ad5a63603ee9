// The EndpointSlice controller (pkg/controller/endpointslice), as a pure function: Services and
// Pods in, the slices that should exist out. Upstream names slices `<svc>-<random>` and packs
// endpoints into existing slices to limit writes; here a slice's name is a hash of what it groups
// (service, address type, port set, chunk), so the same inputs always give the same slices and a
// pod change rewrites only the slice it lands in.
import type { DiscoveryV1EndpointPort, V1Endpoint, V1Node } from '@kubernetes/client-node';
import { safeHash } from '../api/hash.js';
import { matchesSelector } from '../api/selectors.js';
import type { V1EndpointSlice, V1Pod, V1Service } from '../api/types.js';
import { canonicalJSON } from '../api/util.js';
import { jsonEqual } from './json-equal.js';
import {
  LABEL_HEADLESS, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, LABEL_ZONE, MANAGED_BY_CONTROLLER, RESERVED_SLICE_LABELS,
  type EndpointSliceObject,
} from './labels.js';
import { endpointPorts, podIndex, podIPs, toEndpoint } from './pod-endpoints.js';
import { versionKey, type SliceMemo } from './slice-memo.js';

/** kube-controller-manager's --max-endpoints-per-slice default. */
export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;

export interface EndpointSliceOptions {
  maxEndpointsPerSlice?: number;
  /** Nodes, for endpoints[].zone from their topology.kubernetes.io/zone label. */
  nodes?: readonly V1Node[];
  /** Kept by the caller across passes to skip Services whose inputs have not changed. */
  memo?: SliceMemo;
}

type AddressType = 'IPv4' | 'IPv6';

export function computeEndpointSlices(services: readonly V1Service[], pods: readonly V1Pod[], opts: EndpointSliceOptions = {}): EndpointSliceObject[] {
  const max = Math.max(1, opts.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE);
  const zones = new Map((opts.nodes ?? []).map((n) => [n.metadata?.name ?? '', n.metadata?.labels?.[LABEL_ZONE]]));
  const memo = opts.memo;
  memo?.begin(JSON.stringify([max, [...zones].sort(([a], [b]) => compare(a, b))]));
  const index = podIndex(pods);
  const slices: EndpointSliceObject[] = [];
  for (const svc of services) {
    const spec = svc.spec ?? {};
    const selector = spec.selector ?? {};
    // No selector: the user (or another controller) writes the slices. An empty selector counts as
    // none, as it does once the API server has stored it.
    if (spec.type === 'ExternalName' || Object.keys(selector).length === 0) continue;
    const ns = svc.metadata?.namespace || 'default';
    const [k, v] = Object.entries(selector)[0];
    const members = (index.get(`${ns}/${k}=${v}`) ?? [])
      .filter((p) => matchesSelector({ matchLabels: selector }, p.metadata?.labels))
      .sort((a, b) => compare(a.metadata?.name ?? '', b.metadata?.name ?? ''));
    const key = `${ns}/${svc.metadata?.name ?? ''}`;
    const inputs = memo && versionKey([svc, ...members]);
    let mine = memo?.slicesFor(key, inputs);
    if (!mine) {
      mine = serviceSlices(svc, members, zones, max);
      memo?.remember(key, inputs, mine);
    }
    for (const s of mine) slices.push(s);
  }
  memo?.end();
  return slices.sort((a, b) => compare(sliceKey(a), sliceKey(b)));
}

/** One Service's slices: its pods grouped by address type and resolved ports, `max` endpoints a slice. */
function serviceSlices(svc: V1Service, members: readonly V1Pod[], zones: ReadonlyMap<string, string | undefined>, max: number): EndpointSliceObject[] {
  const out: EndpointSliceObject[] = [];
  for (const type of addressTypes(svc)) {
    const groups = new Map<string, { ports: DiscoveryV1EndpointPort[]; endpoints: V1Endpoint[] }>();
    for (const pod of members) {
      const addresses = podIPs(pod).filter((ip) => (ip.includes(':') ? 'IPv6' : 'IPv4') === type);
      if (addresses.length === 0) continue;
      const { ports, key } = endpointPorts(svc.spec?.ports ?? [], pod);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { ports, endpoints: [] }));
      group.endpoints.push(toEndpoint(pod, svc, addresses, zones));
    }
    if (groups.size === 0) {
      // As upstream: a Service with no endpoints still gets one empty slice per address type.
      out.push(slice(svc, type, undefined, [], 'placeholder'));
      continue;
    }
    // Slice names hash the canonical port list: the same ports give the same names across passes.
    const named = [...groups.values()].map((g) => [canonicalJSON(g.ports), g] as const);
    for (const [key, group] of named.sort(([a], [b]) => compare(a, b))) {
      for (let i = 0; i < group.endpoints.length; i += max) {
        out.push(slice(svc, type, group.ports, group.endpoints.slice(i, i + max), `${key}#${i / max}`));
      }
    }
  }
  return out;
}

/** One slice family per spec.ipFamilies entry; before defaulting, the ClusterIP's family (or both for headless). */
function addressTypes(svc: V1Service): AddressType[] {
  const fams = (svc.spec?.ipFamilies ?? []).filter((f): f is AddressType => f === 'IPv4' || f === 'IPv6');
  if (fams.length > 0) return [...new Set(fams)].sort();
  const ip = svc.spec?.clusterIP;
  if (ip && ip !== 'None') return [ip.includes(':') ? 'IPv6' : 'IPv4'];
  return ['IPv4', 'IPv6'];
}

function slice(svc: V1Service, addressType: AddressType, ports: DiscoveryV1EndpointPort[] | undefined, endpoints: V1Endpoint[], group: string): EndpointSliceObject {
  const name = svc.metadata?.name ?? '';
  const ns = svc.metadata?.namespace || 'default';
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {})) if (!RESERVED_SLICE_LABELS.has(k)) labels[k] = v;
  if (svc.spec?.clusterIP === 'None') labels[LABEL_HEADLESS] = '';
  labels[LABEL_SERVICE_NAME] = name;
  labels[LABEL_MANAGED_BY] = MANAGED_BY_CONTROLLER;
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      // Upstream's generateName base is cut to 58 characters, so with 5 more the name stays a DNS label.
      name: `${`${name}-`.slice(0, 58)}${safeHash(5, ns, name, addressType, group)}`,
      namespace: ns,
      labels,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    addressType,
    endpoints,
    ...(ports !== undefined ? { ports } : {}),
  };
}

/** Code-point order: the same on every machine, unlike localeCompare. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sliceKey(s: V1EndpointSlice): string {
  return `${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`;
}

export interface SliceChanges {
  /** Slices to create or replace, sorted by namespace/name. */
  apply: EndpointSliceObject[];
  /** Managed slices no Service wants any more. */
  delete: V1EndpointSlice[];
  /** Desired slices whose name a slice not managed by the controller already has; left alone. */
  conflicts: EndpointSliceObject[];
}

/**
 * The writes that turn `current` into `desired`, touching only slices the controller manages. With
 * the memo that computed `desired`, slices already found equal and unchanged since are not compared again.
 */
export function reconcileSlices(current: readonly V1EndpointSlice[], desired: readonly EndpointSliceObject[], memo?: SliceMemo): SliceChanges {
  const have = new Map(current.map((s) => [sliceKey(s), s]));
  const want = new Set(desired.map(sliceKey));
  const changes: SliceChanges = { apply: [], delete: [], conflicts: [] };
  for (const d of desired) {
    const key = sliceKey(d);
    const c = have.get(key);
    if (c && !isManaged(c)) changes.conflicts.push(d);
    else if (!c) changes.apply.push(d);
    else if (memo?.knownEqual(key, c, d)) continue;
    else if (!jsonEqual(content(c), content(d))) changes.apply.push(d);
    else memo?.markEqual(key, c, d);
  }
  memo?.keepOnly(want);
  changes.delete = current.filter((c) => isManaged(c) && !want.has(sliceKey(c))).sort((a, b) => compare(sliceKey(a), sliceKey(b)));
  changes.apply.sort((a, b) => compare(sliceKey(a), sliceKey(b)));
  return changes;
}

export function isManaged(s: V1EndpointSlice): boolean {
  return s.metadata?.labels?.[LABEL_MANAGED_BY] === MANAGED_BY_CONTROLLER;
}

/** What the controller writes; server-set metadata (uid, resourceVersion, timestamps) is not compared. */
function content(s: V1EndpointSlice): unknown {
  const m = s.metadata ?? {};
  return { labels: m.labels ?? {}, annotations: m.annotations ?? {}, owners: m.ownerReferences ?? [], addressType: s.addressType, endpoints: s.endpoints ?? [], ports: s.ports };
}
