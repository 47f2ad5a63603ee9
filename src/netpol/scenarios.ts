// The netpol e2e scenarios as data, shared by the unit tests (model and compiled ruleset against the
// expected truth tables) and the lab integration test (the same policies applied to real pods, the
// measured matrix compared with the same tables). The cluster is upstream's: namespaces x, y, z
// labelled ns=<name> (and kubernetes.io/metadata.name), pods a, b, c in each labelled pod=<name>,
// each serving ports 80 and 81 over TCP and UDP with container ports named serve-<port>-<proto>.
import { formatCIDR, parseCIDR, type Family } from '../api/cidr.js';
import type { V1Namespace, V1Pod } from '../api/types.js';
import { reachability, type Matrix } from './matrix.js';
import type { Scenario, ScenarioCase, ScenarioContext } from './scenario-kit.js';
import { PODNET_SCENARIOS } from './scenarios-podnet.js';
import { UPSTREAM_SCENARIOS } from './scenarios-upstream.js';
import { namespaceFromV1, podFromV1, type PolicyWorld, type Protocol } from './types.js';

export type { Scenario, ScenarioCase, ScenarioContext } from './scenario-kit.js';

export const E2E_NAMESPACES = ['x', 'y', 'z'];
export const E2E_POD_NAMES = ['a', 'b', 'c'];
export const E2E_PODS = E2E_NAMESPACES.flatMap((ns) => E2E_POD_NAMES.map((p) => `${ns}/${p}`));
export const E2E_PORTS = [80, 81];
export const E2E_PROTOCOLS: Protocol[] = ['TCP', 'UDP'];
export const AGNHOST_IMAGE = 'registry.k8s.io/e2e-test-images/agnhost:2.53';

export const SCENARIOS: Scenario[] = [...UPSTREAM_SCENARIOS, ...PODNET_SCENARIOS];

export function e2eNamespaces(scenario?: Pick<Scenario, 'namespaceLabels'>): V1Namespace[] {
  return E2E_NAMESPACES.map((name) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { ns: name, 'kubernetes.io/metadata.name': name, ...(scenario?.namespaceLabels?.[name] ?? {}) } },
  }));
}

/**
 * The nine server pods as upstream's kubemanager makes them: one agnhost container per port and
 * protocol (`serve-hostname --tcp|--udp --http=false --port N`). `nodes` spreads them round-robin
 * with spec.nodeName; without it the scheduler places them.
 */
export function e2ePods(scenario?: Pick<Scenario, 'podLabels'>, opts: { nodes?: string[] } = {}): V1Pod[] {
  return E2E_PODS.map((key, i) => {
    const [namespace, name] = key.split('/');
    const containers = E2E_PORTS.flatMap((port) => E2E_PROTOCOLS.map((protocol) => {
      const p = protocol.toLowerCase();
      return {
        name: `cont-${port}-${p}`,
        image: AGNHOST_IMAGE,
        args: ['serve-hostname', `--${p}`, '--http=false', '--port', String(port)],
        ports: [{ containerPort: port, name: `serve-${port}-${p}`, protocol }],
      };
    }));
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, labels: { pod: name, ...(scenario?.podLabels?.[key] ?? {}) } },
      spec: { ...(opts.nodes?.length ? { nodeName: opts.nodes[i % opts.nodes.length] } : {}), containers },
    };
  });
}

/** Stand-in addresses for unit tests: x/a 10.244.1.10 … z/c 10.244.3.12, and fd00:10:244:N::M. */
export function e2eIPs(family: Family): Record<string, string> {
  const out: Record<string, string> = {};
  E2E_PODS.forEach((key, i) => {
    const ns = Math.floor(i / 3) + 1;
    const host = 10 + (i % 3);
    out[key] = family === 4 ? `10.244.${ns}.${host}` : `fd00:10:244:${ns}::${host.toString(16)}`;
  });
  return out;
}

export function scenarioContext(ips: Record<string, string>, family: Family): ScenarioContext {
  const ip = (pod: string) => {
    const a = ips[pod];
    if (!a) throw new Error(`scenario needs the address of ${pod}`);
    return a;
  };
  return {
    family,
    ip,
    cidr: (pod, prefix) => formatCIDR(parseCIDR(`${ip(pod)}/${prefix === 'host' ? (family === 4 ? 32 : 128) : prefix}`)),
  };
}

/** The scenario's cluster as the model sees it, with the given (or stand-in) pod addresses and nodes. */
export function e2eWorld(scenario: Scenario, opts: { family?: Family; ips?: Record<string, string>; nodes?: string[] } = {}): PolicyWorld {
  const family = opts.family ?? 4;
  const ips = opts.ips ?? e2eIPs(family);
  const pods = e2ePods(scenario, { nodes: opts.nodes ?? ['node-1', 'node-2'] }).map((p) => {
    const info = podFromV1(p)!;
    return { ...info, ips: [ips[`${info.namespace}/${info.name}`]] };
  });
  return {
    pods,
    namespaces: e2eNamespaces(scenario).map(namespaceFromV1),
    policies: scenario.policies(scenarioContext(ips, family)),
  };
}

export function expectedMatrix(c: ScenarioCase, family: Family = 4): Matrix {
  return { port: c.port, protocol: c.protocol, family, pods: E2E_PODS, allowed: reachability(E2E_PODS, c.expect) };
}
