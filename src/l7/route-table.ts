// The route table: the plan of an L7 proxy. Plain, serializable data computed by a pure function
// of cluster objects (src/gateway for Ingress and Gateway API, src/mesh later for sidecars), and
// handed to a running proxy (src/l7) that compiles it once into lookup structures and swaps it in
// with one assignment. Requests in flight keep the table they started with.
//
// This file is the contract between the compilers and the proxy: change it with both in mind.

/** A whole proxy's configuration. */
export interface RouteTable {
  /** Listeners by port; a gateway pod binds each. */
  listeners: Listener[];
  /** Upstream clusters by key (`ns/service:port`), referenced by backends. */
  clusters: Record<string, Cluster>;
}

export interface Listener {
  /** A stable name for logs and metrics, e.g. `gateway/ns/name/http` or `ingress/http`. */
  name: string;
  port: number;
  protocol: 'HTTP' | 'HTTPS';
  /** HTTPS only: certificates chosen by SNI. */
  tls?: ListenerTls;
  /**
   * Virtual hosts of this listener. `hostname` is exact (`foo.example.com`), a wildcard that
   * covers one or more leading labels (`*.example.com`, Gateway API semantics) or exactly one
   * label (Ingress semantics: see `wildcardOneLabel`), or `*` for any host.
   * The matcher picks the most specific host: exact, then the longest wildcard suffix, then `*`.
   */
  virtualHosts: VirtualHost[];
}

export interface ListenerTls {
  certificates: TlsCertificate[];
  /** Name of the certificate served when SNI is absent or matches none; none: handshake fails. */
  defaultCertificate?: string;
}

export interface TlsCertificate {
  /** `ns/secret`, for logs and status. */
  name: string;
  /** SNI names this certificate serves: exact or `*.suffix`. */
  hostnames: string[];
  certPem: string;
  keyPem: string;
}

export interface VirtualHost {
  hostname: string;
  /** Ingress wildcards (`*.foo.com`) cover exactly one label; Gateway API's cover one or more. */
  wildcardOneLabel?: boolean;
  /** In precedence order: the first route whose match accepts the request wins. */
  routes: Route[];
  /** Ingress HTTPS-only hosts with the ssl-redirect annotation: plain HTTP gets a 308 to https. */
  httpsRedirect?: boolean;
}

export interface Route {
  /** Stable id for metrics and access logs, e.g. `httproute/ns/name/rule/0/match/1`. */
  name: string;
  match: RouteMatch;
  /** Request filters applied in order before forwarding (or answering a redirect). */
  filters: Filter[];
  /**
   * Weighted backends. Empty with `directResponse` unset means 500 (Gateway API: a rule whose
   * backends are all invalid); weights of 0 are never picked.
   */
  backends: WeightedBackend[];
  /** Answered without an upstream, e.g. 500 for invalid backendRefs, 404 for no match. */
  directResponse?: { status: number; body?: string };
  timeouts?: { requestMs?: number; backendRequestMs?: number };
  retry?: RetryPolicy;
  /**
   * Fault injection (Istio VirtualService `fault`), decided per try by src/l7/fault.ts: a retry
   * draws again, so retries can mask an injected abort. Unset: no fault.
   */
  fault?: FaultPolicy;
}

/** Injected delay and/or abort; each applies to `percent` of tries (0-100, fractions allowed). */
export interface FaultPolicy {
  delay?: { fixedDelayMs: number; percent: number };
  /** `status`: an HTTP answer; `grpcStatus`: a gRPC trailer-only answer (HTTP 200 with grpc-status). */
  abort?: { status?: number; grpcStatus?: number; percent: number };
}

export interface RouteMatch {
  /**
   * `PathPrefix` is element-wise (Gateway API, Ingress). Istio's plain string prefix (`/api` matches
   * `/apiv2`) is written by src/mesh as an anchored RegularExpression, so the gateway's precedence
   * ranking keeps its three types. `ignoreCase` (Istio's ignoreUriCase) folds case.
   */
  path?: { type: 'Exact' | 'PathPrefix' | 'RegularExpression'; value: string; ignoreCase?: boolean };
  /** `invert`: the request must NOT carry a matching header (Istio's withoutHeaders). */
  headers?: { type: ValueMatchType; name: string; value: string; invert?: boolean }[];
  queryParams?: { type: ValueMatchType; name: string; value: string }[];
  method?: string;
  /**
   * Conditions on the calling workload (Istio's sourceLabels and sourceNamespace; GAMMA consumer
   * routes): a sidecar knows its own workload, so src/mesh/traffic specialises a table per workload
   * and drops these fields. A table that still carries them never matches the route (the matcher
   * cannot know the caller), which fails closed rather than route someone else's traffic.
   */
  sourceLabels?: Record<string, string>;
  sourceNamespace?: string;
}

/** `Prefix` is Istio's StringMatch prefix; Gateway API uses Exact and RegularExpression only. */
export type ValueMatchType = 'Exact' | 'RegularExpression' | 'Prefix';

export type Filter =
  | { type: 'RequestHeaderModifier'; set?: Header[]; add?: Header[]; remove?: string[] }
  | { type: 'ResponseHeaderModifier'; set?: Header[]; add?: Header[]; remove?: string[] }
  | {
      type: 'RequestRedirect';
      scheme?: 'http' | 'https';
      hostname?: string;
      port?: number;
      path?: PathModifier;
      statusCode?: 301 | 302 | 303 | 307 | 308;
    }
  | { type: 'URLRewrite'; hostname?: string; path?: PathModifier }
  | { type: 'RequestMirror'; cluster: string; percent?: number };

