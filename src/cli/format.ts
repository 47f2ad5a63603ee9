// kubectl-style output: aligned tables, ages like `5m3s`, and `-o json|yaml` as a Kubernetes List.
import { stringify } from 'yaml';
import type { KubeObject, V1Node, V1Pod } from '../api/types.js';

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 3))).join('').trimEnd()).join('\n') + '\n';
}

export function age(since: string | Date | undefined, now = Date.now()): string {
  if (!since) return '<unknown>';
  const s = Math.max(0, Math.floor((now - new Date(since).getTime()) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h${m % 60 ? `${m % 60}m` : ''}` : `${Math.floor(h / 24)}d`;
}

export function asList(items: KubeObject[], format: 'json' | 'yaml'): string {
  const list = { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items };
  return format === 'json' ? JSON.stringify(list, null, 4) + '\n' : stringify(list);
}

function podState(p: V1Pod): string {
  const waiting = p.status?.containerStatuses?.find((c) => c.state?.waiting && c.state.waiting.reason !== 'ContainerCreating');
  if (waiting) return waiting.state?.waiting?.reason ?? 'Waiting';
  const terminated = p.status?.containerStatuses?.find((c) => c.state?.terminated);
  if (terminated && p.status?.phase !== 'Running') return terminated.state?.terminated?.reason ?? 'Terminated';
  if (p.status?.phase === 'Pending' && p.spec?.nodeName) return 'ContainerCreating';
  return p.status?.phase ?? 'Pending';
}

export function podTable(pods: V1Pod[], opts: { allNamespaces: boolean; wide: boolean }): string {
  if (pods.length === 0) return 'No resources found.\n';
  const head = [...(opts.allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', ...(opts.wide ? ['IP', 'NODE'] : [])];
  const rows = pods.map((p) => {
    const cs = p.status?.containerStatuses ?? [];
    const ready = `${cs.filter((c) => c.ready).length}/${p.spec?.containers.length ?? 0}`;
    const restarts = String(cs.reduce((n, c) => n + c.restartCount, 0));
    return [
      ...(opts.allNamespaces ? [p.metadata?.namespace ?? ''] : []),
      p.metadata?.name ?? '', ready, podState(p), restarts, age(p.status?.startTime),
      ...(opts.wide ? [(p.status?.podIPs ?? []).map((i) => i.ip).join(',') || '<none>', p.spec?.nodeName ?? '<none>'] : []),
    ];
  });
  return table([head, ...rows]);
}

export function nodeTable(nodes: V1Node[], opts: { wide: boolean; backend: string }): string {
  const head = ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', ...(opts.wide ? ['INTERNAL-IP', 'POD-CIDRS', 'BACKEND'] : [])];
  const rows = nodes.map((n) => [
    n.metadata?.name ?? '', n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? 'Ready' : 'NotReady',
    '<none>', age(n.metadata?.creationTimestamp), 'podnet',
    ...(opts.wide ? [(n.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address).join(','), (n.spec?.podCIDRs ?? []).join(','), opts.backend] : []),
  ]);
  return table([head, ...rows]);
}
