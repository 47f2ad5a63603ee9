// NetworkPolicy for podnet: the public surface for the lab, the CLI and tests.
//   world:    worldFromObjects({pods, namespaces, policies, nodes}) from API objects
//   analyze:  new PolicyModel(world).allowed(src, dst, port, proto), matrix(), explain()
//   enforce:  planPolicy({...world, node}) → PolicyPlan; renderFull/renderUpdate; new PolicyApplier({netns}).sync(plan, world)
//   verify:   tracePlan(plan, packet), SCENARIOS (the e2e truth tables)
// The apply step is the only part with side effects (it imports src/sys).
export { validateNetworkPolicy } from './validate.js';
export {
  worldFromObjects, podFromV1, namespaceFromV1, podKey, policyKey, NAMESPACE_NAME_LABEL, PROTOCOLS,
  type PolicyWorld, type PodInfo, type NamespaceInfo, type NodeInfo, type ContainerPortInfo, type Protocol, type ServiceInfo, type ServicePortInfo,
} from './types.js';
export {
  PolicyModel, allowed, endpointName, NetpolQueryError, HAIRPIN_SUMMARY,
  type Endpoint, type Verdict, type DirectionResult, type PolicyResult, type RuleResult, type BackendResult, type HairpinTarget,
} from './model.js';
export { servicesFromV1 } from './services.js';
export {
  matrix, renderMatrix, matrixJSON, matrixFromJSON, parseMatrix, compareMatrices, reachability, matrixRows, nodeRow,
  type Matrix, type MatrixJSON, type MatrixCells, type MatrixOptions, type Mismatch,
} from './matrix.js';
export { summarizeMatrix, summarizeMismatches, countBy, namespaceOf, SUMMARY_ABOVE_PODS, type MismatchSummaryOptions } from './matrix-summary.js';
export { explain, formatVerdict, parsePortProto } from './explain.js';
export { planPolicy, planStats, POLICY_TABLE, type PolicyPlan, type PolicyPlanInput, type PlanSet, type PlanMap, type PlanChain, type PlanStats } from './plan.js';
export { renderFull, renderUpdate, renderDelete } from './render.js';
export { tracePlan, traceConnection, pathOf, type Packet, type TraceResult, type Hop } from './trace.js';
export { parseConntrack, flowsToCut, flowAllowed, conntrackDeleteArgs, type ConntrackEntry } from './conntrack.js';
export { PolicyApplier, type PolicyApplierOptions, type SyncResult, type Exec } from './apply.js';
export {
  SCENARIOS, E2E_NAMESPACES, E2E_POD_NAMES, E2E_PODS, E2E_PORTS, E2E_PROTOCOLS, AGNHOST_IMAGE,
  e2eNamespaces, e2ePods, e2eIPs, e2eWorld, scenarioContext, expectedMatrix, type Scenario, type ScenarioCase, type ScenarioContext,
} from './scenarios.js';

/**
 * Sysctls a node netns needs for the ruleset to see same-node pod traffic: bridged frames must
 * pass the inet hooks (br_netfilter), for both families.
 */
export const POLICY_SYSCTLS: Record<string, string> = {
  'net.bridge.bridge-nf-call-iptables': '1',
  'net.bridge.bridge-nf-call-ip6tables': '1',
};
