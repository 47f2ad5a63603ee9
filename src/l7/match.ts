// The matcher: a RouteTable compiled once into lookup structures, then asked per request which
// route serves it. Pure: no I/O, no clock. The per-request path does one Map lookup for exact hosts,
// at most one Map lookup per label of the host for wildcards, then tries the chosen virtual host's
// routes in the order the compiler gave them (precedence is the compiler's job, not ours).
//
// Host choice never falls back: the most specific virtual host answers or says "no route". That is
// Envoy's rule, and it keeps Gateway API listener isolation: a compiler that wants a wildcard host's
// routes to apply under an exact host too (Gateway API route precedence within one listener)
// appends them to the exact host's route list.
import type { CompiledTable, Listener, RequestView, Route, RouteMatch, Selection, VirtualHost } from './route-table.js';
import type { RouteTable, ValueMatchType } from './route-table.js';

type Predicate = (req: RequestView, query: QueryCache) => boolean;

interface CompiledRoute {
  route: Route;
  test: Predicate;
}

interface CompiledHost {
  vhost: VirtualHost;
  routes: CompiledRoute[];
}

interface CompiledListener {
  listener: Listener;
  exact: Map<string, CompiledHost>;
  /** `*.suffix` keyed by `suffix`: covers one or more labels (Gateway API). */
  wildcardMany: Map<string, CompiledHost>;
  /** `*.suffix` keyed by `suffix`: covers exactly one label (Ingress). */
  wildcardOne: Map<string, CompiledHost>;
  any?: CompiledHost;
}

/** Query parameters parsed at most once per request, and only when a route asks for them. */
class QueryCache {
  private params?: Map<string, string>;
  constructor(private readonly raw: string) {}
  get(name: string): string | undefined {
    if (!this.params) this.params = parseQuery(this.raw);
    return this.params.get(name);
  }
}

/**
 * Query parameters by name (case-sensitive, as Gateway API says); the first value of a repeated
 * name wins, as Envoy and the spec's "SHOULD match the first value" do.
 */
export function parseQuery(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  if (raw === '') return out;
  for (const [name, value] of new URLSearchParams(raw)) if (!out.has(name)) out.set(name, value);
  return out;
}

export function compileTable(table: RouteTable): CompiledTable {
  const byPort = new Map<number, CompiledListener>();
  for (const listener of table.listeners) {
    // Two listeners on one port would be a compiler bug; the first one keeps the port, and its
    // hosts win over the second's, so the outcome is at least deterministic.
    let cl = byPort.get(listener.port);
    if (!cl) {
      cl = { listener, exact: new Map(), wildcardMany: new Map(), wildcardOne: new Map() };
      byPort.set(listener.port, cl);
    }
    for (const vhost of listener.virtualHosts) addHost(cl, vhost);
  }
  return {
    table,
    select(listenerPort: number, req: RequestView): Selection | undefined {
      const cl = byPort.get(listenerPort);
      if (!cl) return undefined;
      const host = findHost(cl, req.host);
      if (!host) return { kind: 'none', listener: cl.listener, reason: 'no-host' };
      const query = new QueryCache(req.query);
      for (const r of host.routes) {
        if (r.test(req, query)) return { kind: 'route', listener: cl.listener, vhost: host.vhost, route: r.route };
      }
      return { kind: 'none', listener: cl.listener, reason: 'no-route' };
    },
  };
}

function addHost(cl: CompiledListener, vhost: VirtualHost): void {
  const compiled: CompiledHost = { vhost, routes: vhost.routes.map((route) => ({ route, test: compileMatch(route.match) })) };
  const name = vhost.hostname.toLowerCase();
  if (name === '*') {
    cl.any ??= compiled;
  } else if (name.startsWith('*.')) {
    const map = vhost.wildcardOneLabel ? cl.wildcardOne : cl.wildcardMany;
    if (!map.has(name.slice(2))) map.set(name.slice(2), compiled);
  } else if (!cl.exact.has(name)) {
    cl.exact.set(name, compiled);
  }
}

