// Cluster DNS: podnet's DNS pod program (dist/src/dns/dns-main.js, fed by a fake lab API that lists
// 1,000 Services and their EndpointSlices) against Debian's unbound and dnsmasq serving the same
// records, all inside one scratch netns on its loopback, each driven by dnsperf with the same query
// file (80 % A for services, 10 % SRV for their named ports, 10 % NXDOMAIN for missing services).
//
// unbound (local-data, one thread) is the reference the goal is measured against. dnsmasq is shown
// too, but it keeps `srv-host` records in a list it scans on every query: with these 1,000 SRV
// records it drops from ~240k to ~80k qps even for A queries (measured here), so it flatters podnet.
// podnet runs as its own process, as in a lab, so that the bench process's work (the fake API, reading
// dnsperf's output) never competes with it; unbound and dnsmasq are single-threaded here too.
// Each server gets saturating runs (dnsperf keeps 100 queries outstanding: throughput and loaded
// latency) and one paced run at a fixed rate (latency without queueing). Runs alternate between the
// servers so that noise on this shared machine hits all of them alike.
// Then freshness at 10,000 Services (dns-freshness.ts): store change → watch → zone → UDP answer,
// next to the whole-zone rebuild it replaced.
// Usage: `await benchDns({ quick })`, then `dnsReport(result)`; standalone: `node dist/bench/dns.js [--quick]`.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubeObject } from '../src/api/types.js';
import { run } from '../src/sys/exec.js';
import { processStart, sleep, terminate } from '../src/sys/proc.js';
import { deleteNetns, isInterrupted, trackNetns, trackPid, untrackPid } from './cleanup.js';
import { benchDnsFreshness, type FreshnessResult } from './dns-freshness.js';
import { fmtMs, median, quantile, ratio, table, type SummaryRow } from './report.js';

const HERE = fileURLToPath(import.meta.url);
const ROOT = join(dirname(HERE), '..', '..');
const DOMAIN = 'cluster.local';
const PACED_QPS = 10_000;

export interface DnsRun {
  qps: number;
  avgMs: number;
  p50Ms: number;
  p99Ms: number;
  lost: number;
  rcodes: string;
}

export interface DnsServerResult {
  name: string;
  /** Saturating runs, one per round; `sat` is the one with the median qps. */
  runs: DnsRun[];
  sat: DnsRun;
  paced: DnsRun;
}

export interface DnsBenchResult {
  services: number;
  seconds: number;
  clients: number;
  podnet: DnsServerResult;
  /** The first is the one the goal is measured against (unbound when installed, else dnsmasq). */
  references: DnsServerResult[];
  /** Names whose answers differed between podnet and a reference (should be empty). */
  mismatches: string[];
  freshness: FreshnessResult;
}

interface Svc { name: string; ns: string; ip: string; eps: string[] }

function services(n: number): Svc[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `svc-${i}`, ns: `ns-${i % 20}`, ip: `10.96.${(i >> 8) + 1}.${i & 255}`,
    eps: [`10.244.${i >> 7}.${(i & 127) * 2 + 1}`, `10.244.${i >> 7}.${(i & 127) * 2 + 2}`],
  }));
}

function objects(svcs: Svc[]): KubeObject[] {
  return svcs.flatMap((s) => [
    { apiVersion: 'v1', kind: 'Service', metadata: { name: s.name, namespace: s.ns }, spec: { clusterIP: s.ip, clusterIPs: [s.ip], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } },
    {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
      metadata: { name: `${s.name}-1`, namespace: s.ns, labels: { 'kubernetes.io/service-name': s.name } },
      endpoints: s.eps.map((ip) => ({ addresses: [ip], conditions: { ready: true } })), ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    },
  ]);
}

const fqdn = (s: Svc) => `${s.name}.${s.ns}.svc.${DOMAIN}`;

/** dnsperf's input: 80 % A, 10 % SRV, 10 % NXDOMAIN, in a fixed pseudo-random order (xorshift, seed 1). */
function queryLines(svcs: Svc[], count: number): string[] {
  let x = 1;
  const rnd = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 2 ** 32);
  return Array.from({ length: count }, () => {
    const s = svcs[Math.floor(rnd() * svcs.length)] as Svc;
    const r = rnd();
    if (r < 0.8) return `${fqdn(s)} A`;
    if (r < 0.9) return `_http._tcp.${fqdn(s)} SRV`;
    return `missing-${s.name}.${s.ns}.svc.${DOMAIN} A`;
  });
}

