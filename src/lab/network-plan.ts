// The lab's network as data: a pure function of the cluster config. Nodes are network namespaces
// joined by an underlay bridge in a namespace of its own (nothing in the host namespace changes);
// between nodes, pod traffic either rides a Flannel-style VXLAN overlay or is routed Calico-style.
// Apply (network-apply.ts) turns this into a handful of batched `ip`, `bridge`, `sysctl` and `nft` runs.
import type { ClusterConfig } from '../api/types.js';
import { nthAddress, parseCIDR } from '../api/cidr.js';
import { nodePodCIDRs, nodeUnderlayIPs } from '../api/cluster.js';
import {
  NODE_UPLINK, UNDERLAY_BRIDGE, VXLAN_DEVICE, VXLAN_OVERHEAD, VXLAN_PORT, VXLAN_VNI,
  nodeNetns, underlayNetns, underlayPort,
} from './names.js';

export interface NodePlan {
  name: string;
  index: number;
  netns: string;
  labels: Record<string, string>;
  /** Underlay addresses without prefix length, per family. */
  underlayIPs: string[];
  podCIDRs: string[];
  /** Source addresses of the node's traffic to other nodes' pods (see overlayIPs()). */
  overlayIPs: string[];
  /** MTU for pod interfaces: the underlay's, less the overlay's encapsulation. */
  podMTU: number;
  /** `ip -batch` lines run in the node's namespace. */
  ipBatch: string[];
  /** `bridge -batch` lines (the overlay's static forwarding entries). */
  fdbBatch: string[];
  sysctls: Record<string, string>;
  /** One nft transaction: the node's masquerade table. */
  nft: string;
}

export interface NetworkPlan {
  underlay: { netns: string; ipBatch: string[] };
  nodes: NodePlan[];
}

/** Locally administered, unicast, and stable across runs so that FDB entries can be written up front. */
export function vtepMAC(index: number): string {
  const hex = (index + 1).toString(16).padStart(4, '0');
  return `0e:70:6e:00:${hex.slice(0, 2)}:${hex.slice(2)}`;
}

/**
 * The addresses a node's own traffic to other nodes' pods leaves with: on vxlan the overlay
 * device's address per family (the podCIDR's network address, see below), which the route to a
 * peer's podCIDR goes through; on the routed backend none (the underlay address is the source).
 */
export function overlayIPs(backend: ClusterConfig['backend'], podCIDRs: string[]): string[] {
  return backend === 'routed' ? [] : podCIDRs.map((c) => nthAddress(parseCIDR(c), 0));
}

function family(cidr: string): 4 | 6 {
  return cidr.includes(':') ? 6 : 4;
}

function prefixOf(cidr: string): number {
  return parseCIDR(cidr).prefix;
}

