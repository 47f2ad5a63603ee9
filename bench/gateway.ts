// The gateway's data path next to nginx: podnet's proxy (dist/src/l7/proxy/proxy-main.js, its own
// process; `--workers N` adds node:cluster workers) and Debian's nginx (`worker_processes N`),
// at 1 and at 2 workers each, proxying to the same upstream (a third process: nginx answering `ok`
// from one worker) over keep-alive connections, everything on 127.0.0.1 with its own config, pid
// and temp paths in a temp dir (never a host service). The same load generator (autocannon, a
// bounded number of keep-alive connections for a fixed time) drives both; runs alternate between
// the two so that noise on this shared machine hits both alike, and each figure is the median of
// the rounds. Access logs are off on both sides. HTTP and HTTPS (TLS 1.3, the same self-signed
// certificate). Also: failed requests while routes change under load, the time for a 5,000-route
// table to take effect, and the mesh sidecar's fixed-rate row (gateway-sidecar.ts).
// Usage: standalone `node dist/bench/gateway.js [--quick] [--connections 50] [--seconds 5] [--rounds 3]`.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Route, RouteTable } from '../src/l7/route-table.js';
import { ProxyServer } from '../src/l7/proxy/server.js';
import { load, nginxConf, sleep, startNginx, stopAll, usage, waitPort, type LoadResult } from './gateway-procs.js';
import { sidecarRows } from './gateway-sidecar.js';
import { fmtMs, median, ratio, table } from './report.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const UPSTREAM = 18501;
const PORTS = { podnet: { http: 18510, https: 18511, hop2: 18512 }, nginx: { http: 18520, https: 18521, hop2: 18522 } };

interface Measured extends LoadResult {
  /** The proxy's (and its workers') CPU microseconds per request during the run. */
  cpuUsPerReq: number;
}

/** Loads once and reads the proxy's CPU time around it. */
async function measure(url: string, proxy: ChildProcess, connections: number, seconds: number): Promise<Measured> {
  const before = usage(proxy.pid ?? -1).cpuSeconds;
  const r = await load(ROOT, url, connections, seconds);
  const cpu = usage(proxy.pid ?? -1).cpuSeconds - before;
  return { ...r, cpuUsPerReq: r.total > 0 ? (cpu * 1e6) / r.total : NaN };
}

function startPodnet(dir: string, tableFile: string, workers: number): ChildProcess {
  return spawn(process.execPath, [join(ROOT, 'dist/src/l7/proxy/proxy-main.js'), '--table', join(dir, tableFile), '--bind', '127.0.0.1', '--admin-port', '0', '--access-log', 'off', '--workers', String(workers)], { stdio: 'ignore' });
}

function nginxProxyBody(dir: string, extraLocations: number): string {
  const extra: string[] = [];
  for (let i = 1; i <= extraLocations; i++) extra.push(`    location /svc-${i} { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; }`);
  return [
    `  upstream up { server 127.0.0.1:${UPSTREAM}; keepalive 64; }`,
    // The second hop of the sidecar row: a server that proxies to the first.
    `  upstream hop { server 127.0.0.1:${PORTS.nginx.http}; keepalive 64; }`,
    `  server { listen 127.0.0.1:${PORTS.nginx.hop2}; location / { proxy_pass http://hop; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host; } }`,
    `  server { listen 127.0.0.1:${PORTS.nginx.http}; listen 127.0.0.1:${PORTS.nginx.https} ssl; ssl_certificate ${dir}/cert.pem; ssl_certificate_key ${dir}/key.pem;`,
    `    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host;`,
    `      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; proxy_set_header X-Forwarded-Proto $scheme; proxy_set_header X-Forwarded-Host $http_host; }`,
    ...extra,
    '  }',
  ].join('\n');
}

function routeTable(cert: { certPem: string; keyPem: string }, routes = 1): RouteTable {
  const rs: Route[] = [];
  for (let i = routes - 1; i >= 0; i--) {
    rs.push({ name: `r${i}`, match: { path: { type: 'PathPrefix', value: i === 0 ? '/' : `/svc-${i}` } }, filters: [], backends: [{ cluster: 'up', weight: 1 }] });
  }
  const vhosts = [{ hostname: '*', routes: rs }];
  return {
    listeners: [
      { name: 'bench/http', port: PORTS.podnet.http, protocol: 'HTTP', virtualHosts: vhosts },
      { name: 'bench/https', port: PORTS.podnet.https, protocol: 'HTTPS', tls: { certificates: [{ name: 'bench/cert', hostnames: ['localhost'], ...cert }], defaultCertificate: 'bench/cert' }, virtualHosts: vhosts },
    ],
    clusters: { up: { name: 'up', endpoints: [{ address: '127.0.0.1', port: UPSTREAM }] } },
  };
}

