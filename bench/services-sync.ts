// Service proxy sync at scale: 1,000 and 10,000 ClusterIP Services of 10 endpoints each, planned and
// loaded into a throw-away namespace. Compute (planProxy + render) and apply (`nft -f`) are timed
// apart, then a one-endpoint change end to end (plan with the cache + diff + apply). The peer is the
// same Services in kube-proxy's nftables layout (a chain per Service and per endpoint), loaded by the
// same nft; at 10,000 Services it takes over a minute and a gigabyte, so it runs at 1,000 only.
// Usage from bench/main.ts: `await benchServiceSync({ quick })`; standalone: `node dist/bench/services-sync.js [--quick]`.
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { V1EndpointSlice, V1Service } from '../src/api/types.js';
import { nftApply, run } from '../src/sys/exec.js';
import { planProxy, ProxyPlanCache } from '../src/services/proxy/plan.js';
import { countPlan, renderFull, renderUpdate } from '../src/services/proxy/render.js';
import type { ProxyInput } from '../src/services/proxy/types.js';
import { deleteNetns, trackNetns } from './cleanup.js';
import { fmtMs, heading, median, ratio, table, type SummaryRow } from './report.js';

const HERE = fileURLToPath(import.meta.url);
const ENDPOINTS = 10;
const NODES = ['node-1', 'node-2', 'node-3'];

export interface ServiceSyncResult {
  services: number;
  computeMs: number;
  applyMs: number;
  /** A full replace over the loaded table (the periodic resync). */
  reapplyMs: number;
  change: { planMs: number; diffMs: number; applyMs: number; totalMs: number };
  counts: ReturnType<typeof countPlan>;
  scriptBytes: number;
  /** kube-proxy's layout for the same Services, loaded by the same nft (1,000 Services only). */
  peerApplyMs?: number;
}

