// The processes of the gateway bench: nginx instances and podnet proxies on 127.0.0.1 (configs,
// pids and temp paths in the bench's temp dir, never a host service), the load generators, and the
// CPU time and memory of a process with its children, read from /proc.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function nginxConf(dir: string, name: string, workers: number, body: string): string {
  return `daemon off;\nmaster_process on;\nworker_processes ${workers};\npid ${dir}/nginx-${name}.pid;\nerror_log ${dir}/error-${name}.log warn;\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;\n  keepalive_requests 1000000;\n${body}\n}\n`;
}

export function startNginx(dir: string, name: string, workers: number, body: string): ChildProcess {
  const conf = join(dir, `${name}.conf`);
  writeFileSync(conf, nginxConf(dir, name, workers, body));
  return spawn('nginx', ['-c', conf, '-p', dir, '-e', join(dir, `error-${name}.log`)], { stdio: 'ignore' });
}

export async function waitPort(port: number, https = false): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      execFileSync('curl', ['-sk', '-o', '/dev/null', '--max-time', '1', `${https ? 'https' : 'http'}://127.0.0.1:${port}/`]);
      return;
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`nothing answers on 127.0.0.1:${port}`);
}

/** autocannon: `connections` keep-alive connections, each with one request at a time, for `seconds`. */
export function load(root: string, url: string, connections: number, seconds: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(root, 'node_modules/autocannon/autocannon.js'), '-j', '-c', String(connections), '-d', String(seconds), url], {
      env: { ...process.env, NODE_TLS_REJECT_UNAUTHORIZED: '0' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c));
    p.on('error', reject);
    p.on('close', () => {
      try {
        const j = JSON.parse(out) as { requests: { average: number; total: number }; latency: { p50: number; p99: number }; errors: number; non2xx: number };
        resolve({ rps: j.requests.average, p50: j.latency.p50, p99: j.latency.p99, errors: j.errors, non2xx: j.non2xx, total: j.requests.total });
      } catch (err) {
        reject(new Error(`autocannon output: ${(err as Error).message}`));
      }
    });
  });
}

export interface PacedResult {
  sent: number;
  ok: number;
  failed: number;
  latenciesMs: number[];
}

/** The open-loop client (paced-client-main.ts): `rate` requests/s for `seconds` after a 1 s warm-up. */
export function paced(root: string, url: string, rate: number, seconds: number): Promise<PacedResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [join(root, 'dist/bench/paced-client-main.js'), url, String(rate), String(seconds), '1'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c));
    p.on('error', reject);
    p.on('close', () => {
      try {
        resolve(JSON.parse(out) as PacedResult);
      } catch (err) {
        reject(new Error(`paced client output: ${(err as Error).message}`));
      }
    });
  });
}

/** A process and its children (nginx's workers, the proxy's cluster workers). */
function tree(pid: number): number[] {
  const pids = [pid];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) pids.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** CPU seconds (user + system) and RSS (bytes) of a process and its children, now. */
export function usage(pid: number): { cpuSeconds: number; rssBytes: number } {
  const hz = 100; // USER_HZ on Linux
  let ticks = 0;
  let rssPages = 0;
  for (const p of tree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
      rssPages += Number(f[21]);
    } catch {
      // gone meanwhile
    }
  }
  return { cpuSeconds: ticks / hz, rssBytes: rssPages * 4096 };
}

/** Stops what the bench started: SIGTERM, then SIGKILL for what is still there 300 ms later. */
export async function stopAll(procs: ChildProcess[]): Promise<void> {
  for (const p of procs) if (p.pid && p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
  for (let i = 0; i < 30 && procs.some((p) => p.exitCode === null && p.signalCode === null); i++) await sleep(100);
  for (const p of procs) if (p.pid && p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}
