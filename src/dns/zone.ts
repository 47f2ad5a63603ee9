// The cluster DNS zone, kept up to date change by change. Pure data and logic (no I/O, no clock):
// `new ClusterZone(opts)`, then `apply({kind, object})` for every Service, EndpointSlice, Pod and
// Namespace that appears, changes or goes (`deleted: true`). A change recomputes only the records
// of the Service it touches (zone-records.ts), so with 10,000 Services a change costs
// microseconds where rebuilding the zone cost hundreds of milliseconds. `buildZone` is the
// from-scratch form; zone.test.ts proves the two answer alike after any sequence of changes.
// Follows the Kubernetes DNS-Based Service Discovery specification (schema 1.1.0) and, where the
// spec leaves room, CoreDNS's kubernetes plugin.
import type { V1EndpointSlice, V1Namespace, V1Pod, V1Service } from '@kubernetes/client-node';
import { dashed, undash } from './ip.js';
import { isHeadless, serviceFragment, type Fragment, type ZoneRecord } from './zone-records.js';

export type { ZoneRecord } from './zone-records.js';

export type PodsMode = 'insecure' | 'verified' | 'disabled';

/** What answer.ts reads. */
export interface Zone {
  /** Lowercase, no trailing dot, e.g. "cluster.local". */
  readonly domain: string;
  /** How `<dashed-ip>.<ns>.pod.<domain>` is answered (CoreDNS `pods` option). */
  readonly pods: PodsMode;
  /**
   * Records at a lowercase name (no trailing dot); [] when the name exists without records (an
   * empty non-terminal such as "ns.svc.cluster.local": NODATA rather than NXDOMAIN, RFC 8020);
   * undefined when it does not exist. Reverse names (in-addr.arpa, ip6.arpa) are here too.
   */
  get(name: string): readonly ZoneRecord[] | undefined;
  namespaceExists(ns: string): boolean;
  /** Whether a pod in `ns` has this address (canonical text), for `pods verified`. */
  hasPodIP(ns: string, ip: string): boolean;
}

export interface ZoneObjects {
  services: V1Service[];
  endpointSlices: V1EndpointSlice[];
  pods: V1Pod[];
  namespaces?: V1Namespace[];
}

export type ZoneChange =
  | { kind: 'Service'; object: V1Service; deleted?: boolean }
  | { kind: 'EndpointSlice'; object: V1EndpointSlice; deleted?: boolean }
  | { kind: 'Pod'; object: V1Pod; deleted?: boolean }
  | { kind: 'Namespace'; object: V1Namespace; deleted?: boolean };

export interface ZoneOptions {
  domain: string;
  /** Default `insecure`, as in the stock kubeadm Corefile. */
  pods?: PodsMode;
  /** SOA serial; passed in because plans have no clock. Default 1. */
  serial?: number;
  /** SOA minimum, the negative-caching TTL (RFC 2308). Default 5, as CoreDNS. */
  negativeTtl?: number;
  /** Namespaces that exist without a Namespace object (the cluster's built-in ones). */
  builtinNamespaces?: Iterable<string>;
}

/** Spec §2.2: the schema version this zone implements (published as TXT dns-version.<domain>). */
export const SCHEMA_VERSION = '1.1.0';
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

type Key = string; // "<namespace>/<name>"

export class ClusterZone implements Zone {
  readonly domain: string;
  readonly pods: PodsMode;
  private readonly negativeTtl: number;
  private readonly static = new Map<string, ZoneRecord[]>();
  private readonly services = new Map<Key, V1Service>();
  private readonly slices = new Map<Key, { owner: Key | undefined; slice: V1EndpointSlice }>();
  private readonly slicesOf = new Map<Key, Set<Key>>();
  private readonly fragments = new Map<Key, Fragment>();
  /** Names owned by fragments (each by exactly one). */
  private readonly owned = new Map<string, ZoneRecord[]>();
  /** Reverse name → PTR targets claimed by ClusterIPs and by headless endpoints, with counts. */
  private readonly ptrs = new Map<string, { service: Map<string, number>; endpoint: Map<string, number> }>();
  /** Name → how many existing names sit at or below it: a name with a count exists. */
  private readonly exists = new Map<string, number>();
  /** Namespace → how many objects (the Namespace itself, Services, slices, Pods) are in it. */
  private readonly nsRefs = new Map<string, number>();
  private readonly podIPs = new Map<Key, { ns: string; ips: string[] }>();
  private readonly podIPCount = new Map<string, number>();
  private readonly nsOf = new Map<string, string>(); // "<kind>/<key>" → namespace, for deletes

