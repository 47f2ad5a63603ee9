// Test objects from YAML text, sorted into the compilers' inputs by kind.
import { parseAllDocuments } from 'yaml';
import type { IngressObjects } from './ingress.js';
import type { GatewayObjects } from './types.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- YAML documents sorted by kind */
export function objectsFromYaml(text: string): GatewayObjects & IngressObjects {
  const out: GatewayObjects & IngressObjects = {
    namespaces: [], gatewayClasses: [], gateways: [], httpRoutes: [], referenceGrants: [], services: [], endpointSlices: [], secrets: [], ingresses: [], ingressClasses: [],
  };
  const lists: Record<string, any[]> = {
    Namespace: out.namespaces, GatewayClass: out.gatewayClasses, Gateway: out.gateways, HTTPRoute: out.httpRoutes, ReferenceGrant: out.referenceGrants,
    Service: out.services, EndpointSlice: out.endpointSlices, Secret: out.secrets, Ingress: out.ingresses, IngressClass: out.ingressClasses,
  };
  for (const doc of parseAllDocuments(text)) {
    const o = doc.toJS() as any;
    if (!o) continue;
    const l = lists[o.kind];
    if (!l) throw new Error(`unexpected kind ${o.kind}`);
    l.push(o);
  }
  return out;
}

