// What enforcement costs on the wire: one client pod (node-1) against two identical servers on
// node-2, `guarded` (selected by 100 NetworkPolicies, the last of which allows the client, so each
// new connection is judged against all of them) and `open` (selected by none). iperf3 throughput and
// HTTP latency are measured alternately against both, so machine noise hits both alike.
// Before measuring, the bench proves the policies are in force: a pod that no policy allows times out.
import { join } from 'node:path';
import { labUp } from '../src/lab/daemon/launch.js';
import { LabClient } from '../src/lab/daemon/client.js';
import { nodeNetns, podNetns } from '../src/lab/names.js';
import { run } from '../src/sys/exec.js';
import { sleep } from '../src/sys/proc.js';
import type { KubeObject, Loaded, V1Pod } from '../src/api/types.js';
import { downLab, trackLab } from './cleanup.js';
import { iperf } from './throughput.js';
import { fmtGbps, latencyStats, median, ratio, table, type SummaryRow } from './report.js';

export const NPDP_LAB = 'pnbench-np';
const SERVER_NODE = 'node-2';

export interface Latency { p50: number; p99: number }
export interface Side {
  /** iperf3 bits per second, one per repetition */
  tput: number[];
  fresh: Latency;
  kept: Latency;
}
export interface RulesetStats { lines: number; chains: number; rules: number; sets: number; jumpsForGuarded: number }
export interface DataplaneResult {
  policies: number;
  ruleset: RulesetStats;
  /** One line per enforcement probe, e.g. `np-other/intruder -> guarded:5201 timeout (expected timeout)`. */
  checks: string[];
  guarded: Side;
  open: Side;
  /** Median over repetitions of guarded/open throughput of the same repetition. */
  tputRatio: number;
  seconds: number;
  requests: number;
}

const NS = 'np-server';
/** Ways of selecting guarded (app=guarded, tier=backend) that all leave out open (app=open, tier=backend). */
const TARGETS: Record<string, unknown>[] = [
  { matchLabels: { app: 'guarded' } },
  { matchLabels: { app: 'guarded', tier: 'backend' } },
  { matchExpressions: [{ key: 'app', operator: 'In', values: ['guarded', 'billing'] }] },
  { matchExpressions: [{ key: 'tier', operator: 'Exists' }, { key: 'app', operator: 'NotIn', values: ['open'] }] },
];

/**
 * 100 policies selecting guarded, in the mix a real namespace collects: same-namespace and
 * cross-namespace peers, ipBlocks with excepts, port lists, ranges and named ports, egress rules.
 * None admits np-client/client (or np-other/intruder) except the last, `zz-allow-bench-client`:
 * pod chains jump to policy chains in key order, so the client's new connections pass all the others.
 */
