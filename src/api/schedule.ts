// A deterministic scheduler for the lab: pods → nodes with no clock and no randomness, so the same
// objects always give the same placement and re-applying never moves a running pod. Like
// kube-scheduler it honours spec.nodeName and nodeSelector; otherwise it spreads (fewest pods,
// ties by node order), which stands in for the default PodTopologySpread/LeastAllocated scoring.
import { ManifestError } from './errors.js';
import type { NodeSpec, V1Pod } from './types.js';

/** `ns/name` → node name. */
export type Placement = Map<string, string>;

export function podKey(pod: V1Pod): string {
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

export function schedule(pods: V1Pod[], nodes: NodeSpec[], capacity: number, existing: Placement): Placement {
  const known = new Set(nodes.map((n) => n.name));
  const load = new Map(nodes.map((n) => [n.name, 0]));
  const result: Placement = new Map();
  const place = (pod: V1Pod, node: string): void => {
    const count = load.get(node) ?? 0;
    if (count >= capacity) {
      throw capacityError(pod, `node ${node} is full: it has room for ${capacity} pods (the node pod CIDR's size)`);
    }
    load.set(node, count + 1);
    result.set(podKey(pod), node);
  };

  // Sorting by key makes the outcome independent of input order; pods with fewer choices go first
  // so that a pinned pod does not find its node already filled by pods that could go anywhere.
  const sorted = [...pods].sort((a, b) => rank(a) - rank(b) || (podKey(a) < podKey(b) ? -1 : podKey(a) > podKey(b) ? 1 : 0));
  const pending: V1Pod[] = [];
  for (const pod of sorted) {
    const was = existing.get(podKey(pod));
    const pinned = pod.spec?.nodeName;
    if (pinned !== undefined && pinned !== '') {
      if (!known.has(pinned)) {
        throw new ManifestError({ object: ownerRef(pod).object, field: ownerRef(pod).prefix + 'spec.nodeName' },
          `node ${JSON.stringify(pinned)} does not exist (nodes: ${[...known].join(', ')})`);
      }
      place(pod, pinned);
    } else if (was !== undefined && known.has(was) && fits(pod, nodes.find((n) => n.name === was) as NodeSpec)) {
      place(pod, was);
    } else {
      pending.push(pod);
    }
  }
  for (const pod of pending) {
    const candidates = nodes.filter((n) => fits(pod, n));
    if (candidates.length === 0) {
      const selector = Object.entries(pod.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
      throw new ManifestError({ object: ownerRef(pod).object, field: ownerRef(pod).prefix + 'spec.nodeSelector' },
        `no node matches nodeSelector ${selector}`);
    }
    let best = candidates[0];
    for (const n of candidates) if ((load.get(n.name) ?? 0) < (load.get(best.name) ?? 0)) best = n;
    place(pod, best.name);
  }
  return result;
}

function rank(pod: V1Pod): number {
  if (pod.spec?.nodeName) return 0;
  return Object.keys(pod.spec?.nodeSelector ?? {}).length > 0 ? 1 : 2;
}

function fits(pod: V1Pod, node: NodeSpec): boolean {
  return Object.entries(pod.spec?.nodeSelector ?? {}).every(([k, v]) => node.labels[k] === v);
}

/** The object the user wrote: the pod's controller if it has one, else the pod. */
function ownerRef(pod: V1Pod): { object: string; kind: string; prefix: string } {
  const ns = pod.metadata?.namespace ?? 'default';
  const owner = pod.metadata?.ownerReferences?.find((o) => o.controller) ?? pod.metadata?.ownerReferences?.[0];
  if (owner) return { object: `${owner.kind} ${ns}/${owner.name}`, kind: owner.kind, prefix: 'spec.template.' };
  return { object: `Pod ${ns}/${pod.metadata?.name ?? ''}`, kind: 'Pod', prefix: '' };
}

function capacityError(pod: V1Pod, problem: string): ManifestError {
  const owner = ownerRef(pod);
  // Too many replicas is the usual cause; a DaemonSet has no replicas, and a bare pod is just one pod.
  const field = owner.kind === 'Deployment' || owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet' ? 'spec.replicas' : undefined;
  return new ManifestError({ object: owner.object, field }, `pod ${podKey(pod)} does not fit: ${problem}`);
}
