// `npm run bench [-- --quick] [-- --only up|cni|throughput]`: podnet next to its peers, measured in
// one run, printed as absolute figures with ratios. A benchmark, not a test: it never fails on a
// goal, only on an error. Everything it creates is removed in `finally`, and on Ctrl-C.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchCniAdd } from './cni.js';
import { benchScale, benchUp, type ScaleSample, type UpSample } from './lab-up.js';
import { cpuLine } from './lab-cpu.js';
import { benchThroughput, VethBaseline, type ThroughputResult } from './throughput.js';
import { benchServiceHop } from './service-latency.js';
import { benchServiceSync } from './services-sync.js';
import { benchDns, dnsReport } from './dns.js';
import { benchNetpol, printNetpol } from './netpol.js';
import { benchGateway } from './gateway.js';
import { benchNetpolDataplane, reportNetpolDataplane } from './netpol-dataplane.js';
import { cleanupAll, installSignalHandlers, isInterrupted } from './cleanup.js';
import { environmentLine, fmtGbps, fmtMs, heading, ratio, summaryTable, table, type SummaryRow } from './report.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SECTIONS = ['up', 'cni', 'throughput', 'services', 'dns', 'netpol', 'gateway'] as const;
type Section = (typeof SECTIONS)[number];

interface Args {
  quick: boolean;
  only: Set<Section>;
}

function usage(msg: string): never {
  console.error(`${msg}\nusage: npm run bench -- [--quick] [--only up|cni|throughput|services|dns|netpol|gateway[,...]]`);
  process.exit(2);
}

function parseArgs(argv: string[]): Args {
  const only = new Set<Section>();
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') quick = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a === '--only' ? argv[++i] : a.slice('--only='.length);
      if (!v) usage('--only needs a value');
      for (const s of v.split(',')) {
        if (!(SECTIONS as readonly string[]).includes(s)) usage(`--only: unknown section ${s}`);
        only.add(s as Section);
      }
    } else if (a === '-h' || a === '--help') usage('podnet benchmark');
    else usage(`unknown argument ${a}`);
  }
  return { quick, only: only.size ? only : new Set(SECTIONS) };
}

const BACKENDS = ['vxlan', 'routed'];

async function sectionUp(rows: SummaryRow[], reps: number, cniRefMedian: () => number | undefined): Promise<void> {
  heading(`lab up: examples/demo, 3 nodes, 30 pods, median of ${reps} cold up(s) per backend`);
  const samples: UpSample[] = [];
  for (const backend of BACKENDS) {
    const s = await benchUp(ROOT, backend, reps);
    samples.push(s);
    const chk = `${s.check.passed}/${s.check.probes} probes passed (median probe ${s.check.medianMs.toFixed(1)} ms)`;
    console.log(`${backend.padEnd(6)}  up ${fmtMs(s.upMs)} for ${s.pods} pods (${fmtMs(s.upMs / s.pods)}/pod; runs ${s.runs.map(fmtMs).join(', ')}); down ${fmtMs(s.downMs)}; check: ${chk}`);
    console.log(`        first up: ${cpuLine(s.cpu)}`);
    if (s.check.firstFailure) console.log(`        first check failure: ${s.check.firstFailure}`);
  }
  const [vx, ro] = samples;
  console.log(`routed/vxlan up time: ${ratio(ro.upMs, vx.upMs)}`);
  // No second lab system runs here; the floor we can measure is the reference plugin's ADD for every pod, in sequence.
  const ref = cniRefMedian();
  const floor = ref !== undefined ? ref * vx.pods : undefined;
  if (floor !== undefined) console.log(`peer floor: ${vx.pods} x reference bridge+host-local ADD (median ${fmtMs(ref!)}) = ${fmtMs(floor)} of sequential CNI work alone`);
  for (const s of samples) {
    rows.push({
      metric: `up, 30 pods, ${s.backend}`,
      podnet: fmtMs(s.upMs),
      peer: floor !== undefined ? fmtMs(floor) : '-',
      peerName: floor !== undefined ? '30 x ref CNI ADD' : '(run with cni)',
      ratio: floor !== undefined ? ratio(s.upMs, floor) : '-',
      goal: `check ${s.check.passed}/${s.check.probes}`,
    });
  }
}

const GIB = 2 ** 30;
const MIB = 2 ** 20;

