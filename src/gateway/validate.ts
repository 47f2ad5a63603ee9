// Validation of Gateway API objects (GatewayClass, Gateway, HTTPRoute, ReferenceGrant), written
// from the CRDs' OpenAPI and CEL rules (gateway-api config/crd/standard, v1.x): the first problem
// is thrown as one ManifestError line naming object and field. Exported for the API layer to
// register (src/api/validate.ts); Ingress and IngressClass are in validate-ingress.ts.
import type { FieldError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { validateSelector } from '../api/selectors.js';
import { parseDuration } from './duration.js';
import { checkHostname, list, oneOfValues, port, record, str } from './validate-common.js';

export { validateIngress, validateIngressClass } from './validate-ingress.js';

const PROTOCOLS = ['HTTP', 'HTTPS', 'TLS', 'TCP', 'UDP'];
const PATH_TYPES = ['Exact', 'PathPrefix', 'RegularExpression'] as const;
const VALUE_TYPES = ['Exact', 'RegularExpression'] as const;
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];
const FILTERS = ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite', 'RequestMirror', 'ExtensionRef'] as const;
const FILTER_FIELD: Record<(typeof FILTERS)[number], string> = {
  RequestHeaderModifier: 'requestHeaderModifier', ResponseHeaderModifier: 'responseHeaderModifier', RequestRedirect: 'requestRedirect',
  URLRewrite: 'urlRewrite', RequestMirror: 'requestMirror', ExtensionRef: 'extensionRef',
};
const REDIRECT_CODES = [301, 302, 303, 307, 308];
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