/** The sidecar row's second podnet hop: everything to the first podnet proxy. */
function hopTable(): RouteTable {
  return {
    listeners: [{ name: 'bench/hop2', port: PORTS.podnet.hop2, protocol: 'HTTP', virtualHosts: [{ hostname: '*', routes: [{ name: 'hop', match: { path: { type: 'PathPrefix', value: '/' } }, filters: [], backends: [{ cluster: 'first', weight: 1 }] }] }] }],
    clusters: { first: { name: 'first', endpoints: [{ address: '127.0.0.1', port: PORTS.podnet.http }] } },
  };
}

async function routesTakeEffect(cert: { certPem: string; keyPem: string }, n: number): Promise<{ compileSwapMs: number; firstAnswerMs: number }> {
  const p = new ProxyServer({ host: '127.0.0.1', listenPorts: { [PORTS.podnet.http]: 0, [PORTS.podnet.https]: 0 } });
  try {
    await p.setTable(routeTable(cert, 1));
    const t = routeTable(cert, n);
    const started = performance.now();
    await p.setTable(t);
    const compileSwapMs = performance.now() - started;
    const port = p.boundPort(PORTS.podnet.http);
    const res = await fetch(`http://127.0.0.1:${port}/svc-${n - 1}/x`);
    await res.text();
    if (res.status !== 200) throw new Error(`route ${n - 1} answered ${res.status}`);
    return { compileSwapMs, firstAnswerMs: performance.now() - started };
  } finally {
    await p.close();
  }
}

