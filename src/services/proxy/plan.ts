// Services + EndpointSlices → the node's nftables table (see ruleset.ts for the layout). Pure: the
// same objects give the same plan, byte for byte, on every node and every run, whatever their order.
//
// Speed matters here as much as in nft: at 10,000 Services a full plan takes a few hundred ms, far
// over the 50 ms an endpoint change should take end to end. So each Service's fragment (fragment.ts)
// can be kept in a ProxyPlanCache and reused while the Service and its slices keep their
// resourceVersion (the store and the API server bump it on every change). The cache changes how fast
// the plan comes, never what it is: planProxy(x, cache) deep-equals planProxy(x).
import type { Family } from '../../api/cidr.js';
import type { V1EndpointSlice, V1Service } from '../../api/types.js';
import { announcedAddresses } from './announce.js';
import { backendsFor, canonicalIP, indexSlices } from './endpoints.js';
import { FragmentBuilder, type Fragment } from './fragment.js';
import { AggregateConflict, TableState } from './aggregate.js';
import type { FamilyInfo } from './ruleset.js';
import { PROXY_TABLE, type ProxyInput, type ProxyPlan } from './types.js';

export type { ProxyInput, ProxyPlan } from './types.js';
export { DEFAULT_AFFINITY_TIMEOUT } from './fragment.js';

interface CacheEntry {
  /** resourceVersions of the Service and of each of its slices; undefined: rebuilt every time. */
  versions?: string[];
  fragment: Fragment;
}

/** What planProxy keeps between calls for one node: fragments and the summed table. */
export class ProxyPlanCache {
  context = '';
  entries = new Map<string, CacheEntry>();
  state: TableState | undefined;
  /** Frontend → the Service that has it. */
  claims = new Map<string, string>();
  /** Some Service lost a frontend to another: only a full build resolves who gets what. */
  conflicted = false;
}

function families(input: ProxyInput): FamilyInfo[] {
  const fams: Family[] = input.config.ipFamily === 'dual' ? [4, 6] : [4];
  const of = (list: string[], f: Family) => list.filter((c) => (c.includes(':') ? 6 : 4) === f);
  return fams.map((family) => ({
    family,
    ip: family === 4 ? 'ip' : 'ip6',
    addrType: family === 4 ? 'ipv4_addr' : 'ipv6_addr',
    v: family === 4 ? 'v4' : 'v6',
    podCIDRs: of(input.config.podCIDRs, family),
    serviceCIDRs: of(input.config.serviceCIDRs, family),
    nodeIPs: input.node.underlayIPs.map((ip) => canonicalIP(ip, family)).filter((ip): ip is string => !!ip),
  }));
}

const svcKey = (svc: V1Service) => `${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name}`;

/**
 * What a fragment depends on: resourceVersions, which the store and the API server change on every
 * write (and never reuse), so equal versions mean equal objects. Undefined when one is missing.
 */
function versionsOf(svc: V1Service, slices: V1EndpointSlice[]): string[] | undefined {
  const out = [svc.metadata?.resourceVersion ?? ''];
  for (const s of slices) out.push(s.metadata?.resourceVersion ?? '');
  return out.includes('') ? undefined : out;
}

/** Same as comparing versionsOf(svc, slices) with `versions`, without building the list (this runs per Service per sync). */
function unchanged(versions: string[] | undefined, svc: V1Service, slices: V1EndpointSlice[]): boolean {
  if (!versions || versions.length !== slices.length + 1 || versions[0] !== svc.metadata?.resourceVersion) return false;
  for (let i = 0; i < slices.length; i++) if (versions[i + 1] !== slices[i].metadata?.resourceVersion) return false;
  return true;
}

function buildFragment(svc: V1Service, slices: V1EndpointSlice[], fams: FamilyInfo[], node: string, taken?: ReadonlySet<string>): Fragment {
  const b = new FragmentBuilder(node, taken);
  const spec = svc.spec;
  if (!spec || spec.type === 'ExternalName') return b.frag;
  const ips = spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : [];
  for (const raw of ips) {
    if (raw === 'None' || raw === '') continue; // headless: DNS only
    const f = fams.find((x) => canonicalIP(raw, x.family));
    if (!f) {
      b.frag.warnings.push(`Service ${svcKey(svc)}: spec.clusterIPs: ${raw} is not an address of the cluster's families (${fams.length === 2 ? 'dual' : 'ipv4'}); skipped`);
      continue;
    }
    const clusterIP = canonicalIP(raw, f.family) as string;
    (spec.ports ?? []).forEach((port, i) => b.servicePort(svc, port, i, f, clusterIP, backendsFor(slices, port, f.family)));
  }
  return b.frag;
}

interface Keyed { svc: V1Service; key: string; slices: V1EndpointSlice[] }

