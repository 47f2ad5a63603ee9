// Service and EndpointSlice validation, transcribed from the API server (pkg/apis/core/validation
// ValidateService and ValidateServiceClusterIPsRelatedFields; pkg/apis/discovery/validation), with
// its wording where it helps. It runs on what the user wrote, before defaulting, so anything the
// API server would default (type, protocol, targetPort, policies) may be absent here. The first
// problem is thrown as a ManifestError naming the field.
import { addressFamily, parseCIDR, parseIP } from '../api/cidr.js';
import type { FieldError } from '../api/errors.js';
import type { KubeObject, V1Service } from '../api/types.js';
import { checkDNS1123Label, checkDNS1123Subdomain, checkPortName, checkQualifiedName } from '../api/names.js';
import { validateLabels } from '../api/selectors.js';
import { isRecord } from '../api/util.js';
import { IP_FAMILIES, IP_FAMILY_POLICIES, PROTOCOLS, SERVICE_TYPES } from './labels.js';

const AFFINITIES = ['None', 'ClientIP'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'];
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

/**
 * apivalidation.ValidateNonSpecialIP: endpoints and external IPs may not be unspecified, loopback or
 * link-local, which are node-local by nature (the metadata service lives at 169.254.169.254).
 */
export function specialIPProblem(ip: string): string | undefined {
  let family: 4 | 6, v: bigint;
  try {
    ({ family, value: v } = parseIP(ip));
  } catch {
    return `${JSON.stringify(ip)} must be a valid IP address`;
  }
  const v4 = family === 4;
  if (v === 0n) return `may not be unspecified (${ip})`;
  if (v4 ? v >> 24n === 127n : v === 1n) return 'may not be in the loopback range (127.0.0.0/8, ::1/128)';
  if (v4 ? v >> 16n === 0xa9fen : v >> 118n === 0x3fan) return 'may not be in the link-local range (169.254.0.0/16, fe80::/10)';
  if (v4 ? v >> 8n === 0xe00000n : v >> 112n === 0xff02n) return 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)';
  return undefined;
}

/** discovery/v1 EndpointSlice validation, for slices a user writes (selector-less Services). */
export function validateEndpointSlice(slice: Record<string, unknown>, err: FieldError): void {
  const type = slice.addressType;
  if (type === undefined || type === '') throw err('addressType', `required: one of ${ADDRESS_TYPES.join(', ')}`);
  oneOf(type, ADDRESS_TYPES, 'addressType', err);
  const endpoints = slice.endpoints ?? [];
  if (!Array.isArray(endpoints)) throw err('endpoints', 'must be a list');
  if (endpoints.length > 1000) throw err('endpoints', `must have at most 1000 items, not ${endpoints.length}`);
  endpoints.forEach((ep: unknown, i) => {
    const at = `endpoints[${i}]`;
    if (!isRecord(ep)) throw err(at, 'must be a mapping with addresses');
    const addrs = ep.addresses;
    if (!Array.isArray(addrs) || addrs.length === 0) throw err(`${at}.addresses`, 'must contain at least 1 address');
    if (addrs.length > 100) throw err(`${at}.addresses`, `must have at most 100 items, not ${addrs.length}`);
    addrs.forEach((a: unknown, j) => {
      const bad = addressProblem(a, type as string);
      if (bad) throw err(`${at}.addresses[${j}]`, bad);
    });
    if (ep.conditions !== undefined) {
      if (!isRecord(ep.conditions)) throw err(`${at}.conditions`, 'must be a mapping of ready, serving and terminating');
      for (const c of ['ready', 'serving', 'terminating']) {
        const v = ep.conditions[c];
        if (v !== undefined && v !== null && typeof v !== 'boolean') throw err(`${at}.conditions.${c}`, 'must be true or false');
      }
    }
    const named: [string, (v: string) => string | undefined][] = [['hostname', checkDNS1123Label], ['nodeName', checkDNS1123Subdomain]];
    for (const [f, check] of named) {
      if (ep[f] === undefined) continue;
      const bad = typeof ep[f] === 'string' ? check(ep[f]) : 'must be a string';
      if (bad) throw err(`${at}.${f}`, bad);
    }
    if (ep.zone !== undefined && typeof ep.zone !== 'string') throw err(`${at}.zone`, 'must be a string');
  });
  validateSlicePorts(slice.ports, err);
}

function addressProblem(a: unknown, type: string): string | undefined {
  if (typeof a !== 'string') return 'must be a string';
  if (type === 'FQDN') {
    const bad = checkDNS1123Subdomain(a);
    return bad ?? (a.includes('.') ? undefined : `${JSON.stringify(a)} must be a fully qualified domain name (at least two labels)`);
  }
  const want = type === 'IPv4' ? 4 : 6;
  if (addressFamily(a) !== want) return `${JSON.stringify(a)} must be a valid ${type} address`;
  return specialIPProblem(a);
}

function validateSlicePorts(ports: unknown, err: FieldError): void {
  if (ports === undefined || ports === null) return;
  if (!Array.isArray(ports)) throw err('ports', 'must be a list');
  if (ports.length > 100) throw err('ports', `must have at most 100 items, not ${ports.length}`);
  const names = new Set<string>();
  ports.forEach((p: unknown, i) => {
    const at = `ports[${i}]`;
    if (!isRecord(p)) throw err(at, 'must be a mapping with name, port and protocol');
    const name = p.name ?? '';
    if (typeof name !== 'string') throw err(`${at}.name`, 'must be a string');
    const bad = name === '' ? undefined : checkDNS1123Label(name);
    if (bad) throw err(`${at}.name`, bad);
    // Unnamed counts as the name "": two unnamed ports in one slice are ambiguous too.
    if (names.has(name)) throw err(`${at}.name`, `duplicate port name ${JSON.stringify(name)}`);
    names.add(name);
    if (p.protocol !== undefined) oneOf(p.protocol, PROTOCOLS, `${at}.protocol`, err);
    if (p.port !== undefined && p.port !== null && !isPort(p.port)) throw err(`${at}.port`, `must be an integer between 1 and 65535, not ${JSON.stringify(p.port)}`);
    if (p.appProtocol !== undefined) {
      const badProto = typeof p.appProtocol === 'string' ? checkQualifiedName(p.appProtocol) : 'must be a string';
      if (badProto) throw err(`${at}.appProtocol`, badProto);
    }
  });
}

function oneOf(v: unknown, allowed: readonly string[], field: string, err: FieldError): void {
  if (!allowed.includes(v as string)) throw err(field, `unsupported value ${JSON.stringify(v)}: must be one of ${allowed.join(', ')}`);
}

function isPort(v: unknown): boolean {
  return Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;
}
