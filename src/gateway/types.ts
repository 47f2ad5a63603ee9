// Kubernetes types for the gateway: Gateway API (gateway.networking.k8s.io v1; ReferenceGrant v1beta1)
// defined here, minimally, with upstream's field names (apis/v1/*_types.go), since
// @kubernetes/client-node has no Gateway API types; Ingress and IngressClass come from it.
import type { V1Ingress, V1IngressClass, V1LabelSelector, V1ObjectMeta, V1Secret, V1Service, V1EndpointSlice, V1Namespace } from '@kubernetes/client-node';

export type { V1Ingress, V1IngressClass, V1Secret, V1Service, V1EndpointSlice, V1Namespace };

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
/** The class podnet serves, and the controller it answers to. */
export const GATEWAY_CLASS = 'podnet';
export const CONTROLLER_NAME = 'podnet.dev/gateway';
export const INGRESS_CLASS = 'podnet';
export const INGRESS_CONTROLLER = 'podnet.dev/ingress';
/** IngressClass controllers podnet serves: its own, and the Gateway controller name (one gateway serves both). */
export const INGRESS_CONTROLLERS: readonly string[] = [INGRESS_CONTROLLER, CONTROLLER_NAME];
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

type Meta = V1ObjectMeta & { name: string };

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
  /** Left unset by the pure compilers (no clock); the status writer stamps it when a condition changes. */
  lastTransitionTime?: string;
}

export interface GatewayClass {
  apiVersion: string;
  kind: 'GatewayClass';
  metadata: Meta;
  spec: { controllerName: string; description?: string };
  status?: { conditions?: Condition[] };
}

export interface AllowedRoutes {
  namespaces?: { from?: 'All' | 'Same' | 'Selector'; selector?: V1LabelSelector };
  kinds?: { group?: string; kind: string }[];
}

export interface SecretObjectReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
}

export interface GatewayListener {
  name: string;
  hostname?: string;
  port: number;
  protocol: string;
  tls?: { mode?: 'Terminate' | 'Passthrough'; certificateRefs?: SecretObjectReference[] };
  allowedRoutes?: AllowedRoutes;
}

export interface ListenerStatus {
  name: string;
  supportedKinds: { group: string; kind: string }[];
  attachedRoutes: number;
  conditions: Condition[];
}

export interface Gateway {
  apiVersion: string;
  kind: 'Gateway';
  metadata: Meta;
  spec: { gatewayClassName: string; listeners: GatewayListener[]; addresses?: { type?: string; value: string }[] };
  status?: GatewayStatus;
}

export interface GatewayStatus {
  addresses?: { type: 'IPAddress' | 'Hostname'; value: string }[];
  conditions: Condition[];
  listeners: ListenerStatus[];
}

export interface ParentReference {
  group?: string;
  kind?: string;
  namespace?: string;
  name: string;
  sectionName?: string;
  port?: number;
}

export interface HTTPHeaderMatch { type?: 'Exact' | 'RegularExpression'; name: string; value: string }
export interface HTTPRouteMatch {
  path?: { type?: 'Exact' | 'PathPrefix' | 'RegularExpression'; value?: string };
  headers?: HTTPHeaderMatch[];
  queryParams?: HTTPHeaderMatch[];
  method?: string;
}

export interface HTTPHeaderFilter {
  set?: { name: string; value: string }[];
  add?: { name: string; value: string }[];
  remove?: string[];
}

export interface HTTPPathModifier {
  type: 'ReplaceFullPath' | 'ReplacePrefixMatch';
  replaceFullPath?: string;
  replacePrefixMatch?: string;
}

export interface BackendObjectReference {
  group?: string;
  kind?: string;
  name: string;
  namespace?: string;
  port?: number;
}

export interface HTTPRouteFilter {
  type: 'RequestHeaderModifier' | 'ResponseHeaderModifier' | 'RequestRedirect' | 'URLRewrite' | 'RequestMirror' | 'ExtensionRef';
  requestHeaderModifier?: HTTPHeaderFilter;
  responseHeaderModifier?: HTTPHeaderFilter;
  requestRedirect?: { scheme?: 'http' | 'https'; hostname?: string; path?: HTTPPathModifier; port?: number; statusCode?: number };
  urlRewrite?: { hostname?: string; path?: HTTPPathModifier };
  requestMirror?: { backendRef: BackendObjectReference; percent?: number; fraction?: { numerator: number; denominator?: number } };
  extensionRef?: { group: string; kind: string; name: string };
}

export interface HTTPBackendRef extends BackendObjectReference {
  weight?: number;
  filters?: HTTPRouteFilter[];
}

export interface HTTPRouteRule {
  name?: string;
  matches?: HTTPRouteMatch[];
  filters?: HTTPRouteFilter[];
  backendRefs?: HTTPBackendRef[];
  timeouts?: { request?: string; backendRequest?: string };
}

export interface RouteParentStatus {
  parentRef: ParentReference;
  controllerName: string;
  conditions: Condition[];
}

export interface HTTPRoute {
  apiVersion: string;
  kind: 'HTTPRoute';
  metadata: Meta;
  spec: { parentRefs?: ParentReference[]; hostnames?: string[]; rules?: HTTPRouteRule[] };
  status?: { parents: RouteParentStatus[] };
}

export interface ReferenceGrant {
  apiVersion: string;
  kind: 'ReferenceGrant';
  metadata: Meta;
  spec: {
    from: { group: string; kind: string; namespace: string }[];
    to: { group: string; kind: string; name?: string }[];
  };
}

/** Everything the compilers read: objects from the store, as lists. */
export interface GatewayObjects {
  namespaces: V1Namespace[];
  gatewayClasses: GatewayClass[];
  gateways: Gateway[];
  httpRoutes: HTTPRoute[];
  referenceGrants: ReferenceGrant[];
  services: V1Service[];
  endpointSlices: V1EndpointSlice[];
  secrets: V1Secret[];
}

/** Status to write back, keyed `ns/name` (GatewayClass: `name`); only objects podnet owns. */
export interface StatusUpdates {
  gatewayClasses: Record<string, { conditions: Condition[] }>;
  gateways: Record<string, GatewayStatus>;
  httpRoutes: Record<string, { parents: RouteParentStatus[] }>;
}
