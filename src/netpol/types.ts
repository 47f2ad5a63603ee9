// What NetworkPolicy reasoning needs to know about the cluster, reduced from the API objects: pods
// (namespace, labels, addresses, node, named container ports), namespaces (labels) and nodes (their
// own addresses). The model, the compiler and the analyzer all take a PolicyWorld, so the lab, a
// real API server and unit tests feed them the same way.
import type { V1Namespace, V1NetworkPolicy, V1Pod } from '../api/types.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export const PROTOCOLS: readonly Protocol[] = ['TCP', 'UDP', 'SCTP'];

/** The label the API server puts on every namespace (immutable, since Kubernetes 1.21). */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface ContainerPortInfo {
  name?: string;
  port: number;
  protocol: Protocol;
}

export interface PodInfo {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** One address per family at most (status.podIPs). */
  ips: string[];
  /** spec.nodeName: the node whose ruleset isolates this pod. */
  node?: string;
  ports: ContainerPortInfo[];
}

export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
}

export interface NodeInfo {
  name: string;
  /** The node's own addresses (underlay, bridge gateway, overlay): traffic from them to its pods is never policed. */
  ips: string[];
  /**
   * The source address the node's own traffic to pods on other nodes leaves with, per family: on the
   * VXLAN backend the overlay device's address (the route to a peer's podCIDR goes through it), which
   * an ipBlock sees instead of the underlay address. Absent (routed backend): the first of `ips`.
   */
  overlayIPs?: string[];
}

/** One port of a Service and where the proxy sends it: the ready endpoints' addresses and ports. */
export interface ServicePortInfo {
  port: number;
  protocol: Protocol;
  endpoints: { ip: string; port: number }[];
}

/**
 * A Service as policy reasoning sees it: policies never name Services, but rules judge traffic
 * after the proxy's DNAT, so a VIP stands for its endpoints (and a pod that is its own endpoint
 * reaches itself: hairpin).
 */
export interface ServiceInfo {
  namespace: string;
  name: string;
  /** spec.clusterIPs (and nothing for headless Services). */
  ips: string[];
  ports: ServicePortInfo[];
}

export interface PolicyWorld {
  pods: PodInfo[];
  namespaces: NamespaceInfo[];
  policies: V1NetworkPolicy[];
  nodes?: NodeInfo[];
  services?: ServiceInfo[];
}

export function podKey(pod: Pick<PodInfo, 'namespace' | 'name'>): string {
  return `${pod.namespace}/${pod.name}`;
}

export function policyKey(policy: V1NetworkPolicy): string {
  return `${policy.metadata?.namespace ?? 'default'}/${policy.metadata?.name ?? ''}`;
}

/**
 * The policy-relevant view of a pod, or undefined for pods that policies do not apply to:
 * hostNetwork pods share the node's addresses (they are "the node"), and finished pods may have
 * given their address to someone else.
 */
export function podFromV1(pod: V1Pod): PodInfo | undefined {
  if (pod.spec?.hostNetwork) return undefined;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return undefined;
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => Boolean(ip));
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  const ports: ContainerPortInfo[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      ports.push({ ...(p.name ? { name: p.name } : {}), port: p.containerPort, protocol: (p.protocol ?? 'TCP') as Protocol });
    }
  }
  return {
    namespace: pod.metadata?.namespace ?? 'default',
    name: pod.metadata?.name ?? '',
    labels: { ...(pod.metadata?.labels ?? {}) },
    ips,
    ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
    ports,
  };
}

/** Namespace labels as the API server stores them: with the immutable name label filled in. */
export function namespaceFromV1(ns: V1Namespace): NamespaceInfo {
  const name = ns.metadata?.name ?? '';
  return { name, labels: { ...(ns.metadata?.labels ?? {}), [NAMESPACE_NAME_LABEL]: name } };
}

export function worldFromObjects(objects: {
  pods: V1Pod[];
  namespaces: V1Namespace[];
  policies: V1NetworkPolicy[];
  nodes?: NodeInfo[];
}): PolicyWorld {
  return {
    pods: objects.pods.map(podFromV1).filter((p): p is PodInfo => p !== undefined),
    namespaces: objects.namespaces.map(namespaceFromV1),
    policies: objects.policies,
    ...(objects.nodes ? { nodes: objects.nodes } : {}),
  };
}
