// Every name the lab gives to something on the host, in one place. Everything a lab creates carries
// the prefix `pn-<lab>-`, so it is recognisable on a shared machine and two labs never collide.

export const RUN_ROOT = '/run/podnet';

export function labDir(lab: string): string {
  return `${RUN_ROOT}/${lab}`;
}

export function underlayNetns(lab: string): string {
  return `pn-${lab}-net`;
}

export function nodeNetns(lab: string, node: string): string {
  return `pn-${lab}-${node}`;
}

/** Pod namespaces are `pn-<lab>-p-<ns>-<pod>`: the `p-` keeps them apart from node namespaces. */
export function podNetns(lab: string, namespace: string, pod: string): string {
  return `pn-${lab}-p-${namespace}-${pod}`;
}

export function podKey(namespace: string, pod: string): string {
  return `${namespace}_${pod}`;
}

export function podDir(lab: string, namespace: string, pod: string): string {
  return `${labDir(lab)}/pods/${podKey(namespace, pod)}`;
}

/** The bind-mounted UTS namespace that gives the pod its own hostname, shared by its containers. */
export function podUtsFile(lab: string, namespace: string, pod: string): string {
  return `${podDir(lab, namespace, pod)}/uts`;
}

/** `ip netns exec` bind-mounts files from here over /etc: the pod's own resolv.conf and hosts. */
export function podEtcDir(netns: string): string {
  return `/etc/netns/${netns}`;
}

export function containerLog(lab: string, namespace: string, pod: string, container: string): string {
  return `${labDir(lab)}/logs/${podKey(namespace, pod)}_${container}.log`;
}

export function nodeDir(lab: string, node: string): string {
  return `${labDir(lab)}/nodes/${node}`;
}

export function apiSocket(lab: string): string {
  return `${labDir(lab)}/api.sock`;
}

/** Link names are limited to 15 bytes (IFNAMSIZ - 1). */
export function underlayPort(nodeIndex: number): string {
  return `n${nodeIndex + 1}`;
}

export const UNDERLAY_BRIDGE = 'underlay';
export const NODE_UPLINK = 'eth0';
export const POD_BRIDGE = 'cni0';
export const VXLAN_DEVICE = 'vxlan0';
/** Flannel's port and VNI: familiar to users reading captures. */
export const VXLAN_PORT = 8472;
export const VXLAN_VNI = 1;
/** IPv4 outer header: 20 (IP) + 8 (UDP) + 8 (VXLAN) + 14 (inner Ethernet). */
export const VXLAN_OVERHEAD = 50;
