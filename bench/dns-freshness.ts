// DNS freshness at scale: how long after a change to the object store the DNS server's answer
// reflects it, with 10,000 Services (9,000 ClusterIP, 1,000 headless) and their EndpointSlices.
// The path is the lab's: a change in an ObjectStore → the daemon's watch stream (the same NDJSON
// over a unix socket as `GET /v1/watch`) → dns-main in its own process (watch → zone → answer
// cache) → a real UDP query from this process on 127.0.0.1, re-sent until the answer shows the
// change. Two changes: create one Service (its name goes NXDOMAIN → A), and change one endpoint
// of a headless Service (its A set gains the new address).
// The peer is the zone work itself: rebuilding the whole zone from all objects (what the DNS pod
// did on every change before the zone became incremental) next to applying one change.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as dnsPacket from 'dns-packet';
import type { KubeObject } from '../src/api/types.js';
import { zoneChangeOf, zoneObjectsOf } from '../src/dns/server-pod.js';
import { buildZone } from '../src/dns/zone.js';
import { ObjectStore } from '../src/store/store.js';
import { processStart, terminate } from '../src/sys/proc.js';
import { trackPid, untrackPid } from './cleanup.js';
import { latencyStats } from './report.js';

const DOMAIN = 'cluster.local';
const KINDS = ['Service', 'EndpointSlice', 'Pod', 'Namespace'];

export interface Stats { p50: number; p99: number; n: number }

export interface FreshnessResult {
  services: number;
  /** Store change → first UDP answer that reflects it, through dns-main. */
  createService: Stats;
  changeEndpoint: Stats;
  /** In-process zone work for one change: ClusterZone.apply, and the whole rebuild it replaced. */
  applyMs: Stats;
  rebuildMs: Stats;
}

const stats = (xs: number[]): Stats => ({ ...latencyStats(xs), n: xs.length });
const nsOf = (i: number) => `ns-${i % 20}`;
const headless = (i: number) => i % 10 === 0;

function seed(store: ObjectStore, n: number): void {
  for (let i = 0; i < 20; i++) store.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${i}` } });
  for (let i = 0; i < n; i++) {
    const ip = `10.96.${(i >> 8) + 1}.${i & 255}`;
    const spec = headless(i) ? { clusterIP: 'None', clusterIPs: ['None'] } : { clusterIP: ip, clusterIPs: [ip] };
    store.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: nsOf(i) }, spec: { ...spec, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
    store.apply(slice(i, [`10.244.${i >> 7}.${(i & 127) * 2 + 1}`, `10.244.${i >> 7}.${(i & 127) * 2 + 2}`]));
  }
}

function slice(i: number, ips: string[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name: `svc-${i}-1`, namespace: nsOf(i), labels: { 'kubernetes.io/service-name': `svc-${i}` } },
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })), ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

/** The lab daemon's watch endpoint (src/lab/daemon/server.ts watch()) over this store. */
async function watchApi(socket: string, store: ObjectStore): Promise<Server> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const listing = KINDS.flatMap((k) => store.list(k)).map((object) => JSON.stringify({ type: 'ADDED', object }) + '\n');
    res.write(listing.join('') + '{"type":"BOOKMARK"}\n');
    const stop = store.watch((ev) => {
      if (KINDS.includes(ev.object.kind)) res.write(JSON.stringify({ type: ev.type, object: ev.object }) + '\n');
    });
    req.on('close', stop);
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return server;
}

/** One outstanding query at a time over one UDP socket (bounded load). */
function udpClient(port: number): { ask: (name: string) => Promise<string[]>; close: () => void } {
  const sock = createSocket('udp4');
  let id = 0;
  let pending: { id: number; resolve: (ips: string[]) => void; reject: (e: Error) => void; timer: NodeJS.Timeout } | undefined;
  sock.on('message', (msg) => {
    const p = dnsPacket.decode(msg);
    if (!pending || p.id !== pending.id) return;
    const { resolve, timer } = pending;
    pending = undefined;
    clearTimeout(timer);
    resolve((p.answers ?? []).flatMap((a) => (a.type === 'A' ? [a.data] : [])));
  });
  return {
    ask: (name) => new Promise((resolve, reject) => {
      id = (id + 1) & 0xffff;
      const timer = setTimeout(() => {
        pending = undefined;
        reject(new Error(`no answer for ${name} within 2 s`));
      }, 2000);
      pending = { id, resolve, reject, timer };
      sock.send(dnsPacket.encode({ id, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A', class: 'IN' }] }), port, '127.0.0.1');
    }),
    close: () => sock.close(),
  };
}

/** Applies `change` to the store and re-asks `name` until `seen` holds; milliseconds from the change. */
async function timeChange(ask: (n: string) => Promise<string[]>, change: () => void, name: string, seen: (ips: string[]) => boolean): Promise<number> {
  const t0 = performance.now();
  change();
  for (;;) {
    if (seen(await ask(name))) return performance.now() - t0;
    if (performance.now() - t0 > 10_000) throw new Error(`${name}: the change did not show within 10 s`);
  }
}

async function startDnsMain(root: string, socket: string, children: ChildProcess[]): Promise<number> {
  const child = spawn(process.execPath, [join(root, 'dist', 'src', 'dns', 'dns-main.js'), '--api-socket', socket, '--domain', DOMAIN,
    '--bind', '127.0.0.1', '--port', '0', '--ready-port', '0', '--health-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  if (child.pid) {
    const pid = child.pid;
    trackPid(pid, processStart(pid));
    child.on('exit', () => untrackPid(pid));
  }
  let out = '';
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dns-main did not load the zone within 60 s: ${out.slice(-500)}`)), 60_000);
    const onData = (b: Buffer) => {
      out = (out + b.toString()).slice(-4000);
      const port = /serving \S+ on port (\d+)/.exec(out)?.[1];
      if (port && /^zone .*built from/m.test(out)) {
        clearTimeout(timer);
        resolve(Number(port));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`dns-main exited ${code}: ${out.slice(-500)}`)));
  });
}

