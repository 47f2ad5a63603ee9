// The prober's checks against servers on the loopback interface (no root, no lab needed), and its
// JSON-lines protocol through a real process.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttp, type IncomingHttpHeaders, type RequestListener, type Server } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { createServer as createTcp, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { check } from './prober-main.js';
import { PROBE_USER_AGENT } from './spec.js';
import type { ProbeAction, ProberCommand } from './types.js';

const LO = '127.0.0.1';
let seen: IncomingHttpHeaders = {};
let seenUrl = '';

const routes: RequestListener = (req, res) => {
  seen = req.headers;
  seenUrl = req.url ?? '';
  const url = new URL(req.url ?? '/', 'http://x');
  const code = Number(url.searchParams.get('code') ?? 200);
  if (url.pathname === '/slow') return; // never answers
  if (url.pathname === '/loop') return void res.writeHead(302, { Location: '/loop' }).end();
  if (url.pathname === '/to') return void res.writeHead(302, { Location: url.searchParams.get('to') ?? '/' }).end();
  res.writeHead(code).end('body');
};

const listen = async (server: Server | ReturnType<typeof createTcp>): Promise<number> => {
  await new Promise<void>((r) => server.listen(0, LO, r));
  return (server.address() as AddressInfo).port;
};

const http = (port: number, path: string, headers: [string, string][] = []): ProbeAction =>
  ({ type: 'http', scheme: 'http', host: LO, port, path, headers });

