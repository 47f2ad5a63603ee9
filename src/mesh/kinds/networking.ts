// Validation of networking.istio.io VirtualService and DestinationRule, after Istio's own
// (pkg/config/validation: ValidateVirtualService, ValidateDestinationRule): the first problem is
// one line naming the field. What podnet does not implement (tcp/tls routes, consistentHash,
// delegates, CORS) is refused by name rather than silently ignored, so a manifest never seems to
// work while doing something else.
import type { FieldError } from '../../api/errors.js';
import { validateLabels } from '../../api/selectors.js';
import type { KubeObject } from '../../api/types.js';
import { checkDNS1123Label } from '../../api/names.js';
import { duration, headerOperations, host, integer, list, oneOfValues, percent, record, spec, str, stringMatch, stringMatchMap, workloadSelector } from './common.js';

/** Envoy retry policies Istio's retryOn takes (with plain status codes, comma-separated). */
export const RETRY_ON = ['5xx', 'gateway-error', 'reset', 'connect-failure', 'retriable-4xx', 'refused-stream', 'retriable-status-codes',
  'retriable-headers', 'envoy-ratelimited', 'cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'];
const SIMPLE_LB = ['UNSPECIFIED', 'RANDOM', 'PASSTHROUGH', 'ROUND_ROBIN', 'LEAST_REQUEST', 'LEAST_CONN'] as const;
const UNSUPPORTED_ROUTE_FIELDS = ['delegate', 'corsPolicy'];

export function validateVirtualService(obj: KubeObject, err: FieldError): void {
  const s = spec(obj.spec, err);
  const hosts = list(s.hosts, 'spec.hosts', err);
  if (hosts.length === 0) throw err('spec.hosts', 'required: at least one host (a Service name, FQDN or wildcard)');
  hosts.forEach((h, i) => host(h, `spec.hosts[${i}]`, err, true));
  list(s.gateways, 'spec.gateways', err).forEach((g, i) => str(g, `spec.gateways[${i}]`, err, true));
  for (const k of ['tcp', 'tls'] as const) {
    if (list(s[k], `spec.${k}`, err).length > 0) throw err(`spec.${k}`, `${k} routes are not supported by podnet (only http); TCP passes through the sidecar unrouted`);
  }
  const http = list(s.http, 'spec.http', err);
  if (http.length === 0) throw err('spec.http', 'required: at least one http route');
  http.forEach((raw, i) => validateHttpRoute(raw, `spec.http[${i}]`, err));
}

function validateHttpRoute(raw: unknown, at: string, err: FieldError): void {
  const r = record(raw, at, err);
  for (const k of UNSUPPORTED_ROUTE_FIELDS) if (r[k] !== undefined) throw err(`${at}.${k}`, 'not supported by podnet');
  str(r.name, `${at}.name`, err);
  list(r.match, `${at}.match`, err).forEach((m, j) => validateMatch(m, `${at}.match[${j}]`, err));
  const routes = list(r.route, `${at}.route`, err);
  const answers = ['redirect', 'directResponse'].filter((k) => r[k] !== undefined);
  if (routes.length > 0 && answers.length > 0) throw err(`${at}.${answers[0]}`, 'cannot be set together with route');
  if (answers.length > 1) throw err(`${at}.directResponse`, 'cannot be set together with redirect');
  if (routes.length === 0 && answers.length === 0) throw err(`${at}.route`, 'required: one of route, redirect or directResponse');
  routes.forEach((d, j) => {
    const dat = `${at}.route[${j}]`;
    const rd = record(d, dat, err);
    destination(rd.destination, `${dat}.destination`, err);
    integer(rd.weight, `${dat}.weight`, err, 0);
    const headers = rd.headers === undefined ? {} : record(rd.headers, `${dat}.headers`, err);
    headerOperations(headers.request, `${dat}.headers.request`, err);
    headerOperations(headers.response, `${dat}.headers.response`, err);
  });
  if (routes.length > 1 && routes.every((d) => (d as Record<string, unknown>).weight === 0)) throw err(`${at}.route`, 'every weight is 0: no destination would get traffic');
  if (r.redirect !== undefined) {
    const rr = record(r.redirect, `${at}.redirect`, err);
    str(rr.uri, `${at}.redirect.uri`, err);
    str(rr.authority, `${at}.redirect.authority`, err);
    oneOfValues(rr.scheme, ['http', 'https'], `${at}.redirect.scheme`, err);
    if (rr.redirectCode !== undefined && ![301, 302, 303, 307, 308].includes(rr.redirectCode as number)) throw err(`${at}.redirect.redirectCode`, `${JSON.stringify(rr.redirectCode)} must be one of 301, 302, 303, 307, 308`);
  }
  if (r.directResponse !== undefined) {
    const dr = record(r.directResponse, `${at}.directResponse`, err);
    integer(dr.status, `${at}.directResponse.status`, err, 200, 599);
    if (dr.status === undefined) throw err(`${at}.directResponse.status`, 'required');
    if (dr.body !== undefined) str(record(dr.body, `${at}.directResponse.body`, err).string, `${at}.directResponse.body.string`, err);
  }
  if (r.rewrite !== undefined) {
    const rw = record(r.rewrite, `${at}.rewrite`, err);
    str(rw.uri, `${at}.rewrite.uri`, err);
    str(rw.authority, `${at}.rewrite.authority`, err);
  }
  duration(r.timeout, `${at}.timeout`, err);
  if (r.retries !== undefined) validateRetries(r.retries, `${at}.retries`, err);
  if (r.fault !== undefined) validateFault(r.fault, `${at}.fault`, err);
  if (r.mirror !== undefined) destination(r.mirror, `${at}.mirror`, err);
  percent(r.mirrorPercentage, `${at}.mirrorPercentage`, err);
  if (r.mirrors !== undefined && r.mirror !== undefined) throw err(`${at}.mirrors`, 'cannot be set together with mirror');
  list(r.mirrors, `${at}.mirrors`, err).forEach((m, j) => {
    const mm = record(m, `${at}.mirrors[${j}]`, err);
    destination(mm.destination, `${at}.mirrors[${j}].destination`, err);
    percent(mm.percentage, `${at}.mirrors[${j}].percentage`, err);
  });
  if (r.headers !== undefined) {
    const h = record(r.headers, `${at}.headers`, err);
    headerOperations(h.request, `${at}.headers.request`, err);
    headerOperations(h.response, `${at}.headers.response`, err);
  }
}

