// Match precedence across every route on one listener and host (HTTPRoute spec.rules doc, "Proxy
// or Load Balancer routing configuration generated from HTTPRoutes MUST prioritize matches based
// on the following criteria, continuing on ties"): hostname specificity (done by the virtual host
// split), exact path, longest prefix, method, most headers, most query parameters, then the
// oldest route by creationTimestamp, then `namespace/name` alphabetically, then rule and match
// order within the route. Regular-expression paths are implementation-specific: podnet ranks them
// between Exact and PathPrefix, as Envoy Gateway does, so a catch-all prefix never hides them.
import type { RouteMatch } from '../l7/route-table.js';

export interface Ranked {
  match: RouteMatch;
  /** Host specificity of the virtual host the route came from (see hostSpecificity). */
  hostRank: number;
  /** RFC 3339 creationTimestamp, '' when unknown (sorts first, as the oldest). */
  created: string;
  /** `namespace/name` of the route object. */
  owner: string;
  rule: number;
  matchIndex: number;
}

const PATH_RANK = { Exact: 3, RegularExpression: 2, PathPrefix: 1 } as const;

/** Negative when `a` must be tried before `b`. */
export function comparePrecedence(a: Ranked, b: Ranked): number {
  return (
    b.hostRank - a.hostRank ||
    pathRank(b.match) - pathRank(a.match) ||
    pathLength(b.match) - pathLength(a.match) ||
    Number(b.match.method !== undefined) - Number(a.match.method !== undefined) ||
    (b.match.headers?.length ?? 0) - (a.match.headers?.length ?? 0) ||
    (b.match.queryParams?.length ?? 0) - (a.match.queryParams?.length ?? 0) ||
    compareTime(a.created, b.created) ||
    (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0) ||
    a.rule - b.rule ||
    a.matchIndex - b.matchIndex
  );
}

function pathRank(m: RouteMatch): number {
  return m.path ? PATH_RANK[m.path.type] : PATH_RANK.PathPrefix;
}

/** Characters of the path value; a prefix's trailing slash does not count (`/foo/` is `/foo`). */
function pathLength(m: RouteMatch): number {
  if (!m.path) return 1;
  const v = m.path.value;
  return m.path.type === 'PathPrefix' && v.length > 1 && v.endsWith('/') ? v.length - 1 : v.length;
}

function compareTime(a: string, b: string): number {
  if (a === b) return 0;
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isNaN(ta) || Number.isNaN(tb)) return a < b ? -1 : 1;
  return ta - tb;
}

/** creationTimestamp as RFC 3339 text ('' when absent or unreadable), whether a Date or a string. */
export function createdAt(t: Date | string | undefined): string {
  if (t === undefined) return '';
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}
