// What the mesh's traffic compiler reads and gives: Istio and GAMMA objects with the Services,
// EndpointSlices and Pods they name, in; one RouteTable per destination Service, out. The sidecar
// picks the table by the connection's original destination (a Service VIP:port), so each table has
// one listener per Service port and a single `*` virtual host.
import type { V1Pod } from '../../api/types.js';
import type { RouteTable } from '../../l7/route-table.js';
import type { HTTPRoute, ReferenceGrant, V1EndpointSlice, V1Namespace, V1Service } from '../../gateway/types.js';
import type { DestinationRule, VirtualService } from '../kinds/types.js';

export interface MeshObjects {
  virtualServices: VirtualService[];
  destinationRules: DestinationRule[];
  /** All HTTPRoutes; only those with a Service parentRef (GAMMA) are read. */
  httpRoutes: HTTPRoute[];
  referenceGrants?: ReferenceGrant[];
  services: V1Service[];
  endpointSlices: V1EndpointSlice[];
  /** For DestinationRule subsets: endpoints are kept when their pod's labels carry the subset's. */
  pods: V1Pod[];
  namespaces?: V1Namespace[];
}

export interface TrafficOptions {
  /** Default cluster.local. */
  clusterDomain?: string;
  /** Istio's root namespace, whose DestinationRules apply mesh-wide. Default istio-system. */
  rootNamespace?: string;
}

export interface ServiceTable {
  /** `ns/name` of the destination Service. */
  service: string;
  /** The names a client may use for it (short name only from its own namespace). */
  hosts: string[];
  /** What routes it: `VirtualService ns/name`, `HTTPRoute ns/name, ...` (GAMMA) or `default`. */
  routedBy: string;
  table: RouteTable;
}

/** Something about an object that the compiler could not honour; the rest still compiles. */
export interface TrafficProblem {
  /** `VirtualService ns/name` etc. */
  object: string;
  field?: string;
  message: string;
}

export interface TrafficResult {
  /** By `ns/name`, sorted. */
  tables: Record<string, ServiceTable>;
  problems: TrafficProblem[];
}
