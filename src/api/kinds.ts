// The kinds podnet understands, and which of them live in a namespace. One table, shared by the
// manifest loader and the store, so "is this namespaced?" has a single answer.

export interface KindInfo {
  apiVersion: string;
  kind: string;
  namespaced: boolean;
}

/** Kinds the lab acts on, plus those later components read (Service, EndpointSlice, NetworkPolicy). */
export const KINDS: readonly KindInfo[] = [
  { apiVersion: 'v1', kind: 'Namespace', namespaced: false },
  { apiVersion: 'v1', kind: 'Pod', namespaced: true },
  { apiVersion: 'v1', kind: 'Service', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'Deployment', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', namespaced: true },
  { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', namespaced: true },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', namespaced: true },
  { apiVersion: 'podnet.dev/v1alpha1', kind: 'Cluster', namespaced: false },
];

const byKind = new Map(KINDS.map((k) => [k.kind, k]));

/** Other well-known cluster-scoped kinds, so the store keys them right if a real API server feeds it. */
const otherClusterScoped = new Set([
  'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
  'StorageClass', 'PriorityClass', 'IngressClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
]);

export function kindInfo(kind: string): KindInfo | undefined {
  return byKind.get(kind);
}

export function isNamespaced(kind: string): boolean {
  const info = byKind.get(kind);
  if (info) return info.namespaced;
  return !otherClusterScoped.has(kind);
}

/** Namespaces every cluster has; objects may name them without a Namespace document. */
export const BUILTIN_NAMESPACES: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/** The workload kinds that expand into pods. */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']);
