// NetworkPolicy at scale: 1,000 pods and 500 policies (default-deny per namespace, per-app allows,
// cross-namespace selectors, ipBlocks with excepts, numeric, named and ranged ports), all pods on
// one node (the worst case for one ruleset). Measures computing the plan, applying it with one
// `nft -f` in a scratch netns, and then a one-pod label change end to end (plan, diff, apply).
// Usage from bench/main.ts: `await benchNetpol({ quick })`; standalone: `node dist/bench/netpol.js [--quick]`.
import { fileURLToPath } from 'node:url';
import { planPolicy, planStats, type PlanStats, type PolicyPlan, type PolicyPlanInput } from '../src/netpol/plan.js';
import { renderFull, renderUpdate } from '../src/netpol/render.js';
import { NAMESPACE_NAME_LABEL, type PodInfo, type PolicyWorld } from '../src/netpol/types.js';
import type { V1NetworkPolicy } from '../src/api/types.js';
import { run } from '../src/sys/exec.js';
import { deleteNetns, trackNetns } from './cleanup.js';
import { fmtMs, median, table } from './report.js';

export interface NetpolBenchResult {
  pods: number;
  policies: number;
  stats: PlanStats;
  scriptBytes: number;
  /** planPolicy + renderFull, median. */
  computeMs: number;
  /** One `nft -f` of the full ruleset into an empty table, median. */
  applyMs: number;
  update: { computeMs: number; applyMs: number; totalMs: number; statements: number };
}

const NAMESPACES = 20;
const APPS = 10;
const NODE = 'node-1';
/** 25 policies per namespace: 1 deny-ingress, 1 deny-egress, 10 per-app, 5 cross-team, 3 ipBlock, 5 cross-namespace egress. */
const KIND_BY_ROUND = [0, 1, ...Array<number>(10).fill(2), ...Array<number>(5).fill(3), ...Array<number>(3).fill(4), ...Array<number>(5).fill(5)];

/** A deterministic cluster: `pods` spread over 20 namespaces of 10 apps each, `policies` of six kinds. */
export function benchWorld(pods = 1000, policies = 500): PolicyWorld {
  const namespaces = Array.from({ length: NAMESPACES }, (_, i) => ({
    name: `team-${i}`,
    labels: { [NAMESPACE_NAME_LABEL]: `team-${i}`, team: `t${i % 5}`, env: i % 2 ? 'staging' : 'prod' },
  }));
  const podList: PodInfo[] = Array.from({ length: pods }, (_, i) => {
    const ns = i % NAMESPACES;
    const app = Math.floor(i / NAMESPACES) % APPS;
    return {
      namespace: `team-${ns}`,
      name: `app-${app}-${i}`,
      labels: { app: `app-${app}`, tier: ['frontend', 'backend', 'db'][app % 3], version: i % 2 ? 'v2' : 'v1' },
      ips: [`10.244.${Math.floor(i / 250)}.${(i % 250) + 2}`],
      node: NODE,
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }, ...(app === 0 ? [{ name: 'dns', port: 53, protocol: 'UDP' as const }] : [])],
    };
  });
  const out: V1NetworkPolicy[] = [];
  // Specs as manifests write them (`from`, not the client library's `_from`).
  const np = (namespace: string, name: string, spec: Record<string, unknown>) => out.push({ metadata: { namespace, name }, spec } as V1NetworkPolicy);
  for (let n = 0; out.length < policies; n++) {
    const ns = `team-${n % NAMESPACES}`;
    const round = Math.floor(n / NAMESPACES);
    const app = `app-${round % APPS}`;
    const other = `team-${(n * 7 + 3) % NAMESPACES}`;
    switch (KIND_BY_ROUND[round % KIND_BY_ROUND.length]) {
      case 0: np(ns, 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] }); break;
      case 1: np(ns, 'default-deny-egress-but-dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'team-0' } }, podSelector: { matchLabels: { app: 'app-0' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }] }); break;
      case 2: np(ns, `allow-${app}-${round}`, { podSelector: { matchLabels: { app } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { tier: 'frontend' } } }, { podSelector: { matchLabels: { app } } }], ports: [{ port: round % 2 ? 8080 : 'http' }] }] }); break;
      case 3: np(ns, `from-teams-${round}`, { podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['backend', 'db'] }] }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: `t${round % 5}` } }, podSelector: { matchLabels: { tier: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 8080, endPort: 8090 }, { protocol: 'TCP', port: 'metrics' }] }] }); break;
      case 4: np(ns, `egress-cidr-${round}`, { podSelector: { matchLabels: { version: 'v2' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.244.0.0/16', `10.${round}.0.0/16`] } }, { ipBlock: { cidr: `192.168.${round}.0/24` } }], ports: [{ protocol: 'TCP', port: 443 }] }] }); break;
      default: np(ns, `egress-to-${other}-${round}`, { podSelector: { matchLabels: { app } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: other } }, podSelector: { matchLabels: { app: `app-${(round + 1) % APPS}` } } }], ports: [{ protocol: 'TCP', port: 'http' }] }] });
    }
  }
  return { pods: podList, namespaces, policies: out };
}

