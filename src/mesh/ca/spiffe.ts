// SPIFFE IDs of Kubernetes workloads, as Istio writes them: spiffe://TRUST_DOMAIN/ns/NS/sa/SA.
// Authorization principals drop the scheme (`cluster.local/ns/NS/sa/SA`).
export interface WorkloadIdentity {
  trustDomain: string;
  namespace: string;
  serviceAccount: string;
}

const ID = /^spiffe:\/\/([a-z0-9._-]+)\/ns\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/sa\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;

export function spiffeId(id: WorkloadIdentity): string {
  return `spiffe://${id.trustDomain}/ns/${id.namespace}/sa/${id.serviceAccount}`;
}

/** The identity in a SPIFFE URI, or undefined when it is not a Kubernetes workload ID. */
export function parseSpiffeId(uri: string): WorkloadIdentity | undefined {
  const m = ID.exec(uri);
  return m ? { trustDomain: m[1], namespace: m[2], serviceAccount: m[4] } : undefined;
}

/** Istio's principal form: the SPIFFE ID without its scheme. */
export function principal(id: WorkloadIdentity): string {
  return spiffeId(id).slice('spiffe://'.length);
}
