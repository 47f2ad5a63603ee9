// discovery/v1 EndpointSlice validation (pkg/apis/discovery/validation), for the slices a user
// writes for a Service without a selector. The first problem is thrown as a ManifestError naming
// the field.
import { addressFamily } from '../api/cidr.js';
import type { FieldError } from '../api/errors.js';
import { checkDNS1123Label, checkDNS1123Subdomain, checkQualifiedName } from '../api/names.js';
import { isRecord } from '../api/util.js';
import { PROTOCOLS } from './labels.js';
import { isPort, oneOf, specialIPProblem } from './spec-checks.js';

const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'];

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
