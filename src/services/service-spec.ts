// Service validation, transcribed from the API server (pkg/apis/core/validation ValidateService and
// ValidateServiceClusterIPsRelatedFields), with its wording where it helps. It runs on what the user
// wrote, before defaulting, so anything the API server would default (type, protocol, targetPort,
// policies) may be absent here. The first problem is thrown as a ManifestError naming the field.
import { addressFamily, parseCIDR } from '../api/cidr.js';
import type { FieldError } from '../api/errors.js';
import type { KubeObject, V1Service } from '../api/types.js';
import { checkDNS1035Label, checkDNS1123Label, checkDNS1123Subdomain, checkPortName, checkQualifiedName } from '../api/names.js';
import type { KindDefinition } from '../api/registry.js';
import { validateLabels } from '../api/selectors.js';
import { isRecord } from '../api/util.js';
import { IP_FAMILIES, IP_FAMILY_POLICIES, PROTOCOLS, SERVICE_TYPES } from './labels.js';
import { isPort, oneOf, specialIPProblem } from './spec-checks.js';

import { validateEndpointSlice } from './endpointslice-spec.js';

export { validateEndpointSlice };

/**
 * The kinds services/ registers with the API layer (src/kinds.ts). A Service name becomes a DNS label
 * (`NAME.NAMESPACE.svc.cluster.local`), hence DNS-1035. Service defaults are not here: they need
 * the stored version and the allocators, so admission.ts applies them.
 */
export const serviceKinds: readonly KindDefinition[] = [
  { apiVersion: 'v1', kind: 'Service', checkName: checkDNS1035Label, validate: validateService },
  { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', validate: validateEndpointSlice },
];

const AFFINITIES = ['None', 'ClientIP'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
/** core/v1 MaxClientIPServiceAffinitySeconds: one day. */
const MAX_AFFINITY_SECONDS = 86400;

export function validateService(svc: KubeObject | V1Service, err: FieldError): void {
  const spec: unknown = svc.spec ?? {};
  if (!isRecord(spec)) throw err('spec', 'must be a mapping');
  const type = spec.type ?? 'ClusterIP';
  oneOf(type, SERVICE_TYPES, 'spec.type', err);
  const ips = clusterIPs(spec, err);
  const ipField = (i: number): string => (i === 0 ? 'spec.clusterIP' : `spec.clusterIPs[${i}]`);
  const headless = ips.length === 1 && ips[0] === 'None';
  if ((type === 'NodePort' || type === 'LoadBalancer') && headless) throw err('spec.clusterIP', `may not be set to 'None' for ${type} services`);
  if (type === 'ExternalName') {
    if (ips.length > 0) throw err('spec.clusterIP', 'may not be set for ExternalName services');
    if (spec.ipFamilies !== undefined && (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length > 0)) throw err('spec.ipFamilies', 'may not be set for ExternalName services');
    if (spec.ipFamilyPolicy !== undefined) throw err('spec.ipFamilyPolicy', 'may not be set for ExternalName services');
    // The value is a CNAME target and may end in a dot to mark it fully qualified.
    const cname = typeof spec.externalName === 'string' ? spec.externalName.replace(/\.$/, '') : '';
    if (cname === '') throw err('spec.externalName', 'required for ExternalName services');
    const bad = checkDNS1123Subdomain(cname);
    if (bad) throw err('spec.externalName', bad);
  }
  validatePorts(spec.ports, type as string, headless, err);
  if (spec.selector !== undefined) validateLabels(spec.selector, 'spec.selector', err);
  validateAffinity(spec, err);
  if (type !== 'ExternalName') validateFamilies(spec, ips, headless, ipField, err);
  validateTraffic(spec, type as string, err);
  validateExternal(spec, type as string, err);
  if (spec.publishNotReadyAddresses !== undefined && typeof spec.publishNotReadyAddresses !== 'boolean') {
    throw err('spec.publishNotReadyAddresses', 'must be true or false');
  }
}

/** clusterIP and clusterIPs as one list (clusterIPs[0] is clusterIP); [] when both are unset. */
function clusterIPs(spec: Record<string, unknown>, err: FieldError): string[] {
  const { clusterIP, clusterIPs: list } = spec;
  if (clusterIP !== undefined && typeof clusterIP !== 'string') throw err('spec.clusterIP', 'must be a string: an IP address or "None"');
  if (list !== undefined && (!Array.isArray(list) || list.some((v) => typeof v !== 'string'))) throw err('spec.clusterIPs', 'must be a list of strings');
  const plural = (list ?? []) as string[];
  let ips: string[] = [];
  if (clusterIP) {
    if (plural.length > 0 && plural[0] !== clusterIP) throw err('spec.clusterIPs', 'first value must match `clusterIP`');
    ips = plural.length > 0 ? plural : [clusterIP];
  } else if (plural.length > 0) {
    throw err('spec.clusterIPs', 'must be empty when `clusterIP` is not specified');
  }
  if (ips.length > 2) throw err('spec.clusterIPs', 'may only hold up to 2 values');
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) throw err('spec.clusterIPs', "'None' must be the first and only value");
      return;
    }
    if (addressFamily(ip) === undefined) throw err(i === 0 ? 'spec.clusterIP' : `spec.clusterIPs[${i}]`, `${JSON.stringify(ip)} must be a valid IP address (e.g. 10.9.8.7 or 2001:db8::ffff)`);
  });
  if (ips.length === 2 && addressFamily(ips[0]) === addressFamily(ips[1])) throw err('spec.clusterIPs', 'may specify no more than one IP for each IP family');
  return ips;
}

