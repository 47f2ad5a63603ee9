// The records one Service contributes to the zone, from the Service and its EndpointSlices alone.
// Pure. This is the unit the zone recomputes when a Service or one of its slices changes
// (zone.ts), so a change costs the size of that Service, not of the cluster.
// Follows the Kubernetes DNS-Based Service Discovery specification (kubernetes/dns
// docs/specification.md, schema 1.1.0) and, where the spec leaves room, CoreDNS's kubernetes plugin
// (plugin/kubernetes/kubernetes.go findServices, object/endpoint.go).
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { dashed, ipFamily, reverseName } from './ip.js';

/** One resource record of the zone (data in dns-packet's shapes). */
export type ZoneRecord =
  | { type: 'A' | 'AAAA' | 'CNAME' | 'PTR' | 'NS'; data: string }
  | { type: 'SRV'; data: { priority: number; weight: number; port: number; target: string } }
  | { type: 'TXT'; data: string[] }
  | { type: 'SOA'; data: { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number } };

export interface Fragment {
  /**
   * Lowercase name → records. Every name is under `<svc>.<ns>.svc.<domain>`, and a name there
   * comes from this Service only (service and namespace names are single labels), so fragments
   * never share a name.
   */
  names: Map<string, ZoneRecord[]>;
  /** Reverse names this Service claims: its ClusterIPs (`service`) or its headless endpoints. */
  ptrs: Array<{ rev: string; target: string; service: boolean }>;
}

interface Endpoint { ip: string; host: string }

export function serviceFragment(svc: V1Service, slices: readonly V1EndpointSlice[], domain: string): Fragment {
  const names = new Map<string, ZoneRecord[]>();
  const ptrs: Fragment['ptrs'] = [];
  const name = svc.metadata?.name;
  const ns = svc.metadata?.namespace;
  const spec = svc.spec;
  if (!name || !ns || !spec) return { names, ptrs };
  const add = (owner: string, rec: ZoneRecord): void => {
    const list = names.get(owner) ?? [];
    const id = JSON.stringify(rec);
    if (!list.some((r) => JSON.stringify(r) === id)) list.push(rec);
    names.set(owner, list);
  };
  const base = `${name}.${ns}.svc.${domain}`.toLowerCase();

  if (spec.type === 'ExternalName') {
    // Spec, ExternalName section: a CNAME to the external name, nothing else. An IP-like externalName (the API
    // accepts "1.2.3.4" as a DNS name of digits) gets no record at all, so NXDOMAIN, as CoreDNS
    // (findServices keeps an ExternalName only when msg.Service.HostType() is CNAME) and as the
    // Kubernetes docs say: "Services with external names that resemble IPv4 addresses are not
    // resolved by DNS servers".
    const target = spec.externalName?.toLowerCase().replace(/\.$/, '');
    if (target && ipFamily(target) === undefined) add(base, { type: 'CNAME', data: target });
    return { names, ptrs };
  }

  const clusterIPs = clusterIPsOf(spec);
  if (clusterIPs.includes('None')) {
    headless(base, spec.publishNotReadyAddresses === true, slices, add, ptrs);
    return { names, ptrs };
  }

  const ips = clusterIPs.filter((ip) => ipFamily(ip) !== undefined);
  if (ips.length === 0) return { names, ptrs }; // ClusterIP not allocated yet: nothing to publish
  for (const ip of ips) {
    add(base, { type: ipFamily(ip) === 4 ? 'A' : 'AAAA', data: ip });
    const rev = reverseName(ip);
    if (rev) ptrs.push({ rev, target: base, service: true });
  }
  // §2.3.2: SRV records exist only for named ports. They exist whether or not the Service has
  // endpoints (a ClusterIP Service with none still answers, as CoreDNS without `ignore empty_service`).
  for (const port of spec.ports ?? []) {
    if (!port.name) continue;
    const srvName = `_${port.name}._${(port.protocol ?? 'TCP').toLowerCase()}.${base}`.toLowerCase();
    add(srvName, { type: 'SRV', data: { priority: 0, weight: 100, port: port.port, target: base } });
  }
  return { names, ptrs };
}

function clusterIPsOf(spec: NonNullable<V1Service['spec']>): string[] {
  return spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
}

/** Whether the Service's records depend on its EndpointSlices. */
export function isHeadless(svc: V1Service | undefined): boolean {
  return !!svc?.spec && svc.spec.type !== 'ExternalName' && clusterIPsOf(svc.spec).includes('None');
}

/**
 * Headless (§2.4): one record per ready endpoint, named by hostname or dashed IP as CoreDNS does.
 * With no ready endpoint nothing is added, so the Service's name is NXDOMAIN: spec §2.4.1 ("If
 * there are no ready endpoints for the headless Service, the answer should be NXDOMAIN") and
 * CoreDNS (findServices leaves errNoItems when no address matched).
 */
function headless(base: string, publishNotReady: boolean, slices: readonly V1EndpointSlice[],
  add: (owner: string, rec: ZoneRecord) => void, ptrs: Fragment['ptrs']): void {
  const srv = new Map<string, Array<{ port: number; target: string }>>();
  // Slices in name order, so a zone built from scratch and one updated slice by slice agree.
  const ordered = [...slices].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  for (const slice of ordered) {
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue; // FQDN slices are deprecated
    for (const ep of sliceEndpoints(slice, publishNotReady)) {
      const target = `${ep.host}.${base}`;
      const type = ipFamily(ep.ip) === 4 ? 'A' : 'AAAA';
      add(base, { type, data: ep.ip });
      add(target, { type, data: ep.ip });
      const rev = reverseName(ep.ip);
      if (rev) ptrs.push({ rev, target, service: false });
      for (const port of slice.ports ?? []) {
        if (!port.name || port.port === undefined) continue;
        const srvName = `_${port.name}._${(port.protocol ?? 'TCP').toLowerCase()}.${base}`.toLowerCase();
        srv.set(srvName, [...(srv.get(srvName) ?? []), { port: port.port, target }]);
      }
    }
  }
  for (const [srvName, targets] of srv) {
    // Equal weights summing to about 100, as CoreDNS: floor(100 / n).
    const weight = Math.floor(100 / new Set(targets.map((t) => `${t.port} ${t.target}`)).size);
    for (const t of targets) add(srvName, { type: 'SRV', data: { priority: 0, weight, port: t.port, target: t.target } });
  }
}

/**
 * The endpoints a headless Service publishes: the spec's _ready_ ones. A nil `ready` reads as
 * ready (EndpointSlice API). Not-ready ones count with publishNotReadyAddresses (the spec's
 * definition of _ready_ includes endpoints of a Service that tolerates unready endpoints; the
 * upstream EndpointSlice controller then marks them ready, which CoreDNS relies on, but a
 * selector-less Service's hand-written slices may not, so the flag is honoured here too).
 */
function sliceEndpoints(slice: V1EndpointSlice, includeNotReady: boolean): Endpoint[] {
  const out: Endpoint[] = [];
  for (const ep of slice.endpoints ?? []) {
    if (!includeNotReady && ep.conditions?.ready === false) continue;
    for (const ip of ep.addresses ?? []) {
      if (!ipFamily(ip)) continue;
      out.push({ ip, host: (ep.hostname ?? dashed(ip)).toLowerCase() });
    }
  }
  return out;
}