/** The scale labs: time and memory for 30, 300 and 1,000 pods (--quick: 30 and 300). */
async function sectionScale(rows: SummaryRow[], quick: boolean): Promise<void> {
  const sizes: [number, number][] = quick ? [[30, 3], [300, 3]] : [[30, 3], [300, 3], [1000, 10]];
  heading('lab up at scale: one pod in ten agnhost netexec, nine in ten agnhost pause (both C programs), one cold up each');
  console.log('memory: the lab daemon\'s process tree a few seconds after up; PSS counts pages shared between processes once (the real total), RSS once per process');
  const samples: ScaleSample[] = [];
  for (const [pods, nodes] of sizes) {
    if (isInterrupted()) return;
    const s = await benchScale(pods, nodes);
    samples.push(s);
    console.log(
      `${String(s.pods).padStart(5)} pods on ${String(nodes).padStart(2)} nodes: up ${fmtMs(s.upMs)} (${fmtMs(s.upMs / s.pods)}/pod); ` +
      `${s.processes} processes, PSS ${(s.pssBytes / GIB).toFixed(2)} GiB (${(s.pssBytes / s.pods / MIB).toFixed(1)} MiB/pod), ` +
      `RSS sum ${(s.rssBytes / GIB).toFixed(2)} GiB (${(s.rssBytes / s.pods / MIB).toFixed(1)} MiB/pod); down ${fmtMs(s.downMs)}; ` +
      `check ${s.check.passed}/${s.check.probes} (median ${s.check.medianMs.toFixed(1)} ms)`,
    );
    console.log(`        ${cpuLine(s.cpu)}`);
    for (const line of s.check.summary) console.log(`        ${line}`);
    rows.push({
      metric: `up, ${s.pods} pods (scale lab)`, podnet: fmtMs(s.upMs), peer: `PSS ${(s.pssBytes / GIB).toFixed(2)} GiB`, peerName: 'memory',
      ratio: '-', goal: s.pods >= 1000 ? `< 30 s, < 4 GiB; check ${s.check.passed}/${s.check.probes}` : `check ${s.check.passed}/${s.check.probes}`,
    });
  }
  if (samples.length > 1) {
    const [a, b] = [samples[0], samples[samples.length - 1]];
    console.log(`per pod, ${b.pods} vs ${a.pods} pods: time ${ratio(b.upMs / b.pods, a.upMs / a.pods)}, PSS ${ratio(b.pssBytes / b.pods, a.pssBytes / a.pods)}`);
  }
}

async function sectionCni(rows: SummaryRow[], n: number): Promise<number> {
  heading(`CNI ADD latency per pod, ${n} pods, sequential`);
  const r = await benchCniAdd(n);
  console.log(
    table(
      ['plugin', 'median', 'p99'],
      [
        ['podnet (shim -> node agent)', fmtMs(r.podnet.median), fmtMs(r.podnet.p99)],
        ['reference bridge+host-local', fmtMs(r.reference.median), fmtMs(r.reference.p99)],
        ['ratio podnet/reference', ratio(r.podnet.median, r.reference.median), ratio(r.podnet.p99, r.reference.p99)],
      ],
    ),
  );
  rows.push({ metric: 'CNI ADD median', podnet: fmtMs(r.podnet.median), peer: fmtMs(r.reference.median), peerName: 'bridge+host-local', ratio: ratio(r.podnet.median, r.reference.median), goal: '<= 1.00x' });
  rows.push({ metric: 'CNI ADD p99', podnet: fmtMs(r.podnet.p99), peer: fmtMs(r.reference.p99), peerName: 'bridge+host-local', ratio: ratio(r.podnet.p99, r.reference.p99), goal: '-' });
  return r.reference.median;
}

async function sectionThroughput(rows: SummaryRow[], reps: number, seconds: number): Promise<void> {
  heading(`pod-to-pod TCP throughput, iperf3 single stream, ${seconds} s x ${reps} (median), baseline interleaved; ratio = median of per-repetition pairs`);
  const baseline = new VethBaseline();
  const results: ThroughputResult[] = [];
  try {
    await baseline.start();
    for (const backend of BACKENDS) results.push(await benchThroughput(ROOT, backend, baseline, reps, seconds));
  } finally {
    await baseline.stop();
  }
  const pr = (x: number) => ratio(x, 1);
  const runs = (xs: number[]) => xs.map((x) => (x / 1e9).toFixed(2)).join(' ');
  const out: string[][] = [];
  for (const r of results) {
    out.push([`bare veth (during ${r.backend} lab)`, '1500', fmtGbps(r.baseline.median), '1.00x', runs(r.baseline.runs), '']);
    out.push([`same node, ${r.backend} lab`, String(r.podMtu ?? '?'), fmtGbps(r.sameNode.median), pr(r.sameRatio), runs(r.sameNode.runs), '>= 0.90x']);
    out.push([`cross node, ${r.backend}`, String(r.podMtu ?? '?'), fmtGbps(r.crossNode.median), pr(r.crossRatio), runs(r.crossNode.runs), r.backend === 'routed' ? '>= 0.80x' : '>= 0.60x']);
  }
  console.log(table(['path', 'MTU', 'median', 'vs veth', 'runs (Gbit/s)', 'goal'], out));
  for (const r of results) {
    rows.push({ metric: `TCP same node (${r.backend} lab)`, podnet: fmtGbps(r.sameNode.median), peer: fmtGbps(r.baseline.median), peerName: 'bare veth pair', ratio: pr(r.sameRatio), goal: '>= 0.90x' });
  }
  for (const r of results) {
    rows.push({ metric: `TCP cross node, ${r.backend}`, podnet: fmtGbps(r.crossNode.median), peer: fmtGbps(r.baseline.median), peerName: 'bare veth pair', ratio: pr(r.crossRatio), goal: r.backend === 'routed' ? '>= 0.80x' : '>= 0.60x' });
  }
}