/** Every Service from scratch (reusing unchanged fragments), resolving frontend conflicts in name order. */
function buildFull(keyed: Keyed[], fams: FamilyInfo[], node: string, cache: ProxyPlanCache): Fragment[] {
  const state = new TableState(fams);
  const claims = new Map<string, string>();
  const entries = new Map<string, CacheEntry>();
  let conflicted = false;
  const fragments = keyed.map(({ svc, key, slices }) => {
    const hit = cache.entries.get(key);
    let fragment = hit && unchanged(hit.versions, svc, slices) ? hit.fragment : buildFragment(svc, slices, fams, node);
    entries.set(key, hit?.fragment === fragment ? hit : { versions: versionsOf(svc, slices), fragment });
    if (fragment.claims.some((c) => claims.has(c))) {
      // A frontend an earlier Service already has (admission should prevent it): build without it.
      fragment = buildFragment(svc, slices, fams, node, new Set(claims.keys()));
      entries.set(key, { fragment });
      conflicted = true;
    }
    for (const c of fragment.claims) claims.set(c, key);
    state.apply(fragment, 1);
    return fragment;
  });
  Object.assign(cache, { state, claims, entries, conflicted });
  return fragments;
}

/** Only the Services whose objects changed since the last plan; throws AggregateConflict when it cannot. */
function buildIncremental(keyed: Keyed[], fams: FamilyInfo[], node: string, cache: ProxyPlanCache, state: TableState): Fragment[] {
  const entries = cache.entries;
  const changes: { key: string; old?: Fragment; now?: Fragment; versions?: string[] }[] = [];
  const seen = new Set<string>();
  for (const { svc, key, slices } of keyed) {
    seen.add(key);
    const hit = entries.get(key);
    if (hit && unchanged(hit.versions, svc, slices)) continue;
    changes.push({ key, old: hit?.fragment, now: buildFragment(svc, slices, fams, node), versions: versionsOf(svc, slices) });
  }
  if (seen.size !== entries.size) for (const [key, hit] of entries) if (!seen.has(key)) changes.push({ key, old: hit.fragment });
  for (const { key, old } of changes) for (const c of old?.claims ?? []) if (cache.claims.get(c) === key) cache.claims.delete(c);
  for (const { key, now } of changes) {
    for (const c of now?.claims ?? []) {
      const owner = cache.claims.get(c);
      if (owner !== undefined && owner !== key) throw new AggregateConflict(`${c} claimed by ${owner} and ${key}`);
      cache.claims.set(c, key);
    }
  }
  for (const { old, now } of changes) {
    if (old) state.apply(old, -1);
    if (now) state.apply(now, 1);
  }
  // Only now, all checks passed: a throw above leaves the entries as they were (the full path rebuilds).
  for (const { key, now, versions } of changes) {
    if (now) entries.set(key, { versions, fragment: now });
    else entries.delete(key);
  }
  return keyed.map(({ key }) => (entries.get(key) as CacheEntry).fragment);
}

/**
 * The node's proxy plan. See types.ts for the shape and ruleset.ts for the nftables layout. With a
 * cache, only Services whose objects changed are planned again (the result is the same).
 */
export function planProxy(input: ProxyInput, cache?: ProxyPlanCache): ProxyPlan {
  const fams = families(input);
  const c = cache ?? new ProxyPlanCache();
  const context = JSON.stringify([input.node, input.config]);
  if (c.context !== context) Object.assign(c, { context, entries: new Map(), state: undefined, claims: new Map(), conflicted: false });
  const bySvc = indexSlices(input.endpointSlices);
  const keyed: Keyed[] = input.services.map((svc) => ({ svc, key: svcKey(svc), slices: [] }));
  // Stores list in key order already; sort only when the input is not.
  if (keyed.some((k, i) => i > 0 && keyed[i - 1].key > k.key)) keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const k of keyed) k.slices = bySvc.get(k.key) ?? [];

  let fragments: Fragment[] | undefined;
  if (c.state && !c.conflicted) {
    try {
      fragments = buildIncremental(keyed, fams, input.node.name, c, c.state);
    } catch (err) {
      if (!(err instanceof AggregateConflict)) throw err;
    }
  }
  fragments ??= buildFull(keyed, fams, input.node.name, c);
  const { sets, chains } = (c.state as TableState).snapshot();
  return {
    node: { name: input.node.name, underlayIPs: [...input.node.underlayIPs] },
    tables: [{ family: 'inet', name: PROXY_TABLE, sets, chains }],
    announce: announcedAddresses(input.node.name, input.nodes ?? [], input.config.loadBalancerPools, input.services, bySvc),
    announcePools: [...input.config.loadBalancerPools],
    udp: fragments.flatMap((f) => f.udp),
    warnings: fragments.flatMap((f) => f.warnings),
  };
}
