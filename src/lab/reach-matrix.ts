// `podnet probe matrix`: the reachability matrix measured with real connections, one prober per
// source (a pod's netns, or a node's for node rows) trying every destination pod on every asked
// port, all in parallel and each try bounded by a timeout (denied traffic is dropped, so it shows as
// a timeout). With hairpin targets, a pod's cell to itself goes through its own Service VIP.
import { fileURLToPath } from 'node:url';
import type { Family } from '../api/cidr.js';
import type { V1Pod } from '../api/types.js';
import { nodeRow, type Matrix, type Protocol } from '../netpol/index.js';
import { run } from '../sys/exec.js';
import { nodeNetns, podNetns } from './names.js';
import type { ReachResult, ReachTarget } from './probe/types.js';

const REACH = fileURLToPath(new URL('./probe/reach-main.js', import.meta.url));

export interface PortCase {
  port: number;
  protocol: Protocol;
}

export interface ProbeOptions {
  family?: Family;
  timeoutMs?: number;
  /** Sources probing at once. */
  parallel?: number;
  /** Node names: one more source row per node (`node/NAME`), probing from the node's own netns. */
  nodes?: string[];
  /** The VIP and port through which a pod reaches itself for a case (PolicyModel#hairpinTarget). */
  hairpin?: (pod: string, c: PortCase) => { ip: string; port: number } | undefined;
}

function podId(p: V1Pod): string {
  return `${p.metadata?.namespace ?? 'default'}/${p.metadata?.name}`;
}

function addressOf(p: V1Pod, family: Family): string | undefined {
  return (p.status?.podIPs ?? []).map((i) => i.ip).find((ip) => ip.includes(':') === (family === 6));
}

interface Source {
  row: string;
  netns: string;
  /** The pod itself, whose cell to itself may go through its VIP. */
  pod?: string;
}

/** A measured matrix, with what each failed try met (`timeout`, `ECONNREFUSED`, ...), for summaries. */
export interface MeasuredMatrix extends Matrix {
  /** errors[row][column], undefined where the try succeeded. */
  errors: (string | undefined)[][];
}

/** One measured matrix per case, over the given pods (rows and columns in the given order). */
export async function probeMatrices(lab: string, pods: V1Pod[], cases: PortCase[], opts: ProbeOptions = {}): Promise<MeasuredMatrix[]> {
  const family = opts.family ?? 4;
  const ids = pods.map(podId);
  const targets: ReachTarget[] = pods.flatMap((p) => {
    const ip = addressOf(p, family);
    return ip ? cases.map((c, i) => ({ id: podId(p), ip, port: c.port, protocol: c.protocol, case: i })) : [];
  });
  const sources: Source[] = [
    ...pods.map((p) => ({ row: podId(p), pod: podId(p), netns: podNetns(lab, p.metadata?.namespace ?? 'default', p.metadata?.name ?? '') })),
    ...(opts.nodes ?? []).map((n) => ({ row: nodeRow(n), netns: nodeNetns(lab, n) })),
  ];
  /** A pod's own cell goes through its VIP where it has one. */
  const targetsOf = (src: Source): ReachTarget[] => targets.map((t) => {
    const via = src.pod === t.id && opts.hairpin ? opts.hairpin(t.id, cases[t.case ?? 0]) : undefined;
    return via ? { ...t, ip: via.ip, port: via.port, via: `${via.ip}:${via.port}` } : t;
  });
  const results = new Map<string, ReachResult[]>();
  let next = 0;
  const worker = async () => {
    while (next < sources.length) {
      const src = sources[next++];
      const input = JSON.stringify({ targets: targetsOf(src), timeoutMs: opts.timeoutMs ?? 1000, concurrency: 64 });
      const out = await run('ip', ['netns', 'exec', src.netns, process.execPath, REACH], { input });
      results.set(src.row, JSON.parse(out.stdout) as ReachResult[]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.parallel ?? 9, sources.length) }, worker));
  const hairpin = opts.hairpin !== undefined;
  // One lookup per cell: a find() over each row's results made a 1,000-pod matrix O(pods³).
  const byRow = new Map<string, Map<string, ReachResult>>();
  for (const [row, rs] of results) byRow.set(row, new Map(rs.map((x) => [`${x.case}|${x.id}`, x])));
  return cases.map((c, i) => {
    const cell = (from: Source, to: string) => byRow.get(from.row)?.get(`${i}|${to}`);
    return {
      port: c.port, protocol: c.protocol, family, pods: ids,
      ...(opts.nodes?.length ? { nodes: opts.nodes.map(nodeRow) } : {}),
      ...(hairpin ? { diagonal: 'hairpin' as const } : {}),
      allowed: sources.map((from) => ids.map((to) => cell(from, to)?.ok ?? false)),
      errors: sources.map((from) => ids.map((to) => {
        const r = cell(from, to);
        return r?.ok ? undefined : (r?.error ?? 'not measured');
      })),
    };
  });
}
