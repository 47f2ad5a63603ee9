// The Gateway API conformance cases (testdata/gateway-httproute-cases.json, copied from
// /work/shared/conformance) turned into objects for compileGateways, and one request run through
// the table the way the proxy will: select, request filters, backend choice, response filters.
import { readFileSync } from 'node:fs';
import { modifyHeaders, pickBackend, redirectFor, rewriteFor, weightShares } from '../l7/filters.js';
import { compileTable } from '../l7/match.js';
import type { Header, RequestView, Route, RouteTable, WeightedBackend } from '../l7/route-table.js';
import { GATEWAY_CLASS, CONTROLLER_NAME, type GatewayObjects, type V1EndpointSlice, type V1Service } from './types.js';

const TESTDATA = new URL('../../../src/gateway/testdata/', import.meta.url);

/* eslint-disable @typescript-eslint/no-explicit-any -- the JSON file's shape, read as data */
export type Json = any;

export function loadCases(): { base: Json; cases: Json[] } {
  return JSON.parse(readFileSync(new URL('gateway-httproute-cases.json', TESTDATA), 'utf8'));
}

/** The address each Gateway is given, in order of appearance. */
export function addressOf(i: number): string {
  return `172.18.0.${240 + i}`;
}

/** Base + case objects as the store would hold them; creationTimestamps follow apply order. */
export function objectsFor(base: Json, c: Json): GatewayObjects {
  const objs: Json[] = JSON.parse(JSON.stringify(c.objects).replaceAll('{GATEWAY_CLASS_NAME}', GATEWAY_CLASS));
  const out: GatewayObjects = {
    namespaces: base.namespaces.map((n: Json) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n.name, labels: n.labels } })),
    gatewayClasses: [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: GATEWAY_CLASS }, spec: { controllerName: CONTROLLER_NAME } }],
    gateways: base.gateways.map((g: Json) => ({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: g.name, namespace: g.namespace },
      spec: { gatewayClassName: GATEWAY_CLASS, listeners: g.listeners },
    })),
    httpRoutes: [], referenceGrants: [], services: [], endpointSlices: [], secrets: [],
  };
  // The base's HTTPS Gateway (not in the JSON: see base.otherBaseObjectsNotReproduced), with the
  // certificate Secret the suite generates at run time.
  out.gateways.push({
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'same-namespace-with-https-listener', namespace: 'gateway-conformance-infra' },
    spec: {
      gatewayClassName: GATEWAY_CLASS,
      listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', allowedRoutes: { namespaces: { from: 'Same' } }, tls: { certificateRefs: [{ group: '', kind: 'Secret', name: 'tls-validity-checks-certificate', namespace: 'gateway-conformance-infra' }] } }],
    },
  });
  out.secrets.push({
    apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'tls-validity-checks-certificate', namespace: 'gateway-conformance-infra' },
    data: { 'tls.crt': readFileSync(new URL('example.org.crt', TESTDATA)).toString('base64'), 'tls.key': readFileSync(new URL('example.org.key', TESTDATA)).toString('base64') },
  });
  let ip = 0;
  for (const s of base.services) {
    const svc: V1Service = { apiVersion: 'v1', kind: 'Service', metadata: { name: s.name, namespace: s.namespace }, spec: { selector: s.selector, ports: s.ports } };
    out.services.push(svc);
    const endpoints = Array.from({ length: s.backend.replicas }, (_, i) => ({
      addresses: [`10.244.${Math.floor(ip / 250)}.${(ip++ % 250) + 2}`],
      conditions: { ready: true },
      targetRef: { kind: 'Pod', namespace: s.namespace, name: `${s.name}-7d9f8b6c5-${i}` },
    }));
    const slice: V1EndpointSlice = {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
      metadata: { name: `${s.name}-abcde`, namespace: s.namespace, labels: { 'kubernetes.io/service-name': s.name } },
      ports: s.ports.map((p: Json) => ({ name: p.name ?? '', port: p.targetPort, protocol: 'TCP' })),
      endpoints,
    };
    out.endpointSlices.push(slice);
  }
  objs.forEach((o, i) => {
    o.metadata.creationTimestamp = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    if (o.kind === 'Gateway') out.gateways.push(o);
    else if (o.kind === 'HTTPRoute') out.httpRoutes.push(o);
    else if (o.kind === 'ReferenceGrant') out.referenceGrants.push(o);
    else throw new Error(`unexpected kind ${o.kind}`);
  });
  return out;
}

export interface Outcome {
  status: number;
  /** Services (ns/name) that may serve the request: every backend with weight > 0. */
  backends: string[];
  path?: string;
  host?: string;
  method?: string;
  headers: Header[];
  responseHeaders: Header[];
  location?: string;
  mirroredTo: string[];
  route?: Route;
}

