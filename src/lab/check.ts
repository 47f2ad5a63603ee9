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

/**
 * What kind of failure a probe met, from the prober's error text: the first question when a
 * check fails at scale (drops under load time out; a missing listener is refused; a missing route
 * or neighbour is unreachable; NAT shows as a wrong source).
 */
export type FailureClass = 'timeout' | 'refused' | 'unreachable' | 'reset' | 'wrong-source' | 'http-status' | 'other';

export function classify(problem: string): FailureClass {
  if (/timeout|ETIMEDOUT/i.test(problem)) return 'timeout';
  if (/ECONNREFUSED|refused/i.test(problem)) return 'refused';
  if (/EHOSTUNREACH|ENETUNREACH|no route|unreachable/i.test(problem)) return 'unreachable';
  if (/ECONNRESET|socket hang up|reset/i.test(problem)) return 'reset';
  if (/saw source/.test(problem)) return 'wrong-source';
  if (/^failed$/.test(problem)) return 'http-status';
  return 'other';
}

/** Failures counted per class, per protocol, and per node pair (`node-1 -> node-2`), largest first. */
export function summarizeFailures(failures: CheckFailure[], nodeOf: (pod: string) => string | undefined): string[] {
  const count = (keys: string[]) => {
    const m = new Map<string, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k, n]) => `${k} ${n}`).join(', ');
  };
  if (failures.length === 0) return [];
  return [
    `failed by class: ${count(failures.map((f) => classify(f.problem)))}`,
    `failed by protocol: ${count(failures.map((f) => f.protocol))}`,
    `failed by node pair: ${count(failures.map((f) => `${nodeOf(f.from) ?? '?'} -> ${nodeOf(f.to) ?? '?'}`))}`,
  ];
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
  /** Lines counting the failures by class, protocol and node pair (empty when all passed). */
  summary: string[];
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
  const summary = summarizeFailures(failures, (id) => nodeOf.get(id));
  return { pods: plan.length, probes, crossNode, passed: probes - failures.length, failures, medianMs: times[Math.floor(times.length / 2)] ?? 0, summary };
}
