// The latency a ClusterIP hop adds: the same client pod (node-1) asks the same server pod (node-2)
// by its pod IP and by its Service VIP, in alternating rounds so machine noise hits both alike.
import { join } from 'node:path';
import { labUp } from '../src/lab/daemon/launch.js';
import { LabClient } from '../src/lab/daemon/client.js';
import { podNetns } from '../src/lab/names.js';
import { run } from '../src/sys/exec.js';
import type { V1Pod, V1Service } from '../src/api/types.js';
import { downLab, trackLab } from './cleanup.js';
import { latencyStats } from './report.js';

export const SVC_LAB = 'pnbench-svc';

export interface LatencyStats { p50: number; p99: number }
export interface HopResult {
  direct: { fresh: LatencyStats; kept: LatencyStats };
  viaVip: { fresh: LatencyStats; kept: LatencyStats };
  requests: number;
}

export async function benchServiceHop(root: string, rounds: number, perRound: number): Promise<HopResult> {
  trackLab(SVC_LAB);
  try {
    await labUp({ files: [join(root, 'bench', 'manifests', 'service-latency.yaml')], name: SVC_LAB, nodes: 2, backend: 'routed' });
    const client = new LabClient(SVC_LAB);
    const pods = (await client.list('Pod')) as unknown as V1Pod[];
    const server = pods.find((p) => p.metadata?.name === 'server')?.status?.podIP;
    const svc = (await client.list('Service')).find((s) => s.metadata.name === 'server') as unknown as V1Service | undefined;
    const vip = svc?.spec?.clusterIP;
    if (!server || !vip) throw new Error('service-latency lab: no server pod IP or Service VIP');
    const netns = podNetns(SVC_LAB, 'default', 'client');
    const prog = join(root, 'dist', 'bench', 'latency-client-main.js');
    const measure = async (url: string) => {
      const r = await run('ip', ['netns', 'exec', netns, process.execPath, prog, url, String(perRound)], { timeoutMs: 120_000 });
      return JSON.parse(r.stdout) as { fresh: number[]; kept: number[] };
    };
    // The VIP answers only once the proxy has the endpoint; wait for it rather than measure a miss.
    for (let i = 0; i < 50; i++) {
      const ok = await run('ip', ['netns', 'exec', netns, process.execPath, prog, `http://${vip}/hostname`, '1'], { allowFail: true });
      if (ok.code === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const direct = { fresh: [] as number[], kept: [] as number[] };
    const viaVip = { fresh: [] as number[], kept: [] as number[] };
    for (let i = 0; i < rounds; i++) {
      const d = await measure(`http://${server}:8080/hostname`);
      const v = await measure(`http://${vip}:80/hostname`);
      direct.fresh.push(...d.fresh);
      direct.kept.push(...d.kept);
      viaVip.fresh.push(...v.fresh);
      viaVip.kept.push(...v.kept);
    }
    return {
      direct: { fresh: latencyStats(direct.fresh), kept: latencyStats(direct.kept) },
      viaVip: { fresh: latencyStats(viaVip.fresh), kept: latencyStats(viaVip.kept) },
      requests: rounds * perRound,
    };
  } finally {
    await downLab(SVC_LAB);
  }
}