/** `ns/svc:port` → `ns/svc`. */
export function serviceOf(cluster: string): string {
  return cluster.replace(/:\d+$/, '');
}

/** One request through a Gateway's table, as the proxy runs it. */
export function runRequest(table: RouteTable, gatewayAddress: string, r: Json): Outcome {
  const [rawPath, rawQuery = ''] = (r.path as string).split(/\?(.*)/s, 2);
  const host = r.host ?? gatewayAddress;
  let headers: Header[] = [...Object.entries(r.headers ?? {}).map(([name, value]) => ({ name, value: String(value) })), { name: 'X-Echo-Set-Header', value: '' }];
  const view: RequestView = {
    // The proxy strips the port from Host (RequestView.host); the upstream still sees it whole.
    host: host.replace(/:\d+$/, '').toLowerCase(), path: rawPath, query: rawQuery, method: r.method ?? 'GET',
    header: (name) => {
      const vs = headers.filter((h) => h.name.toLowerCase() === name).map((h) => h.value);
      return vs.length ? vs.join(',') : undefined;
    },
  };
  const sel = compileTable(table).select(r.gateway.port, view);
  const base: Outcome = { status: 404, backends: [], headers, responseHeaders: [], mirroredTo: [] };
  if (!sel || sel.kind === 'none') return base;
  const route = sel.route;
  if (route.directResponse) return { ...base, status: route.directResponse.status, route };
  let path = rawPath;
  let upstreamHost = host;
  const mirroredTo: string[] = [];
  for (const f of route.filters) {
    if (f.type === 'RequestHeaderModifier') headers = modifyHeaders(headers, f);
    else if (f.type === 'URLRewrite') {
      const w = rewriteFor(f, path, route.match);
      path = w.path;
      upstreamHost = w.host ?? upstreamHost;
    } else if (f.type === 'RequestRedirect') {
      const a = redirectFor(f, { scheme: sel.listener.protocol === 'HTTPS' ? 'https' : 'http', host: view.host, listenerPort: sel.listener.port, path, query: rawQuery }, route.match);
      return { ...base, status: a.status, location: a.location, route };
    } else if (f.type === 'RequestMirror') mirroredTo.push(serviceOf(f.cluster));
  }
  const live = route.backends.filter((b) => b.weight > 0);
  if (live.length === 0) return { ...base, status: 500, route };
  // Every backend that can be drawn must answer alike, except for which service it is.
  const outcomes = live.map((b) => serveBy(b, table, headers));
  const first = outcomes[0];
  if (outcomes.some((o) => o.status !== first.status)) return { ...base, status: -1, route };
  let responseHeaders: Header[] = (r.backendSetResponseHeaders ? Object.entries(r.backendSetResponseHeaders) : []).map(([name, value]) => ({ name, value: String(value) }));
  for (const f of route.filters) if (f.type === 'ResponseHeaderModifier') responseHeaders = modifyHeaders(responseHeaders, f);
  const query = rawQuery === '' ? '' : `?${rawQuery}`;
  return {
    status: first.status, backends: live.map((b) => serviceOf(b.cluster)), path: path + query, host: upstreamHost, method: view.method,
    headers: first.headers, responseHeaders, mirroredTo, route,
  };
}

function serveBy(b: WeightedBackend, table: RouteTable, headers: Header[]): { status: number; headers: Header[] } {
  if (b.directResponse) return { status: b.directResponse.status, headers };
  const cluster = table.clusters[b.cluster];
  if (!cluster) return { status: 500, headers };
  if (cluster.endpoints.length === 0) return { status: 503, headers };
  let h = headers;
  for (const f of b.filters ?? []) if (f.type === 'RequestHeaderModifier') h = modifyHeaders(h, f);
  return { status: 200, headers: h };
}

/** Share of traffic per service, from the weights, and from 10,000 evenly spread draws. */
export function shares(route: Route): { computed: Record<string, number>; drawn: Record<string, number> } {
  const computed: Record<string, number> = {};
  weightShares(route.backends).forEach((s, i) => (computed[serviceOf(route.backends[i].cluster).split('/')[1]] = s));
  const drawn: Record<string, number> = Object.fromEntries(Object.keys(computed).map((k) => [k, 0]));
  const n = 10_000;
  for (let i = 0; i < n; i++) {
    const b = pickBackend(route.backends, (i + 0.5) / n);
    if (b) drawn[serviceOf(b.cluster).split('/')[1]] += 1 / n;
  }
  return { computed, drawn };
}

/** Joined values of a header, case-insensitively, as the suite compares them. */
export function headerValue(headers: readonly Header[], name: string): string | undefined {
  const vs = headers.filter((h) => h.name.toLowerCase() === name.toLowerCase()).map((h) => h.value);
  return vs.length ? vs.join(',') : undefined;
}
