// Load balancing as pure functions the sidecar calls per request (balancing is per request, not per
// connection): weighted choice among a route's backends (canary 90/10), and endpoint choice inside
// a cluster by DestinationRule policy. The random source and the endpoints' load are passed in, so
// tests replay seeded sequences and check the split statistically. (src/l7/proxy/balance.ts is the
// gateway's own picker with ejection folded in; this one leaves ejection to src/l7/outlier.ts.)
import type { LoadBalancerPolicy } from './route-table.js';

export type Random = () => number;

/** The load the balancer sees of one endpoint. */
export interface LoadView {
  /** Requests in flight to it. */
  inflight: number;
}

/**
 * Index drawn with probability weight/sum; weights of 0 are never drawn; -1 when all are 0. One
 * draw, linear in the number of backends (a route has a handful).
 */
export function pickWeighted(weights: readonly number[], random: Random): number {
  let total = 0;
  for (const w of weights) total += w > 0 ? w : 0;
  if (total === 0) return -1;
  let r = random() * total;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] > 0 ? weights[i] : 0;
    if (r < w) return i;
    r -= w;
  }
  // Floating-point rounding left r at the very top: the last backend with weight takes it.
  for (let i = weights.length - 1; i >= 0; i--) if (weights[i] > 0) return i;
  return -1;
}

/** A balancer for one cluster; it keeps only a cursor (round robin), endpoints stay the caller's. */
export interface Balancer {
  readonly policy: LoadBalancerPolicy;
  /** Index into `endpoints` among those `eligible` allows (default all); -1 when none is. */
  pick(endpoints: readonly LoadView[], eligible?: (index: number) => boolean): number;
}

export function createBalancer(policy: LoadBalancerPolicy, random: Random): Balancer {
  let cursor = 0;
  return {
    policy,
    pick(endpoints, eligible = () => true) {
      const ok: number[] = [];
      for (let i = 0; i < endpoints.length; i++) if (eligible(i)) ok.push(i);
      if (ok.length === 0) return -1;
      switch (policy) {
        case 'round-robin': {
          const i = ok[cursor % ok.length];
          cursor = (cursor + 1) % 0x7fffffff;
          return i;
        }
        case 'random':
          return ok[Math.floor(random() * ok.length)];
        case 'least-request':
          return leastRequest(endpoints, ok, random);
        case 'p2c':
          return powerOfTwo(endpoints, ok, random);
      }
    },
  };
}

/** The fewest in flight; ties drawn at random (a fixed tie-break would pile onto the first endpoint). */
function leastRequest(endpoints: readonly LoadView[], ok: readonly number[], random: Random): number {
  let best = Infinity;
  let ties: number[] = [];
  for (const i of ok) {
    const n = endpoints[i].inflight;
    if (n < best) {
      best = n;
      ties = [i];
    } else if (n === best) {
      ties.push(i);
    }
  }
  return ties.length === 1 ? ties[0] : ties[Math.floor(random() * ties.length)];
}

/**
 * Two distinct endpoints at random, the less loaded wins (Mitzenmacher; what Envoy's LEAST_REQUEST
 * and Linkerd do): O(1), and it avoids herding when many clients share stale load figures.
 */
export function powerOfTwo(endpoints: readonly LoadView[], ok: readonly number[], random: Random): number {
  if (ok.length === 1) return ok[0];
  const a = Math.floor(random() * ok.length);
  let b = Math.floor(random() * (ok.length - 1));
  if (b >= a) b++;
  const ia = ok[a];
  const ib = ok[b];
  return endpoints[ib].inflight < endpoints[ia].inflight ? ib : ia;
}

/** A small seeded generator (mulberry32) for tests and reproducible benches; not for secrets. */
export function seededRandom(seed: number): Random {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
