// Well-known label keys and values of Services and EndpointSlices (k8s.io/api discovery/v1
// well_known_labels.go and core/v1 well_known_labels.go), and the object types the service
// components hand to the store: upstream's shapes, with the fields every stored object has.
import type { KubeObject, V1EndpointSlice, V1Service } from '../api/types.js';

/** Names the Service an EndpointSlice belongs to; how kube-proxy and CoreDNS find a Service's slices. */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
/** Who manages a slice: slices without our value are the user's (or another controller's) and are left alone. */
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
/** The value kube-controller-manager's EndpointSlice controller writes. */
export const MANAGED_BY_CONTROLLER = 'endpointslice-controller.k8s.io';
/** Set (to "") on the slices of headless Services, so that kube-proxy can skip them with a label selector. */
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
/** Node label the controller copies into `endpoints[].zone`. */
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

/** Labels a Service may not pass on to its slices: the controller owns them. */
export const RESERVED_SLICE_LABELS: ReadonlySet<string> = new Set([LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS]);

/** A Service as stored: upstream's V1Service with apiVersion, kind and metadata.name present. */
export type ServiceObject = KubeObject & V1Service;
/** An EndpointSlice as stored. */
export type EndpointSliceObject = KubeObject & V1EndpointSlice;

export type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
export const SERVICE_TYPES: readonly ServiceType[] = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
export const PROTOCOLS: readonly string[] = ['TCP', 'UDP', 'SCTP'];
export const IP_FAMILIES: readonly string[] = ['IPv4', 'IPv6'];
export const IP_FAMILY_POLICIES: readonly string[] = ['SingleStack', 'PreferDualStack', 'RequireDualStack'];

/** `ns/name`, with the store's default namespace. */
export function serviceKey(obj: { metadata?: { namespace?: string; name?: string } }): string {
  return `${obj.metadata?.namespace || 'default'}/${obj.metadata?.name ?? ''}`;
}
