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

// oneOfValues and port are api/checks.ts's oneOf and port, under the names this folder uses.
export { oneOf as oneOfValues, port } from '../api/checks.js';

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
