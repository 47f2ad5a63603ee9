// The DNS pod as a programmatic API (dns-main.ts is only its command line): DNS servers on every
// address family the pod has, a watch on the lab daemon that rebuilds the zone, the forwarder for
// everything else, and CoreDNS's ready (:8181/ready) and health (:8080/health) endpoints.
import { createServer, type Server } from 'node:http';
import type { V1EndpointSlice, V1Pod, V1Service } from '@kubernetes/client-node';
import type { KubeObject } from '../api/types.js';
import type { DnsArgs } from './args.js';
import { DnsCache } from './cache.js';
import { createForwarder } from './forward.js';
import { startDnsServer, type DnsServer } from './server.js';
import { socketTransport } from './server-upstream.js';
import { startWatch, type Snapshot } from './watch.js';
import { buildZone, type ZoneObjects } from './zone.js';

export const WATCHED_KINDS = ['Service', 'EndpointSlice', 'Pod'];

export interface DnsPodOptions {
  args: DnsArgs;
  /** Wait after a change before rebuilding, so a burst of events gives one rebuild. Default 5 ms. */
  debounceMs?: number;
  log?: (line: string) => void;
  now?: () => number;
}

export interface DnsPod {
  /** The DNS port actually bound (differs from args.port only when that was 0). */
  readonly port: number;
  readonly readyPort: number;
  readonly healthPort: number;
  /** How many zones have been loaded so far. */
  readonly rebuilds: number;
  close(): Promise<void>;
}

/** The zone builder's input from the watch's objects. Pure. */
export function zoneObjectsOf(objects: Iterable<KubeObject>): ZoneObjects {
  const out: ZoneObjects = { services: [], endpointSlices: [], pods: [] };
  for (const o of objects) {
    if (o.kind === 'Service') out.services.push(o as unknown as V1Service);
    else if (o.kind === 'EndpointSlice') out.endpointSlices.push(o as unknown as V1EndpointSlice);
    else if (o.kind === 'Pod') out.pods.push(o as unknown as V1Pod);
  }
  return out;
}

/**
 * Binds each host in turn on one port. An address family the pod lacks is skipped with a log line
 * (an IPv4-only pod has no ::); failing to bind anything at all is an error.
 */
async function bindAll(hosts: string[], port: number, make: (host: string, port: number) => Promise<DnsServer>, log: (l: string) => void): Promise<DnsServer[]> {
  const out: DnsServer[] = [];
  let last: unknown;
  for (const host of hosts) {
    try {
      out.push(await make(host, out[0]?.port ?? port));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL') {
        await Promise.all(out.map((s) => s.close()));
        throw err;
      }
      last = err;
      log(`dns: not serving on ${host}: ${(err as Error).message}`);
    }
  }
  if (out.length === 0) throw last;
  return out;
}

function listen(server: Server, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

/** At most one error line a second, so that a flood of bad packets cannot flood the log. */
function errorLogger(log: (l: string) => void, now: () => number): (err: unknown) => void {
  let last = -Infinity;
  let dropped = 0;
  return (err) => {
    if (now() - last < 1000) return void dropped++;
    log(`dns: ${(err as Error)?.message ?? String(err)}${dropped ? ` (${dropped} more errors not shown)` : ''}`);
    last = now();
    dropped = 0;
  };
}

export async function startDnsPod(opts: DnsPodOptions): Promise<DnsPod> {
  const { args } = opts;
  const log = opts.log ?? (() => undefined);
  const now = opts.now ?? Date.now;
  const onError = errorLogger(log, now);
  const forward = createForwarder({ upstreams: args.upstreams, transport: socketTransport, cache: new DnsCache({ now }), onError });
  const answer = { ttl: args.ttl };
  // Each family on its own socket (:: is IPv6-only), so a pod without IPv6 still serves IPv4.
  const hosts = args.bind.length ? args.bind : ['0.0.0.0', '::'];
  // /ready and /health: on the first --bind address, else on all (Node takes :: dual-stack, or 0.0.0.0).
  const httpHost = args.bind[0];
  const servers = await bindAll(hosts, args.port, (host, port) =>
    startDnsServer({ host, port, zone: undefined, answer, forward, ipv6Only: true, onError }), log);

  let rebuilds = 0;
  let serial = 0;
  let latest: Snapshot | undefined;
  let timer: NodeJS.Timeout | undefined;
  const rebuild = () => {
    timer = undefined;
    if (!latest) return;
    const started = now();
    const objects = zoneObjectsOf(latest.values());
    // SOA serials only go up (RFC 1982); seconds since the epoch keep that true across restarts too.
    serial = Math.max(serial + 1, Math.floor(now() / 1000)) >>> 0;
    const zone = buildZone(objects, { domain: args.domain, pods: args.pods, serial });
    for (const s of servers) s.setZone(zone);
    rebuilds++;
    log(`zone ${args.domain} serial ${serial}: ${objects.services.length} services, ${objects.endpointSlices.length} endpointslices, ` +
      `${objects.pods.length} pods, ${Object.keys(zone.records).length} names (${now() - started} ms)`);
  };
  const watch = startWatch({
    socketPath: args.apiSocket,
    kinds: WATCHED_KINDS,
    backoff: { initialMs: 100, maxMs: 2000 },
    log,
    onChange: (snapshot) => {
      latest = snapshot;
      // Not reset by later events: a steady stream of changes still shows within debounceMs.
      timer ??= setTimeout(rebuild, opts.debounceMs ?? 5);
    },
  });

  const http = (path: string, ok: () => boolean) => createServer((req, res) => {
    const url = (req.url ?? '').split('?')[0];
    const [status, body] = url !== path ? [404, 'not found'] : ok() ? [200, 'OK'] : [503, 'zone not loaded yet'];
    res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  const ready = http('/ready', () => rebuilds > 0);
  const health = http('/health', () => true);
  let readyPort: number;
  let healthPort: number;
  try {
    readyPort = await listen(ready, args.readyPort, httpHost);
    healthPort = await listen(health, args.healthPort, httpHost);
  } catch (err) {
    watch.close();
    ready.close();
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }

  return {
    port: servers[0]?.port ?? args.port,
    readyPort,
    healthPort,
    get rebuilds() {
      return rebuilds;
    },
    async close() {
      watch.close();
      if (timer) clearTimeout(timer);
      const closeHttp = (s: Server) => new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
      await Promise.all([...servers.map((s) => s.close()), closeHttp(ready), closeHttp(health)]);
    },
  };
}
