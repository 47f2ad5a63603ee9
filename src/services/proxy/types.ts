// The service proxy's plan: plain, serializable data that says what the node's nftables table must
// hold, plus the side facts the apply step needs (LoadBalancer addresses to hold on the uplink, UDP
// flows whose backend may go away). Rules are nft text, one statement per rule, so that golden files,
// the tracer and `nft -f` all read the same thing.
import type { ClusterConfig, V1EndpointSlice, V1Service } from '../../api/types.js';

export const PROXY_TABLE = 'podnet-proxy';
/** The uplink where LoadBalancer addresses are announced (MetalLB L2 style). */
export const ANNOUNCE_DEVICE = 'eth0';

export type NatHook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

export interface NftBaseHook {
  type: 'filter' | 'nat';
  hook: NatHook;
  /** Numeric priority (dstnat = -100, srcnat = 100). */
  priority: number;
}

export interface NftChain {
  name: string;
  /** Present for base chains (attached to a netfilter hook, policy accept). */
  base?: NftBaseHook;
  /** nft rule statements, in order. */
  rules: string[];
}

export interface NftSet {
  name: string;
  kind: 'set' | 'map';
  /** The `type` clause, with the value type for maps: `ipv4_addr . inet_proto . inet_service : verdict`. */
  type: string;
  flags?: string[];
  /** Default element timeout in seconds (affinity sets). */
  timeout?: number;
  /**
   * Sorted elements (plain string order); map elements read `KEY : VALUE`. Dynamic sets (affinity)
   * are filled by the kernel and always planned empty.
   */
  elements: string[];
}

export interface NftTable {
  family: 'inet';
  name: string;
  sets: NftSet[];
  chains: NftChain[];
}

/** A UDP flow the proxy programs: conntrack entries for it are cleared once the endpoint goes away. */
export interface UdpBackend {
  /** The address clients use (ClusterIP, LoadBalancer/external IP, or a node address for NodePorts). */
  dst: string;
  port: number;
  endpoint: string;
}

export interface ProxyPlan {
  node: { name: string; underlayIPs: string[] };
  tables: NftTable[];
  /** LoadBalancer addresses this node holds on `eth0`, sorted. */
  announce: string[];
  /** The pools announced addresses come from: the applier removes stale ones inside them only. */
  announcePools: string[];
  udp: UdpBackend[];
  /** Input the plan skipped, one line each naming the object and field. */
  warnings: string[];
}

export interface ProxyInput {
  node: { name: string; underlayIPs: string[] };
  /** Every node of the cluster, for choosing which one announces each LoadBalancer address. */
  nodes?: string[];
  config: ProxyConfig;
  services: V1Service[];
  endpointSlices: V1EndpointSlice[];
}

/** The part of ClusterConfig the proxy reads. */
export type ProxyConfig = Pick<ClusterConfig, 'podCIDRs' | 'serviceCIDRs' | 'ipFamily' | 'loadBalancerPools'>;