export async function benchGateway(opts: { quick: boolean; connections: number; seconds: number; rounds?: number }): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pn-bench-gateway-'));
  const procs: ChildProcess[] = [];
  const started = (p: ChildProcess) => (procs.push(p), p);
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const cert = { certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'key.pem'), 'utf8') };
    started(startNginx(dir, 'upstream', 1, `  server { listen 127.0.0.1:${UPSTREAM}; location / { return 200 "ok\\n"; } }`));
    await waitPort(UPSTREAM);
    writeFileSync(join(dir, 'table.json'), JSON.stringify(routeTable(cert)));
    writeFileSync(join(dir, 'hop2.json'), JSON.stringify(hopTable()));
    const rounds = opts.rounds ?? (opts.quick ? 1 : 3);
    const workerCounts = opts.quick ? [1] : [1, 2];
    console.log(`gateway: small keep-alive GETs, autocannon -c ${opts.connections} -d ${opts.seconds}s, ${rounds} alternating round(s), median per side; upstream: nginx 'return 200' (1 worker); load generator, proxies and upstream share this machine's ${cpuCount()} CPUs`);
    const rows: string[][] = [];
    for (const workers of workerCounts) {
      const nginxProxy = started(startNginx(dir, 'proxy', workers, nginxProxyBody(dir, 0)));
      const podnet = started(startPodnet(dir, 'table.json', workers));
      for (const side of [PORTS.podnet, PORTS.nginx]) {
        await waitPort(side.http);
        await waitPort(side.https, true);
      }
      const results: Record<string, Measured[]> = {};
      for (let r = 0; r < rounds; r++) {
        for (const scheme of ['http', 'https'] as const) {
          for (const who of ['podnet', 'nginx'] as const) {
            const m = await measure(`${scheme}://localhost:${PORTS[who][scheme]}/bench`, who === 'podnet' ? podnet : nginxProxy, opts.connections, opts.seconds);
            (results[`${who}/${scheme}`] ??= []).push(m);
          }
        }
      }
      const med = (k: string, f: (x: Measured) => number) => median(results[k].map(f));
      for (const scheme of ['http', 'https']) {
        const p = `podnet/${scheme}`;
        const n = `nginx/${scheme}`;
        rows.push([
          `${scheme}, ${workers} worker${workers > 1 ? 's' : ''} each`,
          `${Math.round(med(p, (x) => x.rps))}`,
          `${Math.round(med(n, (x) => x.rps))}`,
          ratio(med(p, (x) => x.rps), med(n, (x) => x.rps)),
          `${med(p, (x) => x.p50)} / ${med(p, (x) => x.p99)}`,
          `${med(n, (x) => x.p50)} / ${med(n, (x) => x.p99)}`,
          ratio(med(p, (x) => x.p99), med(n, (x) => x.p99)),
          `${Math.round(med(p, (x) => x.cpuUsPerReq))} / ${Math.round(med(n, (x) => x.cpuUsPerReq))}`,
          `${results[p].reduce((s, x) => s + x.errors + x.non2xx, 0)} / ${results[n].reduce((s, x) => s + x.errors + x.non2xx, 0)}`,
        ]);
      }
      await stopAll([podnet, nginxProxy]);
    }
    console.log(table(['', 'podnet req/s', 'nginx req/s', 'podnet/nginx', 'podnet p50/p99 ms', 'nginx p50/p99 ms', 'p99 ratio', 'CPU us/req (podnet / nginx)', 'failed (podnet / nginx)'], rows));
    console.log('goals: throughput >= 0.6x nginx, p99 <= 2x nginx (one worker each); workers: podnet --workers N (node:cluster, the master hands out connections), nginx worker_processes N');

    // One worker each from here on.
    const nginxProxy = started(startNginx(dir, 'proxy', 1, nginxProxyBody(dir, 0)));
    const podnet = started(startPodnet(dir, 'table.json', 1));
    const podnetHop2 = started(startPodnet(dir, 'hop2.json', 1));
    for (const port of [PORTS.podnet.http, PORTS.nginx.http, PORTS.podnet.hop2, PORTS.nginx.hop2]) await waitPort(port);
    // Route changes under load: every 200 ms a table with 0 or 1 extra routes (podnet: file
    // rewritten, then SIGHUP; nginx: config rewritten, then `nginx -s reload`'s SIGHUP).
    const everyMs = 200;
    const podnetChange = (i: number) => {
      writeFileSync(join(dir, 'table.next.json'), JSON.stringify(routeTable(cert, 1 + (i % 2))));
      renameSync(join(dir, 'table.next.json'), join(dir, 'table.json'));
      podnet.kill('SIGHUP');
    };
    const nginxChange = (i: number) => {
      writeFileSync(join(dir, 'proxy.conf'), nginxConf(dir, 'proxy', 1, nginxProxyBody(dir, i % 2)));
      nginxProxy.kill('SIGHUP');
    };
    const cp = await loadWhileChanging(`http://localhost:${PORTS.podnet.http}/bench`, opts.connections, opts.seconds, everyMs, podnetChange);
    const cn = await loadWhileChanging(`http://localhost:${PORTS.nginx.http}/bench`, opts.connections, opts.seconds, everyMs, nginxChange);
    console.log(table(['under route changes (every 200 ms)', 'changes', 'req/s', 'failed (errors + non-2xx)'], [
      ['podnet (table swap)', String(cp.changes), String(Math.round(cp.rps)), String(cp.errors + cp.non2xx)],
      ['nginx (reload)', String(cn.changes), String(Math.round(cn.rps)), String(cn.errors + cn.non2xx)],
    ]));
    // Put the one-route table back (the last change may have left two) before the sidecar row.
    podnetChange(0);
    nginxChange(0);
    await sleep(500);
    await sidecarRows(ROOT, `http://127.0.0.1:${UPSTREAM}/bench`, [
      { label: 'podnet, one proxy', url: `http://127.0.0.1:${PORTS.podnet.http}/bench`, procs: [podnet] },
      { label: 'nginx, one proxy', url: `http://127.0.0.1:${PORTS.nginx.http}/bench`, procs: [nginxProxy] },
      { label: 'podnet, two proxies', url: `http://127.0.0.1:${PORTS.podnet.hop2}/bench`, procs: [podnetHop2, podnet] },
      { label: 'nginx, two proxies (one nginx, two hops)', url: `http://127.0.0.1:${PORTS.nginx.hop2}/bench`, procs: [nginxProxy] },
    ], 1000, opts.quick ? 5 : 10);
    await stopAll([podnet, podnetHop2, nginxProxy]);
    const routes = await routesTakeEffect(cert, 5000);
    console.log(`5,000 routes: compiled and swapped in ${fmtMs(routes.compileSwapMs)}; the last route answered ${fmtMs(routes.firstAnswerMs)} after setTable began (goal < 1 s)`);
  } finally {
    await stopAll(procs);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Load while `change` runs every `everyMs`; returns the load result and how many changes ran. */
async function loadWhileChanging(url: string, connections: number, seconds: number, everyMs: number, change: (i: number) => void): Promise<LoadResult & { changes: number }> {
  let i = 0;
  const timer = setInterval(() => change(i++), everyMs);
  try {
    const r = await load(ROOT, url, connections, seconds);
    return { ...r, changes: i };
  } finally {
    clearInterval(timer);
  }
}

function cpuCount(): number {
  return readFileSync('/proc/cpuinfo', 'utf8').split('\n').filter((l) => l.startsWith('processor')).length;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const num = (flag: string, d: number) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : d;
  };
  const quick = argv.includes('--quick');
  benchGateway({ quick, connections: num('--connections', 50), seconds: num('--seconds', quick ? 3 : 5), rounds: num('--rounds', quick ? 1 : 3) }).catch((err: Error) => {
    console.error(`bench gateway: ${err.message}`);
    process.exit(1);
  });
}
