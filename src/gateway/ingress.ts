// networking.k8s.io/v1 Ingress → the route table of the Ingress listeners (HTTP 80, and HTTPS 443
// when any served Ingress has a usable TLS Secret), plus status.loadBalancer for each Ingress served.
// Pure: no I/O, no clock.
//
// Which Ingresses: those whose class (spec.ingressClassName, else the deprecated
// kubernetes.io/ingress.class annotation, else the one IngressClass annotated as the default)
// names an IngressClass with controller podnet.dev/ingress (or podnet.dev/gateway: one gateway
// serves both). An Ingress naming a class that does not exist is not served and gets no address,
// as ingress-nginx does.
//
// Semantics follow the Ingress spec and ingress-nginx where the spec leaves room: a host is exact
// or `*.domain` covering exactly one label; Exact paths before Prefix paths, longer prefixes
// first (ImplementationSpecific is treated as Prefix); ties go to the older Ingress, then
// `ns/name`; requests that match no rule go to the oldest defaultBackend, on every host. Hosts
// are not merged into one another: a host's own paths, then the default backend, and nothing else.
import type { Listener, Route, RouteTable, TlsCertificate, VirtualHost, WeightedBackend } from '../l7/route-table.js';
import type { V1IngressBackend } from '@kubernetes/client-node';
import { resolveService } from './backends.js';
import { tlsSecret } from './listeners.js';
import { hostSpecificity } from './hostnames.js';
import { comparePrecedence, createdAt, type Ranked } from './precedence.js';
import { buildIndex, type Index } from './refs.js';
import { DEFAULT_CLASS_ANNOTATION, INGRESS_CONTROLLERS, type V1EndpointSlice, type V1Ingress, type V1IngressClass, type V1Secret, type V1Service } from './types.js';

export interface IngressObjects {
  ingresses: V1Ingress[];
  ingressClasses: V1IngressClass[];
  services: V1Service[];
  endpointSlices: V1EndpointSlice[];
  secrets: V1Secret[];
}

export interface IngressOptions {
  /** Where the Ingress listeners are reached (the gateway's LoadBalancer address): IP or hostname. */
  address?: string;
  httpPort?: number;
  httpsPort?: number;
}

export interface IngressStatus {
  loadBalancer: { ingress?: { ip?: string; hostname?: string }[] };
}

export interface IngressCompileResult {
  table: RouteTable;
  /** By Ingress `ns/name`, for served Ingresses only. */
  status: Record<string, IngressStatus>;
  /** Problems that do not stop serving (missing TLS Secret, unknown backend), for events and logs. */
  warnings: string[];
}

