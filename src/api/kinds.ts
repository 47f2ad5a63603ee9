// Facts about kinds that hold whoever handles them: which are cluster-scoped, which namespaces every
// cluster has, which kinds expand into pods. One table, shared by the manifest loader and the store,
// so "is this namespaced?" has a single answer. Which kinds podnet accepts, and how each is validated,
// is the registry's (registry.ts), filled by the components.

/** Cluster-scoped kinds, podnet's and other well-known ones, so the store keys them right if a real API server feeds it. */
const CLUSTER_SCOPED: ReadonlySet<string> = new Set([
  'Namespace', 'Cluster',
  'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
  'StorageClass', 'PriorityClass', 'IngressClass', 'GatewayClass', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration',
]);

export function isNamespaced(kind: string): boolean {
  return !CLUSTER_SCOPED.has(kind);
}

/** Namespaces every cluster has; objects may name them without a Namespace document. */
export const BUILTIN_NAMESPACES: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/** The workload kinds that expand into pods. */
export const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet']);