function timed<T>(f: () => T): { value: T; ms: number } {
  const t0 = process.hrtime.bigint();
  const value = f();
  return { value, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

async function timedAsync(f: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export async function benchNetpol(opts: { quick: boolean }): Promise<NetpolBenchResult> {
  const reps = opts.quick ? 1 : 5;
  const world = benchWorld();
  const input: PolicyPlanInput = { ...world, node: { name: NODE, podCIDRs: ['10.244.0.0/16'] } };
  const netns = `pnbench-np-${process.pid}`;
  trackNetns(netns);
  try {
    await run('ip', ['netns', 'add', netns]);
    const nft = (script: string) => run('nft', ['-f', '-'], { input: script, netns });
    const compute: number[] = [];
    const apply: number[] = [];
    let plan: PolicyPlan | undefined;
    let script = '';
    for (let i = 0; i < reps; i++) {
      const c = timed(() => {
        const p = planPolicy(input);
        return { p, s: renderFull(p) };
      });
      compute.push(c.ms);
      plan = c.value.p;
      script = c.value.s;
      await nft('add table inet podnet-policy\ndelete table inet podnet-policy\n');
      apply.push(await timedAsync(() => nft(script)));
    }
    // One pod changes its app label (and back, alternately): new set elements, maybe a new pod chain.
    const upd = { compute: [] as number[], apply: [] as number[], total: [] as number[], statements: 0 };
    const victim = world.pods[123];
    const labels = [{ ...victim.labels, app: 'app-9', tier: 'frontend' }, victim.labels];
    for (let i = 0; i < Math.max(3, reps * 2); i++) {
      const t0 = process.hrtime.bigint();
      const pods = world.pods.map((p) => (p === victim ? { ...p, labels: labels[i % 2] } : p));
      const c = timed(() => {
        const next = planPolicy({ ...input, pods });
        return { next, s: renderUpdate(plan!, next) };
      });
      const a = await timedAsync(() => nft(c.value.s));
      upd.total.push(Number(process.hrtime.bigint() - t0) / 1e6);
      upd.compute.push(c.ms);
      upd.apply.push(a);
      upd.statements = c.value.s.split('\n').filter(Boolean).length;
      plan = c.value.next;
    }
    return {
      pods: world.pods.length,
      policies: world.policies.length,
      stats: planStats(plan!),
      scriptBytes: script.length,
      computeMs: median(compute),
      applyMs: median(apply),
      update: { computeMs: median(upd.compute), applyMs: median(upd.apply), totalMs: median(upd.total), statements: upd.statements },
    };
  } finally {
    await deleteNetns(netns);
  }
}

export function printNetpol(r: NetpolBenchResult): void {
  const s = r.stats;
  console.log(`${r.pods} pods, ${r.policies} policies on one node: ${s.chains} chains, ${s.rules} rules, ${s.sets} sets with ${s.setElements} elements, ${s.mapElements} map elements, ${(r.scriptBytes / 1024).toFixed(0)} KiB of nft`);
  console.log(table(['step', 'median', 'goal'], [
    ['compute (plan + render)', fmtMs(r.computeMs), ''],
    ['apply (nft -f, full)', fmtMs(r.applyMs), ''],
    ['compute + apply', fmtMs(r.computeMs + r.applyMs), '< 2 s'],
    [`one-pod label change (plan ${fmtMs(r.update.computeMs)}, nft ${fmtMs(r.update.applyMs)}, ${r.update.statements} statements)`, fmtMs(r.update.totalMs), '< 100 ms'],
  ]));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printNetpol(await benchNetpol({ quick: process.argv.includes('--quick') }));
}
