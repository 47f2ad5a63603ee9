// Validation of security.istio.io PeerAuthentication and AuthorizationPolicy, after Istio's
// (pkg/config/validation: ValidatePeerAuthentication, ValidateAuthorizationPolicy). CUSTOM actions
// (external authorizers) and JWT conditions are out of podnet's scope and refused by name.
import { parseCIDR, parseIP } from '../../api/cidr.js';
import type { FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/types.js';
import { integer, list, oneOfValues, record, spec, str, workloadSelector } from './common.js';

const MODES = ['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT'] as const;
const ACTIONS = ['ALLOW', 'DENY', 'AUDIT', 'CUSTOM'] as const;
const SOURCE_FIELDS = ['principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'];
const OPERATION_FIELDS = ['hosts', 'notHosts', 'ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths'];
/** `when` keys podnet evaluates (Istio's conditions reference); request.auth.* needs JWT, which podnet lacks. */
export const CONDITION_KEYS = ['source.ip', 'remote.ip', 'source.namespace', 'source.principal', 'destination.ip', 'destination.port', 'connection.sni'];

export function validatePeerAuthentication(obj: KubeObject, err: FieldError): void {
  const s = spec(obj.spec, err);
  workloadSelector(s.selector, 'spec.selector', err);
  if (s.mtls !== undefined) oneOfValues(record(s.mtls, 'spec.mtls', err).mode, MODES, 'spec.mtls.mode', err);
  if (s.portLevelMtls !== undefined) {
    // Istio: port-level settings need a workload selector, since ports are the workload's own.
    if (s.selector === undefined) throw err('spec.portLevelMtls', 'requires spec.selector (ports belong to a workload)');
    for (const [port, raw] of Object.entries(record(s.portLevelMtls, 'spec.portLevelMtls', err))) {
      const at = `spec.portLevelMtls.${port}`;
      if (!/^[0-9]+$/.test(port)) throw err(at, 'the key must be a port number');
      integer(Number(port), at, err, 1, 65535);
      oneOfValues(record(raw, at, err).mode, MODES, `${at}.mode`, err);
    }
  }
}

export function validateAuthorizationPolicy(obj: KubeObject, err: FieldError): void {
  const s = spec(obj.spec, err);
  workloadSelector(s.selector, 'spec.selector', err);
  if (s.targetRef !== undefined || s.targetRefs !== undefined) throw err(s.targetRef !== undefined ? 'spec.targetRef' : 'spec.targetRefs', 'not supported by podnet: select workloads with spec.selector');
  const action = oneOfValues(s.action, ACTIONS, 'spec.action', err);
  if (action === 'CUSTOM' || s.provider !== undefined) throw err(action === 'CUSTOM' ? 'spec.action' : 'spec.provider', 'CUSTOM authorization (external providers) is not supported by podnet');
  list(s.rules, 'spec.rules', err).forEach((raw, i) => {
    const at = `spec.rules[${i}]`;
    const r = record(raw ?? {}, at, err);
    list(r.from, `${at}.from`, err).forEach((f, j) => {
      const src = record(record(f, `${at}.from[${j}]`, err).source, `${at}.from[${j}].source`, err);
      fields(src, SOURCE_FIELDS, `${at}.from[${j}].source`, err);
    });
    list(r.to, `${at}.to`, err).forEach((t, j) => {
      const op = record(record(t, `${at}.to[${j}]`, err).operation, `${at}.to[${j}].operation`, err);
      fields(op, OPERATION_FIELDS, `${at}.to[${j}].operation`, err);
    });
    list(r.when, `${at}.when`, err).forEach((w, j) => condition(w, `${at}.when[${j}]`, err));
  });
}

/** A source or operation: known fields only, at least one set, each a list of non-empty strings. */
function fields(o: Record<string, unknown>, known: string[], at: string, err: FieldError): void {
  const keys = Object.keys(o);
  if (keys.length === 0) throw err(at, `must set at least one of ${known.join(', ')}`);
  for (const k of keys) {
    if (!known.includes(k)) throw err(`${at}.${k}`, `unknown field: must be one of ${known.join(', ')}`);
    const values = list(o[k], `${at}.${k}`, err);
    if (values.length === 0) throw err(`${at}.${k}`, 'must not be empty');
    values.forEach((v, i) => {
      const f = `${at}.${k}[${i}]`;
      const text = str(v, f, err, true) as string;
      if (/ipblocks$/i.test(k)) address(text, f, err);
      else if (/ports$/i.test(k)) {
        if (!/^[0-9]+$/.test(text) || Number(text) < 1 || Number(text) > 65535) throw err(f, `${JSON.stringify(text)} must be a port number between 1 and 65535 (written as a string)`);
      }
      else if (text.indexOf('*') !== text.lastIndexOf('*') || (text.includes('*') && !text.startsWith('*') && !text.endsWith('*'))) {
        // Istio's string matching: exact, `prefix*`, `*suffix` or `*` alone.
        throw err(f, `${JSON.stringify(text)}: a * is only allowed at the start or the end`);
      }
    });
  }
}

function address(text: string, field: string, err: FieldError): void {
  try {
    if (text.includes('/')) parseCIDR(text);
    else parseIP(text);
  } catch {
    throw err(field, `${JSON.stringify(text)} is not an IP address or CIDR`);
  }
}

function condition(raw: unknown, at: string, err: FieldError): void {
  const c = record(raw, at, err);
  const key = str(c.key, `${at}.key`, err, true) as string;
  if (!CONDITION_KEYS.includes(key) && !/^request\.headers\[[^\]]+\]$/.test(key)) {
    throw err(`${at}.key`, `${JSON.stringify(key)} is not supported: use request.headers[NAME] or one of ${CONDITION_KEYS.join(', ')}`);
  }
  const values = list(c.values, `${at}.values`, err);
  const notValues = list(c.notValues, `${at}.notValues`, err);
  if (values.length === 0 && notValues.length === 0) throw err(at, 'must set values or notValues');
  [...values, ...notValues].forEach((v, i) => {
    const text = str(v, `${at}.${i < values.length ? 'values' : 'notValues'}`, err, true) as string;
    if (key === 'source.ip' || key === 'remote.ip' || key === 'destination.ip') address(text, `${at}.values`, err);
  });
}
