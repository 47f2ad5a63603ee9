// Checks shared by the Gateway API and Ingress validators: typed access to untyped input, and
// the hostname grammar (Gateway API's PreciseHostname/Hostname, networking/v1 IngressRule.host).
import type { FieldError } from '../api/errors.js';
import { checkDNS1123Subdomain } from '../api/names.js';
import { isRecord } from '../api/util.js';

export function record(v: unknown, field: string, err: FieldError): Record<string, unknown> {
  if (!isRecord(v)) throw err(field, 'must be a mapping');
  return v;
}

export function list(v: unknown, field: string, err: FieldError, max?: number): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw err(field, 'must be a list');
  if (max !== undefined && v.length > max) throw err(field, `must have at most ${max} items`);
  return v;
}

export function str(v: unknown, field: string, err: FieldError, required = false): string | undefined {
  if (v === undefined || v === null) {
    if (required) throw err(field, 'required');
    return undefined;
  }
  if (typeof v !== 'string') throw err(field, 'must be a string');
  if (required && v === '') throw err(field, 'required');
  return v;
}

export function oneOfValues<T extends string>(v: unknown, values: readonly T[], field: string, err: FieldError): T | undefined {
  if (v === undefined) return undefined;
  if (!values.includes(v as T)) throw err(field, `unsupported value ${JSON.stringify(v)}: must be one of ${values.join(', ')}`);
  return v as T;
}

export function port(v: unknown, field: string, err: FieldError, required = false): number | undefined {
  if (v === undefined) {
    if (required) throw err(field, 'required');
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) throw err(field, `${JSON.stringify(v)} must be a port number between 1 and 65535`);
  return v;
}

/**
 * A hostname as both APIs take it: a DNS subdomain, optionally with a leading `*.` wildcard
 * label, and never an IP address (Gateway API and Ingress both say so).
 */
export function checkHostname(v: unknown, field: string, err: FieldError): string {
  const h = str(v, field, err, true) as string;
  if (/^[0-9.]+$/.test(h) || h.includes(':')) throw err(field, `${JSON.stringify(h)} must be a DNS name, not an IP address`);
  const rest = h.startsWith('*.') ? h.slice(2) : h;
  if (rest.includes('*')) throw err(field, `${JSON.stringify(h)}: a wildcard is only allowed as the whole first label ("*.example.com")`);
  const bad = checkDNS1123Subdomain(rest);
  if (bad) throw err(field, bad);
  return h;
}