function dnsmasqArgs(svcs: Svc[], dir: string, port: number): string[] {
  writeFileSync(join(dir, 'hosts'), svcs.map((s) => `${s.ip} ${fqdn(s)}\n`).join(''));
  writeFileSync(join(dir, 'dnsmasq.conf'), svcs.map((s) => `srv-host=_http._tcp.${fqdn(s)},${fqdn(s)},80,0,100\n`).join(''));
  return ['dnsmasq', '--no-daemon', '--no-resolv', '--no-hosts', `--addn-hosts=${join(dir, 'hosts')}`, `--conf-file=${join(dir, 'dnsmasq.conf')}`,
    '--listen-address=127.0.0.1', '--bind-interfaces', `--port=${port}`, `--local=/${DOMAIN}/`, '--local-ttl=30', '--pid-file='];
}

function unboundArgs(svcs: Svc[], dir: string, port: number): string[] {
  const data = svcs.flatMap((s) => [`local-data: "${fqdn(s)}. 30 IN A ${s.ip}"`, `local-data: "_http._tcp.${fqdn(s)}. 30 IN SRV 0 100 80 ${fqdn(s)}."`]);
  writeFileSync(join(dir, 'unbound.conf'), [
    'server:', `interface: 127.0.0.1@${port}`, 'num-threads: 1', 'do-ip6: no', 'do-daemonize: no', 'use-syslog: no', 'logfile: ""',
    'verbosity: 0', 'chroot: ""', 'username: ""', `directory: "${dir}"`, 'pidfile: ""', `local-zone: "${DOMAIN}." static`,
    ...data.map((l) => `  ${l}`), 'remote-control:', '  control-enable: no', '',
  ].join('\n'));
  return ['unbound', '-d', '-p', '-c', join(dir, 'unbound.conf')];
}

/** The lab daemon's watch endpoint, reduced to one fixed listing and a stream that stays open. */
async function fakeApi(socket: string, objs: KubeObject[]): Promise<Server> {
  const listing = objs.map((object) => JSON.stringify({ type: 'ADDED', object }) + '\n').join('') + '{"type":"BOOKMARK"}\n';
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write(listing);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return server;
}

function startIn(ns: string, argv: string[], children: ChildProcess[]): ChildProcess {
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  if (child.pid) {
    const pid = child.pid;
    trackPid(pid, processStart(pid));
    child.on('exit', () => untrackPid(pid));
  }
  return child;
}

interface Answer { status: string; data: string[] }

async function dig(ns: string, port: number, name: string, type: string): Promise<Answer> {
  const r = await run('ip', ['netns', 'exec', ns, 'dig', '@127.0.0.1', '-p', String(port), '+tries=1', '+time=1', '+noall', '+comments', '+answer', name, type], { allowFail: true });
  const status = /status: (\w+)/.exec(r.stdout)?.[1] ?? 'NO-REPLY';
  const data = r.stdout.split('\n').filter((l) => l && !l.startsWith(';')).map((l) => l.split(/\s+/).slice(4).join(' ').toLowerCase()).sort();
  return { status, data };
}

