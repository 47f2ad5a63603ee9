// Workloads → pods, as the Deployment, ReplicaSet, StatefulSet and DaemonSet controllers would
// create them, but computed in one pure step. Names are content-derived (see hash.ts) rather than
// random so the plan is stable across runs. The lab does not materialise the intermediate
// ReplicaSet of a Deployment: its pods are owned by the Deployment directly, which is also what
// error messages should name.
import type { V1OwnerReference, V1PodTemplateSpec } from '@kubernetes/client-node';
import { ManifestError, objectRef } from './errors.js';
import { safeHash } from './hash.js';
import type { KubeObject, NodeSpec, V1Pod, V1PodSpec } from './types.js';

const POD_TEMPLATE_HASH = 'pod-template-hash';
const STS_POD_NAME = 'statefulset.kubernetes.io/pod-name';
const STS_POD_INDEX = 'apps.kubernetes.io/pod-index';

interface WorkloadSpec {
  replicas?: number;
  serviceName?: string;
  template: V1PodTemplateSpec;
}

export function expandWorkloads(objects: KubeObject[], nodes: NodeSpec[]): V1Pod[] {
  const pods: V1Pod[] = [];
  const owners = new Map<string, string>();
  const add = (pod: V1Pod, owner: KubeObject): void => {
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    const earlier = owners.get(key);
    if (earlier !== undefined) {
      throw new ManifestError({ object: objectRef(owner) }, `creates pod ${key}, which ${earlier} also defines`);
    }
    owners.set(key, objectRef(owner));
    pods.push(pod);
  };
  for (const obj of objects) {
    if (obj.kind === 'Pod') {
      add(structuredClone(obj) as V1Pod, obj);
      continue;
    }
    const spec = obj.spec as WorkloadSpec | undefined;
    if (!spec) continue;
    const { name } = obj.metadata;
    const replicas = spec.replicas ?? 1;
    switch (obj.kind) {
      case 'Deployment': {
        const templateHash = safeHash(10, spec.template);
        for (let i = 0; i < replicas; i++) {
          add(podFor(obj, `${name}-${templateHash}-${safeHash(5, templateHash, i)}`, { [POD_TEMPLATE_HASH]: templateHash }), obj);
        }
        break;
      }
      case 'ReplicaSet':
        for (let i = 0; i < replicas; i++) add(podFor(obj, `${name}-${safeHash(5, spec.template, i)}`, {}), obj);
        break;
      case 'StatefulSet':
        // Stable identity is the point of a StatefulSet: ordinal names, and a hostname under the
        // governing Service so that `web-0.web.ns.svc` resolves.
        for (let i = 0; i < replicas; i++) {
          const podName = `${name}-${i}`;
          const pod = podFor(obj, podName, { [STS_POD_NAME]: podName, [STS_POD_INDEX]: String(i) });
          const podSpec = pod.spec as V1PodSpec;
          podSpec.hostname = podName;
          if (spec.serviceName) podSpec.subdomain = spec.serviceName;
          add(pod, obj);
        }
        break;
      case 'DaemonSet': {
        const selector = spec.template.spec?.nodeSelector ?? {};
        for (const node of nodes) {
          if (!Object.entries(selector).every(([k, v]) => node.labels[k] === v)) continue;
          const pod = podFor(obj, `${name}-${safeHash(5, spec.template, node.name)}`, {});
          (pod.spec as V1PodSpec).nodeName = node.name;
          add(pod, obj);
        }
        break;
      }
      default:
        break;
    }
  }
  return pods;
}

function podFor(owner: KubeObject, name: string, extraLabels: Record<string, string>): V1Pod {
  const template = structuredClone((owner.spec as WorkloadSpec).template);
  const ownerRef: V1OwnerReference = {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
  const metadata: V1Pod['metadata'] = {
    name,
    namespace: owner.metadata.namespace ?? 'default',
    labels: { ...template.metadata?.labels, ...extraLabels },
    ownerReferences: [ownerRef],
  };
  if (template.metadata?.annotations) metadata.annotations = template.metadata.annotations;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: template.spec as V1PodSpec };
}
