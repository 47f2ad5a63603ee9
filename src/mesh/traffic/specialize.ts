// A table for one calling workload: routes whose caller conditions (Istio's sourceLabels and
// sourceNamespace, GAMMA consumer routes) do not hold for it are dropped, and the conditions are
// removed from the rest, so the proxy's matcher sees plain request matches. This is what Istio does
// when it generates each proxy's configuration; keeping it a separate pure step lets one compiled
// table per Service serve every workload of a node.
import type { RouteTable } from '../../l7/route-table.js';

export interface Caller {
  namespace: string;
  labels: Record<string, string>;
}

export function specializeTable(table: RouteTable, caller: Caller): RouteTable {
  return {
    ...table,
    listeners: table.listeners.map((l) => ({
      ...l,
      virtualHosts: l.virtualHosts.map((vh) => ({
        ...vh,
        routes: vh.routes.flatMap((r) => {
          const { sourceLabels, sourceNamespace, ...match } = r.match;
          if (sourceNamespace !== undefined && sourceNamespace !== caller.namespace) return [];
          if (sourceLabels && !Object.entries(sourceLabels).every(([k, v]) => caller.labels[k] === v)) return [];
          return sourceLabels === undefined && sourceNamespace === undefined ? [r] : [{ ...r, match }];
        }),
      })),
    })),
  };
}
