// The request as authorization sees it, and the verdict it gives back. A sidecar fills the request
// from the connection (the peer certificate's SPIFFE ID, addresses, port) and, for HTTP, from the
// request line and headers; `podnet policy explain` fills it from a flow it describes.

export interface AuthzRequest {
  source: {
    /**
     * The peer's identity from its mTLS certificate, as Istio writes principals:
     * `cluster.local/ns/NS/sa/SA` (a leading `spiffe://` is accepted). Unset for plain text.
     */
    principal?: string;
    /** Direct peer address (source.ip). */
    ip: string;
    /** Original client address, e.g. from X-Forwarded-For at a gateway (remote.ip); default `ip`. */
    remoteIp?: string;
  };
  destination: { ip?: string; port: number };
  /** Unset for TCP: then HTTP-only fields are handled as Istio does (see evaluate.ts). */
  http?: {
    method: string;
    path: string;
    host?: string;
    /** By lower-case name. */
    headers: Record<string, string>;
  };
  /** TLS SNI of the connection (connection.sni). */
  sni?: string;
}

/** The workload a policy is evaluated for (the destination's). */
export interface Workload {
  namespace: string;
  labels: Record<string, string>;
}

export interface AuthzVerdict {
  allowed: boolean;
  /**
   * - `deny`: a DENY policy's rule matched;
   * - `allow`: an ALLOW policy's rule matched;
   * - `no-allow-match`: ALLOW policies apply to the workload and none matched (Istio denies);
   * - `no-policy`: no ALLOW or DENY policy applies (Istio allows).
   */
  reason: 'deny' | 'allow' | 'no-allow-match' | 'no-policy';
  /** `ns/name` of the deciding policy (deny, allow). */
  policy?: string;
  /** Index into its spec.rules (deny, allow). */
  rule?: number;
  /** ALLOW policies that applied and did not match (no-allow-match), for explain. */
  considered?: string[];
}