export function guardedPolicies(): KubeObject[] {
  const out: KubeObject[] = [];
  const np = (name: string, spec: Record<string, unknown>) =>
    out.push({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { namespace: NS, name }, spec });
  for (let i = 0; i < 99; i++) {
    const podSelector = TARGETS[i % TARGETS.length];
    const tcp = (port: number | string, endPort?: number) => ({ protocol: 'TCP', port, ...(endPort ? { endPort } : {}) });
    switch (i % 8) {
      case 0: np(`frontend-${i}`, { podSelector, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [tcp(9000 + i), tcp('http')] }] }); break;
      case 1: np(`team-${i}`, { podSelector, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: `team-${i % 7}` } }, podSelector: { matchLabels: { app: `svc-${i % 13}` } } }], ports: [tcp(8000 + i), tcp(8443)] }] }); break;
      case 2: np(`cidr-${i}`, { podSelector, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.244.0.0/16', '10.96.0.0/12', `10.${100 + i}.0.0/16`] } }, { ipBlock: { cidr: `192.168.${i}.0/24` } }], ports: [tcp(30000, 32767), tcp(443)] }] }); break;
      case 3: np(`monitoring-${i}`, { podSelector, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'role', operator: 'In', values: ['monitoring', `ops-${i % 5}`] }] } }], ports: [tcp(9100, 9110), { protocol: 'UDP', port: 53 }, tcp('metrics')] }] }); break;
      case 4: np(`egress-dns-${i}`, { podSelector, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.96.0.0/12' } }, { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ protocol: 'UDP', port: 53 }, tcp(53)] }] }); break;
      case 5: np(`api-${i}`, { podSelector, policyTypes: ['Ingress', 'Egress'], ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [`api-${i}`, `worker-${i}`] }] } }], ports: [tcp('http'), tcp(7000 + i, 7000 + i + 20)] }], egress: [{ to: [{ podSelector: { matchLabels: { app: `db-${i % 4}` } } }], ports: [tcp(5432)] }] }); break;
      case 6: np(`scrape-${i}`, { podSelector, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'prometheus' } } }, { ipBlock: { cidr: '172.16.0.0/12', except: ['172.18.0.0/16'] } }], ports: [tcp(9090), tcp(9091, 9099)] }] }); break;
      default: np(`web-${i}`, { podSelector, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['frontend'] }, { key: 'version', operator: 'In', values: ['v1', 'v2'] }] } }, { namespaceSelector: { matchLabels: { team: 'bench', role: 'edge' } } }], ports: [tcp(8080), tcp(8081 + (i % 10))] }] });
    }
  }
  np('zz-allow-bench-client', {
    podSelector: TARGETS[0],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { role: 'load' } }, podSelector: { matchLabels: { app: 'client' } } }], ports: [{ protocol: 'TCP', port: 5201 }, { protocol: 'TCP', port: 8080 }] }],
  });
  return out;
}

type Reach = 'open' | 'refused' | 'timeout';

/** A bare TCP connect from inside `netns`, bounded at 1 s: a drop shows as a timeout, no listener as refused. */
async function tcpReach(netns: string, ip: string, port: number): Promise<Reach> {
  const r = await run('ip', ['netns', 'exec', netns, 'timeout', '1', 'bash', '-c', `exec 3<>/dev/tcp/${ip}/${port}`], { allowFail: true, timeoutMs: 5000 });
  return r.code === 0 ? 'open' : r.code === 124 ? 'timeout' : 'refused';
}

