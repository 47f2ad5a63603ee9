// kubectl-style output: aligned tables, ages like `5m3s`, and `-o json|yaml` as a Kubernetes List.
import { stringify } from 'yaml';
import type { KubeObject, V1EndpointSlice, V1NetworkPolicy, V1Node, V1Pod, V1Service } from '../api/types.js';

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

export interface TableOptions {
  allNamespaces: boolean;
  wide: boolean;
  /** Clock for the AGE column (ms since the epoch); tests pin it. */
  now?: number;
}

/** `kubectl get svc`, as kubectl's printService: only the primary ClusterIP is shown, even when dual-stack. */
export function serviceTable(services: V1Service[], opts: TableOptions): string {
  if (services.length === 0) return 'No resources found.\n';
  const head = [...(opts.allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', ...(opts.wide ? ['SELECTOR'] : [])];
  const rows = services.map((s) => {
    const spec = s.spec ?? {};
    const ports = (spec.ports ?? []).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
    const selector = Object.keys(spec.selector ?? {}).sort().map((k) => `${k}=${spec.selector?.[k]}`).join(',');
    return [
      ...(opts.allNamespaces ? [s.metadata?.namespace ?? ''] : []),
      s.metadata?.name ?? '', spec.type ?? 'ClusterIP', spec.clusterIPs?.[0] ?? (spec.clusterIP || '<none>'), externalIP(s, opts.wide),
      ports || '<none>', age(s.metadata?.creationTimestamp, opts.now),
      ...(opts.wide ? [selector || '<none>'] : []),
    ];
  });
  return table([head, ...rows]);
}

/** kubectl's column is at most 16 characters outside -o wide. */
const LOAD_BALANCER_WIDTH = 16;

function externalIP(s: V1Service, wide: boolean): string {
  const spec = s.spec ?? {};
  const external = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length > 0 ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = [...new Set((s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname || '').filter(Boolean))].sort();
      let lb = ingress.join(',');
      if (!wide && lb.length > LOAD_BALANCER_WIDTH) lb = `${lb.slice(0, LOAD_BALANCER_WIDTH - 3)}...`;
      const all = [...(lb ? lb.split(',') : []), ...external];
      return all.length > 0 ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** `kubectl get endpointslices`: up to three ports and addresses, then `+ N more...`. */
export function endpointSliceTable(slices: V1EndpointSlice[], opts: TableOptions): string {
  if (slices.length === 0) return 'No resources found.\n';
  const head = [...(opts.allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'];
  const rows = slices.map((s) => [
    ...(opts.allNamespaces ? [s.metadata?.namespace ?? ''] : []),
    s.metadata?.name ?? '', s.addressType,
    firstThree((s.ports ?? []).map((p) => (p.port !== undefined ? String(p.port) : p.name !== undefined ? p.name : '*'))),
    firstThree((s.endpoints ?? []).flatMap((e) => e.addresses)),
    age(s.metadata?.creationTimestamp, opts.now),
  ]);
  return table([head, ...rows]);
}

/** kubectl's listWithMoreString. */
function firstThree(items: string[]): string {
  const max = 3;
  if (items.length > max) return `${items.slice(0, max).join(',')} + ${items.length - max} more...`;
  return items.join(',') || '<unset>';
}

/** `kubectl get networkpolicies`: NAME POD-SELECTOR AGE, the selector as `k=v,k in (a,b)` or `<none>` for all pods. */
export function networkPolicyTable(policies: V1NetworkPolicy[], opts: { allNamespaces: boolean; now?: number }): string {
  if (policies.length === 0) return 'No resources found.\n';
  const head = [...(opts.allNamespaces ? ['NAMESPACE'] : []), 'NAME', 'POD-SELECTOR', 'AGE'];
  const rows = policies.map((p) => {
    const sel = p.spec?.podSelector;
    const parts = [
      ...Object.entries(sel?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
      ...(sel?.matchExpressions ?? []).map((e) => {
        if (e.operator === 'Exists') return e.key;
        if (e.operator === 'DoesNotExist') return `!${e.key}`;
        return `${e.key} ${e.operator === 'In' ? 'in' : 'notin'} (${(e.values ?? []).join(',')})`;
      }),
    ];
    return [...(opts.allNamespaces ? [p.metadata?.namespace ?? ''] : []), p.metadata?.name ?? '', parts.join(',') || '<none>', age(p.metadata?.creationTimestamp, opts.now)];
  });
  return table([head, ...rows]);
}
