// Kubernetes object types podnet reads. The shapes are upstream's (@kubernetes/client-node), imported
// as types only, so a manifest and an object from a real API server are the same thing to podnet.
import type {
  V1Pod, V1Namespace, V1Deployment, V1ReplicaSet, V1StatefulSet, V1DaemonSet, V1ObjectMeta, V1PodSpec,
  V1Container, V1EnvVar, V1PodStatus, V1Node, V1Service, V1ServicePort, V1EndpointSlice, V1Endpoint, V1NetworkPolicy, V1Probe,
} from '@kubernetes/client-node';

export type {
  V1Pod, V1Namespace, V1Deployment, V1ReplicaSet, V1StatefulSet, V1DaemonSet, V1ObjectMeta, V1PodSpec, V1Container, V1EnvVar,
  V1PodStatus, V1Node, V1Service, V1ServicePort, V1EndpointSlice, V1Endpoint, V1NetworkPolicy, V1Probe,
};

/** Any Kubernetes-shaped object: every object has these; the rest depends on its kind. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: V1ObjectMeta & { name: string };
  [field: string]: unknown;
}

/** Where an object came from, so that errors can name the file and the document. */
export interface Source {
  file: string;
  /** 0-based index of the YAML document within the file. */
  doc: number;
}

export interface Loaded<T extends KubeObject = KubeObject> {
  object: T;
  source: Source;
}

export type Backend = 'vxlan' | 'routed';
export type IPFamily = 'ipv4' | 'dual';

export interface NodeSpec {
  name: string;
  labels: Record<string, string>;
}

/**
 * The lab's cluster settings, from flags and/or a `kind: Cluster` (podnet.dev/v1alpha1) document,
 * with defaults filled in. CIDRs come per family: index 0 is IPv4, index 1 (dual only) is IPv6.
 */
export interface ClusterConfig {
  name: string;
  nodes: NodeSpec[];
  backend: Backend;
  ipFamily: IPFamily;
  /** Cluster pod ranges, e.g. ['10.244.0.0/16', 'fd00:10:244::/56']. */
  podCIDRs: string[];
  /** Per-node prefix length for each family, e.g. [24, 64]. */
  nodeMaskSizes: number[];
  serviceCIDRs: string[];
  /** The lab's underlay (node-to-node) network, e.g. ['172.18.0.0/24', 'fd00:172:18::/64']. */
  underlayCIDRs: string[];
  /** MTU of the underlay links; pods get this minus the backend's encapsulation overhead. */
  mtu: number;
  /** The cluster DNS domain (`spec.clusterDomain`, default cluster.local). */
  clusterDomain: string;
  /** NodePort range, inclusive (`spec.serviceNodePortRange: "30000-32767"`). */
  nodePortRange: [number, number];
  /**
   * LoadBalancer address pools per family, inside the underlay ranges so that one node can
   * announce an address on the lab's L2 segment as MetalLB's L2 mode does (`spec.loadBalancerPool`).
   */
  loadBalancerPools: string[];
  /** Upstream resolvers for names outside the cluster zone (`spec.dns.upstreams`, `IP` or `IP:PORT`). */
  dnsUpstreams: string[];
}