function validateMatch(raw: unknown, at: string, err: FieldError): void {
  const m = record(raw, at, err);
  str(m.name, `${at}.name`, err);
  if (m.uri !== undefined) stringMatch(m.uri, `${at}.uri`, err);
  if (m.method !== undefined) stringMatch(m.method, `${at}.method`, err);
  if (m.scheme !== undefined || m.authority !== undefined) throw err(`${at}.${m.scheme !== undefined ? 'scheme' : 'authority'}`, 'not supported by podnet');
  stringMatchMap(m.headers, `${at}.headers`, err, true);
  stringMatchMap(m.withoutHeaders, `${at}.withoutHeaders`, err, true);
  stringMatchMap(m.queryParams, `${at}.queryParams`, err, false);
  integer(m.port, `${at}.port`, err, 1, 65535);
  validateLabels(m.sourceLabels, `${at}.sourceLabels`, err);
  str(m.sourceNamespace, `${at}.sourceNamespace`, err);
  if (m.ignoreUriCase !== undefined && typeof m.ignoreUriCase !== 'boolean') throw err(`${at}.ignoreUriCase`, 'must be true or false');
}

function destination(raw: unknown, at: string, err: FieldError): void {
  const d = record(raw, at, err);
  host(d.host, `${at}.host`, err, false);
  if (d.subset !== undefined) {
    const bad = checkDNS1123Label(str(d.subset, `${at}.subset`, err) as string);
    if (bad) throw err(`${at}.subset`, bad);
  }
  if (d.port !== undefined) integer(record(d.port, `${at}.port`, err).number, `${at}.port.number`, err, 1, 65535);
}

function validateRetries(raw: unknown, at: string, err: FieldError): void {
  const r = record(raw, at, err);
  integer(r.attempts, `${at}.attempts`, err, 0);
  duration(r.perTryTimeout, `${at}.perTryTimeout`, err);
  const on = str(r.retryOn, `${at}.retryOn`, err);
  for (const p of on ? on.split(',').map((x) => x.trim()) : []) {
    if (RETRY_ON.includes(p)) continue;
    const code = Number(p);
    if (!Number.isInteger(code) || code < 100 || code > 599) throw err(`${at}.retryOn`, `${JSON.stringify(p)} is neither a retry policy (${RETRY_ON.slice(0, 6).join(', ')}, ...) nor a status code`);
  }
}

function validateFault(raw: unknown, at: string, err: FieldError): void {
  const f = record(raw, at, err);
  if (f.delay === undefined && f.abort === undefined) throw err(at, 'must set delay or abort');
  if (f.delay !== undefined) {
    const d = record(f.delay, `${at}.delay`, err);
    if (d.exponentialDelay !== undefined) throw err(`${at}.delay.exponentialDelay`, 'not supported (Istio does not implement it either)');
    if (d.fixedDelay === undefined) throw err(`${at}.delay.fixedDelay`, 'required');
    duration(d.fixedDelay, `${at}.delay.fixedDelay`, err);
    percent(d.percentage, `${at}.delay.percentage`, err);
    integer(d.percent, `${at}.delay.percent`, err, 0, 100);
  }
  if (f.abort !== undefined) {
    const a = record(f.abort, `${at}.abort`, err);
    const kinds = ['httpStatus', 'grpcStatus', 'http2Error'].filter((k) => a[k] !== undefined);
    if (kinds.length !== 1) throw err(`${at}.abort`, 'must set exactly one of httpStatus, grpcStatus');
    if (kinds[0] === 'http2Error') throw err(`${at}.abort.http2Error`, 'not supported by podnet');
    integer(a.httpStatus, `${at}.abort.httpStatus`, err, 200, 599);
    if (a.grpcStatus !== undefined && grpcCode(a.grpcStatus) === undefined) throw err(`${at}.abort.grpcStatus`, `${JSON.stringify(a.grpcStatus)} is not a gRPC status name (e.g. UNAVAILABLE)`);
    percent(a.percentage, `${at}.abort.percentage`, err);
  }
}

