// Test objects from YAML, sorted into MeshObjects by kind. A `kind: TestService` document expands
// into what the lab would create for it (a Service, its Pods, and an EndpointSlice of the ready
// ones), so golden inputs show the mesh objects and not pages of pod boilerplate:
//   kind: TestService
//   metadata: {name: reviews, namespace: default}
//   ports: [{port: 9080, name: http}]
//   pods: [{name: reviews-v1-a, ip: 10.244.1.5, labels: {app: reviews, version: v1}}]
import { parseAllDocuments } from 'yaml';
import type { MeshObjects } from './types.js';

interface TestService {
  metadata: { name: string; namespace?: string };
  ports: { port: number; name?: string; targetPort?: number }[];
  pods: { name: string; ip: string; labels?: Record<string, string>; ready?: boolean }[];
}

/* eslint-disable @typescript-eslint/no-explicit-any -- YAML documents sorted by kind */
export function meshObjectsFromYaml(text: string): MeshObjects {
  const out: MeshObjects = { virtualServices: [], destinationRules: [], httpRoutes: [], referenceGrants: [], services: [], endpointSlices: [], pods: [], namespaces: [] };
  const lists: Record<string, any[]> = {
    VirtualService: out.virtualServices, DestinationRule: out.destinationRules, HTTPRoute: out.httpRoutes, ReferenceGrant: out.referenceGrants ?? [],
    Service: out.services, EndpointSlice: out.endpointSlices, Pod: out.pods, Namespace: out.namespaces ?? [],
  };
  for (const doc of parseAllDocuments(text)) {
    const o = doc.toJS() as any;
    if (!o) continue;
    if (o.kind === 'TestService') {
      expand(o as TestService, out);
      continue;
    }
    o.metadata.namespace ??= 'default';
    const l = lists[o.kind];
    if (!l) throw new Error(`unexpected kind ${o.kind}`);
    l.push(o);
  }
  return out;
}

function expand(t: TestService, out: MeshObjects): void {
  const ns = t.metadata.namespace ?? 'default';
  const name = t.metadata.name;
  out.services.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector: { app: name }, ports: t.ports.map((p) => ({ ...p, protocol: 'TCP', targetPort: p.targetPort ?? p.port })) } });
  for (const p of t.pods) out.pods.push({ apiVersion: 'v1', kind: 'Pod', metadata: { name: p.name, namespace: ns, labels: p.labels ?? { app: name } }, spec: { containers: [] } });
  out.endpointSlices.push({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name: `${name}-1`, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
    ports: t.ports.map((p) => ({ name: p.name ?? '', port: p.targetPort ?? p.port, protocol: 'TCP' })),
    endpoints: t.pods.map((p) => ({ addresses: [p.ip], conditions: { ready: p.ready ?? true }, targetRef: { kind: 'Pod', name: p.name, namespace: ns } })),
  });
}