async function sectionServiceHop(rows: SummaryRow[], rounds: number, perRound: number): Promise<void> {
  heading(`ClusterIP hop: client pod (node-1) -> server pod (node-2), by pod IP vs by Service VIP; ${rounds} alternating rounds of ${perRound} requests`);
  const r = await benchServiceHop(ROOT, rounds, perRound);
  const line = (what: string, d: { p50: number; p99: number }, v: { p50: number; p99: number }) =>
    [what, fmtMs(d.p50), fmtMs(v.p50), ratio(v.p50, d.p50), fmtMs(d.p99), fmtMs(v.p99), ratio(v.p99, d.p99), `${((v.p50 - d.p50) * 1000).toFixed(0)} us`];
  console.log(table(['requests', 'pod IP p50', 'VIP p50', 'ratio', 'pod IP p99', 'VIP p99', 'ratio', 'added p50'], [
    line('new connection each', r.direct.fresh, r.viaVip.fresh),
    line('kept-alive connection', r.direct.kept, r.viaVip.kept),
  ]));
  rows.push({ metric: 'HTTP via ClusterIP, new conn, p50', podnet: fmtMs(r.viaVip.fresh.p50), peer: fmtMs(r.direct.fresh.p50), peerName: 'direct pod IP', ratio: ratio(r.viaVip.fresh.p50, r.direct.fresh.p50), goal: '-' });
  rows.push({ metric: 'HTTP via ClusterIP, kept conn, p50', podnet: fmtMs(r.viaVip.kept.p50), peer: fmtMs(r.direct.kept.p50), peerName: 'direct pod IP', ratio: ratio(r.viaVip.kept.p50, r.direct.kept.p50), goal: '-' });
}

async function sectionDns(rows: SummaryRow[], quick: boolean): Promise<void> {
  heading('cluster DNS: podnet dns-main vs unbound and dnsmasq, 1,000 Services, dnsperf');
  const r = dnsReport(await benchDns({ quick }));
  console.log(r.text);
  rows.push(...r.rows);
}

async function sectionNetpol(rows: SummaryRow[], quick: boolean): Promise<void> {
  heading('network policy: compute and apply for 1,000 pods and 500 policies; one-pod label change');
  const r = await benchNetpol({ quick });
  printNetpol(r);
  rows.push({ metric: 'netpol 1000 pods/500 policies: compute+apply', podnet: fmtMs(r.computeMs + r.applyMs), peer: '-', peerName: '-', ratio: '-', goal: '< 2 s' });
  rows.push({ metric: 'netpol one-pod label change', podnet: fmtMs(r.update.totalMs), peer: '-', peerName: '-', ratio: '-', goal: '< 100 ms' });
  heading('network policy on the wire: client (node-1) -> a pod behind 100 policies vs one behind none (node-2), routed, alternating');
  rows.push(...reportNetpolDataplane(await benchNetpolDataplane(ROOT, { quick })));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (process.getuid?.() !== 0) usage('the bench must run as root: it creates network namespaces');
  const cniN = args.quick ? 20 : 50;
  const reps = args.quick ? 1 : 3;
  const seconds = args.quick ? 2 : 3;
  const upReps = args.quick ? 1 : 3;
  console.log(`podnet bench${args.quick ? ' (quick)' : ''}: ${[...args.only].join(', ')}`);
  console.log(`env: ${await environmentLine()}`);
  const rows: SummaryRow[] = [];
  const started = Date.now();
  let cniRef: number | undefined;
  // CNI first: the up section uses the reference plugin's ADD latency as its floor.
  if (args.only.has('cni')) cniRef = await sectionCni(rows, cniN);
  if (args.only.has('up')) {
    await sectionUp(rows, upReps, () => cniRef);
    await sectionScale(rows, args.quick);
  }
  if (args.only.has('throughput')) await sectionThroughput(rows, reps, seconds);
  if (args.only.has('services')) {
    rows.push(...(await benchServiceSync({ quick: args.quick })));
    await sectionServiceHop(rows, args.quick ? 2 : 5, args.quick ? 200 : 400);
  }
  if (args.only.has('dns')) await sectionDns(rows, args.quick);
  if (args.only.has('netpol')) await sectionNetpol(rows, args.quick);
  if (args.only.has('gateway')) await benchGateway({ quick: args.quick, connections: 50, seconds: args.quick ? 3 : 5 });
  heading('summary');
  console.log(summaryTable(rows));
  console.log(`(ratios: podnet / peer; measured in one run, ${((Date.now() - started) / 1000).toFixed(0)} s; the machine is shared, so treat single figures as indicative)`);
}

let current: Promise<void> = Promise.resolve();
installSignalHandlers(() => current);
current = (async () => {
  try {
    await main();
  } finally {
    const problems = await cleanupAll();
    for (const p of problems) console.error(`cleanup: ${p}`);
  }
})();
try {
  await current;
} catch (err) {
  if (isInterrupted()) console.error(`interrupted (${(err as Error).message})`);
  else console.error(`bench failed: ${(err as Error).stack ?? err}`);
  process.exitCode = 1;
}