const GRPC_CODES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

/** gRPC status code of a name as Istio writes it (`UNAVAILABLE`) or a number as text. */
export function grpcCode(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const i = GRPC_CODES.indexOf(v);
  if (i >= 0) return i;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 && n <= 16 ? n : undefined;
}

export function validateDestinationRule(obj: KubeObject, err: FieldError): void {
  const s = spec(obj.spec, err);
  host(s.host, 'spec.host', err, true);
  workloadSelector(s.workloadSelector, 'spec.workloadSelector', err);
  if (s.trafficPolicy !== undefined) trafficPolicy(s.trafficPolicy, 'spec.trafficPolicy', err, true);
  const names = new Set<string>();
  list(s.subsets, 'spec.subsets', err).forEach((raw, i) => {
    const at = `spec.subsets[${i}]`;
    const sub = record(raw, at, err);
    const name = str(sub.name, `${at}.name`, err, true) as string;
    const bad = checkDNS1123Label(name);
    if (bad) throw err(`${at}.name`, bad);
    if (names.has(name)) throw err(`${at}.name`, `${JSON.stringify(name)} is used by another subset: names must be unique`);
    names.add(name);
    validateLabels(sub.labels, `${at}.labels`, err);
    if (sub.trafficPolicy !== undefined) trafficPolicy(sub.trafficPolicy, `${at}.trafficPolicy`, err, true);
  });
}

function trafficPolicy(raw: unknown, at: string, err: FieldError, portLevel: boolean): void {
  const t = record(raw, at, err);
  if (t.tls !== undefined) throw err(`${at}.tls`, 'not supported: podnet sidecars always use mesh mTLS between meshed pods');
  if (t.loadBalancer !== undefined) {
    const lb = record(t.loadBalancer, `${at}.loadBalancer`, err);
    if (lb.consistentHash !== undefined) throw err(`${at}.loadBalancer.consistentHash`, 'not supported by podnet (use simple: ROUND_ROBIN, LEAST_REQUEST or RANDOM)');
    oneOfValues(lb.simple, SIMPLE_LB, `${at}.loadBalancer.simple`, err);
  }
  if (t.connectionPool !== undefined) {
    const cp = record(t.connectionPool, `${at}.connectionPool`, err);
    if (cp.tcp !== undefined) {
      const tcp = record(cp.tcp, `${at}.connectionPool.tcp`, err);
      integer(tcp.maxConnections, `${at}.connectionPool.tcp.maxConnections`, err, 1);
      duration(tcp.connectTimeout, `${at}.connectionPool.tcp.connectTimeout`, err);
    }
    if (cp.http !== undefined) {
      const h = record(cp.http, `${at}.connectionPool.http`, err);
      for (const k of ['http1MaxPendingRequests', 'http2MaxRequests', 'maxRetries']) integer(h[k], `${at}.connectionPool.http.${k}`, err, 1);
      integer(h.maxRequestsPerConnection, `${at}.connectionPool.http.maxRequestsPerConnection`, err, 0);
      duration(h.idleTimeout, `${at}.connectionPool.http.idleTimeout`, err);
    }
  }
  if (t.outlierDetection !== undefined) {
    const o = record(t.outlierDetection, `${at}.outlierDetection`, err);
    integer(o.consecutive5xxErrors, `${at}.outlierDetection.consecutive5xxErrors`, err, 0);
    integer(o.consecutiveGatewayErrors, `${at}.outlierDetection.consecutiveGatewayErrors`, err, 0);
    duration(o.interval, `${at}.outlierDetection.interval`, err);
    duration(o.baseEjectionTime, `${at}.outlierDetection.baseEjectionTime`, err);
    integer(o.maxEjectionPercent, `${at}.outlierDetection.maxEjectionPercent`, err, 0, 100);
    integer(o.minHealthPercent, `${at}.outlierDetection.minHealthPercent`, err, 0, 100);
  }
  if (t.portLevelSettings !== undefined) {
    if (!portLevel) throw err(`${at}.portLevelSettings`, 'not allowed here');
    list(t.portLevelSettings, `${at}.portLevelSettings`, err).forEach((p, i) => {
      const pat = `${at}.portLevelSettings[${i}]`;
      const ps = record(p, pat, err);
      const port = ps.port === undefined ? undefined : record(ps.port, `${pat}.port`, err);
      if (port?.number === undefined) throw err(`${pat}.port.number`, 'required');
      integer(port.number, `${pat}.port.number`, err, 1, 65535);
      const { port: _port, ...rest } = ps;
      trafficPolicy(rest, pat, err, false);
    });
  }
}