function validatePorts(ports: unknown, type: string, headless: boolean, err: FieldError): void {
  if (ports !== undefined && !Array.isArray(ports)) throw err('spec.ports', 'must be a list');
  const list = (ports ?? []) as unknown[];
  if (list.length === 0 && !headless && type !== 'ExternalName') throw err('spec.ports', 'required (only headless and ExternalName Services may have no ports)');
  const names = new Set<string>();
  const seen = new Set<string>();
  const nodePorts = new Set<string>();
  list.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    if (!isRecord(p)) throw err(at, 'must be a mapping with port');
    if (p.name === undefined || p.name === '') {
      if (list.length > 1) throw err(`${at}.name`, 'required when a Service has more than one port');
    } else {
      const bad = typeof p.name === 'string' ? checkDNS1123Label(p.name) : 'must be a string';
      if (bad) throw err(`${at}.name`, bad);
      if (names.has(p.name as string)) throw err(`${at}.name`, `duplicate port name ${JSON.stringify(p.name)}`);
      names.add(p.name as string);
    }
    if (!isPort(p.port)) throw err(`${at}.port`, `must be an integer between 1 and 65535, not ${JSON.stringify(p.port)}`);
    if (p.protocol !== undefined) oneOf(p.protocol, PROTOCOLS, `${at}.protocol`, err);
    const proto = (p.protocol ?? 'TCP') as string;
    validateTargetPort(p.targetPort, `${at}.targetPort`, err);
    if (p.nodePort !== undefined && p.nodePort !== 0) {
      if (type === 'ClusterIP' || type === 'ExternalName') throw err(`${at}.nodePort`, `may not be used when \`type\` is '${type}'`);
      if (!isPort(p.nodePort)) throw err(`${at}.nodePort`, `must be an integer between 1 and 65535, not ${JSON.stringify(p.nodePort)}`);
      const key = `${String(p.nodePort)}/${proto}`;
      if (nodePorts.has(key)) throw err(`${at}.nodePort`, `duplicate nodePort ${key}`);
      nodePorts.add(key);
    }
    if (p.appProtocol !== undefined) {
      const bad = typeof p.appProtocol === 'string' ? checkQualifiedName(p.appProtocol) : 'must be a string';
      if (bad) throw err(`${at}.appProtocol`, bad);
    }
    const key = `${String(p.port)}/${proto}`;
    if (seen.has(key)) throw err(at, `duplicate port ${key}: each port and protocol may appear once`);
    seen.add(key);
  });
}

/** A number, or an IANA service name looked up in the pod's container ports; 0 and "" mean "same as port". */
function validateTargetPort(v: unknown, field: string, err: FieldError): void {
  if (v === undefined || v === 0 || v === '') return;
  if (typeof v === 'number') {
    if (!isPort(v)) throw err(field, `must be an integer between 1 and 65535, not ${v}`);
    return;
  }
  if (typeof v !== 'string') throw err(field, `must be a port number or a port name, not ${JSON.stringify(v)}`);
  const bad = checkPortName(v);
  if (bad) throw err(field, `${bad} (a port name; a number must not be quoted)`);
}

function validateAffinity(spec: Record<string, unknown>, err: FieldError): void {
  const affinity = spec.sessionAffinity ?? 'None';
  oneOf(affinity, AFFINITIES, 'spec.sessionAffinity', err);
  const config = spec.sessionAffinityConfig;
  if (config === undefined) return;
  if (affinity === 'None') throw err('spec.sessionAffinityConfig', 'must not be set when session affinity is None');
  if (!isRecord(config) || (config.clientIP !== undefined && !isRecord(config.clientIP))) {
    throw err('spec.sessionAffinityConfig', 'must be a mapping such as {clientIP: {timeoutSeconds: 10800}}');
  }
  const t = (config.clientIP as Record<string, unknown> | undefined)?.timeoutSeconds;
  if (t !== undefined && !(Number.isInteger(t) && (t as number) >= 1 && (t as number) <= MAX_AFFINITY_SECONDS)) {
    throw err('spec.sessionAffinityConfig.clientIP.timeoutSeconds', `must be an integer between 1 and ${MAX_AFFINITY_SECONDS}, not ${JSON.stringify(t)}`);
  }
}

