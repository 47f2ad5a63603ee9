// Validation of networking.k8s.io/v1 Ingress and IngressClass, transcribed from the API server
// (pkg/apis/networking/validation ValidateIngressSpec, validateIngressBackend, ValidateIngressClass):
// the first problem is thrown as one ManifestError line naming object and field.
import type { FieldError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { checkDNS1035Label, checkDNS1123Subdomain, checkPortName } from '../api/names.js';
import { checkHostname, list, oneOfValues, port, record, str } from './validate-common.js';

const PATH_TYPES = ['Exact', 'Prefix', 'ImplementationSpecific'];

export function validateIngress(obj: KubeObject, err: FieldError): void {
  const spec = record(obj.spec ?? {}, 'spec', err);
  const cls = str(spec.ingressClassName, 'spec.ingressClassName', err);
  if (cls !== undefined) {
    const bad = checkDNS1123Subdomain(cls);
    if (bad) throw err('spec.ingressClassName', bad);
  }
  const rules = list(spec.rules, 'spec.rules', err);
  if (spec.defaultBackend !== undefined) validateBackend(spec.defaultBackend, 'spec.defaultBackend', err);
  else if (rules.length === 0) throw err('spec', 'either `defaultBackend` or `rules` must be specified');
  rules.forEach((raw, i) => {
    const at = `spec.rules[${i}]`;
    const rule = record(raw, at, err);
    if (rule.host !== undefined) checkHostname(rule.host, `${at}.host`, err);
    if (rule.http === undefined) return;
    const paths = list(record(rule.http, `${at}.http`, err).paths, `${at}.http.paths`, err);
    if (paths.length === 0) throw err(`${at}.http.paths`, 'required: at least one path');
    paths.forEach((p, j) => {
      const pat = `${at}.http.paths[${j}]`;
      const path = record(p, pat, err);
      const type = oneOfValues(path.pathType, PATH_TYPES, `${pat}.pathType`, err);
      if (!type) throw err(`${pat}.pathType`, `required: one of ${PATH_TYPES.join(', ')}`);
      const value = str(path.path, `${pat}.path`, err);
      if (type !== 'ImplementationSpecific' || value !== undefined) {
        if (!value?.startsWith('/')) throw err(`${pat}.path`, 'must be an absolute path (start with /)');
        // The API server refuses these for Exact and Prefix (pathType-specific rules).
        if (type !== 'ImplementationSpecific' && /\/\/|\/\.\.?(\/|$)|%2f|%2F|#/.test(value)) throw err(`${pat}.path`, `${JSON.stringify(value)} must not contain '//', '/./', '/../', '%2f' or '#'`);
      }
      validateBackend(path.backend, `${pat}.backend`, err);
    });
  });
  list(spec.tls, 'spec.tls', err).forEach((raw, i) => {
    const t = record(raw, `spec.tls[${i}]`, err);
    list(t.hosts, `spec.tls[${i}].hosts`, err).forEach((h, j) => checkHostname(h, `spec.tls[${i}].hosts[${j}]`, err));
    const secret = str(t.secretName, `spec.tls[${i}].secretName`, err);
    if (secret !== undefined) {
      const bad = checkDNS1123Subdomain(secret);
      if (bad) throw err(`spec.tls[${i}].secretName`, bad);
    }
  });
}

function validateBackend(raw: unknown, at: string, err: FieldError): void {
  const b = record(raw, at, err);
  if (b.service !== undefined && b.resource !== undefined) throw err(at, 'cannot set both service and resource backends');
  if (b.service === undefined && b.resource === undefined) throw err(at, 'one backend (service or resource) must be specified');
  if (b.resource !== undefined) {
    const r = record(b.resource, `${at}.resource`, err);
    str(r.kind, `${at}.resource.kind`, err, true);
    str(r.name, `${at}.resource.name`, err, true);
    return;
  }
  const svc = record(b.service, `${at}.service`, err);
  const name = str(svc.name, `${at}.service.name`, err, true) as string;
  const badName = checkDNS1035Label(name);
  if (badName) throw err(`${at}.service.name`, badName);
  const p = record(svc.port, `${at}.service.port`, err);
  if (p.name !== undefined && p.number !== undefined) throw err(`${at}.service.port`, 'cannot set both port name & port number');
  if (p.name !== undefined) {
    const bad = checkPortName(str(p.name, `${at}.service.port.name`, err, true) as string);
    if (bad) throw err(`${at}.service.port.name`, bad);
  } else if (p.number !== undefined) {
    port(p.number, `${at}.service.port.number`, err, true);
  } else {
    throw err(`${at}.service.port`, 'port name or number is required');
  }
}

export function validateIngressClass(obj: KubeObject, err: FieldError): void {
  const spec = record(obj.spec ?? {}, 'spec', err);
  const c = str(spec.controller, 'spec.controller', err, true) as string;
  if (c.length > 250) throw err('spec.controller', 'must be no more than 250 characters');
  if (!/^[a-z0-9.-]+\/[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/.test(c)) throw err('spec.controller', `${JSON.stringify(c)} must be a domain-prefixed path, e.g. podnet.dev/ingress`);
  const ann = obj.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'];
  if (ann !== undefined && ann !== 'true' && ann !== 'false') throw err('metadata.annotations[ingressclass.kubernetes.io/is-default-class]', 'must be "true" or "false"');
}
