// One gateway deployment can serve a Gateway's table and the Ingress table together, on shared
// ports (80/443): the tables are merged listener by listener, in the order given, which is also
// their priority.
//
// - Same port, same protocol: one listener; virtual hosts of equal name (and wildcard kind) keep
//   the first table's routes first, then the next table's, so an Ingress path never shadows a
//   Gateway route for the same host but still serves what the Gateway's routes do not match.
//   Hosts only one table has are kept as they are; the matcher's host choice spans both.
// - Same port, different protocols (HTTP in one, HTTPS in the other): the port cannot serve both;
//   the first table keeps it and the conflict is reported (podnet puts it in the Gateway's events).
// - TLS: certificates are pooled (SNI picks among all), the first default certificate wins.
// - Clusters are keyed `ns/service:port` in both, so equal keys are the same upstream.
import type { Listener, RouteTable, TlsCertificate, VirtualHost } from '../l7/route-table.js';

export interface MergeResult {
  table: RouteTable;
  conflicts: string[];
}

export function mergeTables(tables: readonly RouteTable[]): MergeResult {
  const byPort = new Map<number, Listener>();
  const conflicts: string[] = [];
  const clusters: RouteTable['clusters'] = {};
  for (const t of tables) {
    for (const l of t.listeners) {
      const had = byPort.get(l.port);
      if (!had) byPort.set(l.port, l);
      else if (had.protocol !== l.protocol) conflicts.push(`port ${l.port}: ${l.name} (${l.protocol}) conflicts with ${had.name} (${had.protocol}); ${had.name} keeps the port`);
      else byPort.set(l.port, mergeListener(had, l));
    }
    for (const [k, c] of Object.entries(t.clusters)) clusters[k] ??= c;
  }
  const listeners = [...byPort.values()].sort((a, b) => a.port - b.port);
  return { table: { listeners, clusters: Object.fromEntries(Object.entries(clusters).sort(([a], [b]) => a.localeCompare(b))) }, conflicts };
}

function mergeListener(a: Listener, b: Listener): Listener {
  const hosts = new Map<string, VirtualHost>();
  const hostKey = (v: VirtualHost): string => `${v.hostname.toLowerCase()}|${v.wildcardOneLabel ? 1 : 0}`;
  for (const v of [...a.virtualHosts, ...b.virtualHosts]) {
    const had = hosts.get(hostKey(v));
    hosts.set(hostKey(v), had ? { ...had, routes: [...had.routes, ...v.routes], ...(had.httpsRedirect || v.httpsRedirect ? { httpsRedirect: true } : {}) } : v);
  }
  const out: Listener = { name: `${a.name}+${b.name}`, port: a.port, protocol: a.protocol, virtualHosts: [...hosts.values()] };
  if (a.tls || b.tls) {
    const certs = new Map<string, TlsCertificate>();
    for (const c of [...(a.tls?.certificates ?? []), ...(b.tls?.certificates ?? [])]) {
      const had = certs.get(c.name);
      certs.set(c.name, had ? { ...had, hostnames: [...new Set([...had.hostnames, ...c.hostnames])] } : c);
    }
    const def = a.tls?.defaultCertificate ?? b.tls?.defaultCertificate;
    out.tls = { certificates: [...certs.values()], ...(def ? { defaultCertificate: def } : {}) };
  }
  return out;
}
