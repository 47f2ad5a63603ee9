// Services and EndpointSlices reduced to what policy reasoning needs (ServiceInfo): each ClusterIP
// port with the ready endpoints the proxy would pick, matched by port name as kube-proxy matches a
// Service port to an EndpointSlice port.
import type { V1EndpointSlice, V1Service } from '../api/types.js';
import type { Protocol, ServiceInfo } from './types.js';

/** Upstream's well-known label tying an EndpointSlice to its Service. */
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export function servicesFromV1(services: V1Service[], slices: V1EndpointSlice[]): ServiceInfo[] {
  const byService = new Map<string, V1EndpointSlice[]>();
  for (const s of slices) {
    const name = s.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!name) continue;
    const key = `${s.metadata?.namespace ?? 'default'}/${name}`;
    byService.set(key, [...(byService.get(key) ?? []), s]);
  }
  const out: ServiceInfo[] = [];
  for (const svc of services) {
    const namespace = svc.metadata?.namespace ?? 'default';
    const name = svc.metadata?.name ?? '';
    const ips = (svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : [])).filter((ip) => ip && ip !== 'None');
    if (ips.length === 0) continue;
    const mySlices = byService.get(`${namespace}/${name}`) ?? [];
    const ports = (svc.spec?.ports ?? []).map((p) => {
      const protocol = (p.protocol ?? 'TCP') as Protocol;
      const endpoints: { ip: string; port: number }[] = [];
      for (const slice of mySlices) {
        const sp = (slice.ports ?? []).find((x) => (x.name ?? '') === (p.name ?? '') && (x.protocol ?? 'TCP') === protocol);
        if (sp?.port === undefined) continue;
        for (const e of slice.endpoints ?? []) {
          if (e.conditions?.ready === false) continue;
          for (const ip of e.addresses ?? []) endpoints.push({ ip, port: sp.port });
        }
      }
      return { port: p.port, protocol, endpoints };
    });
    out.push({ namespace, name, ips, ports });
  }
  return out;
}
