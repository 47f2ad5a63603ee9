// Object lookups shared by both compilers, built once per compile: Services, EndpointSlices,
// Secrets and namespaces by key, and ReferenceGrant checks (gateway.networking.k8s.io/v1beta1):
// a reference into another namespace is allowed only when a grant in the target namespace names
// the referring kind and namespace under `from` and the target kind (and name, if given) under `to`.
import type { ReferenceGrant, V1EndpointSlice, V1Namespace, V1Secret, V1Service } from './types.js';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface Index {
  services: Map<string, V1Service>;
  /** EndpointSlices by `ns/service`. */
  slices: Map<string, V1EndpointSlice[]>;
  secrets: Map<string, V1Secret>;
  namespaceLabels: Map<string, Record<string, string>>;
  grants: Map<string, ReferenceGrant[]>;
  /** Memo of resolveService by `ns/name:port`: thousands of routes share a few Services. */
  resolved: Map<string, unknown>;
}

export interface IndexInput {
  services: readonly V1Service[];
  endpointSlices: readonly V1EndpointSlice[];
  secrets?: readonly V1Secret[];
  namespaces?: readonly V1Namespace[];
  referenceGrants?: readonly ReferenceGrant[];
}

export function buildIndex(input: IndexInput): Index {
  const key = (ns: string | undefined, name: string | undefined): string => `${ns ?? 'default'}/${name ?? ''}`;
  const services = new Map(input.services.map((s) => [key(s.metadata?.namespace, s.metadata?.name), s]));
  const slices = new Map<string, V1EndpointSlice[]>();
  for (const s of input.endpointSlices) {
    const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svc) continue;
    const k = key(s.metadata?.namespace, svc);
    slices.set(k, [...(slices.get(k) ?? []), s]);
  }
  const secrets = new Map((input.secrets ?? []).map((s) => [key(s.metadata?.namespace, s.metadata?.name), s]));
  const namespaceLabels = new Map((input.namespaces ?? []).map((n) => [n.metadata?.name ?? '', n.metadata?.labels ?? {}]));
  const grants = new Map<string, ReferenceGrant[]>();
  for (const g of input.referenceGrants ?? []) {
    const ns = g.metadata.namespace ?? 'default';
    grants.set(ns, [...(grants.get(ns) ?? []), g]);
  }
  return { services, slices, secrets, namespaceLabels, grants, resolved: new Map() };
}

export interface RefEnds {
  fromGroup: string;
  fromKind: string;
  fromNamespace: string;
  toGroup: string;
  toKind: string;
  toNamespace: string;
  toName: string;
}

/** Same-namespace references are always allowed; others need a ReferenceGrant in the target namespace. */
export function referencePermitted(index: Index, r: RefEnds): boolean {
  if (r.fromNamespace === r.toNamespace) return true;
  for (const g of index.grants.get(r.toNamespace) ?? []) {
    const fromOk = (g.spec?.from ?? []).some((f) => (f.group ?? '') === r.fromGroup && f.kind === r.fromKind && f.namespace === r.fromNamespace);
    if (!fromOk) continue;
    const toOk = (g.spec?.to ?? []).some((t) => (t.group ?? '') === r.toGroup && t.kind === r.toKind && (t.name === undefined || t.name === '' || t.name === r.toName));
    if (toOk) return true;
  }
  return false;
}
