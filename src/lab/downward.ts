// Container environment: literal values and the downward API's fieldRef (what the pod knows about
// itself once it has a node and an address), resolved the way the kubelet does.
import type { V1Container, V1Pod } from '../api/types.js';

export function fieldValue(pod: V1Pod, path: string): string | undefined {
  const labels = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (labels) return pod.metadata?.labels?.[labels[1]];
  const annotations = /^metadata\.annotations\['(.+)'\]$/.exec(path);
  if (annotations) return pod.metadata?.annotations?.[annotations[1]];
  switch (path) {
    case 'metadata.name': return pod.metadata?.name;
    case 'metadata.namespace': return pod.metadata?.namespace;
    case 'metadata.uid': return pod.metadata?.uid;
    case 'spec.nodeName': return pod.spec?.nodeName;
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? 'default';
    case 'status.podIP': return pod.status?.podIP;
    case 'status.podIPs': return pod.status?.podIPs?.map((p) => p.ip).join(',');
    case 'status.hostIP': return pod.status?.hostIP;
    case 'status.hostIPs': return pod.status?.hostIPs?.map((p) => p.ip).join(',');
    default: return undefined;
  }
}

/** `$(VAR)` references expand to earlier variables, `$$` escapes, as Kubernetes does. */
function expand(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (m, name: string | undefined) =>
    name === undefined ? '$' : (env[name] ?? m),
  );
}

export function containerEnv(pod: V1Pod, container: V1Container): Record<string, string> {
  const env: Record<string, string> = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOSTNAME: pod.spec?.hostname ?? pod.metadata?.name ?? '',
  };
  for (const v of container.env ?? []) {
    if (v.value !== undefined) env[v.name] = expand(v.value, env);
    else if (v.valueFrom?.fieldRef) env[v.name] = fieldValue(pod, v.valueFrom.fieldRef.fieldPath) ?? '';
    else env[v.name] = '';
  }
  return env;
}

/** Commands and args may reference env vars as `$(VAR)` too. */
export function expandArgv(argv: string[], env: Record<string, string>): string[] {
  return argv.map((a) => expand(a, env));
}
