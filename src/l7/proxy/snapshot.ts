// Everything a request needs from one route table, compiled once and swapped in with one
// assignment. A request reads the current snapshot once, at its start, and keeps it to the end.
import type tls from 'node:tls';
import { compileTable } from '../match.js';
import type { CompiledTable, RouteTable } from '../route-table.js';
import type { BalancePolicy } from './balance.js';
import { buildClusters, type ClusterRuntime, type EndpointStates } from './clusters.js';
import { compileListenerTls, type SniTable } from './tls.js';

export interface Snapshot {
  readonly table: RouteTable;
  readonly compiled: CompiledTable;
  readonly clusters: ReadonlyMap<string, ClusterRuntime>;
  /** HTTPS listeners' certificate lookups by port. */
  readonly tls: ReadonlyMap<number, SniTable<tls.SecureContext>>;
  /** Every endpoint key in the table, for closing pools of endpoints that left. */
  readonly endpointKeys: ReadonlySet<string>;
}

/** Compiles a table; throws (TlsConfigError, or the matcher's errors) without side effects. */
export function buildSnapshot(table: RouteTable, states: EndpointStates, policy: BalancePolicy, compile: (t: RouteTable) => CompiledTable = compileTable): Snapshot {
  const ports = new Set<number>();
  for (const l of table.listeners) {
    if (ports.has(l.port)) throw new Error(`listener ${l.name}: port ${l.port} is used by another listener of the table`);
    ports.add(l.port);
  }
  const tlsByPort = new Map<number, SniTable<tls.SecureContext>>();
  for (const l of table.listeners) if (l.protocol === 'HTTPS') tlsByPort.set(l.port, compileListenerTls(l.name, l.tls));
  const compiled = compile(table);
  const { clusters, keys } = buildClusters(table, states, policy);
  return { table, compiled, clusters, tls: tlsByPort, endpointKeys: keys };
}