export async function benchDnsFreshness(root: string, opts: { quick: boolean }): Promise<FreshnessResult> {
  const n = 10_000;
  const reps = opts.quick ? 30 : 200;
  const dir = `/tmp/pnbench-dnsfresh-${process.pid}`;
  const children: ChildProcess[] = [];
  let api: Server | undefined;
  let client: ReturnType<typeof udpClient> | undefined;
  let uid = 0;
  const store = new ObjectStore({ newUid: () => `uid-${++uid}` });
  try {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    seed(store, n);

    // The zone work alone, in this process: the peer (whole rebuild) and one applied change.
    const all = () => KINDS.flatMap((k) => store.list(k));
    const rebuild: number[] = [];
    for (let r = 0; r < (opts.quick ? 5 : 15); r++) {
      const t0 = performance.now();
      buildZone(zoneObjectsOf(all()), { domain: DOMAIN });
      rebuild.push(performance.now() - t0);
    }
    const zone = buildZone(zoneObjectsOf(all()), { domain: DOMAIN });
    const apply: number[] = [];
    for (let r = 0; r < reps; r++) {
      const i = (r * 10) % n;
      const change = zoneChangeOf(r % 2 ? slice(i, [`10.250.${r >> 8}.${r & 255}`]) : { apiVersion: 'v1', kind: 'Service', metadata: { name: `extra-${r}`, namespace: 'ns-0' }, spec: { clusterIP: `10.100.${r >> 8}.${r & 255}` } }, false);
      const t0 = performance.now();
      if (change) zone.apply(change);
      apply.push(performance.now() - t0);
    }

    const socket = join(dir, 'api.sock');
    api = await watchApi(socket, store);
    const port = await startDnsMain(root, socket, children);
    client = udpClient(port);
    const ask = client.ask;
    for (let i = 0; i < 50; i++) await ask(`svc-${i}.${nsOf(i)}.svc.${DOMAIN}`); // warm-up

    const create: number[] = [];
    const endpoint: number[] = [];
    for (let r = 0; r < reps; r++) {
      const ip = `10.100.${r >> 8}.${r & 255}`;
      const name = `fresh-${r}`;
      create.push(await timeChange(ask, () => store.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns-0' },
        spec: { clusterIP: ip, clusterIPs: [ip], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } }), `${name}.ns-0.svc.${DOMAIN}`, (ips) => ips.includes(ip)));
      const i = (r * 10) % n; // a headless Service: its A records are its endpoints
      const moved = `10.250.${r >> 8}.${r & 255}`;
      endpoint.push(await timeChange(ask, () => store.apply(slice(i, [moved, `10.244.${i >> 7}.${(i & 127) * 2 + 2}`])),
        `svc-${i}.${nsOf(i)}.svc.${DOMAIN}`, (ips) => ips.includes(moved)));
    }
    return { services: n, createService: stats(create), changeEndpoint: stats(endpoint), applyMs: stats(apply), rebuildMs: stats(rebuild) };
  } finally {
    client?.close();
    await terminate(children.filter((c) => c.pid && c.exitCode === null).map((c) => ({ pid: c.pid as number })), 1000);
    if (api) {
      api.closeAllConnections();
      await new Promise((r) => api?.close(r));
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
