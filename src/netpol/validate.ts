// NetworkPolicy validation as the API server does it (pkg/apis/networking/validation), so that a
// policy the lab accepts is one a real cluster accepts too. The first problem is thrown as a
// one-line ManifestError naming the field, e.g. `spec.ingress[0].ports[1].endPort: ...`.
import { AddressError, parseCIDR, type CIDR } from '../api/cidr.js';
import type { FieldError } from '../api/errors.js';
import { checkPortName } from '../api/names.js';
import { validateSelector } from '../api/selectors.js';
import type { KindDefinition } from '../api/registry.js';
import type { KubeObject } from '../api/types.js';
import { isRecord } from '../api/util.js';
import { PROTOCOLS } from './types.js';

const POLICY_TYPES = ['Ingress', 'Egress'];

/** The kind netpol/ registers with the API layer (src/kinds.ts). */
export const networkPolicyKinds: readonly KindDefinition[] = [
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', validate: validateNetworkPolicy, default: defaultNetworkPolicy },
];

/**
 * The API server's defaults (pkg/apis/networking/v1/defaults.go): policyTypes [Ingress], plus Egress
 * when there are egress rules, and protocol TCP on every port. The same reading policy.ts's
 * effectiveTypes gives an omitted field, now visible in `podnet get netpol -o yaml` as on a cluster.
 */
export function defaultNetworkPolicy(obj: KubeObject): KubeObject {
  const spec = isRecord(obj.spec) ? { ...obj.spec } : {};
  spec.podSelector ??= {};
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    spec.policyTypes = Array.isArray(spec.egress) && spec.egress.length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
  for (const dir of ['ingress', 'egress']) {
    const rules = spec[dir];
    if (!Array.isArray(rules)) continue;
    spec[dir] = rules.map((rule: unknown) => (isRecord(rule) && Array.isArray(rule.ports)
      ? { ...rule, ports: rule.ports.map((p: unknown) => (isRecord(p) ? { ...p, protocol: p.protocol ?? 'TCP' } : p)) }
      : rule));
  }
  return { ...obj, spec };
}

export function validateNetworkPolicy(obj: KubeObject, err: FieldError): void {
  const spec = obj.spec;
  if (spec === undefined || spec === null) return; // an empty spec: {} selects every pod, isolates ingress
  if (!isRecord(spec)) throw err('spec', 'must be a mapping');
  // podSelector is a struct upstream: omitted means the empty selector (every pod in the namespace).
  if (spec.podSelector !== undefined && spec.podSelector !== null) validateSelector(spec.podSelector, 'spec.podSelector', err);
  validatePolicyTypes(spec.policyTypes, err);
  for (const [dir, peersField] of [['ingress', 'from'], ['egress', 'to']] as const) {
    const rules = spec[dir];
    if (rules === undefined || rules === null) continue;
    if (!Array.isArray(rules)) throw err(`spec.${dir}`, 'must be a list of rules');
    rules.forEach((rule: unknown, i) => {
      const at = `spec.${dir}[${i}]`;
      if (rule === null) return; // `- {}` written as `-`: an empty rule
      if (!isRecord(rule)) throw err(at, `must be a mapping with ${peersField} and/or ports`);
      validatePeers(rule[peersField], `${at}.${peersField}`, err);
      validatePorts(rule.ports, `${at}.ports`, err);
    });
  }
}

function validatePolicyTypes(value: unknown, err: FieldError): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) throw err('spec.policyTypes', 'must be a list (Ingress, Egress)');
  if (value.length > 2) throw err('spec.policyTypes', 'may not have more than 2 entries (Ingress, Egress)');
  const seen = new Set<unknown>();
  value.forEach((t: unknown, i) => {
    if (!POLICY_TYPES.includes(t as string)) {
      throw err(`spec.policyTypes[${i}]`, `unsupported value ${JSON.stringify(t)}: must be Ingress or Egress`);
    }
    if (seen.has(t)) throw err(`spec.policyTypes[${i}]`, `duplicate value ${JSON.stringify(t)}`);
    seen.add(t);
  });
}

