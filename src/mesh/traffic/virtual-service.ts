// One VirtualService's http routes → table routes for one port of the destination Service. Istio's
// semantics: rules are tried in the order written and the first match wins (no reordering, unlike
// Gateway API); a rule's matches are ORed, the conditions in one match ANDed; `match.port` picks the
// Service port; `sourceLabels`/`sourceNamespace` are kept for per-workload specialisation.
import type { Cluster, Filter, Header, Route, RouteMatch, RetryCondition, RetryPolicy, WeightedBackend } from '../../l7/route-table.js';
import { grpcCode, parseIstioDuration } from '../kinds/index.js';
import type { Destination, HeaderOperations, HTTPMatchRequest, HTTPRoute, StringMatch, VirtualService } from '../kinds/types.js';
import { meshCluster, type ClusterContext } from './clusters.js';
import { expandHost, serviceOfFqdn } from './hosts.js';

/** Istio's default when a route sets no retries: 2 retries on connect failure, refused stream and 503. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 2, retryOn: ['connect-failure', 'refused-stream', 503] };
const DEFAULT_RETRY_ON: RetryCondition[] = ['connect-failure', 'refused-stream', 503];
const TABLE_CONDITIONS: ReadonlySet<string> = new Set(['5xx', 'gateway-error', 'reset', 'connect-failure', 'retriable-4xx', 'refused-stream']);

export interface RouteContext extends ClusterContext {
  clusters: Record<string, Cluster>;
}

/** Routes for Service `svcNs/svcName` on port `port`, in the VirtualService's order. */
export function virtualServiceRoutes(ctx: RouteContext, vs: VirtualService, svcNs: string, svcName: string, port: number, servicePorts: Map<string, number[]>): Route[] {
  const ns = vs.metadata.namespace ?? 'default';
  const id = `virtualservice/${ns}/${vs.metadata.name}`;
  const object = `VirtualService ${ns}/${vs.metadata.name}`;
  const routes: Route[] = [];
  (vs.spec.http ?? []).forEach((http, i) => {
    const matches: HTTPMatchRequest[] = http.match?.length ? http.match : [{}];
    matches.forEach((m, j) => {
      if (m.port !== undefined && m.port !== port) return;
      if (m.gateways && !m.gateways.includes('mesh')) return;
      const at = `spec.http[${i}].match[${j}]`;
      const match = convertMatch(m);
      if (typeof match === 'string') {
        ctx.problems.push({ object, field: at, message: `${match}; this match is skipped` });
        return;
      }
      const name = `${id}/http/${i}${http.match?.length ? `/match/${j}` : ''}`;
      routes.push(convertRoute(ctx, http, name, match, m, { ns, object, at: `spec.http[${i}]`, svcNs, svcName, port, servicePorts }));
    });
  });
  return routes;
}

interface Where {
  ns: string;
  object: string;
  at: string;
  svcNs: string;
  svcName: string;
  port: number;
  servicePorts: Map<string, number[]>;
}

