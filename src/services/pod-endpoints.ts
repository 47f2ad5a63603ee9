// What the EndpointSlice controller reads off a pod: whether it is an endpoint at all, its
// addresses, the ports its named targetPorts resolve to, and the endpoint entry with its conditions
// (pkg/controller/endpointslice/utils.go podToEndpoint, pkg/api/v1/pod FindPort).
import type { DiscoveryV1EndpointPort, V1Endpoint, V1ServicePort } from '@kubernetes/client-node';
import type { V1Pod, V1Service } from '../api/types.js';

/** Candidate pods by `ns/key=value` of each label, so a Service only looks at pods sharing one of its selector's labels. */
export function podIndex(pods: readonly V1Pod[]): Map<string, V1Pod[]> {
  const index = new Map<string, V1Pod[]>();
  for (const p of pods) {
    if (!inEndpoints(p)) continue;
    const ns = p.metadata?.namespace || 'default';
    const labels = p.metadata?.labels ?? {};
    for (const k of Object.keys(labels)) {
      const key = `${ns}/${k}=${labels[k]}`;
      const list = index.get(key);
      if (list) list.push(p);
      else index.set(key, [p]);
    }
  }
  return index;
}

/** ShouldPodBeInEndpoints(pod, includeTerminating=true): any pod with an IP that has not finished. */
function inEndpoints(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && podIPs(pod).length > 0;
}

export function podIPs(pod: V1Pod): string[] {
  const ips = (pod.status?.podIPs ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip);
  return ips.length > 0 ? ips : pod.status?.podIP ? [pod.status.podIP] : [];
}

/**
 * getEndpointPorts: a named targetPort resolves per pod; a pod without that name leaves the port out.
 * `key` tells apart the port lists one Service's pods can have (the number each Service port
 * resolved to, or `-`), cheaply enough to group thousands of pods by.
 */
export function endpointPorts(ports: readonly V1ServicePort[], pod: V1Pod): { ports: DiscoveryV1EndpointPort[]; key: string } {
  const out: DiscoveryV1EndpointPort[] = [];
  let key = '';
  // podutil.FindPort: a number is used as is; a name is looked up among the pod's container ports
  // (and sidecars', restartable init containers) with the Service port's protocol.
  let named: { name?: string; containerPort: number; protocol?: string }[] | undefined;
  for (const sp of ports) {
    const protocol = sp.protocol ?? 'TCP';
    const target = sp.targetPort === undefined || sp.targetPort === 0 || sp.targetPort === '' ? sp.port : sp.targetPort;
    if (typeof target !== 'number') {
      named ??= [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')].flatMap((c) => c.ports ?? []);
    }
    const port = typeof target === 'number' ? target : named?.find((cp) => cp.name === target && (cp.protocol ?? 'TCP') === protocol)?.containerPort;
    key += `${port ?? '-'},`;
    if (port === undefined) continue;
    out.push({ name: sp.name ?? '', port, protocol, ...(sp.appProtocol !== undefined ? { appProtocol: sp.appProtocol } : {}) });
  }
  return { ports: out, key };
}

export function toEndpoint(pod: V1Pod, svc: V1Service, addresses: string[], zones: ReadonlyMap<string, string | undefined>): V1Endpoint {
  const publish = svc.spec?.publishNotReadyAddresses === true;
  const podReady = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const terminating = pod.metadata?.deletionTimestamp !== undefined && pod.metadata.deletionTimestamp !== null;
  const serving = publish || podReady;
  // A terminating pod is never "ready" (old clients only read ready), unless the Service publishes not-ready pods.
  const ready = publish || (serving && !terminating);
  const ep: V1Endpoint = { addresses, conditions: { ready, serving, terminating } };
  const { hostname, subdomain, nodeName } = pod.spec ?? { containers: [] };
  if (hostname && subdomain === svc.metadata?.name) ep.hostname = hostname;
  if (nodeName) ep.nodeName = nodeName;
  ep.targetRef = { kind: 'Pod', namespace: pod.metadata?.namespace || 'default', name: pod.metadata?.name, uid: pod.metadata?.uid };
  const zone = nodeName ? zones.get(nodeName) : undefined;
  if (zone) ep.zone = zone;
  return ep;
}