function validatePeers(value: unknown, field: string, err: FieldError): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) throw err(field, 'must be a list of peers');
  value.forEach((peer: unknown, i) => {
    const at = `${field}[${i}]`;
    if (!isRecord(peer)) throw err(at, 'must be a mapping with podSelector, namespaceSelector or ipBlock');
    const has = (k: string) => peer[k] !== undefined && peer[k] !== null;
    if (!has('podSelector') && !has('namespaceSelector') && !has('ipBlock')) {
      throw err(at, 'must specify a peer: podSelector, namespaceSelector or ipBlock');
    }
    if (has('ipBlock') && (has('podSelector') || has('namespaceSelector'))) {
      throw err(at, 'may not specify ipBlock together with podSelector or namespaceSelector (use separate peers)');
    }
    if (has('podSelector')) validateSelector(peer.podSelector, `${at}.podSelector`, err);
    if (has('namespaceSelector')) validateSelector(peer.namespaceSelector, `${at}.namespaceSelector`, err);
    if (has('ipBlock')) validateIPBlock(peer.ipBlock, `${at}.ipBlock`, err);
  });
}

function cidrOf(value: unknown, field: string, err: FieldError): CIDR {
  if (typeof value !== 'string' || value === '') throw err(field, 'required: a CIDR such as 10.0.0.0/8');
  try {
    return parseCIDR(value);
  } catch (e) {
    if (e instanceof AddressError) throw err(field, e.message);
    throw e;
  }
}

function validateIPBlock(value: unknown, field: string, err: FieldError): void {
  if (!isRecord(value)) throw err(field, 'must be a mapping with cidr and optional except');
  const cidr = cidrOf(value.cidr, `${field}.cidr`, err);
  const except = value.except;
  if (except === undefined || except === null) return;
  if (!Array.isArray(except)) throw err(`${field}.except`, 'must be a list of CIDRs');
  except.forEach((e: unknown, i) => {
    const at = `${field}.except[${i}]`;
    const x = cidrOf(e, at, err);
    const span = (c: CIDR) => 1n << BigInt((c.family === 4 ? 32 : 128) - c.prefix);
    // Upstream: "must be a strict subset of `cidr`" (same family, inside, longer prefix).
    if (x.family !== cidr.family || x.prefix <= cidr.prefix || x.base < cidr.base || x.base + span(x) > cidr.base + span(cidr)) {
      throw err(at, `${String(e)} must be a strict subset of cidr ${String(value.cidr)}`);
    }
  });
}

function validatePorts(value: unknown, field: string, err: FieldError): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) throw err(field, 'must be a list of ports');
  value.forEach((p: unknown, i) => {
    const at = `${field}[${i}]`;
    if (!isRecord(p)) throw err(at, 'must be a mapping with protocol, port and/or endPort');
    if (p.protocol !== undefined && p.protocol !== null && !PROTOCOLS.includes(p.protocol as never)) {
      throw err(`${at}.protocol`, `unsupported value ${JSON.stringify(p.protocol)}: must be one of ${PROTOCOLS.join(', ')}`);
    }
    const port = p.port;
    const hasPort = port !== undefined && port !== null;
    if (hasPort) {
      if (typeof port === 'number') {
        if (!Number.isInteger(port) || port < 1 || port > 65535) throw err(`${at}.port`, `must be between 1 and 65535, not ${port}`);
      } else if (typeof port === 'string') {
        const bad = checkPortName(port);
        if (bad) throw err(`${at}.port`, `${bad} (a port number must not be quoted)`);
      } else {
        throw err(`${at}.port`, 'must be a port number or a port name');
      }
    }
    const end = p.endPort;
    if (end === undefined || end === null) return;
    if (!hasPort) throw err(`${at}.endPort`, 'may not be specified when port is not specified');
    if (typeof port === 'string') throw err(`${at}.endPort`, `may not be specified when port is a named port (${port})`);
    if (typeof end !== 'number' || !Number.isInteger(end) || end < 1 || end > 65535) {
      throw err(`${at}.endPort`, `must be between 1 and 65535, not ${JSON.stringify(end)}`);
    }
    if (end < (port as number)) throw err(`${at}.endPort`, `must be greater than or equal to port (${String(port)})`);
  });
}
