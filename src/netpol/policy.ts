// A NetworkPolicy reduced to what matching needs, with the API's defaults and empty-vs-missing
// rules applied once, so that the model and the compiler cannot disagree about them:
// - policyTypes omitted: Ingress always, Egress too when the policy has egress rules;
// - `from`/`to` missing or empty: every peer; `ports` missing or empty: every port and protocol;
// - a peer with only podSelector: pods of the policy's own namespace;
//   with namespaceSelector (and maybe podSelector): pods in the selected namespaces;
// - a port's protocol defaults to TCP.
// Input is assumed to have passed validateNetworkPolicy.
import type { V1LabelSelector } from '@kubernetes/client-node';
import { parseCIDR, formatCIDR } from '../api/cidr.js';
import type { V1NetworkPolicy } from '../api/types.js';
import type { Protocol } from './types.js';
import { policyKey } from './types.js';

export type Direction = 'Ingress' | 'Egress';

export interface PodPeer {
  kind: 'pods';
  index: number;
  /** Set when there is no namespaceSelector: the pods must be in this namespace. */
  namespace?: string;
  namespaceSelector?: V1LabelSelector;
  podSelector?: V1LabelSelector;
}

export interface IPBlockPeer {
  kind: 'ipBlock';
  index: number;
  /** Normalized (host bits cleared). */
  cidr: string;
  except: string[];
}

export type Peer = PodPeer | IPBlockPeer;

export interface PortSpec {
  index: number;
  protocol: Protocol;
  /** Absent: every port of the protocol. */
  port?: number;
  endPort?: number;
  /** A named port, resolved against the destination pod's container ports. */
  name?: string;
}

export interface Rule {
  index: number;
  /** Absent: every peer. */
  peers?: Peer[];
  /** Absent: every port and protocol. */
  ports?: PortSpec[];
}

export interface CompiledPolicy {
  key: string;
  namespace: string;
  name: string;
  podSelector: V1LabelSelector;
  /** Present when the policy isolates its pods for ingress (possibly with no rules: deny all). */
  ingress?: Rule[];
  egress?: Rule[];
}

export function effectiveTypes(policy: V1NetworkPolicy): Set<Direction> {
  const spec = policy.spec;
  const given = spec?.policyTypes;
  if (given && given.length > 0) return new Set(given as Direction[]);
  const types = new Set<Direction>(['Ingress']);
  if ((spec?.egress ?? []).length > 0) types.add('Egress');
  return types;
}

export function compilePolicy(policy: V1NetworkPolicy): CompiledPolicy {
  const namespace = policy.metadata?.namespace ?? 'default';
  const types = effectiveTypes(policy);
  const spec = policy.spec;
  const out: CompiledPolicy = {
    key: policyKey(policy),
    namespace,
    name: policy.metadata?.name ?? '',
    podSelector: spec?.podSelector ?? {},
  };
  if (types.has('Ingress')) {
    // The client library names the field `_from` (a reserved word in its generator); manifests say `from`.
    out.ingress = (spec?.ingress ?? []).map((r, i) => compileRule(i, (r as { from?: RawPeers }).from ?? r._from, r.ports, namespace));
  }
  if (types.has('Egress')) {
    out.egress = (spec?.egress ?? []).map((r, i) => compileRule(i, r.to, r.ports, namespace));
  }
  return out;
}

type RawPeers = NonNullable<NonNullable<V1NetworkPolicy['spec']>['egress']>[number]['to'];
type RawPorts = NonNullable<NonNullable<V1NetworkPolicy['spec']>['ingress']>[number]['ports'];

function compileRule(index: number, peers: RawPeers, ports: RawPorts, namespace: string): Rule {
  const rule: Rule = { index };
  if (peers && peers.length > 0) {
    rule.peers = peers.map((p, i): Peer => {
      if (p.ipBlock) {
        return { kind: 'ipBlock', index: i, cidr: normalizeCIDR(p.ipBlock.cidr), except: (p.ipBlock.except ?? []).map(normalizeCIDR) };
      }
      const peer: PodPeer = { kind: 'pods', index: i };
      if (p.namespaceSelector) peer.namespaceSelector = p.namespaceSelector;
      else peer.namespace = namespace;
      if (p.podSelector) peer.podSelector = p.podSelector;
      return peer;
    });
  }
  if (ports && ports.length > 0) {
    rule.ports = ports.map((p, i): PortSpec => {
      const spec: PortSpec = { index: i, protocol: (p.protocol ?? 'TCP') as Protocol };
      // IntOrString arrives as a number or a string from YAML/JSON.
      const port = p.port as number | string | undefined;
      if (typeof port === 'number') spec.port = port;
      else if (typeof port === 'string') spec.name = port;
      if (p.endPort !== undefined && p.endPort !== null && spec.port !== undefined) spec.endPort = p.endPort;
      return spec;
    });
  }
  return rule;
}

function normalizeCIDR(text: string): string {
  return formatCIDR(parseCIDR(text));
}

/** kubectl's selector syntax: `pod=a,tier in (x,y),!legacy`; `{}` selects everything. */
export function formatSelector(sel: V1LabelSelector | undefined): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {}).sort(([a], [b]) => a.localeCompare(b))) parts.push(`${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) {
    const values = `(${[...(e.values ?? [])].sort().join(',')})`;
    if (e.operator === 'In') parts.push(`${e.key} in ${values}`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin ${values}`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.length ? parts.join(',') : '{}';
}

export function formatLabels(labels: Record<string, string>): string {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : '(none)';
}

export function formatPortSpec(p: PortSpec): string {
  if (p.name !== undefined) return `${p.name}/${p.protocol}`;
  if (p.port === undefined) return `${p.protocol} (every port)`;
  return p.endPort !== undefined ? `${p.port}-${p.endPort}/${p.protocol}` : `${p.port}/${p.protocol}`;
}

export function formatPeer(p: Peer): string {
  if (p.kind === 'ipBlock') return p.except.length ? `ipBlock ${p.cidr} except ${p.except.join(',')}` : `ipBlock ${p.cidr}`;
  const parts: string[] = [];
  if (p.namespaceSelector) parts.push(`namespaceSelector ${formatSelector(p.namespaceSelector)}`);
  if (p.podSelector) parts.push(`podSelector ${formatSelector(p.podSelector)}`);
  if (p.namespace !== undefined && !p.podSelector) parts.push(`podSelector {}`);
  if (p.namespace !== undefined) parts.push(`in namespace ${p.namespace}`);
  return parts.join(' ');
}
