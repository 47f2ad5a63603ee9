// Status conditions as the Gateway API spec names them (apis/v1 gateway_types.go, shared_types.go).
// The compilers leave lastTransitionTime unset: they have no clock. The status writer keeps the old
// time when type, status and reason are unchanged, and stamps a new one otherwise.
import type { Condition } from './types.js';

export function condition(type: string, ok: boolean, reason: string, message: string, observedGeneration?: number): Condition {
  const c: Condition = { type, status: ok ? 'True' : 'False', reason, message };
  if (observedGeneration !== undefined) c.observedGeneration = observedGeneration;
  return c;
}

/** The condition of a type in a list, for tests and for `podnet get`. */
export function findCondition(conditions: readonly Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
