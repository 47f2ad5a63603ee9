// One HTTPRoute's rules → table routes, independent of the listener it attaches to: matches,
// filters, backends and timeouts, plus its ResolvedRefs verdict. The Gateway compiler then places
// these routes under each listener's virtual hosts and orders them by precedence.
import type { Cluster, Filter, Route, RouteMatch, WeightedBackend } from '../l7/route-table.js';
import { clusterKey, resolveService } from './backends.js';
import { parseDuration } from './duration.js';
import { referencePermitted, type Index } from './refs.js';
import { GATEWAY_GROUP, type BackendObjectReference, type HTTPRoute, type HTTPRouteFilter, type HTTPRouteMatch } from './types.js';

export interface CompiledEntry {
  route: Route;
  rule: number;
  matchIndex: number;
}

export interface RefProblem {
  reason: 'BackendNotFound' | 'InvalidKind' | 'RefNotPermitted';
  message: string;
}

export interface CompiledHTTPRoute {
  entries: CompiledEntry[];
  clusters: Record<string, Cluster>;
  /** The first unresolvable reference, reported as ResolvedRefs=False on every parent. */
  refProblem?: RefProblem;
}

export function compileHTTPRoute(route: HTTPRoute, index: Index): CompiledHTTPRoute {
  const ns = route.metadata.namespace ?? 'default';
  const id = `httproute/${ns}/${route.metadata.name}`;
  const clusters: Record<string, Cluster> = {};
  let refProblem: RefProblem | undefined;
  const note = (p: RefProblem): void => {
    refProblem ??= p;
  };
  const entries: CompiledEntry[] = [];
  (route.spec.rules ?? []).forEach((rule, ruleIndex) => {
    const converted = (rule.filters ?? []).flatMap((f) => convertFilter(f, ns, index, clusters, note));
    const unresolved = converted.includes(UNRESOLVED);
    const filters = converted.filter((f) => f !== UNRESOLVED);
    const backends: WeightedBackend[] = (rule.backendRefs ?? []).map((ref) => {
      const b = resolveBackend(ref, ns, index, clusters, note);
      const weight = ref.weight ?? 1;
      const bf = (ref.filters ?? []).flatMap((f) => convertFilter(f, ns, index, clusters, note));
      return { ...b, weight, ...(bf.length > 0 ? { filters: bf } : {}) };
    });
    const timeouts = convertTimeouts(rule.timeouts);
    const matches: HTTPRouteMatch[] = rule.matches && rule.matches.length > 0 ? rule.matches : [{}];
    matches.forEach((m, matchIndex) => {
      const r: Route = { name: `${id}/rule/${ruleIndex}/match/${matchIndex}`, match: convertMatch(m), filters, backends };
      // Gateway API: a rule with no backends and no filter that answers by itself gets 500.
      const answers = filters.some((f) => f.type === 'RequestRedirect');
      if (unresolved) r.directResponse = { status: 500, body: 'a filter of this HTTPRoute rule is not supported\n' };
      else if (backends.length === 0 && !answers) r.directResponse = { status: 500, body: 'no backendRefs on this HTTPRoute rule\n' };
      if (timeouts) r.timeouts = timeouts;
      entries.push({ route: r, rule: ruleIndex, matchIndex });
    });
  });
  return { entries, clusters, refProblem };
}

