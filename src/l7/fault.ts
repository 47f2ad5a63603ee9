// Fault injection (Istio VirtualService `fault`, Envoy's HTTP fault filter), decided once per try:
// the proxy asks before each attempt, so a retried request draws again and retries can mask an
// injected abort, as the contract says ("faults apply per try"). Pure: the random source
// is passed in, so tests replay a seeded sequence.
import type { FaultPolicy } from './route-table.js';

export interface FaultDecision {
  /** Wait this long before the try (0: none). Envoy applies the delay first, then the abort. */
  delayMs: number;
  /** Answer this instead of forwarding; unset: forward. */
  abort?: { status: number; grpcStatus?: number };
}

const NONE: FaultDecision = Object.freeze({ delayMs: 0 });

/**
 * One try's fault. Delay and abort are independent draws, as in Envoy (a request may be delayed
 * and then aborted). `random` returns numbers in [0, 1); a percentage of 100 always fires, 0 never.
 */
export function decideFault(fault: FaultPolicy | undefined, random: () => number): FaultDecision {
  if (!fault) return NONE;
  const delayMs = fault.delay && fires(fault.delay.percent, random) ? fault.delay.fixedDelayMs : 0;
  if (fault.abort && fires(fault.abort.percent, random)) {
    // A gRPC abort is an HTTP 200 whose trailers carry grpc-status (Envoy's grpc_status abort).
    const abort = fault.abort.grpcStatus !== undefined ? { status: 200, grpcStatus: fault.abort.grpcStatus } : { status: fault.abort.status ?? 503 };
    return { delayMs, abort };
  }
  return delayMs === 0 ? NONE : { delayMs };
}

function fires(percent: number, random: () => number): boolean {
  if (percent >= 100) return true;
  if (percent <= 0) return false;
  return random() * 100 < percent;
}