const svcIP = (i: number) => `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
const podIP = (k: number) => `10.${244 + (k >> 16)}.${(k >> 8) & 255}.${k & 255}`;

let rv = 0;
function endpointSlice(s: number, ips: string[]): V1EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    // resourceVersion as the store sets it: the plan cache keys on it.
    metadata: { name: `svc-${s}-abcde`, namespace: 'bench', resourceVersion: String(++rv), labels: { 'kubernetes.io/service-name': `svc-${s}` } },
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: ips.map((ip, j) => ({ addresses: [ip], nodeName: NODES[j % NODES.length], conditions: { ready: true, serving: true, terminating: false } })),
  };
}

function generate(n: number): { services: V1Service[]; slices: V1EndpointSlice[] } {
  const services: V1Service[] = Array.from({ length: n }, (_, s) => ({
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: `svc-${s}`, namespace: 'bench', resourceVersion: String(++rv) },
    spec: { type: 'ClusterIP', clusterIP: svcIP(s), clusterIPs: [svcIP(s)], ipFamilies: ['IPv4'], ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] },
  }));
  const slices = Array.from({ length: n }, (_, s) => endpointSlice(s, Array.from({ length: ENDPOINTS }, (_, j) => podIP(s * ENDPOINTS + j))));
  return { services, slices };
}

function proxyInput(services: V1Service[], slices: V1EndpointSlice[]): ProxyInput {
  return {
    node: { name: 'node-1', underlayIPs: ['172.18.0.2'] },
    nodes: NODES,
    config: { ipFamily: 'ipv4', podCIDRs: ['10.244.0.0/14'], serviceCIDRs: ['10.96.0.0/12'], loadBalancerPools: ['172.18.0.240/28'] },
    services,
    endpointSlices: slices,
  };
}

/** kube-proxy's nftables shape (pkg/proxy/nftables): service-ips → service chain → numgen vmap → endpoint chains. */
function kubeProxyLayout(services: V1Service[], slices: V1EndpointSlice[]): string {
  const out = ['add table ip kube-proxy-bench', 'delete table ip kube-proxy-bench', 'table ip kube-proxy-bench {', 'chain mark-for-masquerade {', 'meta mark set meta mark | 0x4000', '}'];
  const elements: string[] = [];
  services.forEach((svc, s) => {
    const chain = `service-bench/${svc.metadata?.name}/tcp/http`;
    elements.push(`${svc.spec?.clusterIP} . tcp . 80 : goto ${chain}`);
    const eps = (slices[s].endpoints ?? []).map((e) => e.addresses[0]);
    const arms = eps.map((ip, i) => `${i} : goto endpoint-${svc.metadata?.name}__${ip}/8080`);
    out.push(`chain ${chain} {`, `ip daddr ${svc.spec?.clusterIP} tcp dport 80 ip saddr != 10.244.0.0/14 jump mark-for-masquerade`, `numgen random mod ${eps.length} vmap { ${arms.join(', ')} }`, '}');
    for (const ip of eps) out.push(`chain endpoint-${svc.metadata?.name}__${ip}/8080 {`, `ip saddr ${ip} jump mark-for-masquerade`, `meta l4proto tcp dnat to ${ip}:8080`, '}');
  });
  out.push('map service-ips {', 'type ipv4_addr . inet_proto . inet_service : verdict', `elements = { ${elements.join(',\n')} }`, '}');
  out.push('chain nat-prerouting {', 'type nat hook prerouting priority dstnat; policy accept;', 'ip daddr . meta l4proto . th dport vmap @service-ips', '}', '}');
  return out.join('\n') + '\n';
}

async function timed<T>(fn: () => Promise<T> | T): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await fn();
  return [r, performance.now() - t0];
}

async function measure(netns: string, n: number, reps: number, changes: number): Promise<ServiceSyncResult> {
  const { services, slices } = generate(n);
  const cache = new ProxyPlanCache();
  const [[plan, script], computeMs] = await timed(() => {
    const p = planProxy(proxyInput(services, slices), cache);
    return [p, renderFull(p)] as const;
  });
  const [, applyMs] = await timed(() => nftApply(script, { netns }));
  const reapply: number[] = [];
  for (let i = 0; i < reps; i++) reapply.push((await timed(() => nftApply(script, { netns })))[1]);
  // The kernel has them all: one map element per Service.
  const listed = await run('nft', ['list', 'map', 'inet', 'podnet-proxy', 'service-ips-v4'], { netns });
  const loaded = (listed.stdout.match(/ : goto /g) ?? []).length;
  if (loaded !== n) throw new Error(`service-ips-v4 holds ${loaded} elements, expected ${n}`);

  let prev = plan;
  const plans: number[] = [], diffs: number[] = [], applies: number[] = [];
  for (let c = 0; c < changes; c++) {
    const s = Math.floor(((c + 1) * n) / (changes + 1));
    const ips = (slices[s].endpoints ?? []).map((e) => e.addresses[0]);
    ips[c % ENDPOINTS] = podIP(n * ENDPOINTS + c); // one endpoint replaced by a new pod
    slices[s] = endpointSlice(s, ips);
    const [next, planMs] = await timed(() => planProxy(proxyInput(services, slices), cache));
    const [update, diffMs] = await timed(() => renderUpdate(prev, next));
    const [, apply] = await timed(() => nftApply(update, { netns }));
    plans.push(planMs);
    diffs.push(diffMs);
    applies.push(apply);
    prev = next;
  }
  const totals = plans.map((p, i) => p + diffs[i] + applies[i]);
  let peerApplyMs: number | undefined;
  if (n <= 1000) {
    const peer = kubeProxyLayout(services, slices);
    peerApplyMs = (await timed(() => nftApply(peer, { netns })))[1];
    await nftApply('delete table ip kube-proxy-bench\n', { netns });
  }
  await nftApply('delete table inet podnet-proxy\n', { netns });
  return {
    services: n, computeMs, applyMs, reapplyMs: median(reapply),
    change: { planMs: median(plans), diffMs: median(diffs), applyMs: median(applies), totalMs: median(totals) },
    counts: countPlan(plan), scriptBytes: script.length, peerApplyMs,
  };
}

/** Prints the section and returns its summary rows. Creates and always deletes `pnbench-svc-<pid>`. */
export async function benchServiceSync(opts: { quick: boolean }): Promise<SummaryRow[]> {
  const netns = `pnbench-svc-${process.pid}`;
  const reps = opts.quick ? 1 : 3;
  const changes = opts.quick ? 5 : 15;
  heading(`service proxy sync: ClusterIP Services x ${ENDPOINTS} endpoints, nft ${await nftVersion()}; change = median of ${changes} one-endpoint changes`);
  trackNetns(netns);
  const results: ServiceSyncResult[] = [];
  try {
    await run('ip', ['netns', 'add', netns]);
    for (const n of [1000, 10000]) results.push(await measure(netns, n, reps, changes));
  } finally {
    await deleteNetns(netns);
  }
  console.log(table(
    ['services', 'compute', 'apply', 'replace', 'change: plan', 'diff', 'apply', 'total', 'chains', 'rules', 'sets', 'elements', 'script'],
    results.map((r) => [String(r.services), fmtMs(r.computeMs), fmtMs(r.applyMs), fmtMs(r.reapplyMs), fmtMs(r.change.planMs), fmtMs(r.change.diffMs),
      fmtMs(r.change.applyMs), fmtMs(r.change.totalMs), String(r.counts.chains), String(r.counts.rules), String(r.counts.sets), String(r.counts.elements),
      `${(r.scriptBytes / 1e6).toFixed(1)} MB`]),
  ));
  const small = results[0];
  const big = results[1];
  console.log(`kube-proxy nftables layout, ${small.services} Services: apply ${fmtMs(small.peerApplyMs ?? NaN)} (${(small.services * (ENDPOINTS + 1)) + 2} chains)`);
  return [
    { metric: `svc sync ${small.services}: apply (nft -f)`, podnet: fmtMs(small.applyMs), peer: fmtMs(small.peerApplyMs ?? NaN), peerName: 'kube-proxy nft layout', ratio: ratio(small.applyMs, small.peerApplyMs ?? NaN), goal: '-' },
    { metric: `svc sync ${big.services}: compute`, podnet: fmtMs(big.computeMs), peer: '-', peerName: '-', ratio: '-', goal: '-' },
    { metric: `svc sync ${big.services}: apply (nft -f)`, podnet: fmtMs(big.applyMs), peer: '-', peerName: '(>60 s at 10k)', ratio: '-', goal: '< 1 s' },
    { metric: `svc 1-endpoint change @${big.services}`, podnet: fmtMs(big.change.totalMs), peer: '-', peerName: '-', ratio: '-', goal: '< 50 ms' },
  ];
}

async function nftVersion(): Promise<string> {
  const r = await run('nft', ['--version'], { allowFail: true });
  return /v([\d.]+)/.exec(r.stdout)?.[1] ?? '?';
}

if (process.argv[1] === HERE) {
  if (process.getuid?.() !== 0) throw new Error('run as root: the bench creates a network namespace');
  const rows = await benchServiceSync({ quick: process.argv.includes('--quick') });
  console.log(table(['metric', 'podnet', 'peer', 'peer is', 'ratio', 'goal'], rows.map((r) => [r.metric, r.podnet, r.peer, r.peerName, r.ratio, r.goal])));
}
