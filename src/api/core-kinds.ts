// The kinds api itself defines, registered like every component's: the core and apps/v1 kinds the
// lab runs (namespaces, pods and the workloads that expand into pods) and podnet's Cluster document
// (checked by resolveCluster, which needs flags too, so it has no validate here).
import { WORKLOAD_KINDS } from './kinds.js';
import { checkDNS1123Label } from './names.js';
import { validatePodSpec } from './podspec.js';
import type { KindDefinition } from './registry.js';
import { validateWorkload } from './workload-spec.js';

export const coreKinds: readonly KindDefinition[] = [
  // A namespace name becomes a DNS label (`svc.NAMESPACE.svc.cluster.local`).
  { apiVersion: 'v1', kind: 'Namespace', checkName: checkDNS1123Label },
  { apiVersion: 'v1', kind: 'Pod', validate: (pod, err) => validatePodSpec(pod.spec, 'spec', err) },
  ...[...WORKLOAD_KINDS].map((kind): KindDefinition => ({ apiVersion: 'apps/v1', kind, validate: validateWorkload })),
  { apiVersion: 'podnet.dev/v1alpha1', kind: 'Cluster' },
];