describe('prober checks', () => {
  const httpServer = createHttp(routes);
  const tcpServer = createTcp((s) => s.end());
  let port = 0;
  let tcpPort = 0;
  let closedPort = 0;

  before(async () => {
    port = await listen(httpServer);
    tcpPort = await listen(tcpServer);
    const gone = createTcp();
    closedPort = await listen(gone);
    await new Promise((r) => gone.close(r));
  });
  after(() => {
    httpServer.closeAllConnections();
    httpServer.close();
    tcpServer.close();
  });

  it('httpGet: 200-399 succeed, others fail with the status code', async () => {
    assert.deepEqual(await check(http(port, '/'), 1000), { ok: true });
    assert.deepEqual(await check(http(port, '/?code=399'), 1000), { ok: true });
    assert.deepEqual(await check(http(port, '/?code=404'), 1000), { ok: false, message: 'HTTP probe failed with statuscode: 404' });
  });

  it('httpGet: sends the path, query and headers as given', async () => {
    await check(http(port, '/healthz?x=1', [['User-Agent', PROBE_USER_AGENT], ['X-Probe', 'a'], ['X-Probe', 'b']]), 1000);
    assert.equal(seenUrl, '/healthz?x=1');
    assert.equal(seen['user-agent'], PROBE_USER_AGENT);
    assert.equal(seen['x-probe'], 'a, b');
  });

  it('httpGet: follows redirects on the same host; another host ends the probe as a success', async () => {
    assert.equal((await check(http(port, `/to?to=${encodeURIComponent('/?code=500')}`), 1000)).ok, false);
    const other = await check(http(port, `/to?to=${encodeURIComponent(`http://localhost:${port}/`)}`), 1000);
    assert.equal(other.ok, true);
    assert.match(other.message ?? '', /Probe terminated redirects/);
    const loop = await check(http(port, '/loop'), 1000);
    assert.equal(loop.ok, false);
    assert.match(loop.message ?? '', /stopped after 10 redirects/);
  });

  it('httpGet: a server that does not answer fails after the timeout', async () => {
    const t0 = Date.now();
    const r = await check(http(port, '/slow'), 300);
    assert.equal(r.ok, false);
    assert.match(r.message ?? '', /Client\.Timeout exceeded/);
    assert.ok(Date.now() - t0 < 1000);
  });

  it('httpGet HTTPS: the certificate is not verified', async (t) => {
    const dir = mkdtempSync(`${tmpdir()}/pnx-prober-`);
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
        '-subj', '/CN=probe-test', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`], { stdio: 'ignore' });
    } catch {
      rmSync(dir, { recursive: true, force: true });
      t.skip('openssl is not available');
      return;
    }
    const server = createHttps({ key: readFileSync(`${dir}/key.pem`), cert: readFileSync(`${dir}/cert.pem`) }, routes);
    rmSync(dir, { recursive: true, force: true });
    const p = await listen(server);
    try {
      assert.deepEqual(await check({ type: 'http', scheme: 'https', host: LO, port: p, path: '/', headers: [] }, 1000), { ok: true });
    } finally {
      server.close();
    }
  });

  it('tcpSocket: a listening port succeeds, a closed one fails', async () => {
    assert.deepEqual(await check({ type: 'tcp', host: LO, port: tcpPort }, 1000), { ok: true });
    const r = await check({ type: 'tcp', host: LO, port: closedPort }, 1000);
    assert.deepEqual(r, { ok: false, message: `dial tcp ${LO}:${closedPort}: connect: ECONNREFUSED` });
  });

  it('exec: exit 0 succeeds; otherwise the output is the message; the environment is passed; timeouts kill', async () => {
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', A: '1' };
    assert.deepEqual(await check({ type: 'exec', argv: ['sh', '-c', 'test "$A" = 1'], env }, 1000), { ok: true });
    assert.deepEqual(await check({ type: 'exec', argv: ['sh', '-c', 'echo nope; exit 3'], env }, 1000), { ok: false, message: 'nope' });
    assert.deepEqual(await check({ type: 'exec', argv: ['sh', '-c', 'exit 3'], env }, 1000), { ok: false, message: 'command exited with 3' });
    const t0 = Date.now();
    assert.deepEqual(await check({ type: 'exec', argv: ['sleep', '5'], env }, 200), { ok: false, message: 'command timed out after 0.2s' });
    assert.ok(Date.now() - t0 < 1500);
    assert.equal((await check({ type: 'exec', argv: ['/nonexistent/probe'], env }, 1000)).ok, false);
  });
});

describe('prober process', () => {
  it('reads track/untrack lines, writes flips, exits when stdin closes', async () => {
    const main = fileURLToPath(new URL('./prober-main.js', import.meta.url));
    const child = spawn(process.execPath, [main], { stdio: ['pipe', 'pipe', 'ignore'] });
    const lines: string[] = [];
    const waiters: (() => void)[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => {
      lines.push(l);
      waiters.splice(0).forEach((w) => w());
    });
    const next = async (n: number) => {
      while (lines.length < n) await new Promise<void>((r) => waiters.push(r));
      return lines[n - 1];
    };
    const send = (cmd: ProberCommand | string) => child.stdin.write((typeof cmd === 'string' ? cmd : JSON.stringify(cmd)) + '\n');
    const timing = { initialDelayMs: 0, periodMs: 50, timeoutMs: 1000, successThreshold: 1, failureThreshold: 1 };
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    try {
      assert.equal(await next(1), 'ready');
      send('not json');
      const t0 = Date.now();
      send({ op: 'track', id: 'ns/p/c', instance: 7, startedAt: t0, probes: { readiness: { action: { type: 'exec', argv: ['true'], env }, ...timing } } });
      const ev = JSON.parse(await next(2));
      assert.deepEqual({ ...ev, at: 0 }, { id: 'ns/p/c', instance: 7, probe: 'readiness', result: 'success', at: 0 });
      assert.ok(ev.at >= t0);
      send({ op: 'track', id: 'ns/p/d', instance: 8, startedAt: t0, probes: { liveness: { action: { type: 'exec', argv: ['false'], env }, ...timing } } });
      assert.deepEqual(JSON.parse(await next(3)).result, 'failure');
      send({ op: 'untrack', id: 'ns/p/c' });
      const code = new Promise((r) => child.on('exit', r));
      child.stdin.end();
      assert.equal(await code, 0);
      assert.equal(lines.length, 3);
    } finally {
      child.kill();
    }
  });
});
