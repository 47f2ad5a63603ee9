// The gateway's data path next to nginx: podnet's proxy (dist/src/l7/proxy/proxy-main.js, its own
// process) and Debian's nginx, one worker each, proxying to the same upstream (a third process:
// nginx answering `ok` from one worker) over keep-alive connections, everything on 127.0.0.1 with
// its own config, pid and temp paths in a temp dir (never a host service). The same load generator
// (autocannon, a bounded number of keep-alive connections for a fixed time) drives both; runs
// alternate between the two so that noise on this shared machine hits both alike. Access logs are
// off on both sides. HTTP and HTTPS (TLS 1.3, the same self-signed certificate).
// Also: the time for a 5,000-route table to take effect (compile + swap, then the last route
// answers), in process.
// Usage: standalone `node dist/bench/gateway.js [--quick] [--connections 50] [--seconds 5]`.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Route, RouteTable } from '../src/l7/route-table.js';
import { ProxyServer } from '../src/l7/proxy/server.js';
import { fmtMs, median, ratio, table } from './report.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const UPSTREAM = 18501;
const PORTS = { podnet: { http: 18510, https: 18511 }, nginx: { http: 18520, https: 18521 } };

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function nginxConf(dir: string, body: string): string {
  return `daemon off;\nmaster_process on;\nworker_processes 1;\npid ${dir}/nginx-$NAME.pid;\nerror_log ${dir}/error-$NAME.log warn;\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;\n  keepalive_requests 1000000;\n${body}\n}\n`;
}

function startNginx(dir: string, name: string, body: string): ChildProcess {
  const conf = join(dir, `${name}.conf`);
  writeFileSync(conf, nginxConf(dir, body).replaceAll('$NAME', name));
  const p = spawn('nginx', ['-c', conf, '-p', dir, '-e', join(dir, `error-${name}.log`)], { stdio: 'ignore' });
  return p;
}

async function waitPort(port: number, https = false): Promise<void> {
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('curl', ['-sk', '-o', '/dev/null', '--max-time', '1', `${https ? 'https' : 'http'}://127.0.0.1:${port}/`]);
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`nothing answers on 127.0.0.1:${port}`);
}

function load(url: string, connections: number, seconds: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(ROOT, 'node_modules/autocannon/autocannon.js'), '-j', '-c', String(connections), '-d', String(seconds), url], {
      env: { ...process.env, NODE_TLS_REJECT_UNAUTHORIZED: '0' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c));
    p.on('error', reject);
    p.on('close', () => {
      try {
        const j = JSON.parse(out) as { requests: { average: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number };
        resolve({ rps: j.requests.average, p50: j.latency.p50, p99: j.latency.p99, errors: j.errors, non2xx: j.non2xx });
      } catch (err) {
        reject(new Error(`autocannon output: ${(err as Error).message}`));
      }
    });
  });
}

/** Load while `change` runs every `everyMs`; returns the load result and how many changes ran. */
async function loadWhileChanging(url: string, connections: number, seconds: number, everyMs: number, change: (i: number) => void): Promise<LoadResult & { changes: number }> {
  let i = 0;
  const timer = setInterval(() => change(i++), everyMs);
  try {
    const r = await load(url, connections, seconds);
    return { ...r, changes: i };
  } finally {
    clearInterval(timer);
  }
}