function validateFamilies(spec: Record<string, unknown>, ips: string[], headless: boolean, ipField: (i: number) => string, err: FieldError): void {
  const policy = spec.ipFamilyPolicy;
  if (policy !== undefined) oneOf(policy, IP_FAMILY_POLICIES, 'spec.ipFamilyPolicy', err);
  const families = spec.ipFamilies ?? [];
  if (!Array.isArray(families)) throw err('spec.ipFamilies', 'must be a list such as [IPv4, IPv6]');
  families.forEach((f: unknown, i) => {
    oneOf(f, IP_FAMILIES, `spec.ipFamilies[${i}]`, err);
    if (families.indexOf(f) !== i) throw err(`spec.ipFamilies[${i}]`, `duplicate value ${JSON.stringify(f)}`);
  });
  // SingleStack with two IPs or families is checked at admission: an update may mean "drop the second".
  if (headless) return;
  ips.forEach((ip, i) => {
    const want = families[i] as string | undefined;
    const got = addressFamily(ip) === 6 ? 'IPv6' : 'IPv4';
    if (want !== undefined && want !== got) throw err(ipField(i), `expected an ${want} value as indicated by \`ipFamilies[${i}]\`, not ${ip}`);
  });
}

function validateTraffic(spec: Record<string, unknown>, type: string, err: FieldError): void {
  const external = Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0;
  const accessible = type === 'NodePort' || type === 'LoadBalancer' || (type === 'ClusterIP' && external);
  if (spec.externalTrafficPolicy !== undefined) {
    if (!accessible) throw err('spec.externalTrafficPolicy', `may only be set for externally-accessible services (type NodePort or LoadBalancer), not ${type}`);
    oneOf(spec.externalTrafficPolicy, TRAFFIC_POLICIES, 'spec.externalTrafficPolicy', err);
  }
  if (spec.internalTrafficPolicy !== undefined) oneOf(spec.internalTrafficPolicy, TRAFFIC_POLICIES, 'spec.internalTrafficPolicy', err);
  const hc = spec.healthCheckNodePort;
  if (hc !== undefined && hc !== 0) {
    if (type !== 'LoadBalancer' || spec.externalTrafficPolicy !== 'Local') {
      throw err('spec.healthCheckNodePort', "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'");
    }
    if (!isPort(hc)) throw err('spec.healthCheckNodePort', `must be an integer between 1 and 65535, not ${JSON.stringify(hc)}`);
  }
}

function validateExternal(spec: Record<string, unknown>, type: string, err: FieldError): void {
  const ext = spec.externalIPs ?? [];
  if (!Array.isArray(ext)) throw err('spec.externalIPs', 'must be a list of IP addresses');
  ext.forEach((ip: unknown, i) => {
    const bad = typeof ip === 'string' ? specialIPProblem(ip) : 'must be a string';
    if (bad) throw err(`spec.externalIPs[${i}]`, bad);
  });
  const lbIP = spec.loadBalancerIP;
  if (lbIP !== undefined && lbIP !== '' && (typeof lbIP !== 'string' || addressFamily(lbIP) === undefined)) {
    throw err('spec.loadBalancerIP', `${JSON.stringify(lbIP)} must be a valid IP address`);
  }
  const notLB = "may only be used when `type` is 'LoadBalancer'";
  if (spec.loadBalancerSourceRanges !== undefined) {
    if (type !== 'LoadBalancer') throw err('spec.loadBalancerSourceRanges', notLB);
    if (!Array.isArray(spec.loadBalancerSourceRanges)) throw err('spec.loadBalancerSourceRanges', 'must be a list of CIDRs');
    spec.loadBalancerSourceRanges.forEach((r: unknown, i) => {
      try {
        parseCIDR(typeof r === 'string' ? r.trim() : '');
      } catch {
        throw err(`spec.loadBalancerSourceRanges[${i}]`, `${JSON.stringify(r)} must be a CIDR such as 192.0.2.0/24`);
      }
    });
  }
  if (spec.allocateLoadBalancerNodePorts !== undefined) {
    if (type !== 'LoadBalancer') throw err('spec.allocateLoadBalancerNodePorts', notLB);
    if (typeof spec.allocateLoadBalancerNodePorts !== 'boolean') throw err('spec.allocateLoadBalancerNodePorts', 'must be true or false');
  }
}
