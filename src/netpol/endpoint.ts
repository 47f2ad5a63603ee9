// The two ends of a connection as the model and the matcher see them, apart from both so that
// imports point one way: model.ts -> match.ts -> endpoint.ts.
import { podKey, type PodInfo, type ServiceInfo } from './types.js';

export type Endpoint =
  | { kind: 'pod'; pod: PodInfo; ip?: string }
  | { kind: 'node'; node: string; ip: string }
  /** A Service VIP: rules judge its traffic after DNAT, on the endpoint the proxy picked. */
  | { kind: 'service'; service: ServiceInfo; ip: string }
  | { kind: 'external'; ip: string };

export const serviceKey = (s: Pick<ServiceInfo, 'namespace' | 'name'>): string => `${s.namespace}/${s.name}`;

export function endpointName(e: Endpoint): string {
  switch (e.kind) {
    case 'pod': return e.ip ? `${podKey(e.pod)} (${e.ip})` : podKey(e.pod);
    case 'node': return `node ${e.node} (${e.ip})`;
    case 'service': return `service ${serviceKey(e.service)} (${e.ip})`;
    default: return e.ip;
  }
}
