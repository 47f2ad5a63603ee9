// The route filters as pure functions, so the proxy only moves bytes: header modifiers on a header
// list, a redirect's Location and status, URLRewrite's new path and host, and the weighted choice of
// a backend given a random number. Semantics follow the Gateway API v1 spec (HTTPRouteFilter,
// HTTPRequestRedirectFilter, HTTPURLRewriteFilter, HTTPPathModifier) and what its conformance suite
// checks.
import { prefixMatches, trimPrefix } from './match.js';
import type { Filter, Header, PathModifier, RouteMatch, WeightedBackend } from './route-table.js';

export type HeaderModifier = Extract<Filter, { type: 'RequestHeaderModifier' | 'ResponseHeaderModifier' }>;
export type RedirectFilter = Extract<Filter, { type: 'RequestRedirect' }>;
export type RewriteFilter = Extract<Filter, { type: 'URLRewrite' }>;

/**
 * Applies set, then add, then remove (Envoy Gateway's order). Names compare case-insensitively;
 * `set` replaces every value of the name with one, `add` appends a further value (so the upstream
 * sees `old,new` once repeated headers are joined), `remove` drops every value. Returns a new list.
 */
export function modifyHeaders(headers: readonly Header[], mod: HeaderModifier): Header[] {
  let out = headers.slice();
  for (const h of mod.set ?? []) {
    const lower = h.name.toLowerCase();
    const at = out.findIndex((x) => x.name.toLowerCase() === lower);
    out = out.filter((x) => x.name.toLowerCase() !== lower);
    // Keep the header where it was, as a proxy editing in place would.
    out.splice(at < 0 ? out.length : Math.min(at, out.length), 0, { name: h.name, value: h.value });
  }
  for (const h of mod.add ?? []) out.push({ name: h.name, value: h.value });
  if (mod.remove && mod.remove.length > 0) {
    const gone = new Set(mod.remove.map((n) => n.toLowerCase()));
    out = out.filter((x) => !gone.has(x.name.toLowerCase()));
  }
  return out;
}

/** The request as a redirect sees it: the scheme and port of the listener it came in on. */
export interface RedirectInput {
  scheme: 'http' | 'https';
  /** Host without port. */
  host: string;
  /** The listener's port (Gateway API: the redirect's default port when no scheme is given). */
  listenerPort: number;
  path: string;
  /** Raw query without `?`, kept on the new location. */
  query: string;
}

export interface RedirectAnswer {
  status: number;
  location: string;
}

const DEFAULT_PORT: Record<'http' | 'https', number> = { http: 80, https: 443 };

/**
 * The Location and status of a RequestRedirect. Port rules (HTTPRequestRedirectFilter.port): an
 * explicit port wins; else a given scheme brings its well-known port; else the listener's port.
 * The port is left out of Location when it is the scheme's default (80 for http, 443 for https).
 * Status defaults to 302. `match` is the route's match, needed by ReplacePrefixMatch.
 */
export function redirectFor(filter: RedirectFilter, req: RedirectInput, match: RouteMatch): RedirectAnswer {
  const scheme = filter.scheme ?? req.scheme;
  const host = filter.hostname ?? req.host;
  const port = filter.port ?? (filter.scheme ? DEFAULT_PORT[filter.scheme] : req.listenerPort);
  const path = filter.path ? modifiedPath(filter.path, req.path, match) : req.path;
  const authority = port === DEFAULT_PORT[scheme] ? formatHost(host) : `${formatHost(host)}:${port}`;
  const query = req.query === '' ? '' : `?${req.query}`;
  return { status: filter.statusCode ?? 302, location: `${scheme}://${authority}${path}${query}` };
}

/** IPv6 literals need brackets in an authority. */
function formatHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** URLRewrite: the path and host the upstream sees (host undefined: unchanged). */
export function rewriteFor(filter: RewriteFilter, path: string, match: RouteMatch): { path: string; host?: string } {
  return { path: filter.path ? modifiedPath(filter.path, path, match) : path, host: filter.hostname };
}

/**
 * ReplaceFullPath replaces the path; ReplacePrefixMatch replaces the element-wise prefix the route
 * matched, with trailing slashes handled as the spec's table (HTTPPathModifier) lists them:
 * `/foo/bar` with prefix `/foo` and replacement `/xyz` or `/xyz/` gives `/xyz/bar`; `/foo/` gives
 * `/xyz/`; replacement `` or `/` on `/foo` gives `/`. A route without a PathPrefix match is
 * treated as prefix `/` (the compilers only allow ReplacePrefixMatch on PathPrefix routes).
 */
export function modifiedPath(mod: PathModifier, path: string, match: RouteMatch): string {
  if (mod.type === 'ReplaceFullPath') return mod.value;
  const prefix = match.path?.type === 'PathPrefix' ? trimPrefix(match.path.value) : '';
  if (!prefixMatches(prefix, path)) return path;
  const rest = path.slice(prefix.length);
  const out = trimPrefix(mod.value) + rest;
  return out === '' ? '/' : out;
}

/**
 * Weighted choice given `random` in [0,1): backend i is picked with probability weight_i / sum.
 * Weights of 0 are never picked; undefined when every weight is 0 (Gateway API: answer 500).
 */
export function pickBackend<B extends Pick<WeightedBackend, 'weight'>>(backends: readonly B[], random: number): B | undefined {
  let total = 0;
  for (const b of backends) total += Math.max(0, b.weight);
  if (total <= 0) return undefined;
  let target = random * total;
  let last: B | undefined;
  for (const b of backends) {
    if (b.weight <= 0) continue;
    last = b;
    if (target < b.weight) return b;
    target -= b.weight;
  }
  // Only reached through floating-point rounding with random close to 1.
  return last;
}

/** Each backend's share of the traffic (weight / sum), for status, tests and `podnet get`. */
export function weightShares<B extends Pick<WeightedBackend, 'weight'>>(backends: readonly B[]): number[] {
  const total = backends.reduce((s, b) => s + Math.max(0, b.weight), 0);
  return backends.map((b) => (total > 0 ? Math.max(0, b.weight) / total : 0));
}