/** Counts in the server node's live table, and the number of policy chains guarded's traffic can pass. */
async function rulesetStats(lab: string, guardedIp: string, openIp: string): Promise<RulesetStats> {
  const text = (await run('ip', ['netns', 'exec', nodeNetns(lab, SERVER_NODE), 'nft', '-a', 'list', 'table', 'inet', 'podnet-policy'])).stdout;
  const lines = text.split('\n').filter((l) => l.trim());
  const chain = new RegExp(`\\b${guardedIp.replace(/\./g, '\\.')} : goto (\\S+)`).exec(text)?.[1];
  if (!chain) throw new Error(`netpol dataplane: ${SERVER_NODE} has no ingress map element for guarded ${guardedIp}`);
  if (new RegExp(`\\b${openIp.replace(/\./g, '\\.')} : goto`).test(text)) throw new Error(`netpol dataplane: open ${openIp} is isolated too`);
  const body = text.slice(text.indexOf(`chain ${chain} {`)).split('\n\t}')[0];
  return {
    lines: lines.length,
    chains: lines.filter((l) => /^\s*chain /.test(l)).length,
    sets: lines.filter((l) => /^\s*(set|map) /.test(l)).length,
    rules: lines.filter((l) => /# handle \d+$/.test(l) && !/^\s*(table|chain|set|map) /.test(l)).length,
    jumpsForGuarded: body.split('\n').filter((l) => /^\s*jump /.test(l)).length,
  };
}

/**
 * Proves the policies are in force before anything is measured (else the bench would compare two
 * open pods): the intruder, with the client's pod labels in a namespace no policy admits, is dropped.
 */
async function verifyEnforced(clientNs: string, intruderNs: string, guardedIp: string, openIp: string): Promise<string[]> {
  // netexec listens a moment after its pod runs; wait for both before judging anything.
  for (let i = 0; i < 50; i++) {
    if ((await tcpReach(clientNs, guardedIp, 8080)) === 'open' && (await tcpReach(clientNs, openIp, 8080)) === 'open') break;
    await sleep(100);
  }
  const checks: string[] = [];
  const expect = async (from: string, netns: string, to: string, ip: string, port: number, want: Reach) => {
    const got = await tcpReach(netns, ip, port);
    checks.push(`${from} -> ${to}:${port} ${got} (expected ${want})`);
    if (got !== want) throw new Error(`netpol dataplane: policies not in force as expected: ${checks[checks.length - 1]}`);
  };
  await expect('np-other/intruder', intruderNs, 'guarded', guardedIp, 5201, 'timeout');
  await expect('np-other/intruder', intruderNs, 'guarded', guardedIp, 8080, 'timeout');
  await expect('np-other/intruder', intruderNs, 'open', openIp, 8080, 'open');
  await expect('np-client/client', clientNs, 'guarded', guardedIp, 8080, 'open');
  // Only the listed ports are allowed: a closed port is dropped on guarded, refused on open.
  await expect('np-client/client', clientNs, 'guarded', guardedIp, 9999, 'timeout');
  await expect('np-client/client', clientNs, 'open', openIp, 9999, 'refused');
  return checks;
}

async function httpSamples(netns: string, prog: string, url: string, n: number): Promise<{ fresh: number[]; kept: number[] }> {
  const r = await run('ip', ['netns', 'exec', netns, process.execPath, prog, url, String(n)], { timeoutMs: 120_000 });
  return JSON.parse(r.stdout) as { fresh: number[]; kept: number[] };
}

export async function benchNetpolDataplane(root: string, opts: { quick: boolean }): Promise<DataplaneResult> {
  const reps = opts.quick ? 1 : 3;
  const seconds = opts.quick ? 2 : 3;
  const rounds = opts.quick ? 2 : 5;
  const perRound = opts.quick ? 200 : 400;
  trackLab(NPDP_LAB);
  try {
    await labUp({ files: [join(root, 'bench', 'manifests', 'netpol-dataplane.yaml')], name: NPDP_LAB, nodes: 2, backend: 'routed' });
    const api = new LabClient(NPDP_LAB);
    const policies = guardedPolicies();
    // apply returns once every node's rules match the store.
    await api.apply(policies.map((object, doc): Loaded => ({ object, source: { file: 'bench/netpol-dataplane.ts', doc } })));
    const pods = (await api.list('Pod')) as unknown as V1Pod[];
    const ipOf = (name: string) => {
      const ip = pods.find((p) => p.metadata?.name === name)?.status?.podIP;
      if (!ip) throw new Error(`netpol dataplane lab: pod ${name} has no IP`);
      return ip;
    };
    const guardedIp = ipOf('guarded');
    const openIp = ipOf('open');
    const clientNs = podNetns(NPDP_LAB, 'np-client', 'client');
    const checks = await verifyEnforced(clientNs, podNetns(NPDP_LAB, 'np-other', 'intruder'), guardedIp, openIp);
    const ruleset = await rulesetStats(NPDP_LAB, guardedIp, openIp);

    const g = { tput: [] as number[], fresh: [] as number[], kept: [] as number[] };
    const o = { tput: [] as number[], fresh: [] as number[], kept: [] as number[] };
    const sides: [typeof g, string][] = [[g, guardedIp], [o, openIp]];
    for (let i = 0; i < reps; i++) {
      for (const [into, ip] of i % 2 ? [...sides].reverse() : sides) into.tput.push(await iperf(clientNs, ip, seconds));
    }
    const prog = join(root, 'dist', 'bench', 'latency-client-main.js');
    for (let i = 0; i < rounds; i++) {
      for (const [into, ip] of i % 2 ? [...sides].reverse() : sides) {
        const s = await httpSamples(clientNs, prog, `http://${ip}:8080/hostname`, perRound);
        into.fresh.push(...s.fresh);
        into.kept.push(...s.kept);
      }
    }
    const side = (s: typeof g): Side => ({ tput: s.tput, fresh: latencyStats(s.fresh), kept: latencyStats(s.kept) });
    return {
      policies: policies.length, ruleset, checks, guarded: side(g), open: side(o),
      tputRatio: median(g.tput.map((x, i) => x / o.tput[i])), seconds, requests: rounds * perRound,
    };
  } finally {
    await downLab(NPDP_LAB);
  }
}

/** Prints the enforcement checks and the guarded/open table; returns the summary rows. */
export function reportNetpolDataplane(r: DataplaneResult): SummaryRow[] {
  const s = r.ruleset;
  console.log(`\n${r.policies} policies select guarded; ${SERVER_NODE}'s table: ${s.lines} lines, ${s.chains} chains, ${s.rules} rules, ${s.sets} sets/maps; a new connection to guarded passes up to ${s.jumpsForGuarded} policy chains`);
  for (const c of r.checks) console.log(`  enforced: ${c}`);
  // Both base chains accept established traffic first, so only a connection's first packet walks the
  // policy chains: throughput should match, and a new connection pays the walk once.
  console.log(`only a connection's first packet walks the policy chains (established is accepted first); new-connection p50 difference: ${((r.guarded.fresh.p50 - r.open.fresh.p50) * 1000).toFixed(0)} us`);
  // Sub-millisecond latencies need more digits than fmtMs gives.
  const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(3)} ms` : 'n/a');
  const runs = (xs: number[]) => xs.map((x) => (x / 1e9).toFixed(2)).join(' ');
  const lat = (what: string, k: 'fresh' | 'kept', p: 'p50' | 'p99') => [what, ms(r.guarded[k][p]), ms(r.open[k][p]), ratio(r.guarded[k][p], r.open[k][p]), ''];
  console.log(table(['client (node-1) -> server (node-2)', 'guarded (100 policies)', 'open (none)', 'guarded/open', 'goal'], [
    [`TCP iperf3 ${r.seconds} s x ${r.guarded.tput.length} (median; ratio of pairs)`, fmtGbps(median(r.guarded.tput)), fmtGbps(median(r.open.tput)), ratio(r.tputRatio, 1), '>= 0.95x'],
    ['  runs (Gbit/s)', runs(r.guarded.tput), runs(r.open.tput), '', ''],
    lat(`HTTP new connection p50 (${r.requests} req)`, 'fresh', 'p50'),
    lat('HTTP new connection p99', 'fresh', 'p99'),
    lat('HTTP kept-alive p50', 'kept', 'p50'),
    lat('HTTP kept-alive p99', 'kept', 'p99'),
  ]));
  const peerName = 'same pod, no policy';
  const row = (metric: string, a: number, b: number, fmt: (x: number) => string, goal: string): SummaryRow => ({ metric, podnet: fmt(a), peer: fmt(b), peerName, ratio: ratio(a, b), goal });
  return [
    { ...row('netpol 100 policies: TCP throughput', median(r.guarded.tput), median(r.open.tput), fmtGbps, '>= 0.95x'), ratio: ratio(r.tputRatio, 1) },
    row('netpol 100 policies: HTTP new conn p50', r.guarded.fresh.p50, r.open.fresh.p50, ms, '-'),
    row('netpol 100 policies: HTTP new conn p99', r.guarded.fresh.p99, r.open.fresh.p99, ms, '-'),
    row('netpol 100 policies: HTTP kept conn p50', r.guarded.kept.p50, r.open.kept.p50, ms, '-'),
  ];
}
