// Per-table cluster runtime: each cluster's endpoints with their balancing state. The state of an
// endpoint (requests in flight, failures, ejection) is keyed by `address:port` and shared across
// tables, so a swap neither forgets an ejection nor miscounts requests still in flight.
import type { Cluster, Endpoint, RouteTable } from '../route-table.js';
import { newEndpointState, pickP2C, pickRoundRobin, type BalancePolicy, type EndpointState } from './balance.js';
import { endpointKey } from './upstreams.js';

export interface Picked {
  endpoint: Endpoint;
  state: EndpointState;
}

export class ClusterRuntime {
  private cursor = 0;

  constructor(
    readonly cluster: Cluster,
    private readonly states: EndpointState[],
    private readonly policy: BalancePolicy,
  ) {}

  get size(): number {
    return this.states.length;
  }

  pick(now: number, random: () => number, exclude?: ReadonlySet<string>): Picked | undefined {
    let i: number;
    if (this.policy === 'round-robin') {
      const r = pickRoundRobin(this.states, this.cursor, now, exclude);
      this.cursor = r.cursor;
      i = r.index;
    } else i = pickP2C(this.states, now, random, exclude);
    return i < 0 ? undefined : { endpoint: this.cluster.endpoints[i], state: this.states[i] };
  }
}

/** Endpoint states by key; one per proxy, outliving tables. */
export class EndpointStates {
  private readonly byKey = new Map<string, EndpointState>();

  get(key: string): EndpointState {
    let s = this.byKey.get(key);
    if (!s) {
      s = newEndpointState(key);
      this.byKey.set(key, s);
    }
    return s;
  }

  /** Forgets endpoints not in `keep` that have nothing in flight. */
  retain(keep: ReadonlySet<string>): void {
    for (const [k, s] of this.byKey) if (!keep.has(k) && s.inflight === 0) this.byKey.delete(k);
  }
}

export function buildClusters(table: RouteTable, states: EndpointStates, policy: BalancePolicy): { clusters: Map<string, ClusterRuntime>; keys: Set<string> } {
  const clusters = new Map<string, ClusterRuntime>();
  const keys = new Set<string>();
  for (const [name, c] of Object.entries(table.clusters)) {
    const st = c.endpoints.map((ep) => {
      const key = endpointKey(ep);
      keys.add(key);
      return states.get(key);
    });
    clusters.set(name, new ClusterRuntime(c, st, policy));
  }
  return { clusters, keys };
}
