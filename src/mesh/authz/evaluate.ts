// AuthorizationPolicy evaluation as Istio does it (security/v1 reference, "Authorization Policy
// precedence"), for one request at one workload:
// 1. Policies that apply: those in the workload's namespace whose selector matches its labels (no
//    selector: the whole namespace), and those in the root namespace (istio-system) likewise, which
//    apply mesh-wide. AUDIT policies never change the verdict; CUSTOM is refused at validation.
// 2. If any DENY policy has a matching rule, the request is denied.
// 3. If no ALLOW policy applies, it is allowed. Otherwise it must match a rule of one of them.
// A rule matches when its from, to and when all hold (each absent part holds). `rules: [{}]` is one
// empty rule that matches everything ("allow all"); an ALLOW policy with no rules applies but matches
// nothing ("allow nothing", `spec: {}`), so it denies every request; a DENY policy without rules
// denies nothing. Within from/to the list entries are ORed, the fields of one entry ANDed, the
// values of one field ORed; a not-field holds when no value matches.
// For TCP (no HTTP request) Istio is strict with HTTP-only fields (methods, paths, hosts, request
// headers, request principals): an ALLOW rule using them never matches, and a DENY rule is
// evaluated as if they were absent, so in both cases the outcome errs toward denying.
import type { AuthorizationPolicy, Condition, Operation, Rule, Source } from '../kinds/types.js';
import { inAnyBlock, matchAny, normalPrincipal, principalNamespace } from './match.js';
import type { AuthzRequest, AuthzVerdict, Workload } from './types.js';

export const ROOT_NAMESPACE = 'istio-system';

