// A pod's status as the kubelet reports it, from what the runtime knows: addresses, container states.
import type { V1Pod, V1PodStatus, V1ContainerStatus } from '@kubernetes/client-node';
import type { ContainerState } from '../../sys/supervisor.js';

export function podStatus(
  pod: V1Pod, hostIPs: string[], podIPs: string[], states: Map<string, ContainerState>, error?: string,
): V1PodStatus {
  const containers = pod.spec?.containers ?? [];
  const statuses: V1ContainerStatus[] = containers.map((c) => {
    const s = states.get(c.name);
    const base = { name: c.name, image: c.image ?? '', imageID: '', restartCount: s?.restartCount ?? 0, started: s?.state === 'running' };
    if (!s || s.state === 'waiting') {
      return { ...base, ready: false, state: { waiting: { reason: error ? 'CreateContainerError' : (s?.reason ?? 'ContainerCreating'), message: error ?? s?.message } } };
    }
    if (s.state === 'running') {
      return { ...base, ready: true, containerID: `podnet://${s.pid}`, state: { running: { startedAt: s.startedAt ? new Date(s.startedAt) : undefined } } };
    }
    return {
      ...base, ready: false,
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
  const ready = statuses.length > 0 && statuses.every((s) => s.ready);
  const now = new Date();
  const cond = (type: string, ok: boolean) => ({ type, status: ok ? 'True' : 'False', lastTransitionTime: now });
  return {
    phase,
    hostIP: hostIPs[0],
    hostIPs: hostIPs.map((ip) => ({ ip })),
    podIP: podIPs[0],
    podIPs: podIPs.map((ip) => ({ ip })),
    startTime: pod.status?.startTime ?? now,
    conditions: [cond('PodScheduled', true), cond('Initialized', true), cond('ContainersReady', ready), cond('Ready', ready)],
    containerStatuses: statuses,
    ...(error ? { message: error, reason: 'CreatePodSandboxError' } : {}),
  };
}
