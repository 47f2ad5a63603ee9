// A pod's status as the kubelet reports it, from what the runtime knows: addresses, container
// states, and the probes' verdicts (src/lab/readiness). Pure: the clock is passed in.
import type { V1Pod, V1PodStatus, V1ContainerStatus, V1PodCondition } from '@kubernetes/client-node';
import type { ContainerState } from '../../sys/supervisor.js';
import type { ContainerReadiness } from '../readiness/types.js';

/**
 * `probes` holds the containers that have probes (ReadinessManager.readiness); a running container
 * without an entry is started and ready, as the kubelet treats a container without probes.
 */
export function podStatus(
  pod: V1Pod, hostIPs: string[], podIPs: string[], states: Map<string, ContainerState>, error?: string,
  probes: Map<string, ContainerReadiness> = new Map(), now: Date = new Date(),
): V1PodStatus {
  const containers = pod.spec?.containers ?? [];
  const statuses: V1ContainerStatus[] = containers.map((c) => {
    const s = states.get(c.name);
    const running = s?.state === 'running';
    const probed = probes.get(c.name);
    const base = {
      name: c.name, image: c.image ?? '', imageID: '', restartCount: s?.restartCount ?? 0,
      started: running && (probed?.started ?? true), ready: running && (probed?.ready ?? true),
    };
    if (!s || s.state === 'waiting') {
      return { ...base, state: { waiting: { reason: error ? 'CreateContainerError' : (s?.reason ?? 'ContainerCreating'), message: error ?? s?.message } } };
    }
    if (s.state === 'running') {
      return { ...base, containerID: `podnet://${s.pid}`, state: { running: { startedAt: s.startedAt ? new Date(s.startedAt) : undefined } } };
    }
    return {
      ...base,
      state: { terminated: { exitCode: s.exitCode ?? 0, reason: s.reason, startedAt: s.startedAt ? new Date(s.startedAt) : undefined, finishedAt: s.finishedAt ? new Date(s.finishedAt) : undefined } },
    };
  });
  const running = statuses.filter((s) => s.state?.running).length;
  const terminated = statuses.filter((s) => s.state?.terminated);
  const policy = pod.spec?.restartPolicy ?? 'Always';
  let phase = 'Pending';
  if (error) phase = 'Pending';
  else if (statuses.length > 0 && terminated.length === statuses.length && policy !== 'Always') {
    phase = terminated.every((s) => s.state?.terminated?.exitCode === 0) ? 'Succeeded' : policy === 'Never' ? 'Failed' : 'Running';
  } else if (running > 0 || terminated.length > 0 || statuses.some((s) => s.restartCount > 0)) {
    // A container that has run before (even one now in CrashLoopBackOff) makes the pod Running, as upstream.
    phase = 'Running';
  }
  const containersReady = readyCondition(phase, statuses);
  const conditions = [
    { type: 'PodScheduled', status: 'True' },
    { type: 'Initialized', status: 'True' },
    containersReady,
    { ...gatedReady(pod, containersReady), type: 'Ready' },
  ].map((c) => withTransitionTime(c, pod.status?.conditions, now));
  // Conditions that others own (readiness gates' conditions) stay as they are.
  for (const c of pod.status?.conditions ?? []) if (!OWN.has(c.type)) conditions.push(c);
  return {
    phase,
    hostIP: hostIPs[0],
    hostIPs: hostIPs.map((ip) => ({ ip })),
    podIP: podIPs[0],
    podIPs: podIPs.map((ip) => ({ ip })),
    startTime: pod.status?.startTime ?? now,
    conditions,
    containerStatuses: statuses,
    ...(error ? { message: error, reason: 'CreatePodSandboxError' } : {}),
  };
}

type Condition = Omit<V1PodCondition, 'lastTransitionTime'>;

const OWN = new Set(['PodScheduled', 'Initialized', 'ContainersReady', 'Ready']);

/** ContainersReady as pkg/kubelet/status GenerateContainersReadyCondition words it. */
function readyCondition(phase: string, statuses: V1ContainerStatus[]): Condition {
  if (phase === 'Succeeded') return { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' };
  const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
  if (unready.length > 0) {
    return { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` };
  }
  return { type: 'ContainersReady', status: 'True' };
}

/** Ready: ContainersReady, and then every readiness gate's condition True (GeneratePodReadyCondition). */
function gatedReady(pod: V1Pod, containersReady: Condition): Condition {
  if (containersReady.status !== 'True') return containersReady;
  const messages = (pod.spec?.readinessGates ?? []).flatMap(({ conditionType: t }) => {
    const c = pod.status?.conditions?.find((x) => x.type === t);
    if (!c) return [`corresponding condition of pod readiness gate "${t}" does not exist.`];
    return c.status === 'True' ? [] : [`the status of pod readiness gate "${t}" is not "True", but ${c.status}`];
  });
  if (messages.length === 0) return { type: 'Ready', status: 'True' };
  return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: messages.join(', ') };
}

/** A condition keeps its lastTransitionTime while its status stays the same, as the kubelet's status manager does. */
function withTransitionTime(c: Condition, previous: V1PodCondition[] | undefined, now: Date): V1PodCondition {
  const old = previous?.find((p) => p.type === c.type);
  return { ...c, lastTransitionTime: old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now };
}
