// Shared objects for the DNS tests, modelled on CoreDNS's kubernetes plugin test data.
import type { V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';
import type { Answer, Packet } from 'dns-packet';
import type { ZoneObjects } from './zone.js';

function svc(name: string, spec: V1Service['spec'], ns = 'testns'): V1Service {
  return { metadata: { name, namespace: ns }, spec };
}

function slice(service: string, addressType: string, endpoints: V1EndpointSlice['endpoints'], ports: V1EndpointSlice['ports'], ns = 'testns'): V1EndpointSlice {
  return {
    addressType,
    metadata: { name: `${service}-${addressType.toLowerCase()}`, namespace: ns, labels: { 'kubernetes.io/service-name': service } },
    endpoints,
    ports,
  };
}

const pod: V1Pod = { metadata: { name: 'web-0', namespace: 'testns' }, status: { podIP: '10.244.0.7', podIPs: [{ ip: '10.244.0.7' }, { ip: 'fd00::7' }] } };

export function objects(): ZoneObjects {
  const httpPort = [{ name: 'http', port: 80, protocol: 'TCP' }];
  return {
    services: [
      svc('svc1', { type: 'ClusterIP', clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], ports: [
        { name: 'http', port: 80, protocol: 'TCP' }, { port: 8080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
      svc('svc6', { type: 'ClusterIP', clusterIP: '10.0.0.2', clusterIPs: ['10.0.0.2', 'fd00::2'], ports: [{ name: 'http', port: 80 }] }),
      svc('hdls1', { clusterIP: 'None', clusterIPs: ['None'], ports: [{ name: 'http', port: 80 }] }),
      svc('hdls-empty', { clusterIP: 'None' }),
      svc('hdls-notready', { clusterIP: 'None', publishNotReadyAddresses: true }),
      svc('ext', { type: 'ExternalName', externalName: 'ext.interwebs.test' }),
      svc('alias', { type: 'ExternalName', externalName: 'svc1.testns.svc.cluster.local.' }),
      svc('pending', { type: 'ClusterIP' }),
      svc('svcempty', { type: 'ClusterIP', clusterIP: '10.0.0.3', clusterIPs: ['10.0.0.3'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }),
      svc('hdls-allnotready', { clusterIP: 'None', clusterIPs: ['None'], ports: [{ name: 'http', port: 80 }] }),
      svc('hdls-shared', { clusterIP: 'None', clusterIPs: ['None'] }),
      svc('hdlsprtls', { clusterIP: 'None', clusterIPs: ['None'] }),
      svc('ext-ip', { type: 'ExternalName', externalName: '1.2.3.4' }),
    ],
    endpointSlices: [
      slice('hdls1', 'IPv4', [
        { addresses: ['172.0.0.2'], hostname: 'endpoint-svc-0', conditions: { ready: true } },
        { addresses: ['172.0.0.3'] },
        { addresses: ['172.0.0.4'], conditions: { ready: false } },
      ], httpPort),
      slice('hdls1', 'IPv6', [{ addresses: ['fd00::5'], conditions: { ready: true } }], httpPort),
      slice('hdls-notready', 'IPv4', [{ addresses: ['172.0.1.1'], conditions: { ready: false } }], []),
      slice('svc1', 'IPv4', [{ addresses: ['172.0.2.1'] }], httpPort),
      slice('hdls-allnotready', 'IPv4', [{ addresses: ['172.0.3.1'], conditions: { ready: false } }], httpPort),
      slice('hdls-shared', 'IPv4', [{ addresses: ['172.0.0.3'], hostname: 'shared' }], []),
      slice('hdlsprtls', 'IPv4', [{ addresses: ['172.0.0.20'] }], []),
    ],
    pods: [pod],
    namespaces: [{ metadata: { name: 'testns' } }, { metadata: { name: 'emptyns' } }],
  };
}

/** One resource record in CoreDNS test notation: "name ttl TYPE data". */
export function rr(a: Answer): string {
  const head = `${a.name} ${'ttl' in a ? a.ttl : ''} ${a.type}`;
  switch (a.type) {
    case 'SRV': return `${head} ${a.data.priority ?? 0} ${a.data.weight ?? 0} ${a.data.port} ${a.data.target}`;
    case 'SOA': return `${head} ${a.data.mname} ${a.data.rname} ${a.data.minimum ?? 0}`;
    case 'TXT': return `${head} ${[a.data].flat().map(String).join(' ')}`;
    case 'OPT': return `${head} ${a.udpPayloadSize}`;
    default: return `${head} ${String(a.data)}`;
  }
}

export function query(name: string, type: string, extra: Partial<Packet> = {}): Packet {
  return { id: 42, type: 'query', flags: 1 << 8, questions: [{ name, type: type as 'A', class: 'IN' }], ...extra };
}
