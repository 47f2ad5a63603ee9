// Which endpoints a service port sends traffic to, from its EndpointSlices (discovery.k8s.io/v1),
// following kube-proxy's pkg/proxy/topology.go: ready endpoints; when none is ready, the ones still
// serving while terminating (so a rolling update never drops to zero); not-ready ones never.
import type { V1EndpointSlice, V1ServicePort } from '../../api/types.js';
import { formatIP, parseIP, type Family } from '../../api/cidr.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface Backend {
  /** Canonical text (RFC 5952 for IPv6), as nft prints it. */
  ip: string;
  port: number;
  nodeName?: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
}

/** Slices by `namespace/service-name`, each list sorted by slice name so that duplicates resolve the same way every time. */
export function indexSlices(slices: V1EndpointSlice[]): Map<string, V1EndpointSlice[]> {
  const out = new Map<string, V1EndpointSlice[]>();
  for (const slice of slices) {
    const svc = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svc) continue;
    const key = `${slice.metadata?.namespace ?? 'default'}/${svc}`;
    const list = out.get(key);
    if (list) list.push(slice);
    else out.set(key, [slice]);
  }
  const name = (s: V1EndpointSlice) => s.metadata?.name ?? '';
  for (const list of out.values()) if (list.length > 1) list.sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
  return out;
}

/** Dotted quad without leading zeros: already canonical (the common case, so it skips the parser). */
const PLAIN_V4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Canonical address text, or undefined when `text` is not an address of `family`. */
export function canonicalIP(text: string | undefined, family: Family): string | undefined {
  if (!text) return undefined;
  if (PLAIN_V4.test(text)) return family === 4 ? text : undefined;
  try {
    const ip = parseIP(text);
    return ip.family === family ? formatIP(family, ip.value) : undefined;
  } catch {
    return undefined;
  }
}

/** The address as a number, for sorting (canonical dotted quad in; no allocation: it runs per endpoint). */
function v4Number(ip: string): number {
  let n = 0, octet = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      n = n * 256 + octet;
      octet = 0;
    } else {
      octet = octet * 10 + c - 48;
    }
  }
  return n * 256 + octet;
}

/**
 * The endpoints of one service port in one family. A slice port matches by name (unnamed = '') and
 * protocol; an address seen twice (two slices during a handover) counts once, first slice winning.
 * Sorted by address, then port, so the plan does not depend on slice order.
 */
export function backendsFor(slices: V1EndpointSlice[], port: V1ServicePort, family: Family): Backend[] {
  const addressType = family === 4 ? 'IPv4' : 'IPv6';
  const seen = new Map<string, { backend: Backend; sortKey: number | bigint }>();
  for (const slice of slices) {
    if (slice.addressType !== addressType) continue;
    const sp = (slice.ports ?? []).find((p) => (p.name ?? '') === (port.name ?? '') && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'));
    if (!sp || typeof sp.port !== 'number') continue;
    for (const ep of slice.endpoints ?? []) {
      // kube-proxy uses the first address only: the others are the same pod by definition.
      const ip = canonicalIP(ep.addresses?.[0], family);
      if (!ip || seen.has(`${ip}|${sp.port}`)) continue;
      const ready = ep.conditions?.ready ?? true;
      const backend: Backend = {
        ip,
        port: sp.port,
        nodeName: ep.nodeName ?? undefined,
        ready,
        serving: ep.conditions?.serving ?? ready,
        terminating: ep.conditions?.terminating ?? false,
      };
      seen.set(`${ip}|${sp.port}`, { backend, sortKey: family === 4 ? v4Number(ip) : parseIP(ip).value });
    }
  }
  return [...seen.values()]
    .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : a.backend.port - b.backend.port))
    .map((s) => s.backend);
}

/** Ready endpoints; if there are none, those serving while terminating (kube-proxy's fallback). */
export function usable(backends: Backend[]): Backend[] {
  const ready = backends.filter((b) => b.ready);
  return ready.length ? ready : backends.filter((b) => b.serving && b.terminating);
}

/** Usable endpoints for Cluster policy and for Local policy (this node's only, with the same fallback). */
export function categorize(backends: Backend[], node: string): { cluster: Backend[]; local: Backend[] } {
  return { cluster: usable(backends), local: usable(backends.filter((b) => b.nodeName === node)) };
}
