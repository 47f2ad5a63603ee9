// One Gateway's attached routes → its table listeners. Gateway listeners that share a port become
// one table listener (a pod binds a port once); each becomes virtual hosts by the hostnames its
// routes serve there.
//
// Two spec rules shape the virtual hosts, and the matcher never falls back between hosts:
// - Within one Gateway listener, routes of less specific hosts also apply to more specific ones
//   (precedence is "characters in a matching non-wildcard hostname, then in a matching hostname",
//   not "only the most specific host"), so a host's route list ends with the covering hosts' routes.
// - Between listeners, a request belongs to the most specific listener only (listener isolation,
//   GEP-1713), so nothing is folded across listeners; when two listeners of one port yield the same
//   host, the more specific listener's routes come first.
import type { Listener, Route, TlsCertificate, VirtualHost } from '../l7/route-table.js';
import { hostSpecificity } from './hostnames.js';
import type { ListenerInfo } from './listeners.js';
import { comparePrecedence, type Ranked } from './precedence.js';

/** One route entry placed under a Gateway listener and hostname. */
export interface Placed extends Ranked {
  listener: number;
  hostname: string;
  route: Route;
}

export function buildListeners(gwKey: string, listeners: readonly ListenerInfo[], placed: readonly Placed[]): Listener[] {
  const ports = [...new Set(listeners.filter((l) => l.valid).map((l) => l.spec.port))].sort((a, b) => a - b);
  return ports.map((port) => {
    const members = listeners.map((l, i) => ({ l, i })).filter(({ l }) => l.valid && l.spec.port === port);
    // Most specific listener hostname first (no hostname last).
    members.sort((a, b) => hostSpecificity(b.l.spec.hostname ?? '*') - hostSpecificity(a.l.spec.hostname ?? '*'));
    const hosts = new Map<string, Route[]>();
    for (const { i } of members) {
      for (const [host, routes] of hostsOfListener(placed.filter((p) => p.listener === i))) {
        hosts.set(host, [...(hosts.get(host) ?? []), ...routes]);
      }
    }
    const virtualHosts: VirtualHost[] = [...hosts.entries()]
      .sort(([a], [b]) => hostSpecificity(b) - hostSpecificity(a) || (a < b ? -1 : 1))
      .map(([hostname, routes]) => ({ hostname, routes }));
    const protocol = members[0].l.spec.protocol === 'HTTPS' ? 'HTTPS' : 'HTTP';
    const out: Listener = { name: `gateway/${gwKey}/${port}`, port, protocol, virtualHosts };
    if (protocol === 'HTTPS') out.tls = tlsOf(members.map(({ l }) => l));
    return out;
  });
}

/** The hosts of one Gateway listener, each with its own routes then those of covering hosts, by precedence. */
function hostsOfListener(placed: readonly Placed[]): Map<string, Route[]> {
  const byHost = new Map<string, Placed[]>();
  for (const p of placed) {
    const list = byHost.get(p.hostname);
    if (list) list.push(p);
    else byHost.set(p.hostname, [p]);
  }
  // Only wildcards and `*` cover other hosts; there are few of them, so each host looks at those
  // alone (5,000 exact hosts stay linear).
  const covering = [...byHost.keys()].filter((h) => h === '*' || h.startsWith('*.'));
  const out = new Map<string, Route[]>();
  for (const [host, own] of byHost) {
    const all = own.slice();
    for (const c of covering) if (covers(c, host)) all.push(...(byHost.get(c) ?? []));
    out.set(host, all.sort(comparePrecedence).map((r) => r.route));
  }
  return out;
}

/** Does the virtual host `pattern` cover the (possibly wildcard) host `host`, strictly? */
function covers(pattern: string, host: string): boolean {
  if (pattern === host) return false;
  if (pattern === '*') return true;
  return pattern.startsWith('*.') && host !== '*' && host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
}

function tlsOf(listeners: readonly ListenerInfo[]): Listener['tls'] {
  const byName = new Map<string, TlsCertificate>();
  let defaultCertificate: string | undefined;
  for (const l of listeners) {
    for (const c of l.certificates) {
      const had = byName.get(c.name);
      byName.set(c.name, had ? { ...had, hostnames: [...new Set([...had.hostnames, ...c.hostnames])] } : c);
      // A listener without a hostname serves any SNI: its first certificate is the default.
      if (!l.spec.hostname) defaultCertificate ??= c.name;
    }
  }
  const certificates = [...byName.values()];
  return defaultCertificate ? { certificates, defaultCertificate } : { certificates };
}