export function validateGatewayClass(obj: KubeObject, err: FieldError): void {
  const spec = record(obj.spec, 'spec', err);
  const c = str(spec.controllerName, 'spec.controllerName', err, true) as string;
  if (!/^[a-z0-9.-]+\/[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/.test(c)) throw err('spec.controllerName', `${JSON.stringify(c)} must be a domain-prefixed path, e.g. podnet.dev/gateway`);
}

export function validateGateway(obj: KubeObject, err: FieldError): void {
  const spec = record(obj.spec, 'spec', err);
  str(spec.gatewayClassName, 'spec.gatewayClassName', err, true);
  const listeners = list(spec.listeners, 'spec.listeners', err, 64);
  if (listeners.length === 0) throw err('spec.listeners', 'must have at least one listener');
  const names = new Set<string>();
  listeners.forEach((raw, i) => {
    const at = `spec.listeners[${i}]`;
    const l = record(raw, at, err);
    const name = str(l.name, `${at}.name`, err, true) as string;
    if (names.has(name)) throw err(`${at}.name`, `${JSON.stringify(name)} is used by another listener: names must be unique`);
    names.add(name);
    port(l.port, `${at}.port`, err, true);
    const protocol = str(l.protocol, `${at}.protocol`, err, true) as string;
    if (!PROTOCOLS.includes(protocol) && !protocol.includes('/')) throw err(`${at}.protocol`, `unsupported value ${JSON.stringify(protocol)}: must be one of ${PROTOCOLS.join(', ')} or a domain-prefixed name`);
    if (l.hostname !== undefined) {
      if (protocol === 'TCP' || protocol === 'UDP') throw err(`${at}.hostname`, `must not be set for protocol ${protocol}`);
      checkHostname(l.hostname, `${at}.hostname`, err);
    }
    if (protocol === 'HTTPS') {
      const tls = record(l.tls, `${at}.tls`, err);
      const mode = oneOfValues(tls.mode, ['Terminate', 'Passthrough'], `${at}.tls.mode`, err) ?? 'Terminate';
      if (mode === 'Terminate' && list(tls.certificateRefs, `${at}.tls.certificateRefs`, err, 64).length === 0) throw err(`${at}.tls.certificateRefs`, 'required for HTTPS listeners with TLS mode Terminate');
      list(tls.certificateRefs, `${at}.tls.certificateRefs`, err).forEach((r, j) => str(record(r, `${at}.tls.certificateRefs[${j}]`, err).name, `${at}.tls.certificateRefs[${j}].name`, err, true));
    } else if (protocol === 'HTTP' && l.tls !== undefined) {
      throw err(`${at}.tls`, 'must not be set for protocol HTTP');
    }
    if (l.allowedRoutes !== undefined) {
      const ar = record(l.allowedRoutes, `${at}.allowedRoutes`, err);
      if (ar.namespaces !== undefined) {
        const ns = record(ar.namespaces, `${at}.allowedRoutes.namespaces`, err);
        const from = oneOfValues(ns.from, ['All', 'Same', 'Selector'], `${at}.allowedRoutes.namespaces.from`, err);
        if (from === 'Selector') validateSelector(ns.selector, `${at}.allowedRoutes.namespaces.selector`, err);
      }
      list(ar.kinds, `${at}.allowedRoutes.kinds`, err, 8).forEach((k, j) => str(record(k, `${at}.allowedRoutes.kinds[${j}]`, err).kind, `${at}.allowedRoutes.kinds[${j}].kind`, err, true));
    }
  });
}

export function validateHTTPRoute(obj: KubeObject, err: FieldError): void {
  const spec = record(obj.spec ?? {}, 'spec', err);
  list(spec.parentRefs, 'spec.parentRefs', err, 32).forEach((raw, i) => {
    const at = `spec.parentRefs[${i}]`;
    const r = record(raw, at, err);
    str(r.name, `${at}.name`, err, true);
    str(r.sectionName, `${at}.sectionName`, err);
    port(r.port, `${at}.port`, err);
  });
  list(spec.hostnames, 'spec.hostnames', err, 16).forEach((h, i) => checkHostname(h, `spec.hostnames[${i}]`, err));
  list(spec.rules, 'spec.rules', err, 16).forEach((raw, i) => validateRule(raw, `spec.rules[${i}]`, err));
}

function validateRule(raw: unknown, at: string, err: FieldError): void {
  const rule = record(raw, at, err);
  const given = list(rule.matches, `${at}.matches`, err, 64).map((m, j) => validateMatch(m, `${at}.matches[${j}]`, err));
  // No matches defaults to one PathPrefix `/` match.
  const matches = given.length > 0 ? given : ['PathPrefix'];
  const filters = list(rule.filters, `${at}.filters`, err, 16);
  const types = filters.map((f, j) => validateFilter(f, `${at}.filters[${j}]`, matches, err));
  const count = (t: string): number => types.filter((x) => x === t).length;
  if (count('RequestRedirect') > 0 && count('URLRewrite') > 0) throw err(`${at}.filters`, 'may not contain both RequestRedirect and URLRewrite');
  for (const t of ['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite']) {
    if (count(t) > 1) throw err(`${at}.filters`, `may contain ${t} at most once`);
  }
  const backends = list(rule.backendRefs, `${at}.backendRefs`, err, 16);
  if (count('RequestRedirect') > 0 && backends.length > 0) throw err(`${at}.backendRefs`, 'must be empty when a RequestRedirect filter is set');
  backends.forEach((b, j) => {
    const bat = `${at}.backendRefs[${j}]`;
    const ref = validateBackendRef(b, bat, err);
    if (ref.weight !== undefined && (typeof ref.weight !== 'number' || !Number.isInteger(ref.weight) || ref.weight < 0 || ref.weight > 1_000_000)) {
      throw err(`${bat}.weight`, 'must be an integer between 0 and 1000000');
    }
    list(ref.filters, `${bat}.filters`, err, 16).forEach((f, k) => validateFilter(f, `${bat}.filters[${k}]`, matches, err));
  });
  if (rule.timeouts !== undefined) {
    const t = record(rule.timeouts, `${at}.timeouts`, err);
    const req = t.request !== undefined ? duration(t.request, `${at}.timeouts.request`, err) : undefined;
    const be = t.backendRequest !== undefined ? duration(t.backendRequest, `${at}.timeouts.backendRequest`, err) : undefined;
    if (req !== undefined && be !== undefined && req !== 0 && (be === 0 || be > req)) throw err(`${at}.timeouts.backendRequest`, 'must be no greater than timeouts.request');
  }
}

function duration(v: unknown, field: string, err: FieldError): number {
  const ms = typeof v === 'string' ? parseDuration(v) : undefined;
  if (ms === undefined) throw err(field, `${JSON.stringify(v)} must be a duration such as 10s, 500ms or 1m30s`);
  return ms;
}

function validateMatch(raw: unknown, at: string, err: FieldError): string | undefined {
  const m = record(raw, at, err);
  let pathType: string | undefined;
  if (m.path !== undefined) {
    const p = record(m.path, `${at}.path`, err);
    pathType = oneOfValues(p.type, PATH_TYPES, `${at}.path.type`, err) ?? 'PathPrefix';
    const value = str(p.value, `${at}.path.value`, err) ?? '/';
    if (pathType === 'RegularExpression') {
      try {
        new RegExp(value);
      } catch {
        throw err(`${at}.path.value`, `${JSON.stringify(value)} is not a valid regular expression`);
      }
    } else {
      if (!value.startsWith('/')) throw err(`${at}.path.value`, 'must be an absolute path (start with /)');
      if (/\/\/|\/\.\.?(\/|$)|%2f|%2F|#/.test(value)) throw err(`${at}.path.value`, `${JSON.stringify(value)} must not contain '//', '/./', '/../', '%2f' or '#'`);
    }
  } else pathType = 'PathPrefix';
  for (const key of ['headers', 'queryParams'] as const) {
    list(m[key], `${at}.${key}`, err, 16).forEach((raw2, k) => {
      const hat = `${at}.${key}[${k}]`;
      const h = record(raw2, hat, err);
      const name = str(h.name, `${hat}.name`, err, true) as string;
      if (key === 'headers' && !HEADER_NAME.test(name)) throw err(`${hat}.name`, `${JSON.stringify(name)} is not a valid HTTP header name`);
      const type = oneOfValues(h.type, VALUE_TYPES, `${hat}.type`, err) ?? 'Exact';
      const value = str(h.value, `${hat}.value`, err, true) as string;
      if (type === 'RegularExpression') {
        try {
          new RegExp(value);
        } catch {
          throw err(`${hat}.value`, `${JSON.stringify(value)} is not a valid regular expression`);
        }
      }
    });
  }
  if (m.method !== undefined) oneOfValues(m.method, METHODS, `${at}.method`, err);
  return pathType;
}

function validateFilter(raw: unknown, at: string, matchTypes: (string | undefined)[], err: FieldError): string {
  const f = record(raw, at, err);
  const type = oneOfValues(f.type, FILTERS, `${at}.type`, err);
  if (!type) throw err(`${at}.type`, 'required');
  const field = FILTER_FIELD[type];
  for (const other of Object.values(FILTER_FIELD)) {
    if (other !== field && f[other] !== undefined) throw err(`${at}.${other}`, `must not be set for filter type ${type}`);
  }
  const body = record(f[field], `${at}.${field}`, err);
  if (type === 'RequestHeaderModifier' || type === 'ResponseHeaderModifier') {
    for (const k of ['set', 'add'] as const) {
      list(body[k], `${at}.${field}.${k}`, err, 16).forEach((h, i) => {
        const hv = record(h, `${at}.${field}.${k}[${i}]`, err);
        const name = str(hv.name, `${at}.${field}.${k}[${i}].name`, err, true) as string;
        if (!HEADER_NAME.test(name)) throw err(`${at}.${field}.${k}[${i}].name`, `${JSON.stringify(name)} is not a valid HTTP header name`);
        str(hv.value, `${at}.${field}.${k}[${i}].value`, err, true);
      });
    }
    list(body.remove, `${at}.${field}.remove`, err, 16).forEach((n, i) => str(n, `${at}.${field}.remove[${i}]`, err, true));
  } else if (type === 'RequestRedirect' || type === 'URLRewrite') {
    if (body.hostname !== undefined) checkHostname(body.hostname, `${at}.${field}.hostname`, err);
    if (type === 'RequestRedirect') {
      oneOfValues(body.scheme, ['http', 'https'], `${at}.${field}.scheme`, err);
      port(body.port, `${at}.${field}.port`, err);
      if (body.statusCode !== undefined && !REDIRECT_CODES.includes(body.statusCode as number)) throw err(`${at}.${field}.statusCode`, `must be one of ${REDIRECT_CODES.join(', ')}`);
    }
    if (body.path !== undefined) {
      const p = record(body.path, `${at}.${field}.path`, err);
      const pt = oneOfValues(p.type, ['ReplaceFullPath', 'ReplacePrefixMatch'], `${at}.${field}.path.type`, err);
      if (pt === 'ReplaceFullPath') str(p.replaceFullPath, `${at}.${field}.path.replaceFullPath`, err, true);
      if (pt === 'ReplacePrefixMatch') {
        str(p.replacePrefixMatch, `${at}.${field}.path.replacePrefixMatch`, err, true);
        // CEL rule: ReplacePrefixMatch needs exactly one match, of type PathPrefix.
        if (matchTypes.length !== 1 || matchTypes[0] !== 'PathPrefix') throw err(`${at}.${field}.path.type`, 'ReplacePrefixMatch needs the rule to have exactly one match, of path type PathPrefix');
      }
    }
  } else if (type === 'RequestMirror') {
    validateBackendRef(body.backendRef, `${at}.${field}.backendRef`, err);
    if (body.percent !== undefined && (typeof body.percent !== 'number' || body.percent < 0 || body.percent > 100)) throw err(`${at}.${field}.percent`, 'must be between 0 and 100');
  }
  return type;
}

function validateBackendRef(raw: unknown, at: string, err: FieldError): Record<string, unknown> {
  const ref = record(raw, at, err);
  str(ref.name, `${at}.name`, err, true);
  port(ref.port, `${at}.port`, err);
  // CEL: "Must have port for Service reference".
  if ((ref.group ?? '') === '' && (ref.kind ?? 'Service') === 'Service' && ref.port === undefined) throw err(`${at}.port`, 'required for a Service reference');
  return ref;
}

export function validateReferenceGrant(obj: KubeObject, err: FieldError): void {
  const spec = record(obj.spec, 'spec', err);
  const from = list(spec.from, 'spec.from', err, 16);
  if (from.length === 0) throw err('spec.from', 'must have at least one entry');
  from.forEach((f, i) => {
    const e = record(f, `spec.from[${i}]`, err);
    str(e.group, `spec.from[${i}].group`, err);
    if (e.group === undefined) throw err(`spec.from[${i}].group`, 'required ("" for the core group)');
    str(e.kind, `spec.from[${i}].kind`, err, true);
    str(e.namespace, `spec.from[${i}].namespace`, err, true);
  });
  const to = list(spec.to, 'spec.to', err, 16);
  if (to.length === 0) throw err('spec.to', 'must have at least one entry');
  to.forEach((t, i) => {
    const e = record(t, `spec.to[${i}]`, err);
    if (e.group === undefined) throw err(`spec.to[${i}].group`, 'required ("" for the core group)');
    str(e.group, `spec.to[${i}].group`, err);
    str(e.kind, `spec.to[${i}].kind`, err, true);
    str(e.name, `spec.to[${i}].name`, err);
  });
}
