// Spawns the compiled entry point as the lab would, restricted to 127.0.0.1 via the test hook.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { createServer, type AddressInfo } from 'node:net';
import { grpcCheck } from '../readiness/grpc-probe.js';
import { get } from './testutil.js';

const entry = fileURLToPath(new URL('./agnhost-main.js', import.meta.url));
const env = { ...process.env, PODNET_AGNHOST_BIND_ADDRESS: '127.0.0.1' };
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(args: string[]): Run {
  const child = spawn(process.execPath, [entry, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function waitFor(run: Run, re: RegExp, ms = 5000): Promise<RegExpMatchArray> {
  const end = Date.now() + ms;
  for (;;) {
    const m = re.exec(run.stderr() + run.stdout());
    if (m) return m;
    if (Date.now() > end) throw new Error(`timed out waiting for ${re}; stderr: ${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function exitCode(args: string[]): Promise<{ code: number | null; stderr: string }> {
  const r = start(args);
  const code = await r.exited;
  return { code, stderr: r.stderr() };
}

async function netexec(extra: string[] = []): Promise<{ run: Run; http: number; udp: number }> {
  const run = start(['netexec', '--http-port=0', '--udp-port', '0', ...extra]);
  const u = await waitFor(run, /Started UDP server on port \S* (\d+)/);
  const h = await waitFor(run, /Started HTTP server on port (\d+)/);
  return { run, http: Number(h[1]), udp: Number(u[1]) };
}

test('unknown subcommand: one-line error, exit 1', async () => {
  const r = await exitCode(['frobnicate']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /unknown or unsupported agnhost subcommand "frobnicate"/);
});

test('bad flags and argument counts exit 1 with cobra-style errors', async () => {
  assert.deepEqual(await exitCode(['netexec', '--nope']), { code: 1, stderr: 'Error: unknown flag: --nope\n' });
  assert.deepEqual(await exitCode(['connect']), { code: 1, stderr: 'Error: accepts 1 arg(s), received 0\n' });
  assert.deepEqual(await exitCode(['pause', 'x']), { code: 1, stderr: 'Error: accepts at most 0 arg(s), received 1\n' });
});

test('pause exits 0 on SIGTERM and SIGINT', async () => {
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    const r = start(['pause']);
    await waitFor(r, /Paused/);
    r.child.kill(sig);
    assert.equal(await r.exited, 0);
  }
});

test('netexec: /exit?code= exits with that code after responding', async () => {
  const n = await netexec(['--v=2']);
  const res = await get(n.http, '/exit?code=3');
  assert.equal(res.status, 200);
  assert.equal(await n.run.exited, 3);
});

test('netexec: SIGTERM flips /readyz to 503 then exits 0 after --delay-shutdown', async () => {
  const n = await netexec(['--delay-shutdown=1']);
  assert.equal((await get(n.http, '/hostname')).body, hostname());
  n.run.child.kill('SIGTERM');
  await waitFor(n.run, /Sleeping 1 seconds before terminating/);
  assert.equal((await get(n.http, '/readyz')).status, 503);
  assert.equal((await get(n.http, '/healthz')).status, 200);
  assert.equal(await n.run.exited, 0);
});

test('connect: tcp/udp success exit 0 silently; refused/timeout fail fast with upstream prefixes', async () => {
  const n = await netexec();
  try {
    assert.deepEqual(await exitCode(['connect', `127.0.0.1:${n.http}`, '--timeout=5s']), { code: 0, stderr: '' });
    assert.deepEqual(await exitCode(['connect', '--protocol=udp', `127.0.0.1:${n.udp}`, '--timeout', '5s']), { code: 0, stderr: '' });
    const t0 = Date.now();
    assert.deepEqual(await exitCode(['connect', '127.0.0.1:1', '--timeout=5s']), { code: 1, stderr: 'REFUSED\n' });
    assert.ok(Date.now() - t0 < 3000, 'closed TCP port should fail quickly');
    const u = await exitCode(['connect', '127.0.0.1:1', '--protocol', 'udp', '--timeout=5s']);
    assert.equal(u.code, 1);
    assert.match(u.stderr, /^REFUSED: read udp 127\.0\.0\.1:\d+->127\.0\.0\.1:1: read: connection refused\n$/);
    // netexec ignores unknown UDP commands, so the read deadline expires.
    const silent = await exitCode(['connect', `127.0.0.1:${n.udp}`, '--protocol=udp', '--udp-data=nothing', '--timeout=300ms']);
    assert.equal(silent.code, 1);
    assert.match(silent.stderr, /^TIMEOUT: read udp 127\.0\.0\.1:\d+->127\.0\.0\.1:\d+: i\/o timeout\n$/);
    assert.deepEqual(await exitCode(['connect', 'no-port']), { code: 1, stderr: 'UNKNOWN: address no-port: missing port in address\n' });
    assert.deepEqual(await exitCode(['connect', '127.0.0.1:1', '--protocol=icmp']), { code: 1, stderr: 'Unsupported protocol\nicmp' });
  } finally {
    n.run.child.kill('SIGTERM');
    await n.run.exited;
  }
});

test('serve-hostname: HTTP+TCP conflict exits 1; serves until SIGINT (exit 0); keeps serving after SIGTERM', async () => {
  const bad = await exitCode(['serve-hostname', '--tcp', '--port=0']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Can't server TCP\/UDP mode and HTTP mode at the same time/);

  const s = start(['serve-hostname', '--port=0']);
  const port = Number((await waitFor(s, /Serving on port (\d+)\./))[1]);
  assert.equal((await get(port, '/')).body, hostname());
  s.child.kill('SIGINT');
  assert.equal(await s.exited, 0);

  const t = start(['serve-hostname', '--port', '0']);
  const tport = Number((await waitFor(t, /Serving on port (\d+)\./))[1]);
  t.child.kill('SIGTERM');
  await waitFor(t, /Awaiting pod deletion/);
  assert.equal((await get(tport, '/')).body, hostname()); // upstream serves on for 60s
  t.child.kill('SIGKILL');
  await t.exited;
});

/** A port free on 127.0.0.1 right now (grpc-health-checking logs the port it was given, not the bound one). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

test('grpc-health-checking: serves the health service and the HTTP switches; a taken port exits 1', async () => {
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const g = start(['grpc-health-checking', `--port=${grpcPort}`, `--http-port=${httpPort}`, '--service=cart']);
  try {
    await waitFor(g, new RegExp(`Http server starting to listen on 127\\.0\\.0\\.1:${httpPort}`));
    await waitFor(g, new RegExp(`gRPC server starting to listen on 127\\.0\\.0\\.1:${grpcPort}`));
    // The listen log line comes just before the bind completes: allow it a moment.
    let ok = await grpcCheck('127.0.0.1', grpcPort, 'cart', 3000);
    assert.deepEqual(ok, { ok: true });
    assert.equal((await get(httpPort, '/make-not-serving')).status, 200);
    ok = await grpcCheck('127.0.0.1', grpcPort, 'cart', 3000);
    assert.deepEqual(ok, { ok: false, message: 'service unhealthy (responded with "NOT_SERVING")' });
    await waitFor(g, /Mark as unhealthy/);
    await waitFor(g, /Serving the Check request for health check, started at /);

    const taken = await exitCode(['grpc-health-checking', `--port=${grpcPort}`, `--http-port=${await freePort()}`]);
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /Error while starting the listening service /);
  } finally {
    g.child.kill('SIGTERM');
    assert.equal(await g.exited, 0);
  }
});
