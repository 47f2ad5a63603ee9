// Istio's mesh objects, typed from Istio's API reference (istio.io/latest/docs/reference/config/
// networking/virtual-service, destination-rule; security/peer_authentication, authorization-policy)
// and the istio/api protos. Only the fields podnet reads or validates are typed; the rest passes
// through untouched. Istio writes YAML in the protos' JSON names (camelCase), as here.
import type { KubeObject } from '../../api/types.js';

export const NETWORKING_GROUP = 'networking.istio.io';
export const SECURITY_GROUP = 'security.istio.io';
/** Istio serves v1 and, for older manifests, v1beta1 (and v1alpha3 for networking) of the same schema. */
export const NETWORKING_VERSIONS = ['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3'] as const;
export const SECURITY_VERSIONS = ['security.istio.io/v1', 'security.istio.io/v1beta1'] as const;

type Meta = KubeObject['metadata'];

/** One of exact, prefix, regex (RE2, whole value). */
export interface StringMatch {
  exact?: string;
  prefix?: string;
  regex?: string;
}

export interface PortSelector {
  number?: number;
}

export interface Destination {
  /** A Service: short name (`reviews`, in the VirtualService's namespace) or FQDN. */
  host: string;
  subset?: string;
  port?: PortSelector;
}

export interface HeaderOperations {
  set?: Record<string, string>;
  add?: Record<string, string>;
  remove?: string[];
}

export interface Headers {
  request?: HeaderOperations;
  response?: HeaderOperations;
}

export interface HTTPMatchRequest {
  name?: string;
  uri?: StringMatch;
  method?: StringMatch;
  headers?: Record<string, StringMatch>;
  withoutHeaders?: Record<string, StringMatch>;
  queryParams?: Record<string, StringMatch>;
  port?: number;
  sourceLabels?: Record<string, string>;
  sourceNamespace?: string;
  gateways?: string[];
  ignoreUriCase?: boolean;
}

export interface HTTPRouteDestination {
  destination: Destination;
  weight?: number;
  headers?: Headers;
}

export interface Percent {
  value: number;
}

export interface HTTPFaultInjection {
  delay?: { fixedDelay?: string; percentage?: Percent; percent?: number };
  abort?: { httpStatus?: number; grpcStatus?: string; percentage?: Percent };
}

export interface HTTPRetry {
  attempts?: number;
  perTryTimeout?: string;
  retryOn?: string;
}

export interface HTTPRoute {
  name?: string;
  match?: HTTPMatchRequest[];
  route?: HTTPRouteDestination[];
  redirect?: { uri?: string; authority?: string; redirectCode?: number; scheme?: string };
  directResponse?: { status: number; body?: { string?: string } };
  rewrite?: { uri?: string; authority?: string };
  timeout?: string;
  retries?: HTTPRetry;
  fault?: HTTPFaultInjection;
  mirror?: Destination;
  mirrorPercentage?: Percent;
  mirrors?: { destination: Destination; percentage?: Percent }[];
  headers?: Headers;
}

export interface VirtualService {
  apiVersion: string;
  kind: 'VirtualService';
  metadata: Meta;
  spec: {
    hosts?: string[];
    gateways?: string[];
    http?: HTTPRoute[];
    tcp?: unknown[];
    tls?: unknown[];
    exportTo?: string[];
  };
}

export type SimpleLB = 'UNSPECIFIED' | 'RANDOM' | 'PASSTHROUGH' | 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'LEAST_CONN';

export interface TrafficPolicy {
  loadBalancer?: { simple?: SimpleLB; consistentHash?: unknown };
  connectionPool?: {
    tcp?: { maxConnections?: number; connectTimeout?: string };
    http?: { http1MaxPendingRequests?: number; http2MaxRequests?: number; maxRequestsPerConnection?: number; maxRetries?: number; idleTimeout?: string };
  };
  outlierDetection?: {
    consecutive5xxErrors?: number;
    consecutiveGatewayErrors?: number;
    interval?: string;
    baseEjectionTime?: string;
    maxEjectionPercent?: number;
    minHealthPercent?: number;
  };
  portLevelSettings?: (Omit<TrafficPolicy, 'portLevelSettings'> & { port?: PortSelector })[];
}

export interface Subset {
  name: string;
  labels?: Record<string, string>;
  trafficPolicy?: TrafficPolicy;
}

export interface DestinationRule {
  apiVersion: string;
  kind: 'DestinationRule';
  metadata: Meta;
  spec: { host: string; trafficPolicy?: TrafficPolicy; subsets?: Subset[]; exportTo?: string[]; workloadSelector?: { matchLabels?: Record<string, string> } };
}

export type MtlsMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';

export interface PeerAuthentication {
  apiVersion: string;
  kind: 'PeerAuthentication';
  metadata: Meta;
  spec: {
    selector?: { matchLabels?: Record<string, string> };
    mtls?: { mode?: MtlsMode };
    /** Keyed by the workload's (container) port number, as text in YAML. */
    portLevelMtls?: Record<string, { mode?: MtlsMode }>;
  };
}

export interface Source {
  principals?: string[];
  notPrincipals?: string[];
  requestPrincipals?: string[];
  notRequestPrincipals?: string[];
  namespaces?: string[];
  notNamespaces?: string[];
  ipBlocks?: string[];
  notIpBlocks?: string[];
  remoteIpBlocks?: string[];
  notRemoteIpBlocks?: string[];
}

export interface Operation {
  hosts?: string[];
  notHosts?: string[];
  ports?: string[];
  notPorts?: string[];
  methods?: string[];
  notMethods?: string[];
  paths?: string[];
  notPaths?: string[];
}

export interface Condition {
  key: string;
  values?: string[];
  notValues?: string[];
}

export interface Rule {
  from?: { source?: Source }[];
  to?: { operation?: Operation }[];
  when?: Condition[];
}

export type AuthzAction = 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';

export interface AuthorizationPolicy {
  apiVersion: string;
  kind: 'AuthorizationPolicy';
  metadata: Meta;
  spec: {
    selector?: { matchLabels?: Record<string, string> };
    action?: AuthzAction;
    rules?: Rule[];
    provider?: { name: string };
  };
}