  constructor(opts: ZoneOptions) {
    this.domain = normalize(opts.domain);
    this.pods = opts.pods ?? 'insecure';
    this.negativeTtl = opts.negativeTtl ?? 5;
    this.setSerial(opts.serial ?? 1);
    this.static.set(this.domain, [...(this.static.get(this.domain) ?? []), { type: 'NS', data: `ns.dns.${this.domain}` }]);
    this.static.set(`dns-version.${this.domain}`, [{ type: 'TXT', data: [SCHEMA_VERSION] }]);
    for (const name of this.static.keys()) this.ref(name, 1);
    this.ref(`svc.${this.domain}`, 1);
    if (this.pods !== 'disabled') this.ref(`pod.${this.domain}`, 1);
    for (const ns of opts.builtinNamespaces ?? []) this.count('builtin', ns, ns, true);
  }

  /** Replaces the SOA serial; serials only go up (RFC 1982), which the caller keeps true. */
  setSerial(serial: number): void {
    const soa: ZoneRecord = {
      type: 'SOA',
      data: { mname: `ns.dns.${this.domain}`, rname: `hostmaster.${this.domain}`, serial, refresh: 7200, retry: 1800, expire: 86400, minimum: this.negativeTtl },
    };
    const rest = (this.static.get(this.domain) ?? []).filter((r) => r.type !== 'SOA');
    this.static.set(this.domain, [soa, ...rest]);
  }

  get(name: string): readonly ZoneRecord[] | undefined {
    const own = this.static.get(name) ?? this.owned.get(name);
    if (own) return own;
    const ptr = this.ptrs.get(name);
    if (ptr) {
      // Service IPs first: a reverse lookup of a ClusterIP names the Service, never an endpoint
      // (CoreDNS serviceRecordForIP checks services before endpoints).
      const targets = ptr.service.size ? ptr.service : ptr.endpoint;
      return [...targets.keys()].sort().map((data) => ({ type: 'PTR', data }));
    }
    return this.exists.has(name) ? [] : undefined;
  }

  namespaceExists(ns: string): boolean {
    return this.nsRefs.has(ns);
  }

  hasPodIP(ns: string, ip: string): boolean {
    return this.podIPCount.has(`${ns}/${ip}`);
  }

  /** Every name and its records, sorted: what the zone answers, as plain data (tests, debugging). */
  dump(): Record<string, ZoneRecord[]> {
    const names = new Set([...this.static.keys(), ...this.owned.keys(), ...this.ptrs.keys(), ...this.exists.keys()]);
    const out: Record<string, ZoneRecord[]> = {};
    for (const name of [...names].sort()) out[name] = [...(this.get(name) ?? [])];
    return out;
  }

  get size(): number {
    return this.exists.size + this.ptrs.size;
  }

  apply(change: ZoneChange): void {
    const ns = change.kind === 'Namespace' ? change.object.metadata?.name : change.object.metadata?.namespace;
    const name = change.object.metadata?.name;
    if (!ns || !name) return;
    const key = `${ns}/${name}`;
    this.count(change.kind, change.kind === 'Namespace' ? name : key, ns, !change.deleted);
    switch (change.kind) {
      case 'Service':
        if (change.deleted) this.services.delete(key);
        else this.services.set(key, change.object);
        return this.recompute(key);
      case 'EndpointSlice': {
        const before = this.slices.get(key)?.owner;
        const svc = change.object.metadata?.labels?.[SERVICE_NAME_LABEL];
        const owner = change.deleted || !svc ? undefined : `${ns}/${svc}`;
        if (before) this.slicesOf.get(before)?.delete(key);
        if (change.deleted) this.slices.delete(key);
        else this.slices.set(key, { owner, slice: change.object });
        if (owner) this.slicesOf.set(owner, (this.slicesOf.get(owner) ?? new Set()).add(key));
        // Only headless Services take records from their slices; others need no recompute.
        if (before && before !== owner && isHeadless(this.services.get(before))) this.recompute(before);
        if (owner && isHeadless(this.services.get(owner))) this.recompute(owner);
        return;
      }
      case 'Pod':
        return this.setPod(key, ns, change.deleted ? [] : podIPsOf(change.object));
      case 'Namespace':
        return;
    }
  }

