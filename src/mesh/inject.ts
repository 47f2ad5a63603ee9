// Sidecar injection, as a pure admission step: Namespace + Pod -> decision and the pod spec with
// the sidecar appended to spec.containers (so READY counts it: 2/2), like Istio's webhook and
// Linkerd's proxy-injector. The capture rules are set up by the lab before the app starts
// (capture.ts), so no init container is added.
import type { V1Namespace, V1Pod, V1Container } from '../api/types.js';
import { SIDECAR_CONTAINER, SIDECAR_IMAGE, INBOUND_PORT, OUTBOUND_PORT, STATUS_PORT } from './ports.js';

export interface MeshDecision {
  meshed: boolean;
  /** Which label or annotation decided, for `podnet mesh status`. */
  reason: string;
}

const OPT_OUT = ['false', 'disabled'];

export function decideMesh(ns: V1Namespace | undefined, pod: V1Pod): MeshDecision {
  if (pod.spec?.hostNetwork) return { meshed: false, reason: 'hostNetwork pod' };
  const podAnn = pod.metadata?.annotations ?? {};
  const podLabels = pod.metadata?.labels ?? {};
  for (const [where, map] of [['annotation', podAnn], ['label', podLabels]] as const) {
    const v = map['sidecar.istio.io/inject'];
    if (v !== undefined && OPT_OUT.includes(v)) return { meshed: false, reason: `pod ${where} sidecar.istio.io/inject=${v}` };
  }
  if (podAnn['linkerd.io/inject'] === 'disabled') return { meshed: false, reason: 'pod annotation linkerd.io/inject=disabled' };
  const labels = ns?.metadata?.labels ?? {};
  const ann = ns?.metadata?.annotations ?? {};
  if (labels['podnet.dev/mesh'] === 'enabled') return { meshed: true, reason: 'namespace label podnet.dev/mesh=enabled' };
  if (labels['istio-injection'] === 'enabled') return { meshed: true, reason: 'namespace label istio-injection=enabled' };
  if (ann['linkerd.io/inject'] === 'enabled') return { meshed: true, reason: 'namespace annotation linkerd.io/inject=enabled' };
  return { meshed: false, reason: 'namespace not enabled for the mesh' };
}

function sidecarContainer(args: string[]): V1Container {
  const field = (fieldPath: string) => ({ valueFrom: { fieldRef: { fieldPath } } });
  return {
    name: SIDECAR_CONTAINER,
    image: SIDECAR_IMAGE,
    args: ['proxy', 'sidecar', ...args],
    env: [
      { name: 'POD_NAME', ...field('metadata.name') },
      { name: 'POD_NAMESPACE', ...field('metadata.namespace') },
      { name: 'SERVICE_ACCOUNT', ...field('spec.serviceAccountName') },
      { name: 'INSTANCE_IP', ...field('status.podIP') },
    ],
    ports: [{ name: 'http-envoy-prom', containerPort: 15090, protocol: 'TCP' }],
    readinessProbe: { httpGet: { path: '/healthz/ready', port: STATUS_PORT }, periodSeconds: 1, failureThreshold: 30 },
  };
}

/** The pod as admitted: unchanged when not meshed or already injected. `sidecarArgs`: the cluster's sidecar flags (CA socket, mode). */
export function injectPod(ns: V1Namespace | undefined, pod: V1Pod, sidecarArgs: string[] = []): { pod: V1Pod; decision: MeshDecision } {
  const decision = decideMesh(ns, pod);
  const containers = pod.spec?.containers ?? [];
  if (!decision.meshed || containers.some((c) => c.name === SIDECAR_CONTAINER)) return { pod, decision };
  const status = { containers: [SIDECAR_CONTAINER], inbound: INBOUND_PORT, outbound: OUTBOUND_PORT };
  return {
    decision,
    pod: {
      ...pod,
      metadata: { ...pod.metadata, annotations: { ...pod.metadata?.annotations, 'sidecar.istio.io/status': JSON.stringify(status) } },
      spec: { ...pod.spec, containers: [...containers, sidecarContainer(sidecarArgs)] },
    },
  };
}

export function isInjected(pod: V1Pod): boolean {
  return (pod.spec?.containers ?? []).some((c) => c.name === SIDECAR_CONTAINER && c.image === SIDECAR_IMAGE);
}
