// The cluster DNS zone as plain data, computed from Services, EndpointSlices and Pods.
// Follows the Kubernetes DNS-Based Service Discovery specification (kubernetes/dns
// docs/specification.md, schema 1.1.0) and, where the spec leaves room, CoreDNS's kubernetes plugin.
import type { V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';
import { dashed, ipFamily, reverseName } from './ip.js';

export type ZoneRecord =
  | { type: 'A' | 'AAAA' | 'CNAME' | 'PTR' | 'NS'; data: string }
  | { type: 'SRV'; data: { priority: number; weight: number; port: number; target: string } }
  | { type: 'TXT'; data: string[] }
  | { type: 'SOA'; data: { mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number } };

export type PodsMode = 'insecure' | 'verified' | 'disabled';

export interface Zone {
  /** Lowercase, no trailing dot, e.g. "cluster.local". */
  domain: string;
  /**
   * Lowercase name (no trailing dot) → records. An empty list marks an empty non-terminal such as
   * "ns.svc.cluster.local": the name exists, so queries get NODATA rather than NXDOMAIN (RFC 8020).
   * Reverse names (in-addr.arpa, ip6.arpa) live here too.
   */
  records: Record<string, ZoneRecord[]>;
  /** How `<dashed-ip>.<ns>.pod.<domain>` is answered (CoreDNS `pods` option). */
  pods: PodsMode;
  /** Namespace → pod IPs, consulted only in `verified` mode. */
  podIPs: Record<string, string[]>;
}

export interface ZoneObjects {
  services: V1Service[];
  endpointSlices: V1EndpointSlice[];
  pods: V1Pod[];
}

export interface ZoneOptions {
  domain: string;
  /** Default `insecure`, as in the stock kubeadm Corefile. */
  pods?: PodsMode;
  /** SOA serial; passed in because plans have no clock. Default 1. */
  serial?: number;
  /** SOA minimum, the negative-caching TTL (RFC 2308). Default 5, as CoreDNS. */
  negativeTtl?: number;
}

/** Spec §2.5: the schema version this zone implements. */
export const SCHEMA_VERSION = '1.1.0';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

interface Endpoint { ip: string; host: string }

export function buildZone(objects: ZoneObjects, opts: ZoneOptions): Zone {
  const domain = normalize(opts.domain);
  const records: Record<string, ZoneRecord[]> = {};
  const add = (name: string, rec: ZoneRecord): void => {
    const key = normalize(name);
    const list = (records[key] ??= []);
    const id = JSON.stringify(rec);
    if (!list.some((r) => JSON.stringify(r) === id)) list.push(rec);
  };

  add(domain, {
    type: 'SOA',
    data: {
      mname: `ns.dns.${domain}`, rname: `hostmaster.${domain}`, serial: opts.serial ?? 1,
      refresh: 7200, retry: 1800, expire: 86400, minimum: opts.negativeTtl ?? 5,
    },
  });
  add(domain, { type: 'NS', data: `ns.dns.${domain}` });
  add(`dns-version.${domain}`, { type: 'TXT', data: [SCHEMA_VERSION] });

  const namespaces = new Set<string>();
  const slicesByService = new Map<string, V1EndpointSlice[]>();
  for (const slice of objects.endpointSlices) {
    const ns = slice.metadata?.namespace;
    const svc = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!ns || !svc) continue;
    const key = `${ns}/${svc}`;
    slicesByService.set(key, [...(slicesByService.get(key) ?? []), slice]);
  }

  // Service IPs first: a reverse lookup of a ClusterIP names the Service, never an endpoint
  // (CoreDNS serviceRecordForIP checks services before endpoints).
  const servicePtrs = new Set<string>();
  const deferredEndpointPtrs: Array<[string, string]> = [];

  for (const svc of objects.services) {
    const name = svc.metadata?.name;
    const ns = svc.metadata?.namespace;
    if (!name || !ns || !svc.spec) continue;
    namespaces.add(ns);
    const base = `${name}.${ns}.svc.${domain}`.toLowerCase();
    const spec = svc.spec;

    if (spec.type === 'ExternalName') {
      // Spec §2.6: a CNAME to the external name, nothing else.
      if (spec.externalName) add(base, { type: 'CNAME', data: normalize(spec.externalName) });
      continue;
    }

    const clusterIPs = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
    if (clusterIPs.includes('None')) {
      // Headless (§2.4): one record per ready endpoint, named by hostname or dashed IP as CoreDNS does.
      const srv = new Map<string, Array<{ port: number; target: string }>>();
      records[base] ??= [];
      for (const slice of slicesByService.get(`${ns}/${name}`) ?? []) {
        if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue; // FQDN slices are deprecated
        for (const ep of sliceEndpoints(slice, spec.publishNotReadyAddresses === true)) {
          const target = `${ep.host}.${base}`;
          const type = ipFamily(ep.ip) === 4 ? 'A' : 'AAAA';
          add(base, { type, data: ep.ip });
          add(target, { type, data: ep.ip });
          const rev = reverseName(ep.ip);
          if (rev) deferredEndpointPtrs.push([rev, target]);
          for (const port of slice.ports ?? []) {
            if (!port.name || port.port === undefined) continue;
            const srvName = `_${port.name}._${(port.protocol ?? 'TCP').toLowerCase()}.${base}`;
            srv.set(srvName, [...(srv.get(srvName) ?? []), { port: port.port, target }]);
          }
        }
      }
      for (const [srvName, targets] of srv) {
        // Equal weights summing to about 100, as CoreDNS: floor(100 / n).
        const weight = Math.floor(100 / new Set(targets.map((t) => `${t.port} ${t.target}`)).size);
        for (const t of targets) add(srvName, { type: 'SRV', data: { priority: 0, weight, port: t.port, target: t.target } });
      }
      continue;
    }

    const ips = clusterIPs.filter((ip) => ipFamily(ip) !== undefined);
    if (ips.length === 0) continue; // ClusterIP not allocated yet: nothing to publish
    for (const ip of ips) {
      add(base, { type: ipFamily(ip) === 4 ? 'A' : 'AAAA', data: ip });
      const rev = reverseName(ip);
      if (rev) {
        add(rev, { type: 'PTR', data: base });
        servicePtrs.add(rev);
      }
    }
    for (const port of spec.ports ?? []) {
      if (!port.name) continue; // §2.3.2: SRV records exist only for named ports
      const srvName = `_${port.name}._${(port.protocol ?? 'TCP').toLowerCase()}.${base}`;
      add(srvName, { type: 'SRV', data: { priority: 0, weight: 100, port: port.port, target: base } });
    }
  }

  for (const [rev, target] of deferredEndpointPtrs) {
    if (!servicePtrs.has(rev)) add(rev, { type: 'PTR', data: target });
  }

  const podIPs: Record<string, string[]> = {};
  for (const pod of objects.pods) {
    const ns = pod.metadata?.namespace;
    if (!ns) continue;
    namespaces.add(ns);
    const ips = pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
    for (const ip of ips) if (ipFamily(ip)) (podIPs[ns] ??= []).push(ip);
  }
  for (const slice of objects.endpointSlices) if (slice.metadata?.namespace) namespaces.add(slice.metadata.namespace);

  // Empty non-terminals: every ancestor of a name inside the domain exists, as do the namespaces.
  for (const ns of namespaces) {
    records[`${ns}.svc.${domain}`.toLowerCase()] ??= [];
    if ((opts.pods ?? 'insecure') !== 'disabled') records[`${ns}.pod.${domain}`.toLowerCase()] ??= [];
  }
  records[`svc.${domain}`] ??= [];
  if ((opts.pods ?? 'insecure') !== 'disabled') records[`pod.${domain}`] ??= [];
  for (const name of Object.keys(records)) {
    if (!name.endsWith(`.${domain}`)) continue;
    const labels = name.slice(0, -domain.length - 1).split('.');
    for (let i = 1; i < labels.length; i++) records[`${labels.slice(i).join('.')}.${domain}`] ??= [];
  }

  return { domain, records: sortedRecords(records), pods: opts.pods ?? 'insecure', podIPs };
}

function sliceEndpoints(slice: V1EndpointSlice, includeNotReady: boolean): Endpoint[] {
  const out: Endpoint[] = [];
  for (const ep of slice.endpoints ?? []) {
    // EndpointSlice API: a nil `ready` condition is to be read as ready.
    if (!includeNotReady && ep.conditions?.ready === false) continue;
    for (const ip of ep.addresses ?? []) {
      if (!ipFamily(ip)) continue;
      out.push({ ip, host: (ep.hostname ?? dashed(ip)).toLowerCase() });
    }
  }
  return out;
}

/** Deterministic key order so that two builds of the same objects serialize identically. */
function sortedRecords(records: Record<string, ZoneRecord[]>): Record<string, ZoneRecord[]> {
  const out: Record<string, ZoneRecord[]> = {};
  for (const key of Object.keys(records).sort()) out[key] = records[key] ?? [];
  return out;
}

export function normalize(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
