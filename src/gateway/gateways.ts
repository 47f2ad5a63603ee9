// Gateway API objects → one route table per Gateway, plus the status of every object podnet owns.
// Pure: the same objects give the same tables and status, byte for byte.
//
// One table per Gateway, not one for all: each Gateway has its own address (its LoadBalancer
// Service) and its own listeners, and two Gateways commonly both listen on port 80 (the
// conformance suite's base has three). A gateway deployment serves one Gateway's table, merged
// with the Ingress table when it also serves Ingress (see merge.ts).
import type { Cluster, RouteTable } from '../l7/route-table.js';
import { attachRoute, isGatewayRef } from './attach.js';
import { condition } from './conditions.js';
import { hostSpecificity } from './hostnames.js';
import { compileHTTPRoute } from './httproute.js';
import { judgeListeners, type ListenerInfo } from './listeners.js';
import { createdAt } from './precedence.js';
import { buildIndex } from './refs.js';
import { CONTROLLER_NAME, GATEWAY_GROUP, type Gateway, type GatewayObjects, type RouteParentStatus, type StatusUpdates } from './types.js';
import { buildListeners, type Placed } from './vhosts.js';

export interface GatewayOptions {
  /** Addresses each Gateway is served at (`ns/name` → IPs), from its LoadBalancer Service. */
  addresses?: Record<string, string[]>;
}

export interface GatewayCompileResult {
  /** By Gateway `ns/name`; only Accepted Gateways of a podnet class. */
  tables: Record<string, RouteTable>;
  status: StatusUpdates;
}

interface GatewayState {
  gw: Gateway;
  key: string;
  listeners: ListenerInfo[];
  placed: Placed[];
  attached: number[];
  clusters: Record<string, Cluster>;
  /** `route|listener` pairs already placed. */
  seen: Set<string>;
}

export function compileGateways(objects: GatewayObjects, options: GatewayOptions = {}): GatewayCompileResult {
  const index = buildIndex(objects);
  const status: StatusUpdates = { gatewayClasses: {}, gateways: {}, httpRoutes: {} };
  const ourClasses = new Set<string>();
  for (const gc of objects.gatewayClasses) {
    if (gc.spec?.controllerName !== CONTROLLER_NAME) continue;
    ourClasses.add(gc.metadata.name);
    status.gatewayClasses[gc.metadata.name] = { conditions: [condition('Accepted', true, 'Accepted', `handled by ${CONTROLLER_NAME}`, gc.metadata.generation)] };
  }
  const gateways = new Map<string, GatewayState>();
  for (const gw of objects.gateways) {
    if (!ourClasses.has(gw.spec?.gatewayClassName)) continue;
    const key = `${gw.metadata.namespace ?? 'default'}/${gw.metadata.name}`;
    const listeners = judgeListeners(gw, index);
    gateways.set(key, { gw, key, listeners, placed: [], attached: listeners.map(() => 0), clusters: {}, seen: new Set() });
  }

  for (const route of objects.httpRoutes) {
    const routeNs = route.metadata.namespace ?? 'default';
    const routeKey = `${routeNs}/${route.metadata.name}`;
    const compiled = compileHTTPRoute(route, index);
    const created = createdAt(route.metadata.creationTimestamp);
    const resolved = compiled.refProblem
      ? condition('ResolvedRefs', false, compiled.refProblem.reason, compiled.refProblem.message, route.metadata.generation)
      : condition('ResolvedRefs', true, 'ResolvedRefs', 'All references resolved', route.metadata.generation);
    const parents: RouteParentStatus[] = [];
    for (const ref of route.spec.parentRefs ?? []) {
      if (!isGatewayRef(ref)) continue;
      const state = gateways.get(`${ref.namespace ?? routeNs}/${ref.name}`);
      // Parents of other controllers (or none) are theirs to report on.
      if (!state) continue;
      const result = attachRoute(route, ref, state.gw, state.listeners, index);
      parents.push({ parentRef: ref, controllerName: CONTROLLER_NAME, conditions: [result.condition, resolved] });
      if (!result.accepted) continue;
      Object.assign(state.clusters, compiled.clusters);
      for (const a of result.attachments) {
        // Two parentRefs can reach one listener (`gw` and `gw`/`http`): the route counts and serves once.
        const once = `${routeKey}|${a.listener}`;
        if (state.seen.has(once)) continue;
        state.seen.add(once);
        state.attached[a.listener]++;
        for (const hostname of a.hostnames) {
          for (const e of compiled.entries) {
            state.placed.push({
              listener: a.listener, hostname, hostRank: hostSpecificity(hostname), route: e.route, match: e.route.match,
              created,
              owner: routeKey, rule: e.rule, matchIndex: e.matchIndex,
            });
          }
        }
      }
    }
    if (parents.length > 0) status.httpRoutes[routeKey] = { parents };
  }

  const tables: Record<string, RouteTable> = {};
  for (const state of gateways.values()) {
    const { gw, key, listeners } = state;
    const gen = gw.metadata.generation;
    const addresses = options.addresses?.[key] ?? [];
    const validCount = listeners.filter((l) => l.valid).length;
    const accepted = validCount === listeners.length
      ? condition('Accepted', true, 'Accepted', 'Gateway is accepted', gen)
      : condition('Accepted', validCount > 0, 'ListenersNotValid', `${listeners.length - validCount} of ${listeners.length} listeners are not valid`, gen);
    const programmed = addresses.length === 0
      ? condition('Programmed', false, 'AddressNotAssigned', 'no address assigned yet', gen)
      : validCount === 0
        ? condition('Programmed', false, 'Invalid', 'no valid listener', gen)
        : condition('Programmed', true, 'Programmed', 'Gateway is programmed', gen);
    status.gateways[key] = {
      addresses: addresses.map((value) => ({ type: 'IPAddress', value })),
      conditions: [accepted, programmed],
      listeners: listeners.map((l, i) => ({
        name: l.spec.name,
        supportedKinds: l.kinds.map((k) => ({ group: k.group || GATEWAY_GROUP, kind: k.kind })),
        attachedRoutes: state.attached[i],
        conditions: l.conditions,
      })),
    };
    if (validCount > 0) tables[key] = { listeners: buildListeners(key, listeners, state.placed), clusters: sortedClusters(state.clusters) };
  }
  return { tables, status };
}

function sortedClusters(clusters: Record<string, Cluster>): Record<string, Cluster> {
  return Object.fromEntries(Object.entries(clusters).sort(([a], [b]) => (a < b ? -1 : 1)));
}
