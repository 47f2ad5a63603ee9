// `podnet check`: every netexec pod asks every other netexec pod, on every pod IP (both families in
// dual-stack), over TCP and UDP, who is calling; the answer must be the caller's own pod IP (no NAT).
import { fileURLToPath } from 'node:url';
import type { V1Pod } from '../api/types.js';
import { run } from '../sys/exec.js';
import { podNetns } from './names.js';
import { isAgnhost } from './images.js';
import type { ProbeResult, ProbeTarget } from './probe/types.js';

const PROBER = fileURLToPath(new URL('./probe/prober-main.js', import.meta.url));

export interface CheckFailure {
  from: string;
  to: string;
  ip: string;
  protocol: string;
  problem: string;
}

export interface CheckReport {
  pods: number;
  probes: number;
  passed: number;
  failures: CheckFailure[];
  /** Probes whose source and target pods sit on different nodes. */
  crossNode: number;
  /** Median probe round trip, ms (includes connection setup). */
  medianMs: number;
}

/** netexec's ports from its flags (defaults 8080/tcp and 8081/udp, as upstream). */
export function netexecPorts(pod: V1Pod): { port?: number; udpPort?: number } | undefined {
  for (const c of pod.spec?.containers ?? []) {
    if (!isAgnhost(c.image ?? '')) continue;
    const argv = [...(c.command ?? []), ...(c.args ?? [])];
    if (!argv.includes('netexec')) continue;
    const flag = (name: string, dflt: number) => {
      for (let i = 0; i < argv.length; i++) {
        const m = new RegExp(`^--?${name}=(-?\\d+)$`).exec(argv[i]);
        if (m) return Number(m[1]);
        if (argv[i] === `--${name}` || argv[i] === `-${name}`) return Number(argv[i + 1]);
      }
      return dflt;
    };
    const port = flag('http-port', 8080);
    const udpPort = flag('udp-port', 8081);
    return { port: port > 0 ? port : undefined, udpPort: udpPort > 0 ? udpPort : undefined };
  }
  return undefined;
}

export function checkTargets(pods: V1Pod[]): { pod: V1Pod; targets: ProbeTarget[] }[] {
  const servers = pods.filter((p) => p.status?.phase === 'Running' && netexecPorts(p));
  const all: ProbeTarget[] = servers.flatMap((p) =>
    (p.status?.podIPs ?? []).map((ip) => ({ id: `${p.metadata?.namespace}/${p.metadata?.name}`, ip: ip.ip, ...netexecPorts(p) })),
  );
  return servers.map((pod) => ({ pod, targets: all.filter((t) => t.id !== `${pod.metadata?.namespace}/${pod.metadata?.name}`) }));
}

export function judge(from: V1Pod, results: ProbeResult[]): CheckFailure[] {
  const own = new Set((from.status?.podIPs ?? []).map((p) => p.ip));
  const id = `${from.metadata?.namespace}/${from.metadata?.name}`;
  return results.flatMap((r) => {
    if (!r.ok) return [{ from: id, to: r.target, ip: r.ip, protocol: r.protocol, problem: r.error ?? 'failed' }];
    if (!r.seen || !own.has(r.seen)) return [{ from: id, to: r.target, ip: r.ip, protocol: r.protocol, problem: `target saw source ${r.seen}, not the pod IP` }];
    return [];
  });
}

export async function checkConnectivity(lab: string, pods: V1Pod[], opts: { timeoutMs?: number; parallel?: number } = {}): Promise<CheckReport> {
  const plan = checkTargets(pods);
  const failures: CheckFailure[] = [];
  const times: number[] = [];
  const nodeOf = new Map(pods.map((p) => [`${p.metadata?.namespace}/${p.metadata?.name}`, p.spec?.nodeName]));
  let probes = 0;
  let crossNode = 0;
  let next = 0;
  const worker = async () => {
    while (next < plan.length) {
      const { pod, targets } = plan[next++];
      const netns = podNetns(lab, pod.metadata?.namespace ?? 'default', pod.metadata?.name ?? '');
      const input = JSON.stringify({ targets, timeoutMs: opts.timeoutMs ?? 3000, concurrency: 16 });
      const out = await run('ip', ['netns', 'exec', netns, process.execPath, PROBER], { input });
      const results = JSON.parse(out.stdout) as ProbeResult[];
      probes += results.length;
      crossNode += results.filter((r) => nodeOf.get(r.target) !== pod.spec?.nodeName).length;
      times.push(...results.map((r) => r.ms));
      failures.push(...judge(pod, results));
    }
  };
  await Promise.all(Array.from({ length: Math.min(opts.parallel ?? 4, plan.length) }, worker));
  times.sort((a, b) => a - b);
  return { pods: plan.length, probes, crossNode, passed: probes - failures.length, failures, medianMs: times[Math.floor(times.length / 2)] ?? 0 };
}