/** The policies that apply to `workload`, sorted by namespace/name for a stable "which one decided". */
export function applicablePolicies(policies: readonly AuthorizationPolicy[], workload: Workload, rootNamespace = ROOT_NAMESPACE): AuthorizationPolicy[] {
  return policies
    .filter((p) => {
      const ns = p.metadata.namespace ?? 'default';
      if (ns !== workload.namespace && ns !== rootNamespace) return false;
      const want = p.spec.selector?.matchLabels ?? {};
      return Object.entries(want).every(([k, v]) => workload.labels[k] === v);
    })
    .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function key(p: AuthorizationPolicy): string {
  return `${p.metadata.namespace ?? 'default'}/${p.metadata.name}`;
}

export function authorize(req: AuthzRequest, policies: readonly AuthorizationPolicy[], workload: Workload, rootNamespace = ROOT_NAMESPACE): AuthzVerdict {
  const applicable = applicablePolicies(policies, workload, rootNamespace);
  for (const p of applicable) {
    if (p.spec.action !== 'DENY') continue;
    const i = (p.spec.rules ?? []).findIndex((r) => ruleMatches(r ?? {}, req, 'DENY'));
    if (i >= 0) return { allowed: false, reason: 'deny', policy: key(p), rule: i };
  }
  const allows = applicable.filter((p) => (p.spec.action ?? 'ALLOW') === 'ALLOW');
  if (allows.length === 0) return { allowed: true, reason: 'no-policy' };
  for (const p of allows) {
    const i = (p.spec.rules ?? []).findIndex((r) => ruleMatches(r ?? {}, req, 'ALLOW'));
    if (i >= 0) return { allowed: true, reason: 'allow', policy: key(p), rule: i };
  }
  return { allowed: false, reason: 'no-allow-match', considered: allows.map(key) };
}

type Action = 'ALLOW' | 'DENY';

/** What one condition says: true/false, or undefined for an HTTP-only field on a TCP request. */
type Tri = boolean | undefined;

/** HTTP-only on TCP: ALLOW rules fail, DENY rules ignore the condition. */
function settle(t: Tri, action: Action): boolean {
  return t === undefined ? action === 'DENY' : t;
}

export function ruleMatches(rule: Rule, req: AuthzRequest, action: Action): boolean {
  if (rule.from?.length && !rule.from.some((f) => sourceMatches(f.source ?? {}, req, action))) return false;
  if (rule.to?.length && !rule.to.some((t) => operationMatches(t.operation ?? {}, req, action))) return false;
  for (const c of rule.when ?? []) if (!settle(conditionHolds(c, req), action)) return false;
  return true;
}

function sourceMatches(s: Source, req: AuthzRequest, action: Action): boolean {
  const principal = normalPrincipal(req.source.principal);
  const ns = principalNamespace(principal);
  const remote = req.source.remoteIp ?? req.source.ip;
  const checks: [string[] | undefined, () => Tri][] = [
    [s.principals, () => matchAny(s.principals ?? [], principal)],
    [s.notPrincipals, () => !matchAny(s.notPrincipals ?? [], principal)],
    [s.namespaces, () => matchAny(s.namespaces ?? [], ns)],
    [s.notNamespaces, () => !matchAny(s.notNamespaces ?? [], ns)],
    [s.ipBlocks, () => inAnyBlock(s.ipBlocks ?? [], req.source.ip)],
    [s.notIpBlocks, () => !inAnyBlock(s.notIpBlocks ?? [], req.source.ip)],
    [s.remoteIpBlocks, () => inAnyBlock(s.remoteIpBlocks ?? [], remote)],
    [s.notRemoteIpBlocks, () => !inAnyBlock(s.notRemoteIpBlocks ?? [], remote)],
    // No JWT (RequestAuthentication) in podnet: an HTTP request has no request principal.
    [s.requestPrincipals, () => (req.http ? false : undefined)],
    [s.notRequestPrincipals, () => (req.http ? true : undefined)],
  ];
  return allHold(checks, action);
}

/** Every present field holds (an HTTP-only one on TCP settles by the action). */
function allHold(checks: [string[] | undefined, () => Tri][], action: Action): boolean {
  for (const [field, test] of checks) {
    if (field !== undefined && !settle(test(), action)) return false;
  }
  return true;
}

function operationMatches(o: Operation, req: AuthzRequest, action: Action): boolean {
  const http = req.http;
  const host = http?.host?.toLowerCase().replace(/:[0-9]+$/, '');
  const lower = (l: string[]): string[] => l.map((h) => h.toLowerCase());
  const httpOnly = (f: () => boolean): Tri => (http ? f() : undefined);
  const checks: [string[] | undefined, () => Tri][] = [
    [o.ports, () => o.ports?.includes(String(req.destination.port))],
    [o.notPorts, () => !o.notPorts?.includes(String(req.destination.port))],
    [o.hosts, () => httpOnly(() => matchAny(lower(o.hosts ?? []), host))],
    [o.notHosts, () => httpOnly(() => !matchAny(lower(o.notHosts ?? []), host))],
    [o.methods, () => httpOnly(() => matchAny(o.methods ?? [], http?.method))],
    [o.notMethods, () => httpOnly(() => !matchAny(o.notMethods ?? [], http?.method))],
    [o.paths, () => httpOnly(() => matchAny(o.paths ?? [], http?.path))],
    [o.notPaths, () => httpOnly(() => !matchAny(o.notPaths ?? [], http?.path))],
  ];
  return allHold(checks, action);
}

function conditionHolds(c: Condition, req: AuthzRequest): Tri {
  const header = /^request\.headers\[(.+)\]$/.exec(c.key);
  if (header && !req.http) return undefined;
  const ipKey = c.key === 'source.ip' || c.key === 'remote.ip' || c.key === 'destination.ip';
  const value = header ? req.http?.headers[header[1].toLowerCase()] : conditionValue(c.key, req);
  const test = (list: string[]): boolean => (ipKey ? inAnyBlock(list, value) : matchAny(list, value));
  if (c.values?.length && !test(c.values)) return false;
  if (c.notValues?.length && test(c.notValues)) return false;
  return true;
}

function conditionValue(key: string, req: AuthzRequest): string | undefined {
  const principal = normalPrincipal(req.source.principal);
  switch (key) {
    case 'source.ip': return req.source.ip;
    case 'remote.ip': return req.source.remoteIp ?? req.source.ip;
    case 'source.principal': return principal;
    case 'source.namespace': return principalNamespace(principal);
    case 'destination.ip': return req.destination.ip;
    case 'destination.port': return String(req.destination.port);
    case 'connection.sni': return req.sni;
    default: return undefined;
  }
}
