// The DNS pod as a programmatic API (dns-main.ts is only its command line): DNS servers on every
// address family the pod has, a watch on the lab daemon that keeps the zone current (built whole
// from each listing, then updated by each event's object alone), the forwarder for
// everything else, and CoreDNS's ready (:8181/ready) and health (:8080/health) endpoints.
import { createServer, type Server } from 'node:http';
import type { V1EndpointSlice, V1Namespace, V1Pod, V1Service } from '@kubernetes/client-node';
import { BUILTIN_NAMESPACES } from '../api/kinds.js';
import type { KubeObject } from '../api/types.js';
import type { DnsArgs } from './args.js';
import { DnsCache } from './cache.js';
import { createForwarder } from './forward.js';
import { startDnsServer, type DnsServer } from './server.js';
import { socketTransport } from './server-upstream.js';
import { startWatch, type Snapshot, type WatchEvent } from './watch.js';
import { ClusterZone, zoneChanges, type ZoneChange, type ZoneObjects } from './zone.js';

// Namespaces too: as CoreDNS, a namespace with nothing in it still exists (`<ns>.svc` is NODATA).
export const WATCHED_KINDS = ['Service', 'EndpointSlice', 'Pod', 'Namespace'];

export interface DnsPodOptions {
  args: DnsArgs;
  /**
   * Wait after a change before publishing, so a burst of events gives one zone update. Default 0:
   * the next turn of the event loop, which still batches every event of one read from the watch
   * (applying a change costs microseconds, so waiting longer only delays answers).
   */
  debounceMs?: number;
  log?: (line: string) => void;
  now?: () => number;
}

export interface DnsPod {
  /** The DNS port actually bound (differs from args.port only when that was 0). */
  readonly port: number;
  readonly readyPort: number;
  readonly healthPort: number;
  /** How many zone updates (whole builds and batches of changes) have been published so far. */
  readonly rebuilds: number;
  close(): Promise<void>;
}

/** The zone builder's input from the watch's objects. Pure. */
export function zoneObjectsOf(objects: Iterable<KubeObject>): ZoneObjects {
  const out: Required<ZoneObjects> = { services: [], endpointSlices: [], pods: [], namespaces: [] };
  for (const o of objects) {
    const change = zoneChangeOf(o, false);
    if (change?.kind === 'Service') out.services.push(change.object);
    else if (change?.kind === 'EndpointSlice') out.endpointSlices.push(change.object);
    else if (change?.kind === 'Pod') out.pods.push(change.object);
    else if (change?.kind === 'Namespace') out.namespaces.push(change.object);
  }
  return out;
}

/** A watched object as a zone change, or undefined for kinds the zone does not use. Pure. */
export function zoneChangeOf(o: KubeObject, deleted: boolean): ZoneChange | undefined {
  switch (o.kind) {
    case 'Service': return { kind: 'Service', object: o as unknown as V1Service, deleted };
    case 'EndpointSlice': return { kind: 'EndpointSlice', object: o as unknown as V1EndpointSlice, deleted };
    case 'Pod': return { kind: 'Pod', object: o as unknown as V1Pod, deleted };
    case 'Namespace': return { kind: 'Namespace', object: o as unknown as V1Namespace, deleted };
    default: return undefined;
  }
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
  let zone: ClusterZone | undefined;
  // Either a listing to take whole (the watch's live map, so later events are already in it) or
  // the events since the last publish, applied one by one.
  let relist: Snapshot | undefined;
  let events: WatchEvent[] = [];
  let timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  const debounceMs = opts.debounceMs ?? 0;
  // Applied changes are logged as a count at most once a second, so a lab applying thousands of
  // objects does not write thousands of lines; whole builds are always logged.
  let unlogged = 0;
  let lastLog = -Infinity;
  let logTimer: NodeJS.Timeout | undefined;
  const logChanges = () => {
    logTimer = undefined;
    if (!unlogged || !zone) return;
    log(`zone ${args.domain} serial ${serial}: ${unlogged} change${unlogged === 1 ? '' : 's'} applied, ${zone.size} names`);
    unlogged = 0;
    lastLog = now();
  };
  // A change the zone cannot take (a malformed object) is reported and skipped: the zone computes
  // a Service's new records before dropping its old ones, so it stays as it was for that object.
  const applyAll = (z: ClusterZone, changes: Iterable<ZoneChange>) => {
    for (const change of changes) {
      try {
        z.apply(change);
      } catch (err) {
        const m = change.object.metadata;
        onError(new Error(`zone: skipped ${change.kind} ${m?.namespace ? `${m.namespace}/` : ''}${m?.name}: ${(err as Error).message}`));
      }
    }
  };
  const publish = () => {
    timer = undefined;
    const started = now();
    // SOA serials only go up (RFC 1982); seconds since the epoch keep that true across restarts too.
    serial = Math.max(serial + 1, Math.floor(now() / 1000)) >>> 0;
    if (relist || !zone) {
      if (!relist) return;
      const objects = zoneObjectsOf(relist.values());
      zone = new ClusterZone({ domain: args.domain, pods: args.pods, serial, builtinNamespaces: BUILTIN_NAMESPACES });
      applyAll(zone, zoneChanges(objects));
      log(`zone ${args.domain} serial ${serial}: built from ${objects.services.length} services, ${objects.endpointSlices.length} endpointslices, ` +
        `${objects.pods.length} pods, ${zone.size} names (${now() - started} ms)`);
    } else {
      applyAll(zone, events.flatMap((ev) => zoneChangeOf(ev.object, ev.type === 'DELETED') ?? []));
      zone.setSerial(serial);
      unlogged += events.length;
      if (now() - lastLog >= 1000) logChanges();
      else logTimer ??= setTimeout(logChanges, 1000 - (now() - lastLog));
    }
    relist = undefined;
    events = [];
    // The same zone object, changed in place between two queries: setZone drops the answer cache.
    for (const s of servers) s.setZone(zone);
    rebuilds++;
  };
  const watch = startWatch({
    socketPath: args.apiSocket,
    kinds: WATCHED_KINDS,
    backoff: { initialMs: 100, maxMs: 2000 },
    log,
    onChange: (snapshot, event) => {
      if (!event) {
        relist = snapshot;
        events = [];
      } else if (!relist) {
        events.push(event);
      }
      // Not reset by later events: a steady stream of changes still shows within debounceMs.
      timer ??= debounceMs > 0 ? setTimeout(publish, debounceMs) : setImmediate(publish);
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
      if (timer && debounceMs > 0) clearTimeout(timer as NodeJS.Timeout);
      else if (timer) clearImmediate(timer as NodeJS.Immediate);
      if (logTimer) clearTimeout(logTimer);
      const closeHttp = (s: Server) => new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
      await Promise.all([...servers.map((s) => s.close()), closeHttp(ready), closeHttp(health)]);
    },
  };
}
