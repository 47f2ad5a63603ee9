// Status as the controller writes it back: the compilers' conditions, stamped with
// lastTransitionTime. As meta.SetStatusCondition does, a condition whose type, status and reason are
// unchanged keeps its old time (and the whole status is then equal to the stored one, so nothing is
// written and no watch event fires); anything else gets `now`. Pure: the clock is passed in.
import type { Condition, GatewayStatus, ListenerStatus, ParentReference, RouteParentStatus } from './types.js';

export function stampConditions(next: readonly Condition[], prev: readonly Condition[] | undefined, now: string): Condition[] {
  return next.map((c) => {
    const old = prev?.find((p) => p.type === c.type);
    const same = old && old.status === c.status && old.reason === c.reason && old.lastTransitionTime;
    return { ...c, lastTransitionTime: same ? old.lastTransitionTime : now };
  });
}

export function stampGatewayStatus(next: GatewayStatus, prev: GatewayStatus | undefined, now: string): GatewayStatus {
  const listeners: ListenerStatus[] = next.listeners.map((l) => ({
    ...l, conditions: stampConditions(l.conditions, prev?.listeners?.find((p) => p.name === l.name)?.conditions, now),
  }));
  return { ...next, conditions: stampConditions(next.conditions, prev?.conditions, now), listeners };
}

const sameRef = (a: ParentReference, b: ParentReference): boolean =>
  a.name === b.name && a.namespace === b.namespace && a.sectionName === b.sectionName && a.port === b.port && (a.kind ?? 'Gateway') === (b.kind ?? 'Gateway');

/**
 * A route's parents: podnet's entries replaced by the new ones (stamped), other controllers'
 * entries left as they are (the spec gives each controller its own parents).
 */
export function stampRouteParents(next: readonly RouteParentStatus[], prev: readonly RouteParentStatus[] | undefined, controller: string, now: string): RouteParentStatus[] {
  const others = (prev ?? []).filter((p) => p.controllerName !== controller);
  const ours = next.map((p) => ({
    ...p, conditions: stampConditions(p.conditions, prev?.find((o) => o.controllerName === controller && sameRef(o.parentRef, p.parentRef))?.conditions, now),
  }));
  return [...others, ...ours];
}

/**
 * A Gateway whose address is assigned is Programmed only once a proxy pod behind that address is
 * ready to serve (the spec's reason Pending until then), so `Programmed=True` means requests work.
 */
export function withProxyReadiness(status: GatewayStatus, proxyReady: boolean): GatewayStatus {
  if (proxyReady) return status;
  return {
    ...status,
    conditions: status.conditions.map((c) => (c.type === 'Programmed' && c.status === 'True'
      ? { ...c, status: 'False', reason: 'Pending', message: 'waiting for a ready gateway proxy pod' }
      : c)),
  };
}
