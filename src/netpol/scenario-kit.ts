// Building blocks for the e2e scenarios: the shapes of a scenario and short constructors for the
// policies upstream's netpol suite creates (test/e2e/network/netpol/policies.go, test_helper.go).
import type { V1LabelSelector } from '@kubernetes/client-node';
import type { Family } from '../api/cidr.js';
import type { V1NetworkPolicy } from '../api/types.js';
import type { Protocol } from './types.js';

type Spec = NonNullable<V1NetworkPolicy['spec']>;
export type IngressRule = NonNullable<Spec['ingress']>[number] & { from?: Peer[] };
export type EgressRule = NonNullable<Spec['egress']>[number];
export type Peer = NonNullable<EgressRule['to']>[number];
export type PolicyPort = NonNullable<EgressRule['ports']>[number];

/** What a scenario's policies may depend on: the pods' addresses, known only once the lab runs. */
export interface ScenarioContext {
  family: Family;
  /** The address of `ns/pod` in `family`. */
  ip(pod: string): string;
  /** The `prefix`-long network holding `ns/pod`'s address (`prefix` = 32 or 128 for the host itself). */
  cidr(pod: string, prefix: number | 'host'): string;
}

export interface ScenarioCase {
  port: number;
  protocol: Protocol;
  /** Upstream's Reachability calls as `FROM -> TO .|X` lines over an all-allowed start (see reachability()). */
  expect: string[];
}

export interface Scenario {
  name: string;
  /** The upstream e2e test it follows (`upstream`), or podnet's own coverage of a clause (`podnet`). */
  source: 'upstream' | 'podnet';
  policies(ctx: ScenarioContext): V1NetworkPolicy[];
  /** Labels added to e2e pods (`x/b` → {pod2: updated}) or namespaces (`y` → {ns2: updated}). */
  podLabels?: Record<string, Record<string, string>>;
  namespaceLabels?: Record<string, Record<string, string>>;
  cases: ScenarioCase[];
}

export const NS_LABEL = 'kubernetes.io/metadata.name';

export function labels(matchLabels: Record<string, string>): V1LabelSelector {
  return { matchLabels };
}

export function expr(key: string, operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist', values?: string[]): V1LabelSelector {
  return { matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] };
}

export const ALL: V1LabelSelector = {};
export const podIs = (name: string): V1LabelSelector => labels({ pod: name });
export const nsIs = (name: string): V1LabelSelector => labels({ [NS_LABEL]: name });

export function policy(namespace: string, name: string, spec: Spec): V1NetworkPolicy {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}

/** SetSpecIngressRules: policyTypes [Ingress] and the given rules (none: deny all ingress). */
export function ingress(namespace: string, name: string, podSelector: V1LabelSelector, ...rules: IngressRule[]): V1NetworkPolicy {
  return policy(namespace, name, { podSelector, policyTypes: ['Ingress'], ingress: rules });
}

/** SetSpecEgressRules: policyTypes [Egress] and the given rules (none: deny all egress). */
export function egress(namespace: string, name: string, podSelector: V1LabelSelector, ...rules: EgressRule[]): V1NetworkPolicy {
  return policy(namespace, name, { podSelector, policyTypes: ['Egress'], egress: rules });
}

export function from(...peers: Peer[]): IngressRule {
  return { from: peers } as IngressRule;
}

export function to(...peers: Peer[]): EgressRule {
  return { to: peers };
}

export function port(p: number | string, protocol?: Protocol, endPort?: number): PolicyPort {
  return { port: p as unknown as PolicyPort['port'], ...(protocol ? { protocol } : {}), ...(endPort !== undefined ? { endPort } : {}) };
}

/** A rule's ports, added to a from()/to() rule or standing alone (every peer). */
export function onPorts<R extends IngressRule | EgressRule>(rule: R, ...ports: PolicyPort[]): R {
  return { ...rule, ports };
}

/** Shorthand for cases: `at(80, 'TCP', ...lines)`. */
export function at(p: number, protocol: Protocol, ...expect: string[]): ScenarioCase {
  return { port: p, protocol, expect };
}

/** A scenario whose policies do not depend on addresses. */
export function fixed(policies: V1NetworkPolicy[]): Scenario['policies'] {
  return () => policies;
}