function nginxProxyBody(dir: string, extraLocations: number): string {
  const extra: string[] = [];
  for (let i = 1; i <= extraLocations; i++) extra.push(`    location /svc-${i} { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; }`);
  return [
    `  upstream up { server 127.0.0.1:${UPSTREAM}; keepalive 64; }`,
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

export async function benchGateway(opts: { quick: boolean; connections: number; seconds: number }): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pn-bench-gateway-'));
  const procs: ChildProcess[] = [];
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const cert = { certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'key.pem'), 'utf8') };
    procs.push(startNginx(dir, 'upstream', `  server { listen 127.0.0.1:${UPSTREAM}; location / { return 200 "ok\\n"; } }`));
    const nginxProxy = startNginx(dir, 'proxy', nginxProxyBody(dir, 0));
    procs.push(nginxProxy);
    writeFileSync(join(dir, 'table.json'), JSON.stringify(routeTable(cert)));
    const podnet = spawn(process.execPath, [join(ROOT, 'dist/src/l7/proxy/proxy-main.js'), '--table', join(dir, 'table.json'), '--bind', '127.0.0.1', '--admin-port', '0', '--access-log', 'off'], { stdio: 'ignore' });
    procs.push(podnet);
    await waitPort(UPSTREAM);
    for (const side of Object.values(PORTS)) {
      await waitPort(side.http);
      await waitPort(side.https, true);
    }
    const rounds = opts.quick ? 1 : 2;
    const results: Record<string, LoadResult[]> = {};
    for (let r = 0; r < rounds; r++) {
      for (const scheme of ['http', 'https'] as const) {
        for (const who of ['podnet', 'nginx'] as const) {
          const port = PORTS[who][scheme];
          const res = await load(`${scheme}://localhost:${port}/bench`, opts.connections, opts.seconds);
          (results[`${who}/${scheme}`] ??= []).push(res);
        }
      }
    }
    const med = (k: string, f: (x: LoadResult) => number) => median(results[k].map(f));
    console.log(`gateway: small keep-alive GETs, autocannon -c ${opts.connections} -d ${opts.seconds}s, ${rounds} alternating round(s), median per side; one worker each; upstream: nginx 'return 200'`);
    const rows: string[][] = [];
    for (const scheme of ['http', 'https']) {
      const p = `podnet/${scheme}`;
      const n = `nginx/${scheme}`;
      rows.push([
        scheme,
        `${Math.round(med(p, (x) => x.rps))}`,
        `${Math.round(med(n, (x) => x.rps))}`,
        ratio(med(p, (x) => x.rps), med(n, (x) => x.rps)),
        `${med(p, (x) => x.p50)} / ${med(p, (x) => x.p99)}`,
        `${med(n, (x) => x.p50)} / ${med(n, (x) => x.p99)}`,
        ratio(med(p, (x) => x.p99), med(n, (x) => x.p99)),
        `${results[p].reduce((s, x) => s + x.errors + x.non2xx, 0)} / ${results[n].reduce((s, x) => s + x.errors + x.non2xx, 0)}`,
      ]);
    }
    console.log(table(['', 'podnet req/s', 'nginx req/s', 'podnet/nginx', 'podnet p50/p99 ms', 'nginx p50/p99 ms', 'p99 ratio', 'failed (podnet / nginx)'], rows));
    console.log('goals: throughput >= 0.6x nginx, p99 <= 2x nginx');
    // Route changes under load: every 200 ms a table with 0 or 1 extra routes (podnet: file
    // rewritten, then SIGHUP; nginx: config rewritten, then `nginx -s reload`'s SIGHUP).
    const everyMs = 200;
    const podnetChange = (i: number) => {
      writeFileSync(join(dir, 'table.next.json'), JSON.stringify(routeTable(cert, 1 + (i % 2))));
      renameSync(join(dir, 'table.next.json'), join(dir, 'table.json'));
      podnet.kill('SIGHUP');
    };
    const nginxChange = (i: number) => {
      writeFileSync(join(dir, 'proxy.conf'), nginxConf(dir, nginxProxyBody(dir, i % 2)).replaceAll('$NAME', 'proxy'));
      nginxProxy.kill('SIGHUP');
    };
    const cp = await loadWhileChanging(`http://localhost:${PORTS.podnet.http}/bench`, opts.connections, opts.seconds, everyMs, podnetChange);
    const cn = await loadWhileChanging(`http://localhost:${PORTS.nginx.http}/bench`, opts.connections, opts.seconds, everyMs, nginxChange);
    console.log(table(['under route changes (every 200 ms)', 'changes', 'req/s', 'failed (errors + non-2xx)'], [
      ['podnet (table swap)', String(cp.changes), String(Math.round(cp.rps)), String(cp.errors + cp.non2xx)],
      ['nginx (reload)', String(cn.changes), String(Math.round(cn.rps)), String(cn.errors + cn.non2xx)],
    ]));
    const routes = await routesTakeEffect(cert, 5000);
    console.log(`5,000 routes: compiled and swapped in ${fmtMs(routes.compileSwapMs)}; the last route answered ${fmtMs(routes.firstAnswerMs)} after setTable began (goal < 1 s)`);
  } finally {
    for (const p of procs) if (p.pid && p.exitCode === null) p.kill('SIGTERM');
    await sleep(300);
    for (const p of procs) if (p.pid && p.exitCode === null) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const num = (flag: string, d: number) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? Number(argv[i + 1]) : d;
  };
  const quick = argv.includes('--quick');
  benchGateway({ quick, connections: num('--connections', 50), seconds: num('--seconds', quick ? 3 : 5) }).catch((err: Error) => {
    console.error(`bench gateway: ${err.message}`);
    process.exit(1);
  });
}