  /** Keeps the namespace's object count; the first object makes `<ns>.svc` and `<ns>.pod` exist. */
  private count(kind: string, key: string, ns: string, present: boolean): void {
    const id = `${kind}/${key}`;
    const had = this.nsOf.has(id);
    if (had === present) return;
    if (present) this.nsOf.set(id, ns);
    else this.nsOf.delete(id);
    const n = (this.nsRefs.get(ns) ?? 0) + (present ? 1 : -1);
    if (n > 0) this.nsRefs.set(ns, n);
    else this.nsRefs.delete(ns);
    if ((n === 1 && present) || (n === 0 && !present)) {
      const d = present ? 1 : -1;
      this.ref(`${ns}.svc.${this.domain}`.toLowerCase(), d);
      if (this.pods !== 'disabled') this.ref(`${ns}.pod.${this.domain}`.toLowerCase(), d);
    }
  }

  private recompute(svcKey: Key): void {
    const svc = this.services.get(svcKey);
    // The new records first: should a malformed object make this throw, the old ones still stand.
    const slices = [...(this.slicesOf.get(svcKey) ?? [])].flatMap((k) => this.slices.get(k)?.slice ?? []);
    const frag = svc ? serviceFragment(svc, slices, this.domain) : undefined;
    const old = this.fragments.get(svcKey);
    if (old) {
      for (const name of old.names.keys()) {
        this.owned.delete(name);
        this.ref(name, -1);
      }
      for (const p of old.ptrs) this.ptr(p.rev, p.target, p.service, -1);
      this.fragments.delete(svcKey);
    }
    if (!frag) return;
    for (const [name, records] of frag.names) {
      this.owned.set(name, records);
      this.ref(name, 1);
    }
    for (const p of frag.ptrs) this.ptr(p.rev, p.target, p.service, 1);
    this.fragments.set(svcKey, frag);
  }

  private ptr(rev: string, target: string, service: boolean, d: number): void {
    const entry = this.ptrs.get(rev) ?? { service: new Map<string, number>(), endpoint: new Map<string, number>() };
    const map = service ? entry.service : entry.endpoint;
    const n = (map.get(target) ?? 0) + d;
    if (n > 0) map.set(target, n);
    else map.delete(target);
    if (entry.service.size || entry.endpoint.size) this.ptrs.set(rev, entry);
    else this.ptrs.delete(rev);
  }

  /** Counts a name inside the domain and every ancestor up to the domain as existing. */
  private ref(name: string, d: number): void {
    if (name !== this.domain && !name.endsWith(`.${this.domain}`)) return;
    for (let n = name; ; n = n.slice(n.indexOf('.') + 1)) {
      const c = (this.exists.get(n) ?? 0) + d;
      if (c > 0) this.exists.set(n, c);
      else this.exists.delete(n);
      if (n === this.domain) return;
    }
  }

  private setPod(key: Key, ns: string, ips: string[]): void {
    for (const ip of this.podIPs.get(key)?.ips ?? []) {
      const id = `${this.podIPs.get(key)?.ns}/${ip}`;
      const n = (this.podIPCount.get(id) ?? 0) - 1;
      if (n > 0) this.podIPCount.set(id, n);
      else this.podIPCount.delete(id);
    }
    if (ips.length) this.podIPs.set(key, { ns, ips });
    else this.podIPs.delete(key);
    for (const ip of ips) this.podIPCount.set(`${ns}/${ip}`, (this.podIPCount.get(`${ns}/${ip}`) ?? 0) + 1);
  }
}

/** Canonical text of a pod's addresses (so `verified` matches any spelling of an IPv6 address). */
function podIPsOf(pod: V1Pod): string[] {
  const ips = pod.status?.podIPs?.map((p) => p.ip) ?? (pod.status?.podIP ? [pod.status.podIP] : []);
  return ips.flatMap((ip) => undash(dashed(ip))?.ip ?? []);
}

/** These objects as changes, in the order that computes each Service's records once. */
export function zoneChanges(objects: ZoneObjects): ZoneChange[] {
  return [
    ...(objects.namespaces ?? []).map((object): ZoneChange => ({ kind: 'Namespace', object })),
    ...objects.endpointSlices.map((object): ZoneChange => ({ kind: 'EndpointSlice', object })),
    ...objects.services.map((object): ZoneChange => ({ kind: 'Service', object })),
    ...objects.pods.map((object): ZoneChange => ({ kind: 'Pod', object })),
  ];
}

/** The zone of these objects, built from scratch. */
export function buildZone(objects: ZoneObjects, opts: ZoneOptions): ClusterZone {
  const zone = new ClusterZone(opts);
  for (const change of zoneChanges(objects)) zone.apply(change);
  return zone;
}

export function normalize(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
