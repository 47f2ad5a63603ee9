// Builders for the proxy tests: Services and EndpointSlices as the admission step leaves them, and
// a lab-shaped node (node-1 of three, 172.18.0.2 on the underlay).
import type { V1EndpointSlice, V1Service } from '../../api/types.js';
import type { ProxyConfig, ProxyInput } from './types.js';

export const CONFIG_V4: ProxyConfig = {
  ipFamily: 'ipv4',
  podCIDRs: ['10.244.0.0/16'],
  serviceCIDRs: ['10.96.0.0/12'],
  loadBalancerPools: ['172.18.0.240/28'],
};

export const CONFIG_DUAL: ProxyConfig = {
  ipFamily: 'dual',
  podCIDRs: ['10.244.0.0/16', 'fd00:10:244::/56'],
  serviceCIDRs: ['10.96.0.0/12', 'fd00:10:96::/108'],
  loadBalancerPools: ['172.18.0.240/28', 'fd00:172:18:0:f000::/68'],
};

export const NODES = ['node-1', 'node-2', 'node-3'];

export function input(services: V1Service[], endpointSlices: V1EndpointSlice[], over: Partial<ProxyInput> = {}): ProxyInput {
  const dual = over.config?.ipFamily === 'dual';
  return {
    node: { name: 'node-1', underlayIPs: dual ? ['172.18.0.2', 'fd00:172:18::2'] : ['172.18.0.2'] },
    nodes: NODES,
    config: CONFIG_V4,
    services,
    endpointSlices,
    ...over,
  };
}

type Spec = NonNullable<V1Service['spec']>;

/** A ClusterIP Service with one `http` TCP port 80 unless `spec` says otherwise. */
export function svc(name: string, clusterIPs: string[], spec: Partial<Spec> = {}, status?: V1Service['status'], ns = 'default'): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: {
      type: 'ClusterIP',
      clusterIP: clusterIPs[0],
      clusterIPs,
      ipFamilies: clusterIPs.map((ip) => (ip.includes(':') ? 'IPv6' : 'IPv4')),
      ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

export interface Ep {
  ip: string;
  node?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

/** `10.244.1.5@node-2`, `10.244.1.6@node-1!` (not ready), `...~` (terminating but serving). */
export function ep(text: string): Ep {
  const m = /^([^@!~]+)(?:@([^!~]+))?([!~])?$/.exec(text);
  if (!m) throw new Error(`bad endpoint ${text}`);
  const [, ip, node, flag] = m;
  if (flag === '!') return { ip, node, ready: false, serving: false, terminating: false };
  if (flag === '~') return { ip, node, ready: false, serving: true, terminating: true };
  return { ip, node, ready: true, serving: true, terminating: false };
}

export function slice(service: string, endpoints: (Ep | string)[], ports: V1EndpointSlice['ports'] = [{ name: 'http', port: 8080, protocol: 'TCP' }], opts: { ns?: string; family?: 4 | 6; name?: string } = {}): V1EndpointSlice {
  const family = opts.family ?? 4;
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: opts.name ?? `${service}-${family === 4 ? 'ipv4' : 'ipv6'}`, namespace: opts.ns ?? 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: family === 4 ? 'IPv4' : 'IPv6',
    ports,
    endpoints: endpoints.map((e) => (typeof e === 'string' ? ep(e) : e)).map((e) => ({
      addresses: [e.ip],
      nodeName: e.node,
      conditions: { ready: e.ready, serving: e.serving, terminating: e.terminating },
    })),
  };
}
