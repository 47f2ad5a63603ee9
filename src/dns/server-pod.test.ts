import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, get, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import type { KubeObject } from '../api/types.js';
import { parseDnsArgs } from './args.js';
import { startDnsPod, zoneChangeOf, zoneObjectsOf, type DnsPod } from './server-pod.js';

type Reply = DecodedPacket & { rcode: string };
const HOST = '127.0.0.1';

const service = (name: string, ip: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { clusterIP: ip, clusterIPs: [ip], ports: [{ name: 'http', port: 80 }] },
});
const line = (type: string, object?: KubeObject) => `${JSON.stringify(object ? { type, object } : { type })}\n`;

function ask(port: number, name: string, type = 'A'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => { s.close(); reject(new Error(`no reply for ${name}`)); }, 2000);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(dnsPacket.decode(m) as Reply); });
    s.send(dnsPacket.encode({ id: 1, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as 'A', class: 'IN' }] }), port, HOST);
  });
}

function status(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: HOST, port, path }, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject);
  });
}

async function until<T>(what: string, f: () => Promise<T>, ok: (v: T) => boolean, ms = 1000): Promise<{ value: T; ms: number }> {
  const t0 = Date.now();
  for (;;) {
    const value = await f();
    if (ok(value)) return { value, ms: Date.now() - t0 };
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms (last: ${JSON.stringify(value)})`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('zoneObjectsOf', () => {
  it('sorts the watched objects by kind and drops the rest', () => {
    const objs: KubeObject[] = [
      service('a', '10.96.0.10'),
      { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'a-1', namespace: 'default' } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    ];
    const z = zoneObjectsOf(objs);
    assert.deepEqual([z.services.length, z.endpointSlices.length, z.pods.length, z.namespaces?.length], [1, 1, 1, 1]);
  });

  it('zoneChangeOf carries the kind and the deletion, and drops other kinds', () => {
    assert.deepEqual(zoneChangeOf(service('a', '10.96.0.10'), true), { kind: 'Service', object: service('a', '10.96.0.10'), deleted: true });
    assert.equal(zoneChangeOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, false), undefined);
  });
});

describe('the DNS pod against a fake lab API', () => {
  let dir: string;
  let api: Server;
  const streams: ServerResponse[] = [];
  /** What a new watch connection lists; the test holds the first listing back to see "not ready". */
  let listing: KubeObject[] | undefined;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pn-dns-pod-'));
    api = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      streams.push(res);
      if (listing) res.write(listing.map((o) => line('ADDED', o)).join('') + line('BOOKMARK'));
    });
    await new Promise<void>((resolve) => api.listen(join(dir, 'api.sock'), resolve));
  });
  after(async () => {
    api.closeAllConnections();
    await new Promise((r) => api.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('is not ready (and SERVFAILs) until the first listing, then follows changes within a second', async () => {
    const logs: string[] = [];
    const args = parseDnsArgs(['--api-socket', join(dir, 'api.sock'), '--bind', HOST, '--port', '0', '--ready-port', '0', '--health-port', '0']);
    // A debounce long enough that the two events of the burst below surely meet in one update.
    const pod: DnsPod = await startDnsPod({ args, log: (l) => logs.push(l), debounceMs: 20 });
    try {
      await until('watch connected', async () => streams.length, (n) => n === 1);
      assert.equal(await status(pod.readyPort, '/ready'), 503);
      assert.equal(await status(pod.healthPort, '/health'), 200);
      assert.equal(await status(pod.healthPort, '/nope'), 404);
      assert.equal((await ask(pod.port, 'web.default.svc.cluster.local')).rcode, 'SERVFAIL');

      streams[0]?.write(line('ADDED', service('web', '10.96.0.20')) + line('BOOKMARK'));
      await until('ready', () => status(pod.readyPort, '/ready'), (s) => s === 200);
      const web = await ask(pod.port, 'web.default.svc.cluster.local');
      assert.deepEqual(web.answers?.map((a) => a.type === 'A' && a.data), ['10.96.0.20']);
      assert.match(logs.find((l) => l.startsWith('zone ')) ?? '', /^zone cluster\.local serial \d+: built from 1 services, 0 endpointslices, 0 pods, \d+ names/);

      // A burst of changes: the answer follows well within a second, in few rebuilds.
      const before = pod.rebuilds;
      streams[0]?.write(line('MODIFIED', service('web', '10.96.0.21')) + line('ADDED', service('db', '10.96.0.30')));
      const moved = await until('changed answer', () => ask(pod.port, 'web.default.svc.cluster.local'), (r) => r.answers?.[0]?.type === 'A' && r.answers[0].data === '10.96.0.21');
      assert.ok(moved.ms < 1000);
      assert.equal(pod.rebuilds - before, 1, 'one zone update for the burst');
      // Applied as changes, not rebuilt; logged as a count at most once a second.
      await until('logged', async () => logs.at(-1) ?? '', (l) => /: 2 changes applied, /.test(l), 2000);
      assert.equal((await ask(pod.port, 'db.default.svc.cluster.local')).rcode, 'NOERROR');

      // A malformed object is reported and skipped; the changes around it still land.
      const bad = { ...service('bad', '10.96.0.40'), spec: { clusterIP: '10.96.0.40', ports: 5 } } as unknown as KubeObject;
      streams[0]?.write(line('ADDED', bad) + line('MODIFIED', service('db', '10.96.0.31')));
      await until('db moved', () => ask(pod.port, 'db.default.svc.cluster.local'), (r) => r.answers?.[0]?.type === 'A' && r.answers[0].data === '10.96.0.31');
      assert.ok(logs.some((l) => /^dns: zone: skipped Service default\/bad: /.test(l)), logs.join('\n'));
      assert.equal((await ask(pod.port, 'bad.default.svc.cluster.local')).rcode, 'NXDOMAIN');
      assert.equal((await ask(pod.port, 'example.test')).rcode, 'SERVFAIL', 'no upstream');

      // The API drops the stream; it is relisted without db, and db disappears.
      listing = [service('web', '10.96.0.21')];
      streams[0]?.destroy();
      await until('relisted', () => ask(pod.port, 'db.default.svc.cluster.local'), (r) => r.rcode === 'NXDOMAIN', 3000);
      assert.ok(logs.some((l) => /watch: .*reconnecting/.test(l)));
    } finally {
      await pod.close();
    }
  });

  it('runs as dns-main: one-line usage errors (exit 2), serves, and exits 0 on SIGTERM', async () => {
    const main = join(dirname(fileURLToPath(import.meta.url)), 'dns-main.js');
    const run = (argv: string[]) => spawn(process.execPath, [main, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    const bad = run(['--port', '1']);
    let err = '';
    bad.stderr.on('data', (b: Buffer) => (err += b.toString()));
    assert.equal(await new Promise((r) => bad.on('close', r)), 2);
    assert.match(err, /^dns-main: --api-socket is required.*\nusage: dns-main /);

    listing = [service('web', '10.96.0.21')];
    const child = run(['--api-socket', join(dir, 'api.sock'), '--bind', HOST, '--port', '0', '--ready-port', '0', '--health-port', '0']);
    let out = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /serving cluster\.local on port (\d+)/.exec(out);
        if (m && /^zone /m.test(out)) resolve(Number(m[1]));
      });
      child.on('close', (code) => reject(new Error(`dns-main exited ${code}: ${out}`)));
    });
    assert.deepEqual((await ask(port, 'web.default.svc.cluster.local')).answers?.map((a) => a.type === 'A' && a.data), ['10.96.0.21']);
    child.kill('SIGTERM');
    assert.equal(await new Promise((r) => child.on('close', r)), 0);
  });
});