/** Exact host, then the longest wildcard suffix (a one-label wildcard before a many-label one of the same suffix), then `*`. */
function findHost(cl: CompiledListener, rawHost: string): CompiledHost | undefined {
  const host = rawHost.endsWith('.') ? rawHost.slice(0, -1) : rawHost;
  const exact = cl.exact.get(host);
  if (exact) return exact;
  if (cl.wildcardMany.size > 0 || cl.wildcardOne.size > 0) {
    // Walk the suffixes from the longest: `a.b.c` tries `b.c`, then `c`. A wildcard never matches
    // the bare suffix (`*.foo.com` does not cover `foo.com`), hence the strict suffixes only.
    let dot = host.indexOf('.');
    let depth = 1;
    while (dot >= 0) {
      const suffix = host.slice(dot + 1);
      if (depth === 1) {
        const one = cl.wildcardOne.get(suffix);
        if (one) return one;
      }
      const many = cl.wildcardMany.get(suffix);
      if (many) return many;
      dot = host.indexOf('.', dot + 1);
      depth++;
    }
  }
  return cl.any;
}

/** One predicate per route; every part of a match must hold (AND), as in Gateway API. */
export function compileMatch(match: RouteMatch): Predicate {
  // Caller conditions are resolved per workload before a table reaches a proxy (see RouteMatch).
  if (match.sourceLabels !== undefined || match.sourceNamespace !== undefined) return () => false;
  const tests: Predicate[] = [];
  if (match.path) tests.push(match.path.ignoreCase ? foldedPathTest(match.path.type, match.path.value) : pathTest(match.path.type, match.path.value));
  if (match.method) {
    const method = match.method.toUpperCase();
    tests.push((req) => req.method.toUpperCase() === method);
  }
  for (const h of match.headers ?? []) {
    const name = h.name.toLowerCase();
    const test = valueTest(h.type, h.value);
    tests.push(h.invert ? (req) => {
      const v = req.header(name);
      return v === undefined || !test(v);
    } : (req) => {
      const v = req.header(name);
      return v !== undefined && test(v);
    });
  }
  for (const q of match.queryParams ?? []) {
    const test = valueTest(q.type, q.value);
    tests.push((_req, query) => {
      const v = query.get(q.name);
      return v !== undefined && test(v);
    });
  }
  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0];
  return (req, query) => tests.every((t) => t(req, query));
}

function valueTest(type: ValueMatchType, value: string): (v: string) => boolean {
  if (type === 'Exact') return (v) => v === value;
  if (type === 'Prefix') return (v) => v.startsWith(value);
  const re = fullRegex(value);
  return re ? (v) => re.test(v) : () => false;
}

function pathTest(type: NonNullable<RouteMatch['path']>['type'], value: string): Predicate {
  if (type === 'Exact') return (req) => req.path === value;
  if (type === 'PathPrefix') {
    const prefix = trimPrefix(value);
    return (req) => prefixMatches(prefix, req.path);
  }
  const re = fullRegex(value);
  return re ? (req) => re.test(req.path) : () => false;
}

/** Istio's ignoreUriCase: Exact and PathPrefix compare lower-cased; a regex gets the `i` flag. */
function foldedPathTest(type: NonNullable<RouteMatch['path']>['type'], value: string): Predicate {
  const lower = value.toLowerCase();
  if (type === 'Exact') return (req) => req.path.toLowerCase() === lower;
  if (type === 'PathPrefix') {
    const prefix = trimPrefix(lower);
    return (req) => prefixMatches(prefix, req.path.toLowerCase());
  }
  const re = fullRegex(value, 'i');
  return re ? (req) => re.test(req.path) : () => false;
}

/** A prefix without its trailing slash (`/` becomes ``), the form prefixMatches expects. */
export function trimPrefix(prefix: string): string {
  return prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
}

/**
 * Element-wise prefix match (Gateway API PathPrefix, Ingress Prefix): `/foo` matches `/foo`,
 * `/foo/` and `/foo/bar`, never `/foobar`. `prefix` is trimmed (see trimPrefix).
 */
export function prefixMatches(prefix: string, path: string): boolean {
  if (prefix === '') return true;
  if (!path.startsWith(prefix)) return false;
  return path.length === prefix.length || path.charCodeAt(prefix.length) === 47; // '/'
}

/**
 * Regular expressions match the whole value, as Envoy's RE2 `safe_regex` does. An expression
 * JavaScript cannot compile never matches; the compilers reject such routes in status first.
 */
function fullRegex(source: string, flags = ''): RegExp | undefined {
  try {
    return new RegExp(`^(?:${source})$`, flags);
  } catch {
    return undefined;
  }
}
