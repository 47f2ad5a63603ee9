// Service backends → upstream clusters. A cluster is `ns/service:port` with the ready endpoints of
// the Service's EndpointSlices for that port: the proxy dials pods directly (never the VIP), as
// Envoy Gateway and ingress-nginx do. EndpointSlice ports carry the target port already resolved
// per pod (named ports included), so the slice, not the Service, says which port to dial.
import type { Cluster, Endpoint } from '../l7/route-table.js';
import type { Index } from './refs.js';
import type { V1Service } from './types.js';

export type ServicePortRef = { number: number } | { name: string };

export type Resolved =
  | { ok: true; key: string; cluster: Cluster }
  | { ok: false; message: string };

export function clusterKey(ns: string, service: string, port: number): string {
  return `${ns}/${service}:${port}`;
}

/** The cluster for a Service port (by number, or by name as Ingress allows), or why there is none. */
export function resolveService(index: Index, ns: string, name: string, port: ServicePortRef): Resolved {
  const memo = `${ns}/${name}:${'number' in port ? port.number : `name=${port.name}`}`;
  let r = index.resolved.get(memo) as Resolved | undefined;
  if (!r) {
    r = resolveUncached(index, ns, name, port);
    index.resolved.set(memo, r);
  }
  return r;
}

function resolveUncached(index: Index, ns: string, name: string, port: ServicePortRef): Resolved {
  const svc = index.services.get(`${ns}/${name}`);
  if (!svc) return { ok: false, message: `Service ${ns}/${name} not found` };
  const ports = svc.spec?.ports ?? [];
  const sp = 'number' in port ? ports.find((p) => p.port === port.number) : ports.find((p) => p.name === port.name);
  if (!sp) {
    const what = 'number' in port ? `port ${port.number}` : `port named ${JSON.stringify(port.name)}`;
    return { ok: false, message: `Service ${ns}/${name} has no ${what}` };
  }
  const key = clusterKey(ns, name, sp.port);
  const cluster: Cluster = { name: key, endpoints: readyEndpoints(index, ns, svc, sp.name ?? '', sp.targetPort) };
  if (sp.appProtocol === 'kubernetes.io/h2c') cluster.protocol = 'h2c';
  return { ok: true, key, cluster };
}

/**
 * Ready endpoints of every slice of the Service, for the slice port named like the Service port.
 * `ready` unset counts as ready (discovery/v1: "nil should be interpreted as true"); terminating
 * endpoints are not ready. Sorted and de-duplicated, so the table is stable for golden files.
 */
function readyEndpoints(index: Index, ns: string, svc: V1Service, portName: string, targetPort: number | string | undefined): Endpoint[] {
  const seen = new Map<string, Endpoint>();
  for (const slice of index.slices.get(`${ns}/${svc.metadata?.name ?? ''}`) ?? []) {
    const sp = (slice.ports ?? []).find((p) => (p.name ?? '') === portName);
    // A selector-less Service's slice may carry no ports; a numeric targetPort is then the port.
    const port = sp?.port ?? (typeof targetPort === 'number' ? targetPort : undefined);
    if (port === undefined) continue;
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      const pod = ep.targetRef?.kind === 'Pod' ? `${ep.targetRef.namespace ?? ns}/${ep.targetRef.name}` : undefined;
      for (const address of ep.addresses ?? []) {
        const e: Endpoint = { address, port };
        if (pod) e.pod = pod;
        seen.set(`${address}|${port}`, e);
      }
    }
  }
  return [...seen.values()].sort((a, b) => (a.address === b.address ? a.port - b.port : a.address < b.address ? -1 : 1));
}
