// Endpoint choice within one cluster: pure functions of the endpoints' state, with the clock and
// the random source passed in. Two policies: round robin, and power of two choices on requests
// in flight (P2C least-loaded, as Linkerd and Envoy's LEAST_REQUEST do: two random picks, the
// less loaded wins, which avoids herding onto one "least" endpoint). Endpoints whose connections
// failed are ejected for a while (passive health checking); when every endpoint is ejected, all
// are used again (Envoy's panic threshold), since refusing everything helps nobody.

import { powerOfTwo } from '../balance.js';

export type BalancePolicy = 'round-robin' | 'p2c';

export interface EndpointState {
  /** `address:port`. */
  readonly key: string;
  inflight: number;
  /** Consecutive connection failures. */
  failures: number;
  /** Not picked before this time (ms), unless every endpoint is ejected. */
  ejectedUntil: number;
}

export interface EjectionConfig {
  /** Consecutive connection failures that eject an endpoint. */
  consecutiveFailures: number;
  /** How long an ejection lasts, doubled for each further failure up to maxMs. */
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_EJECTION: EjectionConfig = { consecutiveFailures: 1, baseMs: 2000, maxMs: 30000 };

export function newEndpointState(key: string): EndpointState {
  return { key, inflight: 0, failures: 0, ejectedUntil: 0 };
}

/** Indexes of endpoints that may be picked now (all of them when all are ejected). */
export function available(states: readonly EndpointState[], now: number, exclude?: ReadonlySet<string>): number[] {
  const ok: number[] = [];
  for (let i = 0; i < states.length; i++) {
    if (states[i].ejectedUntil <= now && !exclude?.has(states[i].key)) ok.push(i);
  }
  if (ok.length > 0) return ok;
  // Panic: every endpoint is ejected (or excluded); prefer ones not excluded.
  const notExcluded = states.map((_, i) => i).filter((i) => !exclude?.has(states[i].key));
  return notExcluded.length > 0 ? notExcluded : states.map((_, i) => i);
}

/** Round robin over the available endpoints; returns the index and the next cursor. */
export function pickRoundRobin(states: readonly EndpointState[], cursor: number, now: number, exclude?: ReadonlySet<string>): { index: number; cursor: number } {
  const ok = available(states, now, exclude);
  if (ok.length === 0) return { index: -1, cursor };
  const index = ok[cursor % ok.length];
  return { index, cursor: (cursor + 1) % 0x7fffffff };
}

/** Power of two choices on in-flight requests; `random` returns numbers in [0, 1). */
export function pickP2C(states: readonly EndpointState[], now: number, random: () => number, exclude?: ReadonlySet<string>): number {
  const ok = available(states, now, exclude);
  return ok.length === 0 ? -1 : powerOfTwo(states, ok, random);
}

/** Records the outcome of a connection attempt: failures eject, a success clears the count. */
export function recordOutcome(state: EndpointState, connected: boolean, now: number, cfg: EjectionConfig = DEFAULT_EJECTION): void {
  if (connected) {
    state.failures = 0;
    return;
  }
  state.failures++;
  if (state.failures >= cfg.consecutiveFailures) {
    const ms = Math.min(cfg.maxMs, cfg.baseMs * 2 ** (state.failures - cfg.consecutiveFailures));
    state.ejectedUntil = now + ms;
  }
}
