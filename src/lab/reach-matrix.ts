// `podnet probe matrix`: the reachability matrix measured with real connections, one prober per
// source pod (inside its netns) trying every destination pod on every asked port, all in parallel
// and each try bounded by a timeout (denied traffic is dropped, so it shows as a timeout).
import { fileURLToPath } from 'node:url';
import type { Family } from '../api/cidr.js';
import type { V1Pod } from '../api/types.js';
import type { Matrix, Protocol } from '../netpol/index.js';
import { run } from '../sys/exec.js';
import { podNetns } from './names.js';
import type { ReachResult, ReachTarget } from './probe/types.js';

const REACH = fileURLToPath(new URL('./probe/reach-main.js', import.meta.url));

export interface PortCase {
  port: number;
  protocol: Protocol;
}

export interface ProbeOptions {
  family?: Family;
  timeoutMs?: number;
  /** Source pods probing at once. */
  parallel?: number;
}

function podId(p: V1Pod): string {
  return `${p.metadata?.namespace ?? 'default'}/${p.metadata?.name}`;
}

function addressOf(p: V1Pod, family: Family): string | undefined {
  return (p.status?.podIPs ?? []).map((i) => i.ip).find((ip) => ip.includes(':') === (family === 6));
}

/** One measured matrix per case, over the given pods (rows and columns in the given order). */
export async function probeMatrices(lab: string, pods: V1Pod[], cases: PortCase[], opts: ProbeOptions = {}): Promise<Matrix[]> {
  const family = opts.family ?? 4;
  const ids = pods.map(podId);
  const targets: ReachTarget[] = pods.flatMap((p) => {
    const ip = addressOf(p, family);
    return ip ? cases.map((c) => ({ id: podId(p), ip, port: c.port, protocol: c.protocol })) : [];
  });
  const results = new Map<string, ReachResult[]>();
  let next = 0;
  const worker = async () => {
    while (next < pods.length) {
      const src = pods[next++];
      const input = JSON.stringify({ targets, timeoutMs: opts.timeoutMs ?? 1000, concurrency: 64 });
      const netns = podNetns(lab, src.metadata?.namespace ?? 'default', src.metadata?.name ?? '');
      const out = await run('ip', ['netns', 'exec', netns, process.execPath, REACH], { input });
      results.set(podId(src), JSON.parse(out.stdout) as ReachResult[]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.parallel ?? 9, pods.length) }, worker));
  return cases.map((c) => ({
    port: c.port, protocol: c.protocol, family, pods: ids,
    allowed: ids.map((from) => ids.map((to) =>
      results.get(from)?.find((x) => x.id === to && x.port === c.port && x.protocol === c.protocol)?.ok ?? false)),
  }));
}