async function waitServing(ns: string, port: number, s: Svc, child: ChildProcess, what: string): Promise<void> {
  let err = '';
  child.stderr?.on('data', (b: Buffer) => (err = (err + b.toString()).slice(-2000)));
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited ${child.exitCode}: ${err.trim()}`);
    if ((await dig(ns, port, fqdn(s), 'A')).data.includes(s.ip)) return;
    await sleep(100);
  }
  throw new Error(`${what} did not answer ${fqdn(s)} within 10 s: ${err.trim()}`);
}

/** Reads dnsperf -v output: one "> RCODE name type seconds" line per answered query, then the statistics. */
export function parseDnsperf(text: string): DnsRun {
  const lat: number[] = [];
  for (let i = text.indexOf('\n> '); i >= 0; i = text.indexOf('\n> ', i + 1)) {
    const end = text.indexOf('\n', i + 1);
    const line = text.slice(i + 3, end < 0 ? undefined : end);
    lat.push(Number(line.slice(line.lastIndexOf(' ') + 1)) * 1000);
  }
  const sorted = Float64Array.from(lat).sort();
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  return {
    qps: num(/Queries per second:\s+([\d.]+)/), avgMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000,
    p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99), lost: num(/Queries lost:\s+(\d+)/),
    rcodes: /Response codes:\s+(.*)/.exec(text)?.[1]?.trim() ?? '',
  };
}

async function dnsperf(ns: string, dir: string, port: number, seconds: number, clients: number, qps?: number): Promise<DnsRun> {
  if (isInterrupted()) throw new Error('interrupted');
  // Per-query lines go to a file, not a pipe, so that a slow reader never throttles dnsperf.
  const out = join(dir, 'dnsperf.out');
  const fd = openSync(out, 'w');
  try {
    const args = ['-s', '127.0.0.1', '-p', String(port), '-d', join(dir, 'queries'), '-l', String(seconds), '-c', String(clients), '-T', '1', '-t', '2', '-v'];
    const child = spawn('ip', ['netns', 'exec', ns, 'dnsperf', ...args, ...(qps ? ['-Q', String(qps)] : [])], { stdio: ['ignore', fd, 'pipe'] });
    let err = '';
    child.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    const code = await new Promise<number>((resolve, reject) => { child.on('error', reject); child.on('close', (c) => resolve(c ?? 1)); });
    if (code !== 0) throw new Error(`dnsperf exited ${code}: ${err.trim().split('\n').slice(-3).join('; ')}`);
  } finally {
    closeSync(fd);
  }
  return parseDnsperf(readFileSync(out, 'latin1'));
}

export async function benchDns(opts: { quick: boolean }): Promise<DnsBenchResult> {
  const n = 1000;
  const seconds = opts.quick ? 3 : 10;
  const rounds = opts.quick ? 1 : 3;
  const clients = 4;
  const ns = `pnbench-dns-${process.pid}`;
  const dir = `/tmp/${ns}`;
  const children: ChildProcess[] = [];
  let api: Server | undefined;
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    trackNetns(ns);
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    const svcs = services(n);
    writeFileSync(join(dir, 'queries'), queryLines(svcs, 10_000).join('\n') + '\n');
    api = await fakeApi(join(dir, 'api.sock'), objects(svcs));

    const servers: Array<{ name: string; port: number }> = [{ name: 'podnet', port: 5301 }];
    const podnet = startIn(ns, [process.execPath, join(ROOT, 'dist', 'src', 'dns', 'dns-main.js'), '--api-socket', join(dir, 'api.sock'),
      '--domain', DOMAIN, '--bind', '127.0.0.1', '--port', '5301', '--ready-port', '0', '--health-port', '0'], children);
    await waitServing(ns, 5301, svcs[n - 1] as Svc, podnet, 'podnet dns-main');
    if ((await run('sh', ['-c', 'command -v unbound'], { allowFail: true })).code === 0) {
      await waitServing(ns, 5303, svcs[n - 1] as Svc, startIn(ns, unboundArgs(svcs, dir, 5303), children), 'unbound');
      servers.push({ name: 'unbound', port: 5303 });
    }
    await waitServing(ns, 5302, svcs[n - 1] as Svc, startIn(ns, dnsmasqArgs(svcs, dir, 5302), children), 'dnsmasq');
    servers.push({ name: 'dnsmasq', port: 5302 });

    // Same answers first: a fast server that answers wrongly measures nothing.
    const mismatches: string[] = [];
    const probes = queryLines(svcs, 12).map((l) => l.split(' ') as [string, string]);
    for (const [name, type] of probes) {
      const want = JSON.stringify(await dig(ns, 5301, name, type));
      for (const s of servers.slice(1)) {
        const got = JSON.stringify(await dig(ns, s.port, name, type));
        if (got !== want) mismatches.push(`${name} ${type}: podnet ${want}, ${s.name} ${got}`);
      }
    }

    for (const s of servers) await dnsperf(ns, dir, s.port, 1, clients); // warm-up (JIT, caches)
    const runs = new Map<string, DnsRun[]>(servers.map((s) => [s.name, []]));
    for (let r = 0; r < rounds; r++) {
      for (const s of servers) runs.get(s.name)?.push(await dnsperf(ns, dir, s.port, seconds, clients));
    }
    const results: DnsServerResult[] = [];
    for (const s of servers) {
      const all = runs.get(s.name) ?? [];
      const mid = median(all.map((x) => x.qps));
      const sat = all.find((x) => x.qps === mid) ?? [...all].sort((a, b) => a.qps - b.qps)[Math.floor(all.length / 2)] as DnsRun;
      results.push({ name: s.name, runs: all, sat, paced: await dnsperf(ns, dir, s.port, opts.quick ? 2 : 5, clients, PACED_QPS) });
    }
    const [pn, ...refs] = results as [DnsServerResult, ...DnsServerResult[]];
    return { services: n, seconds, clients, podnet: pn, references: refs, mismatches, freshness: await benchDnsFreshness(ROOT, opts) };
  } finally {
    await terminate(children.filter((c) => c.pid && c.exitCode === null).map((c) => ({ pid: c.pid as number })), 1000);
    if (api) {
      api.closeAllConnections();
      await new Promise((r) => api?.close(r));
    }
    await deleteNetns(ns);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The printed table and the summary rows, for bench/main.ts. */
export function dnsReport(r: DnsBenchResult): { text: string; rows: SummaryRow[] } {
  const [ref] = r.references;
  const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(3)} ms` : 'n/a');
  const line = (s: DnsServerResult) => [s.name, `${Math.round(s.sat.qps)}`, s.runs.map((x) => Math.round(x.qps / 1000)).join(' '), ms(s.sat.avgMs), ms(s.sat.p99Ms),
    ms(s.paced.p50Ms), ms(s.paced.p99Ms), String(s.sat.lost), s.sat.rcodes.replace(/ \([\d.]+%\)/g, '')];
  const text = [
    table(['server', 'qps', 'runs (kqps)', 'avg', 'p99', `p50 @${PACED_QPS / 1000}k/s`, `p99 @${PACED_QPS / 1000}k/s`, 'lost', 'rcodes'], [r.podnet, ...r.references].map(line)),
    ...r.references.map((x) => `podnet/${x.name}: throughput ${ratio(r.podnet.sat.qps, x.sat.qps)}, p99 at ${PACED_QPS / 1000}k/s ${ratio(r.podnet.paced.p99Ms, x.paced.p99Ms)}`),
    ...(r.mismatches.length ? ['answers differ:', ...r.mismatches.map((m) => `  ${m}`)] : ['answers agree on the probe queries']),
    '', freshnessText(r.freshness),
  ].join('\n');
  const rows: SummaryRow[] = r.references.map((x) => ({
    metric: `DNS qps, ${r.services} services`, podnet: `${Math.round(r.podnet.sat.qps)}/s`, peer: `${Math.round(x.sat.qps)}/s`,
    peerName: x.name, ratio: ratio(r.podnet.sat.qps, x.sat.qps), goal: x === ref ? '>= 0.50x' : '-',
  }));
  if (ref) {
    rows.push({ metric: `DNS p99 at ${PACED_QPS / 1000}k qps`, podnet: fmtMs(r.podnet.paced.p99Ms), peer: fmtMs(ref.paced.p99Ms), peerName: ref.name, ratio: ratio(r.podnet.paced.p99Ms, ref.paced.p99Ms), goal: '-' });
  }
  const f = r.freshness;
  rows.push(
    { metric: `DNS freshness, ${f.services} svcs, new Service p99`, podnet: fmtMs(f.createService.p99), peer: fmtMs(f.rebuildMs.p50), peerName: 'zone rebuild p50', ratio: ratio(f.createService.p99, f.rebuildMs.p50), goal: '< 50 ms' },
    { metric: `DNS freshness, ${f.services} svcs, endpoint p99`, podnet: fmtMs(f.changeEndpoint.p99), peer: fmtMs(f.rebuildMs.p50), peerName: 'zone rebuild p50', ratio: ratio(f.changeEndpoint.p99, f.rebuildMs.p50), goal: '< 50 ms' },
  );
  return { text, rows };
}