function convertRoute(ctx: RouteContext, http: HTTPRoute, name: string, match: RouteMatch, m: HTTPMatchRequest, w: Where): Route {
  const filters: Filter[] = [...headerFilters(http.headers?.request, 'RequestHeaderModifier'), ...headerFilters(http.headers?.response, 'ResponseHeaderModifier')];
  const route: Route = { name, match, filters, backends: [] };
  if (http.redirect) {
    const r = http.redirect;
    filters.push({
      type: 'RequestRedirect', statusCode: (r.redirectCode ?? 301) as 301,
      ...(r.scheme ? { scheme: r.scheme as 'http' | 'https' } : {}), ...(r.authority ? { hostname: r.authority } : {}),
      ...(r.uri ? { path: { type: 'ReplaceFullPath' as const, value: r.uri } } : {}),
    });
    return route;
  }
  if (http.directResponse) {
    route.directResponse = { status: http.directResponse.status, ...(http.directResponse.body?.string !== undefined ? { body: http.directResponse.body.string } : {}) };
    return route;
  }
  if (http.rewrite) {
    const rewrite = convertRewrite(http.rewrite, m.uri);
    if (!rewrite) {
      ctx.problems.push({ object: w.object, field: `${w.at}.rewrite.uri`, message: 'rewriting the prefix of a uri prefix match other than "/" is not supported yet; the route answers 500' });
      route.directResponse = { status: 500, body: 'rewrite not supported by podnet for this match\n' };
      return route;
    }
    filters.push(rewrite);
  }
  const dests = http.route ?? [];
  const allUnset = dests.every((d) => d.weight === undefined);
  route.backends = dests.map((d, k) => {
    // One destination takes all; several with no weights share evenly; otherwise unset means 0.
    const weight = dests.length === 1 ? 100 : allUnset ? 1 : d.weight ?? 0;
    const b = backend(ctx, d.destination, w, `${w.at}.route[${k}].destination`);
    const bf = [...headerFilters(d.headers?.request, 'RequestHeaderModifier'), ...headerFilters(d.headers?.response, 'ResponseHeaderModifier')];
    return { ...b, weight, ...(bf.length > 0 ? { filters: bf } : {}) };
  });
  const mirrors = http.mirror ? [{ destination: http.mirror, percentage: http.mirrorPercentage }] : http.mirrors ?? [];
  mirrors.forEach((mirror, k) => {
    const b = backend(ctx, mirror.destination, w, http.mirror ? `${w.at}.mirror` : `${w.at}.mirrors[${k}].destination`);
    if (!b.directResponse) filters.push({ type: 'RequestMirror', cluster: b.cluster, percent: mirror.percentage?.value ?? 100 });
  });
  const timeout = http.timeout !== undefined ? parseIstioDuration(http.timeout) : undefined;
  if (timeout) route.timeouts = { requestMs: timeout };
  route.retry = convertRetry(http);
  const fault = convertFault(http);
  if (fault) route.fault = fault;
  return route;
}

function backend(ctx: RouteContext, d: Destination, w: Where, field: string): WeightedBackend {
  const key = serviceOfFqdn(expandHost(d.host, w.ns, ctx.domain), ctx.domain);
  const fail = (message: string): WeightedBackend => {
    ctx.problems.push({ object: w.object, field, message });
    return { cluster: `${d.host}${d.subset ? `/${d.subset}` : ''}`, weight: 0, directResponse: { status: 503, body: `${message}\n` } };
  };
  if (!key) return fail(`host ${JSON.stringify(d.host)} is not a Service of this cluster`);
  const [ns, name] = key.split('/');
  const ports = w.servicePorts.get(key);
  if (!ports) return fail(`Service ${key} not found`);
  // Istio: the port may be left out when the Service has one port; the same Service keeps the port called.
  const port = d.port?.number ?? (key === `${w.svcNs}/${w.svcName}` ? w.port : ports.length === 1 ? ports[0] : undefined);
  if (port === undefined) return fail(`Service ${key} has several ports: set destination.port.number`);
  const c = meshCluster(ctx, ns, name, port, d.subset);
  if (!c.ok) return fail(c.message);
  ctx.clusters[c.key] = c.cluster;
  return { cluster: c.key, weight: 0 };
}

/** A match, or why podnet cannot express it. */
function convertMatch(m: HTTPMatchRequest): RouteMatch | string {
  const out: RouteMatch = {};
  if (m.uri) {
    const path = stringToPath(m.uri);
    out.path = m.ignoreUriCase ? { ...path, ignoreCase: true } : path;
  }
  if (m.method) {
    if (m.method.exact === undefined) return 'method matches other than exact are not supported';
    out.method = m.method.exact;
  }
  const headers = [
    ...Object.entries(m.headers ?? {}).map(([n, s]) => ({ ...valueMatch(s), name: n.toLowerCase() })),
    ...Object.entries(m.withoutHeaders ?? {}).map(([n, s]) => ({ ...valueMatch(s), name: n.toLowerCase(), invert: true })),
  ];
  if (headers.length) out.headers = headers;
  const query = Object.entries(m.queryParams ?? {}).map(([n, s]) => ({ ...valueMatch(s), name: n }));
  if (query.length) out.queryParams = query;
  if (m.sourceLabels && Object.keys(m.sourceLabels).length) out.sourceLabels = m.sourceLabels;
  if (m.sourceNamespace) out.sourceNamespace = m.sourceNamespace;
  return out;
}