/** Annotations asking plain HTTP to be redirected to HTTPS for an Ingress's TLS hosts. */
const SSL_REDIRECT = ['podnet.dev/ssl-redirect', 'nginx.ingress.kubernetes.io/ssl-redirect', 'nginx.ingress.kubernetes.io/force-ssl-redirect'];
const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** The class an Ingress belongs to, defaulted as the API server's DefaultIngressClass admission does. */
export function ingressClassOf(ing: V1Ingress, classes: readonly V1IngressClass[]): string | undefined {
  const named = ing.spec?.ingressClassName ?? ing.metadata?.annotations?.[LEGACY_CLASS_ANNOTATION];
  if (named) return named;
  const defaults = classes.filter((c) => c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  // Upstream refuses to pick between several defaults; so does podnet.
  return defaults.length === 1 ? defaults[0].metadata?.name : undefined;
}

export function compileIngresses(objects: IngressObjects, options: IngressOptions = {}): IngressCompileResult {
  const index = buildIndex(objects);
  const ours = new Set(objects.ingressClasses.filter((c) => INGRESS_CONTROLLERS.includes(c.spec?.controller ?? '')).map((c) => c.metadata?.name ?? ''));
  const served = objects.ingresses
    .filter((ing) => ours.has(ingressClassOf(ing, objects.ingressClasses) ?? ''))
    .sort((a, b) => createdOf(a).localeCompare(createdOf(b)) || keyOf(a).localeCompare(keyOf(b)));
  const warnings: string[] = [];
  const clusters: RouteTable['clusters'] = {};
  const byHost = new Map<string, (Ranked & { route: Route })[]>();
  const redirectHosts = new Set<string>();
  const certificates = new Map<string, TlsCertificate>();
  let defaultRoute: Route | undefined;

  for (const ing of served) {
    const ns = ing.metadata?.namespace ?? 'default';
    const key = keyOf(ing);
    const backendOf = (b: V1IngressBackend, field: string): WeightedBackend => toBackend(b, ns, index, clusters, (w) => warnings.push(`Ingress ${key}: ${field}: ${w}`));
    (ing.spec?.rules ?? []).forEach((rule, r) => {
      const host = (rule.host ?? '*').toLowerCase();
      (rule.http?.paths ?? []).forEach((p, i) => {
        const exact = p.pathType === 'Exact';
        const route: Route = {
          name: `ingress/${key}/rule/${r}/path/${i}`,
          match: { path: { type: exact ? 'Exact' : 'PathPrefix', value: p.path || '/' } },
          filters: [],
          backends: [backendOf(p.backend, `spec.rules[${r}].http.paths[${i}].backend`)],
        };
        const list = byHost.get(host) ?? [];
        list.push({ route, match: route.match, hostRank: 0, created: createdOf(ing), owner: key, rule: r, matchIndex: i });
        byHost.set(host, list);
      });
    });
    if (ing.spec?.defaultBackend && !defaultRoute) {
      defaultRoute = { name: `ingress/${key}/default`, match: { path: { type: 'PathPrefix', value: '/' } }, filters: [], backends: [backendOf(ing.spec.defaultBackend, 'spec.defaultBackend')] };
    }
    const redirect = SSL_REDIRECT.some((a) => ing.metadata?.annotations?.[a] === 'true');
    (ing.spec?.tls ?? []).forEach((tls, t) => {
      const hosts = (tls.hosts ?? []).map((h) => h.toLowerCase());
      if (redirect) hosts.forEach((h) => redirectHosts.add(h));
      if (!tls.secretName) return;
      const pem = tlsSecret(index, ns, tls.secretName);
      if (!pem) {
        warnings.push(`Ingress ${key}: spec.tls[${t}].secretName: Secret ${ns}/${tls.secretName} is missing or not a kubernetes.io/tls Secret`);
        return;
      }
      const name = `${ns}/${tls.secretName}`;
      const had = certificates.get(name);
      certificates.set(name, { name, hostnames: [...new Set([...(had?.hostnames ?? []), ...hosts])], ...pem });
    });
  }

  const hosts = [...byHost.keys()];
  if (defaultRoute && !byHost.has('*')) hosts.push('*');
  const vhosts = (https: boolean): VirtualHost[] => hosts
    .sort((a, b) => hostSpecificity(b) - hostSpecificity(a) || a.localeCompare(b))
    .map((hostname) => {
      const routes = (byHost.get(hostname) ?? []).sort(comparePrecedence).map((x) => x.route);
      if (defaultRoute) routes.push(defaultRoute);
      const v: VirtualHost = { hostname, routes };
      if (hostname.startsWith('*.')) v.wildcardOneLabel = true;
      // Only when there is an HTTPS listener to send the client to.
      if (!https && certificates.size > 0 && redirectHosts.has(hostname)) v.httpsRedirect = true;
      return v;
    });
  const listeners: Listener[] = [];
  if (hosts.length > 0) {
    listeners.push({ name: 'ingress/http', port: options.httpPort ?? 80, protocol: 'HTTP', virtualHosts: vhosts(false) });
    if (certificates.size > 0) {
      const certs = [...certificates.values()].sort((a, b) => a.name.localeCompare(b.name));
      const fallback = certs.find((c) => c.hostnames.length === 0);
      listeners.push({ name: 'ingress/https', port: options.httpsPort ?? 443, protocol: 'HTTPS', tls: { certificates: certs, ...(fallback ? { defaultCertificate: fallback.name } : {}) }, virtualHosts: vhosts(true) });
    }
  }
  const status: Record<string, IngressStatus> = {};
  for (const ing of served) {
    const a = options.address;
    status[keyOf(ing)] = { loadBalancer: a ? { ingress: [isIP(a) ? { ip: a } : { hostname: a }] } : {} };
  }
  const sorted = Object.fromEntries(Object.entries(clusters).sort(([a], [b]) => a.localeCompare(b)));
  return { table: { listeners, clusters: sorted }, status, warnings };
}

function toBackend(b: V1IngressBackend, ns: string, index: Index, clusters: RouteTable['clusters'], warn: (w: string) => void): WeightedBackend {
  // ingress-nginx answers 503 for a backend it cannot reach; so does podnet, with the reason.
  const unavailable = (why: string, cluster: string): WeightedBackend => {
    warn(why);
    return { cluster, weight: 1, directResponse: { status: 503, body: `${why}\n` } };
  };
  if (!b.service) return unavailable('only Service backends are supported', `${ns}/<resource>`);
  const port = b.service.port?.name ? { name: b.service.port.name } : { number: b.service.port?.number ?? 0 };
  const r = resolveService(index, ns, b.service.name, port);
  if (!r.ok) return unavailable(r.message, `${ns}/${b.service.name}:${'name' in port ? port.name : port.number}`);
  clusters[r.key] = r.cluster;
  return { cluster: r.key, weight: 1 };
}

function keyOf(ing: V1Ingress): string {
  return `${ing.metadata?.namespace ?? 'default'}/${ing.metadata?.name ?? ''}`;
}

function createdOf(ing: V1Ingress): string {
  return createdAt(ing.metadata?.creationTimestamp);
}

function isIP(a: string): boolean {
  return /^[0-9.]+$/.test(a) || a.includes(':');
}