function freshnessText(f: FreshnessResult): string {
  const ms = (x: number) => `${x.toFixed(2)} ms`;
  return [
    `freshness, ${f.services} Services (+ slices): store change -> watch -> dns-main zone -> UDP answer, ${f.createService.n} changes each`,
    table(['', 'p50', 'p99'], [
      ['create one Service, end to end', ms(f.createService.p50), ms(f.createService.p99)],
      ['change one endpoint, end to end', ms(f.changeEndpoint.p50), ms(f.changeEndpoint.p99)],
      ['zone: apply one change (in process)', ms(f.applyMs.p50), ms(f.applyMs.p99)],
      [`zone: rebuild from all objects (peer, ${f.rebuildMs.n} runs)`, ms(f.rebuildMs.p50), ms(f.rebuildMs.p99)],
    ]),
    `rebuild/apply: ${ratio(f.rebuildMs.p50, f.applyMs.p50)} at p50; end to end: the change reaches dns-main through its watch and the next UDP query sees it`,
  ].join('\n');
}

if (process.argv[1] === HERE && process.argv.includes('--freshness-only')) {
  // Only the freshness part (no netns, no dnsperf): `node dist/bench/dns.js --freshness-only [--quick]`.
  console.log(freshnessText(await benchDnsFreshness(ROOT, { quick: process.argv.includes('--quick') })));
} else if (process.argv[1] === HERE) {
  const quick = process.argv.includes('--quick');
  const r = await benchDns({ quick });
  console.log(`cluster DNS, ${r.services} services, dnsperf ${r.clients} clients, ${r.seconds} s per run`);
  console.log(dnsReport(r).text);
}
