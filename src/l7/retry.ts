// Whether one failed try is retried under a RetryPolicy's conditions: Envoy's x-envoy-retry-on
// vocabulary as Istio's VirtualService `retries.retryOn` writes it, plus plain status codes
// (Istio's retriable-status-codes and Gateway API's retry codes). Pure; the proxy counts tries.
import type { RetryCondition } from './route-table.js';

/** One try's outcome: an answer's status, or a failure before any answer. */
export type TryOutcome = { status: number } | { failure: 'connect-failure' | 'reset' | 'refused-stream' | 'timeout' };

const GATEWAY_ERRORS: ReadonlySet<number> = new Set([502, 503, 504]);

export function retryable(conditions: readonly RetryCondition[], outcome: TryOutcome): boolean {
  for (const c of conditions) if (matches(c, outcome)) return true;
  return false;
}

function matches(c: RetryCondition, o: TryOutcome): boolean {
  if ('status' in o) {
    if (typeof c === 'number') return c === o.status;
    if (c === '5xx') return o.status >= 500 && o.status <= 599;
    if (c === 'gateway-error') return GATEWAY_ERRORS.has(o.status);
    if (c === 'retriable-4xx') return o.status === 409;
    return false;
  }
  // Envoy: a per-try timeout counts as a 504, so `5xx`, `gateway-error` and 504 retry it.
  if (o.failure === 'timeout') return c === 504 || c === '5xx' || c === 'gateway-error';
  // Envoy: `5xx` also retries "no answer at all" (connect failure, reset, refused stream), and so
  // does `gateway-error`, since Envoy turns those into a local 503.
  if (c === '5xx' || c === 'gateway-error') return true;
  return c === o.failure;
}