/** Istio's string prefix is not element-wise: `/api` matches `/apiv2`; written as an anchored regex. */
function stringToPath(s: StringMatch): NonNullable<RouteMatch['path']> {
  if (s.exact !== undefined) return { type: 'Exact', value: s.exact };
  if (s.prefix !== undefined) return s.prefix === '/' ? { type: 'PathPrefix', value: '/' } : { type: 'RegularExpression', value: `${escapeRegex(s.prefix)}.*` };
  return { type: 'RegularExpression', value: s.regex ?? '' };
}

function valueMatch(s: StringMatch): { type: 'Exact' | 'Prefix' | 'RegularExpression'; value: string } {
  if (s.exact !== undefined) return { type: 'Exact', value: s.exact };
  if (s.prefix !== undefined) return { type: 'Prefix', value: s.prefix };
  return { type: 'RegularExpression', value: s.regex ?? '' };
}

export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function convertRewrite(r: NonNullable<HTTPRoute['rewrite']>, uri: StringMatch | undefined): Filter | undefined {
  const out: Extract<Filter, { type: 'URLRewrite' }> = { type: 'URLRewrite' };
  if (r.authority) out.hostname = r.authority;
  if (r.uri !== undefined) {
    // Istio replaces the matched prefix; with a `/` prefix (a PathPrefix here) that is what ReplacePrefixMatch does.
    if (uri?.prefix === '/') out.path = { type: 'ReplacePrefixMatch', value: r.uri };
    else if (uri?.prefix !== undefined) return undefined;
    else out.path = { type: 'ReplaceFullPath', value: r.uri };
  }
  return out;
}

function headerFilters(ops: HeaderOperations | undefined, type: 'RequestHeaderModifier' | 'ResponseHeaderModifier'): Filter[] {
  if (!ops) return [];
  const pairs = (rec: Record<string, string> | undefined): Header[] | undefined => (rec && Object.keys(rec).length ? Object.entries(rec).map(([name, value]) => ({ name, value })) : undefined);
  const set = pairs(ops.set);
  const add = pairs(ops.add);
  const remove = ops.remove?.length ? ops.remove : undefined;
  if (!set && !add && !remove) return [];
  return [{ type, ...(set ? { set } : {}), ...(add ? { add } : {}), ...(remove ? { remove } : {}) }];
}

function convertRetry(http: HTTPRoute): RetryPolicy {
  const r = http.retries;
  if (!r) return DEFAULT_RETRY;
  const retryOn: RetryCondition[] = [];
  for (const p of r.retryOn ? r.retryOn.split(',').map((x) => x.trim()) : []) {
    if (/^[0-9]+$/.test(p)) retryOn.push(Number(p));
    else if (TABLE_CONDITIONS.has(p)) retryOn.push(p as RetryCondition);
    // retriable-status-codes is carried by the codes themselves; gRPC status names need a gRPC-aware
    // proxy and are not in the table yet (see the report).
  }
  const policy: RetryPolicy = { attempts: r.attempts ?? 2, retryOn: r.retryOn ? retryOn : DEFAULT_RETRY_ON };
  const perTry = r.perTryTimeout !== undefined ? parseIstioDuration(r.perTryTimeout) : undefined;
  if (perTry) policy.perTryTimeoutMs = perTry;
  return policy;
}

function convertFault(http: HTTPRoute): Route['fault'] {
  const f = http.fault;
  if (!f) return undefined;
  const out: NonNullable<Route['fault']> = {};
  if (f.delay?.fixedDelay) {
    // Istio: no percentage means every request (the deprecated integer `percent` still counts).
    out.delay = { fixedDelayMs: parseIstioDuration(f.delay.fixedDelay) ?? 0, percent: f.delay.percentage?.value ?? f.delay.percent ?? 100 };
  }
  if (f.abort) {
    const percent = f.abort.percentage?.value ?? 100;
    out.abort = f.abort.grpcStatus !== undefined ? { grpcStatus: grpcCode(f.abort.grpcStatus) ?? 14, percent } : { status: f.abort.httpStatus ?? 503, percent };
  }
  return out.delay || out.abort ? out : undefined;
}