export function planNetwork(config: ClusterConfig): NetworkPlan {
  const lab = config.name;
  const underlayGw = config.underlayCIDRs.map((c) => nthAddress(parseCIDR(c), 1));
  const underlayBatch = ['link set lo up', `link add ${UNDERLAY_BRIDGE} type bridge`, `link set ${UNDERLAY_BRIDGE} up`];
  config.underlayCIDRs.forEach((cidr, i) => {
    underlayBatch.push(`addr add ${underlayGw[i]}/${prefixOf(cidr)} dev ${UNDERLAY_BRIDGE}${family(cidr) === 6 ? ' nodad' : ''}`);
  });

  const nodes = config.nodes.map((node, index) => ({
    name: node.name,
    index,
    labels: node.labels,
    netns: nodeNetns(lab, node.name),
    underlayIPs: nodeUnderlayIPs(config, index),
    podCIDRs: nodePodCIDRs(config, index),
  }));

  for (const node of nodes) {
    const port = underlayPort(node.index);
    underlayBatch.push(
      `link add ${port} mtu ${config.mtu} type veth peer name ${NODE_UPLINK} mtu ${config.mtu} netns ${node.netns}`,
      `link set ${port} master ${UNDERLAY_BRIDGE} up`,
    );
  }

  const plans: NodePlan[] = nodes.map((node) => {
    const ipBatch = ['link set lo up'];
    config.underlayCIDRs.forEach((cidr, f) => {
      ipBatch.push(`addr add ${node.underlayIPs[f]}/${prefixOf(cidr)} dev ${NODE_UPLINK}${f === 1 ? ' nodad' : ''}`);
    });
    ipBatch.push(`link set ${NODE_UPLINK} up`);
    // The underlay namespace is the lab's "outside": it has no route anywhere else.
    underlayGw.forEach((gw) => ipBatch.push(`route add default via ${gw}`));

    const peers = nodes.filter((p) => p !== node);
    const fdbBatch: string[] = [];
    let podMTU = config.mtu;
    if (config.backend === 'routed') {
      // Calico-style: one route per remote podCIDR via that node's underlay address, no encapsulation.
      for (const peer of peers) {
        peer.podCIDRs.forEach((cidr, f) => ipBatch.push(`route add ${cidr} via ${peer.underlayIPs[f]} dev ${NODE_UPLINK}`));
      }
    } else {
      // Flannel-style: one VXLAN device, learning off, every peer's VTEP written statically:
      // route via the peer's subnet address (onlink), neighbour → peer VTEP MAC, FDB MAC → underlay IP.
      podMTU = config.mtu - VXLAN_OVERHEAD;
      ipBatch.push(
        `link add ${VXLAN_DEVICE} address ${vtepMAC(node.index)} mtu ${podMTU} type vxlan id ${VXLAN_VNI} ` +
          `local ${node.underlayIPs[0]} dev ${NODE_UPLINK} dstport ${VXLAN_PORT} nolearning`,
      );
      overlayIPs(config.backend, node.podCIDRs).forEach((ip) => ipBatch.push(`addr add ${ip}/${ip.includes(':') ? 128 : 32} dev ${VXLAN_DEVICE}${ip.includes(':') ? ' nodad' : ''}`));
      ipBatch.push(`link set ${VXLAN_DEVICE} up`);
      for (const peer of peers) {
        const mac = vtepMAC(peer.index);
        peer.podCIDRs.forEach((cidr) => {
          const vtepIP = nthAddress(parseCIDR(cidr), 0);
          ipBatch.push(`neigh add ${vtepIP} lladdr ${mac} dev ${VXLAN_DEVICE} nud permanent`);
          ipBatch.push(`route add ${cidr} via ${vtepIP} dev ${VXLAN_DEVICE} onlink`);
        });
        fdbBatch.push(`fdb append ${mac} dev ${VXLAN_DEVICE} dst ${peer.underlayIPs[0]} self permanent`);
      }
    }

    return {
      ...node,
      overlayIPs: overlayIPs(config.backend, node.podCIDRs),
      podMTU,
      ipBatch,
      fdbBatch,
      sysctls: {
        'net.ipv4.ip_forward': '1',
        'net.ipv6.conf.all.forwarding': '1',
        // Pod replies may come back over another interface than the one used to send (overlay vs uplink).
        'net.ipv4.conf.all.rp_filter': '0',
        'net.ipv4.conf.default.rp_filter': '0',
        // Same-node pods reach each other through the node (their subnet is routed via the gateway,
        // see cni/link/plan.ts): no ICMP redirects telling them to go direct, which would bring back
        // pod-to-pod neighbour entries (IPv6 ignores them: a redirect must come from the gateway).
        'net.ipv4.conf.all.send_redirects': '0',
        'net.ipv4.conf.default.send_redirects': '0',
        // Bridged pod-to-pod frames must pass the inet hooks, so that the service proxy's conntrack
        // and network policy see same-node traffic too (br_netfilter is per netns here).
        'net.bridge.bridge-nf-call-iptables': '1',
        'net.bridge.bridge-nf-call-ip6tables': '1',
      },
      nft: masqueradeRuleset(config),
    };
  });

  return { underlay: { netns: underlayNetns(lab), ipBatch: underlayBatch }, nodes: plans };
}

/**
 * Pods reaching anything outside the cluster's pod and service ranges leave with the node's address,
 * as Flannel's and Calico's `natOutgoing` do; pod-to-pod traffic keeps the pod's source address.
 */
export function masqueradeRuleset(config: ClusterConfig): string {
  const lines = ['add table inet podnet', 'delete table inet podnet', 'table inet podnet {', '  chain postrouting {', '    type nat hook postrouting priority srcnat; policy accept;'];
  config.podCIDRs.forEach((pod) => {
    const fam = family(pod) === 4 ? 'ip' : 'ip6';
    const internal = [...config.podCIDRs, ...config.serviceCIDRs].filter((c) => family(c) === family(pod));
    lines.push(`    ${fam} saddr ${pod} ${fam} daddr != { ${internal.join(', ')} } masquerade`);
  });
  lines.push('  }', '}');
  return lines.join('\n') + '\n';
}

/** The plan as one text, for golden files and `podnet status --plan`. */
export function renderPlan(plan: NetworkPlan): string {
  const out = [`# namespace ${plan.underlay.netns} (ip -batch)`, ...plan.underlay.ipBatch];
  for (const node of plan.nodes) {
    out.push('', `# namespace ${node.netns} (${node.name}, pod MTU ${node.podMTU}, podCIDRs ${node.podCIDRs.join(' ')})`);
    out.push(...Object.entries(node.sysctls).map(([k, v]) => `sysctl ${k}=${v}`));
    out.push('# ip -batch', ...node.ipBatch);
    if (node.fdbBatch.length) out.push('# bridge -batch', ...node.fdbBatch);
    out.push('# nft -f', ...node.nft.trimEnd().split('\n'));
  }
  return out.join('\n') + '\n';
}