export interface Header {
  name: string;
  value: string;
}

export type PathModifier =
  | { type: 'ReplaceFullPath'; value: string }
  /** Replaces the part the route's PathPrefix match matched (element-wise). */
  | { type: 'ReplacePrefixMatch'; value: string };

export interface WeightedBackend {
  /** Key into RouteTable.clusters. */
  cluster: string;
  weight: number;
  /** Per-backend filters (Gateway API backendRefs[].filters). */
  filters?: Filter[];
  /**
   * Set for a backendRef that could not be resolved (no such Service, not permitted, wrong kind):
   * requests that draw this share of the weight get this answer (Gateway API: 500) and `cluster`
   * names the ref for logs only (it is not in RouteTable.clusters).
   */
  directResponse?: { status: number; body?: string };
}

export interface RetryPolicy {
  attempts: number;
  perTryTimeoutMs?: number;
  /**
   * Status codes and conditions that are retried: `connect-failure`, `reset`, and the classes Istio's
   * `retryOn` names (Envoy's x-envoy-retry-on): `5xx` (any 5xx answer, a reset or a connect
   * failure), `gateway-error` (502, 503, 504), `retriable-4xx` (409), `refused-stream`. src/l7/retry.ts
   * `retryable()` answers for one outcome; the gateway only ever writes numbers and the first two.
   */
  retryOn: RetryCondition[];
  backoffMs?: number;
}

export type RetryCondition = number | 'connect-failure' | 'reset' | '5xx' | 'gateway-error' | 'retriable-4xx' | 'refused-stream';

export interface Cluster {
  /** `ns/service:port` as in the key. */
  name: string;
  /** Ready endpoints from EndpointSlices (never the Service VIP). None: 503. */
  endpoints: Endpoint[];
  /** Application protocol to the upstream: h2c from Service appProtocol `kubernetes.io/h2c`. */
  protocol?: 'http1' | 'h2c';
  /**
   * A DestinationRule subset: `endpoints` holds only the pods whose labels carry every pair of
   * `labels` (the compiler filtered them); kept so logs and `podnet mesh` can say why.
   */
  subset?: { name: string; labels: Record<string, string> };
  /** How a request picks an endpoint (src/l7/balance.ts); unset: the proxy's default. */
  loadBalancer?: LoadBalancerPolicy;
  /** Upstream limits (DestinationRule connectionPool); beyond them requests get 503 (overflow). */
  connectionPool?: ConnectionPool;
  /** Passive health checking on answers (DestinationRule outlierDetection, src/l7/outlier.ts). */
  outlierDetection?: OutlierDetection;
}

/** Istio's simple policies; `p2c` is power of two choices on requests in flight (Envoy's LEAST_REQUEST). */
export type LoadBalancerPolicy = 'round-robin' | 'least-request' | 'random' | 'p2c';

export interface ConnectionPool {
  /** tcp.maxConnections: connections to the whole cluster. */
  maxConnections?: number;
  /** http.http1MaxPendingRequests: requests queued waiting for a connection. */
  maxPendingRequests?: number;
  /** http.http2MaxRequests: requests in flight to the cluster. */
  maxRequests?: number;
  /** http.maxRequestsPerConnection: a connection is closed after this many requests (0/unset: no limit). */
  maxRequestsPerConnection?: number;
}

export interface OutlierDetection {
  /** Consecutive 5xx answers (or connect failures) that eject an endpoint; 0 disables. */
  consecutive5xxErrors: number;
  /** Consecutive 502/503/504 answers (or connect failures) that eject an endpoint; unset/0: off. */
  consecutiveGatewayErrors?: number;
  /** How often ejections are reviewed (Envoy's sweep interval), ms. */
  intervalMs: number;
  /** An ejection lasts baseEjectionTimeMs x the endpoint's ejection count. */
  baseEjectionTimeMs: number;
  /** At most this percentage of the cluster's endpoints is ejected at once (0-100). */
  maxEjectionPercent: number;
}

export interface Endpoint {
  address: string;
  port: number;
  /** Pod `ns/name`, for logs. */
  pod?: string;
}

/** The view of a request that matching needs; the proxy builds it once per request. */
export interface RequestView {
  /** Host without port, lower case. */
  host: string;
  /** Normalised path (dot segments resolved), without the query. */
  path: string;
  /** Raw query string without `?`. */
  query: string;
  method: string;
  /** Header lookup by lower-case name; repeated headers joined with `,`. */
  header(name: string): string | undefined;
}

/** What the matcher answers for one request on one listener. */
export type Selection =
  | { kind: 'route'; listener: Listener; vhost: VirtualHost; route: Route }
  /** No virtual host or no route matched: 404 with a body saying which. */
  | { kind: 'none'; listener: Listener; reason: 'no-host' | 'no-route' };

/** Compiled once per table (src/l7/match.ts): exact hosts in a Map, wildcards by suffix. */
export interface CompiledTable {
  readonly table: RouteTable;
  select(listenerPort: number, req: RequestView): Selection | undefined;
}
