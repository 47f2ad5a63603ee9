// Route attachment (Gateway API "Attaching Routes to Gateways"): a parentRef picks listeners by
// sectionName and port; each must allow the route's kind and namespace; the route's hostnames must
// intersect the listener's. Each parentRef gets its own Accepted condition with the spec's reason:
// NoMatchingParent (no listener has that sectionName/port), NotAllowedByListeners (kind or
// namespace refused, or the listener is invalid), NoMatchingListenerHostname.
import { matchesSelector } from '../api/selectors.js';
import { condition } from './conditions.js';
import { intersectHostnames } from './hostnames.js';
import type { ListenerInfo } from './listeners.js';
import type { Index } from './refs.js';
import { GATEWAY_GROUP, type Condition, type Gateway, type HTTPRoute, type ParentReference } from './types.js';

export interface Attachment {
  /** Index of the listener in the Gateway's spec. */
  listener: number;
  /** Hostnames the route serves there (`*` = any). */
  hostnames: string[];
}

export type AttachResult = { accepted: true; attachments: Attachment[]; condition: Condition } | { accepted: false; condition: Condition };

export function isGatewayRef(ref: ParentReference): boolean {
  return (ref.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && (ref.kind ?? 'Gateway') === 'Gateway';
}

export function attachRoute(route: HTTPRoute, ref: ParentReference, gw: Gateway, listeners: readonly ListenerInfo[], index: Index): AttachResult {
  const gen = route.metadata.generation;
  const routeNs = route.metadata.namespace ?? 'default';
  const gwNs = gw.metadata.namespace ?? 'default';
  const refused = (reason: string, message: string): AttachResult => ({ accepted: false, condition: condition('Accepted', false, reason, message, gen) });
  const picked = listeners.map((l, i) => ({ l, i })).filter(({ l }) => (ref.sectionName === undefined || l.spec.name === ref.sectionName) && (ref.port === undefined || l.spec.port === ref.port));
  if (picked.length === 0) {
    const what = [ref.sectionName !== undefined ? `sectionName ${ref.sectionName}` : '', ref.port !== undefined ? `port ${ref.port}` : ''].filter(Boolean).join(' and ');
    return refused('NoMatchingParent', `Gateway ${gwNs}/${gw.metadata.name} has no listener with ${what || 'any name'}`);
  }
  const allowed = picked.filter(({ l }) => {
    if (!l.valid || !l.kinds.some((k) => k.group === GATEWAY_GROUP && k.kind === 'HTTPRoute')) return false;
    const from = l.spec.allowedRoutes?.namespaces?.from ?? 'Same';
    if (from === 'All') return true;
    if (from === 'Same') return routeNs === gwNs;
    const selector = l.spec.allowedRoutes?.namespaces?.selector;
    return selector !== undefined && matchesSelector(selector, index.namespaceLabels.get(routeNs));
  });
  if (allowed.length === 0) return refused('NotAllowedByListeners', `no listener of Gateway ${gwNs}/${gw.metadata.name} allows an HTTPRoute from namespace ${routeNs}`);
  const attachments: Attachment[] = [];
  for (const { l, i } of allowed) {
    const hostnames = intersectHostnames(l.spec.hostname, route.spec.hostnames);
    if (hostnames.length > 0) attachments.push({ listener: i, hostnames });
  }
  if (attachments.length === 0) return refused('NoMatchingListenerHostname', 'no hostname of the route intersects a listener hostname');
  return { accepted: true, attachments, condition: condition('Accepted', true, 'Accepted', 'Route is accepted', gen) };
}
