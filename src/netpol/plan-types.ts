// The shape of a node's policy ruleset as data, apart from the compiler that fills it (plan.ts),
// the rule fragments (rules.ts), the renderer and the tracer, so that they all import it and
// nothing imports back: plan.ts -> rules.ts -> plan-types.ts.
import type { Family } from '../api/cidr.js';

export const POLICY_TABLE = 'podnet-policy';

export interface PlanSet {
  type: string;
  interval?: boolean;
  comment?: string;
  elements: string[];
}

export interface PlanMap {
  type: string;
  /** Address → verdict (`goto in_<hash>`). */
  elements: Record<string, string>;
}

export interface PlanChain {
  /** Base chains: `type filter hook forward priority filter; policy accept;`. */
  hook?: string;
  comment?: string;
  rules: string[];
}

export interface PolicyPlan {
  table: string;
  families: Family[];
  sets: Record<string, PlanSet>;
  maps: Record<string, PlanMap>;
  chains: Record<string, PlanChain>;
}
