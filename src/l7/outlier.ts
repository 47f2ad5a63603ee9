// Outlier detection (DestinationRule outlierDetection, Envoy's consecutive_5xx detector) as a state
// machine over one cluster's endpoints. The proxy reports each answer (or connect failure) and asks
// which endpoints are ejected; the clock is passed in as `now` (ms), so tests step time by hand.
//
// Envoy's rules, kept here: an endpoint is ejected after `consecutive5xxErrors` 5xx answers in a
// row (connect failures count as 5xx: Envoy's split_external_local_origin_errors is off by
// default); the ejection lasts baseEjectionTime x the number of times it has been ejected; it is
// lifted at the first interval sweep after that; an endpoint that stays healthy through a sweep
// has its ejection count lowered by one; at most maxEjectionPercent of the endpoints are ejected at
// once, but one endpoint always may be (Envoy ejects at least one host whatever the percentage).
// consecutiveGatewayErrors counts only 502, 503, 504 and connect failures, on its own threshold.
import type { OutlierDetection } from './route-table.js';

export interface OutlierState {
  consecutive5xx: number;
  /** 502, 503, 504 and connect failures in a row (Envoy's consecutive_gateway_failure). */
  consecutiveGateway: number;
  /** Ejections so far, lowered by one per healthy sweep; the ejection time multiplier. */
  ejections: number;
  /** Set while ejected: when the ejection ends (lifted at the next sweep at or after it). */
  ejectedUntil?: number;
}

export type Outcome = number | 'connect-failure';

export class OutlierDetector {
  private readonly states = new Map<string, OutlierState>();
  private ejectedCount = 0;
  private nextSweep: number;

  constructor(private readonly config: OutlierDetection, keys: Iterable<string>, now: number) {
    for (const k of keys) this.states.set(k, { consecutive5xx: 0, consecutiveGateway: 0, ejections: 0 });
    this.nextSweep = now + config.intervalMs;
  }

  /** Keeps the state of endpoints still present; new ones start healthy (the table changed). */
  setEndpoints(keys: Iterable<string>): void {
    const next = new Map<string, OutlierState>();
    for (const k of keys) next.set(k, this.states.get(k) ?? { consecutive5xx: 0, consecutiveGateway: 0, ejections: 0 });
    this.states.clear();
    for (const [k, s] of next) this.states.set(k, s);
    this.ejectedCount = [...this.states.values()].filter((s) => s.ejectedUntil !== undefined).length;
  }

  /** Records one answer from `key`; returns true when this answer ejected it. */
  record(key: string, outcome: Outcome, now: number): boolean {
    this.sweepIfDue(now);
    const s = this.states.get(key);
    if (!s) return false;
    const failed = outcome === 'connect-failure' || (outcome >= 500 && outcome <= 599);
    const gateway = outcome === 'connect-failure' || outcome === 502 || outcome === 503 || outcome === 504;
    s.consecutive5xx = failed ? s.consecutive5xx + 1 : 0;
    s.consecutiveGateway = gateway ? s.consecutiveGateway + 1 : 0;
    if (!failed || s.ejectedUntil !== undefined) return false;
    const c = this.config;
    const by5xx = c.consecutive5xxErrors > 0 && s.consecutive5xx >= c.consecutive5xxErrors;
    const byGateway = (c.consecutiveGatewayErrors ?? 0) > 0 && s.consecutiveGateway >= (c.consecutiveGatewayErrors ?? 0);
    if (!(by5xx || byGateway) || !this.mayEject()) return false;
    s.ejections++;
    s.ejectedUntil = now + c.baseEjectionTimeMs * s.ejections;
    s.consecutive5xx = 0;
    s.consecutiveGateway = 0;
    this.ejectedCount++;
    return true;
  }

  isEjected(key: string, now: number): boolean {
    this.sweepIfDue(now);
    return this.states.get(key)?.ejectedUntil !== undefined;
  }

  /** The ejected endpoints' keys, for the balancer's eligibility test and for status. */
  ejected(now: number): Set<string> {
    this.sweepIfDue(now);
    const out = new Set<string>();
    for (const [k, s] of this.states) if (s.ejectedUntil !== undefined) out.add(k);
    return out;
  }

  state(key: string): Readonly<OutlierState> | undefined {
    return this.states.get(key);
  }

  /** Envoy's interval timer, run lazily: every sweep due by `now` runs, in order. */
  sweepIfDue(now: number): void {
    while (now >= this.nextSweep) {
      this.sweep(this.nextSweep);
      this.nextSweep += this.config.intervalMs;
    }
  }

  private sweep(at: number): void {
    for (const s of this.states.values()) {
      if (s.ejectedUntil !== undefined) {
        if (at >= s.ejectedUntil) {
          s.ejectedUntil = undefined;
          this.ejectedCount--;
        }
      } else if (s.ejections > 0 && s.consecutive5xx === 0) {
        s.ejections--;
      }
    }
  }

  private mayEject(): boolean {
    if (this.ejectedCount === 0) return true;
    return ((this.ejectedCount + 1) * 100) / this.states.size <= this.config.maxEjectionPercent;
  }
}