/** Defaults applied: no path means PathPrefix `/`; header and query types default to Exact. */
export function convertMatch(m: HTTPRouteMatch): RouteMatch {
  const out: RouteMatch = { path: { type: m.path?.type ?? 'PathPrefix', value: m.path?.value ?? '/' } };
  // The spec: when a header name repeats in one match, the first entry wins and the rest are ignored.
  const firstOf = <T extends { name: string }>(list: T[], fold: boolean): T[] => {
    const seen = new Set<string>();
    return list.filter((h) => {
      const k = fold ? h.name.toLowerCase() : h.name;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  };
  if (m.headers?.length) out.headers = firstOf(m.headers, true).map((h) => ({ type: h.type ?? 'Exact', name: h.name, value: h.value }));
  if (m.queryParams?.length) out.queryParams = firstOf(m.queryParams, false).map((q) => ({ type: q.type ?? 'Exact', name: q.name, value: q.value }));
  if (m.method) out.method = m.method;
  return out;
}

type Note = (p: RefProblem) => void;

/** Stands for a filter that could not be resolved; the rule then answers 500 (never forwarded). */
const UNRESOLVED: Filter = { type: 'RequestHeaderModifier' };

function resolveBackend(ref: BackendObjectReference, routeNs: string, index: Index, clusters: Record<string, Cluster>, note: Note): WeightedBackend {
  const ns = ref.namespace ?? routeNs;
  const key = clusterKey(ns, ref.name, ref.port ?? 0);
  const fail = (p: RefProblem): WeightedBackend => {
    note(p);
    return { cluster: key, weight: 0, directResponse: { status: 500, body: `${p.message}\n` } };
  };
  if ((ref.group ?? '') !== '' || (ref.kind ?? 'Service') !== 'Service') {
    return fail({ reason: 'InvalidKind', message: `backendRef ${ref.group ?? ''}/${ref.kind}: only core Services are supported` });
  }
  if (!referencePermitted(index, { fromGroup: GATEWAY_GROUP, fromKind: 'HTTPRoute', fromNamespace: routeNs, toGroup: '', toKind: 'Service', toNamespace: ns, toName: ref.name })) {
    return fail({ reason: 'RefNotPermitted', message: `backendRef to Service ${ns}/${ref.name} is not permitted by any ReferenceGrant in ${ns}` });
  }
  if (ref.port === undefined) return fail({ reason: 'BackendNotFound', message: `backendRef to Service ${ns}/${ref.name} must have a port` });
  const r = resolveService(index, ns, ref.name, { number: ref.port });
  if (!r.ok) return fail({ reason: 'BackendNotFound', message: r.message });
  clusters[r.key] = r.cluster;
  return { cluster: r.key, weight: 0 };
}

function convertFilter(f: HTTPRouteFilter, routeNs: string, index: Index, clusters: Record<string, Cluster>, note: Note): Filter[] {
  switch (f.type) {
    case 'RequestHeaderModifier':
    case 'ResponseHeaderModifier': {
      const m = (f.type === 'RequestHeaderModifier' ? f.requestHeaderModifier : f.responseHeaderModifier) ?? {};
      return [{ type: f.type, ...(m.set ? { set: m.set } : {}), ...(m.add ? { add: m.add } : {}), ...(m.remove ? { remove: m.remove } : {}) }];
    }
    case 'RequestRedirect': {
      const r = f.requestRedirect ?? {};
      const out: Filter = { type: 'RequestRedirect' };
      if (r.scheme) out.scheme = r.scheme;
      if (r.hostname) out.hostname = r.hostname;
      if (r.port !== undefined) out.port = r.port;
      if (r.statusCode !== undefined) out.statusCode = r.statusCode as 301 | 302 | 303 | 307 | 308;
      if (r.path) out.path = convertPath(r.path);
      return [out];
    }
    case 'URLRewrite': {
      const r = f.urlRewrite ?? {};
      const out: Filter = { type: 'URLRewrite' };
      if (r.hostname) out.hostname = r.hostname;
      if (r.path) out.path = convertPath(r.path);
      return [out];
    }
    case 'RequestMirror': {
      const m = f.requestMirror;
      if (!m) return [];
      const b = resolveBackend(m.backendRef, routeNs, index, clusters, note);
      if (b.directResponse) return [];
      const percent = m.percent ?? (m.fraction ? (100 * m.fraction.numerator) / (m.fraction.denominator ?? 100) : undefined);
      return [{ type: 'RequestMirror', cluster: b.cluster, ...(percent !== undefined ? { percent } : {}) }];
    }
    default:
      // The spec: a filter that cannot be resolved MUST NOT be skipped; its requests get an error.
      note({ reason: 'InvalidKind', message: `filter ${f.type}${f.extensionRef ? ` ${f.extensionRef.group}/${f.extensionRef.kind} ${f.extensionRef.name}` : ''} is not supported by podnet` });
      return [UNRESOLVED];
  }
}

function convertPath(p: { type: 'ReplaceFullPath' | 'ReplacePrefixMatch'; replaceFullPath?: string; replacePrefixMatch?: string }): { type: 'ReplaceFullPath' | 'ReplacePrefixMatch'; value: string } {
  return p.type === 'ReplaceFullPath' ? { type: p.type, value: p.replaceFullPath ?? '/' } : { type: p.type, value: p.replacePrefixMatch ?? '/' };
}

function convertTimeouts(t: { request?: string; backendRequest?: string } | undefined): Route['timeouts'] {
  if (!t) return undefined;
  const out: NonNullable<Route['timeouts']> = {};
  // "0s" disables the timeout (spec), which the table says by leaving it unset.
  const req = t.request !== undefined ? parseDuration(t.request) : undefined;
  const be = t.backendRequest !== undefined ? parseDuration(t.backendRequest) : undefined;
  if (req) out.requestMs = req;
  if (be) out.backendRequestMs = be;
  return out.requestMs || out.backendRequestMs ? out : undefined;
}
