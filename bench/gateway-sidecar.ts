// The mesh sidecar's row (issue 11: p99 added < 2 ms at 1,000 rps through two proxies, under
// 0.3 vCPU and 40 MB per 1,000 rps): a fixed 1,000 requests/s, open loop (paced-client-main.ts),
// straight to the upstream, then through one and two proxies of each kind. "Added" is the
// proxied quantile minus the direct one; CPU is the proxies' user + system seconds over the run
// per 1,000 requests (= vCPU at 1,000 rps), RSS their resident memory at the end.
import type { ChildProcess } from 'node:child_process';
import { latencyStats, table } from './report.js';
import { paced, usage } from './gateway-procs.js';

export interface SidecarTarget {
  label: string;
  url: string;
  /** The proxy processes this path goes through (each with its children). */
  procs: ChildProcess[];
}

export async function sidecarRows(root: string, direct: string, targets: SidecarTarget[], rate: number, seconds: number): Promise<void> {
  const base = await paced(root, direct, rate, seconds);
  const b = latencyStats(base.latenciesMs);
  const rows: string[][] = [['direct (no proxy)', `${b.p50.toFixed(2)} / ${b.p99.toFixed(2)}`, '-', '-', '-', '-', String(base.failed)]];
  for (const t of targets) {
    const pids = t.procs.map((p) => p.pid ?? -1);
    const before = pids.map((pid) => usage(pid).cpuSeconds);
    const r = await paced(root, t.url, rate, seconds);
    const after = pids.map((pid) => usage(pid));
    const cpu = after.reduce((s, u, i) => s + u.cpuSeconds - before[i], 0);
    const rss = after.reduce((s, u) => s + u.rssBytes, 0);
    const l = latencyStats(r.latenciesMs);
    // The run includes the 1 s warm-up (its CPU was spent too): per 1,000 of all requests sent.
    const perThousand = cpu / (r.sent / 1000);
    rows.push([
      t.label,
      `${l.p50.toFixed(2)} / ${l.p99.toFixed(2)}`,
      `${(l.p50 - b.p50).toFixed(2)}`,
      `${(l.p99 - b.p99).toFixed(2)}`,
      perThousand.toFixed(3),
      `${Math.round(rss / 1e6)}`,
      String(r.failed),
    ]);
  }
  console.log(`sidecar: ${rate} requests/s open loop (latency from each request's scheduled time), ${seconds} s after a 1 s warm-up, keep-alive; one worker per proxy`);
  console.log(table(['path', 'p50 / p99 ms', 'added p50 ms', 'added p99 ms', 'proxy CPU s per 1,000 req', 'proxy RSS MB', 'failed'], rows));
  console.log('goals (issue 11, two proxies): added p99 < 2 ms, < 0.3 CPU s per 1,000 requests, < 40 MB per 1,000 rps');
}
