// Indexes over a PolicyWorld shared by the model and the compiler: pods by name and address,
// namespace labels, compiled policies by namespace, and which policies select which pods. Selector
// results are cached per distinct label set, because replicas of one workload share their labels and
// a cluster has far fewer label sets than pods.
import { matchesSelector } from '../api/selectors.js';
import { canonicalJSON } from '../api/util.js';
import { parseIP, formatIP, type Family } from '../api/cidr.js';
import type { V1LabelSelector } from '@kubernetes/client-node';
import { compilePolicy, type CompiledPolicy, type Direction, type PodPeer } from './policy.js';
import { NAMESPACE_NAME_LABEL, podKey, type NamespaceInfo, type PodInfo, type PolicyWorld, type ServiceInfo } from './types.js';

const canonical = new Map<string, string>();

/** Canonical text of an address, so that `fd00::01` and `fd00::1` are one key (memoized: hot in the compiler). */
export function canonicalIP(ip: string): string {
  let c = canonical.get(ip);
  if (c === undefined) {
    const { family, value } = parseIP(ip);
    c = formatIP(family, value);
    if (canonical.size > 100_000) canonical.clear();
    canonical.set(ip, c);
  }
  return c;
}

// Canonical text per selector or label object, computed once per object.
const keys = new WeakMap<object, string>();
function keyOf(o: object): string {
  let k = keys.get(o);
  if (k === undefined) keys.set(o, (k = canonicalJSON(o)));
  return k;
}

export function familyOf(ip: string): Family {
  return ip.includes(':') ? 6 : 4;
}

export class WorldIndex {
  readonly pods: PodInfo[];
  readonly policies: CompiledPolicy[];
  private readonly byKey = new Map<string, PodInfo>();
  private readonly byIP = new Map<string, PodInfo>();
  private readonly nodeByIP = new Map<string, string>();
  private readonly serviceByIP = new Map<string, ServiceInfo>();
  private readonly nsLabels = new Map<string, Record<string, string>>();
  private readonly podsByNs = new Map<string, PodInfo[]>();
  private readonly policiesByNs = new Map<string, CompiledPolicy[]>();
  private readonly matchCache = new Map<string, Map<string, boolean>>();

  constructor(readonly world: PolicyWorld) {
    this.pods = world.pods;
    for (const ns of world.namespaces) this.nsLabels.set(ns.name, ns.labels);
    for (const pod of world.pods) {
      this.byKey.set(podKey(pod), pod);
      for (const ip of pod.ips) this.byIP.set(canonicalIP(ip), pod);
      const list = this.podsByNs.get(pod.namespace) ?? [];
      list.push(pod);
      this.podsByNs.set(pod.namespace, list);
    }
    for (const node of world.nodes ?? []) for (const ip of [...node.ips, ...(node.overlayIPs ?? [])]) this.nodeByIP.set(canonicalIP(ip), node.name);
    for (const svc of world.services ?? []) for (const ip of svc.ips) this.serviceByIP.set(canonicalIP(ip), svc);
    this.policies = world.policies.map(compilePolicy);
    for (const p of this.policies) {
      const list = this.policiesByNs.get(p.namespace) ?? [];
      list.push(p);
      this.policiesByNs.set(p.namespace, list);
    }
  }

  pod(key: string): PodInfo | undefined {
    return this.byKey.get(key);
  }

  podByIP(ip: string): PodInfo | undefined {
    return this.byIP.get(canonicalIP(ip));
  }

  nodeOfIP(ip: string): string | undefined {
    return this.nodeByIP.get(canonicalIP(ip));
  }

  serviceOfIP(ip: string): ServiceInfo | undefined {
    return this.serviceByIP.get(canonicalIP(ip));
  }

  /** A namespace without a Namespace object still has its name label (the API server guarantees it). */
  namespaceLabels(name: string): Record<string, string> {
    return this.nsLabels.get(name) ?? { [NAMESPACE_NAME_LABEL]: name };
  }

  namespaceNames(): string[] {
    return [...new Set([...this.nsLabels.keys(), ...this.podsByNs.keys()])].sort();
  }

  podsIn(namespace: string): PodInfo[] {
    return this.podsByNs.get(namespace) ?? [];
  }

  matches(selector: V1LabelSelector, labels: Record<string, string>): boolean {
    const sk = keyOf(selector);
    let bySelector = this.matchCache.get(sk);
    if (!bySelector) this.matchCache.set(sk, (bySelector = new Map()));
    const lk = keyOf(labels);
    let hit = bySelector.get(lk);
    if (hit === undefined) {
      hit = matchesSelector(selector, labels);
      bySelector.set(lk, hit);
    }
    return hit;
  }

  /** Policies of the pod's namespace that select it and isolate it in `direction`. */
  selecting(pod: PodInfo, direction: Direction): CompiledPolicy[] {
    return (this.policiesByNs.get(pod.namespace) ?? []).filter(
      (p) => (direction === 'Ingress' ? p.ingress : p.egress) !== undefined && this.matches(p.podSelector, pod.labels),
    );
  }

  /** Every pod a pod peer stands for (the compiler's set contents). */
  peerPods(peer: PodPeer): PodInfo[] {
    const namespaces = peer.namespaceSelector
      ? this.namespaceNames().filter((ns) => this.matches(peer.namespaceSelector!, this.namespaceLabels(ns)))
      : [peer.namespace!];
    const out: PodInfo[] = [];
    for (const ns of namespaces) {
      for (const pod of this.podsIn(ns)) if (!peer.podSelector || this.matches(peer.podSelector, pod.labels)) out.push(pod);
    }
    return out;
  }

  namespaceInfo(name: string): NamespaceInfo {
    return { name, labels: this.namespaceLabels(name) };
  }
}
