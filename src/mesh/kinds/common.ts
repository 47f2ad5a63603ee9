// Checks shared by the mesh validators: Istio's duration and percentage forms, StringMatch, hosts,
// header names and label maps. Each throws the first problem through `err` as one line naming the
// field; typed access to untyped input comes from the gateway's helpers (record, list, str).
import type { FieldError } from '../../api/errors.js';
import { checkDNS1123Subdomain } from '../../api/names.js';
import { validateLabels } from '../../api/selectors.js';
import { isRecord } from '../../api/util.js';
import { record, str } from '../../gateway/validate-common.js';

export { list, oneOfValues, record, str } from '../../gateway/validate-common.js';

const DURATION = /^(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|µs|ms|s|m|h))+$/;
const PART = /([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
export const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

/**
 * Istio durations as its YAML takes them (protobuf Duration, read by Go's time.ParseDuration as
 * Istio's tools do): `10s`, `1.5s`, `100ms`, `1m30s`. Milliseconds, or undefined when malformed.
 */
export function parseIstioDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let ms = 0;
  for (const [, n, unit] of text.matchAll(PART)) ms += Number(n) * UNIT_MS[unit];
  return ms;
}

/** A duration of at least 1 ms (Istio's ValidateDuration); returns ms. */
export function duration(v: unknown, field: string, err: FieldError): number | undefined {
  const text = str(v, field, err);
  if (text === undefined) return undefined;
  const ms = parseIstioDuration(text);
  if (ms === undefined) throw err(field, `${JSON.stringify(text)} is not a duration (e.g. 500ms, 10s, 1m30s)`);
  if (ms < 1) throw err(field, `${JSON.stringify(text)} must be at least 1ms`);
  return ms;
}

export function percent(v: unknown, field: string, err: FieldError): number | undefined {
  if (v === undefined) return undefined;
  const p = record(v, field, err);
  if (typeof p.value !== 'number' || !(p.value >= 0 && p.value <= 100)) throw err(`${field}.value`, 'must be a number between 0 and 100');
  return p.value;
}

export function integer(v: unknown, field: string, err: FieldError, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw err(field, `${JSON.stringify(v)} must be an integer ${max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `between ${min} and ${max}`}`);
  }
  return v;
}

/** StringMatch: exactly one of exact, prefix, regex; a regex must compile (RE2 and JS agree on Istio's common forms). */
export function stringMatch(v: unknown, field: string, err: FieldError): void {
  const m = record(v, field, err);
  const set = (['exact', 'prefix', 'regex'] as const).filter((k) => m[k] !== undefined);
  if (set.length !== 1) throw err(field, `must set exactly one of exact, prefix, regex${set.length ? ` (has ${set.join(', ')})` : ''}`);
  const value = str(m[set[0]], `${field}.${set[0]}`, err) as string;
  if (set[0] === 'regex') {
    try {
      new RegExp(value);
    } catch {
      throw err(`${field}.regex`, `${JSON.stringify(value)} is not a valid regular expression`);
    }
  }
}

export function stringMatchMap(v: unknown, field: string, err: FieldError, headerNames: boolean): void {
  if (v === undefined) return;
  for (const [k, m] of Object.entries(record(v, field, err))) {
    if (headerNames && !HEADER_NAME.test(k)) throw err(field, `${JSON.stringify(k)} is not a valid header name`);
    stringMatch(m, `${field}.${k}`, err);
  }
}

/**
 * A host as VirtualService.hosts and Destination.host take it: a short Service name, an FQDN, or a
 * wildcard `*` / `*.suffix` (not for destinations); never an IP here (podnet routes to Services).
 */
export function host(v: unknown, field: string, err: FieldError, wildcard: boolean): string {
  const h = str(v, field, err, true) as string;
  if (h === '*' || h.startsWith('*.')) {
    if (!wildcard) throw err(field, `${JSON.stringify(h)}: a destination host must name one Service, not a wildcard`);
    if (h === '*') return h;
  }
  const rest = h.startsWith('*.') ? h.slice(2) : h;
  const bad = checkDNS1123Subdomain(rest);
  if (bad) throw err(field, bad);
  return h;
}

export function headerOperations(v: unknown, field: string, err: FieldError): void {
  if (v === undefined) return;
  const ops = record(v, field, err);
  for (const key of ['set', 'add'] as const) {
    if (ops[key] === undefined) continue;
    for (const [k, val] of Object.entries(record(ops[key], `${field}.${key}`, err))) {
      if (!HEADER_NAME.test(k)) throw err(`${field}.${key}`, `${JSON.stringify(k)} is not a valid header name`);
      if (typeof val !== 'string') throw err(`${field}.${key}.${k}`, 'must be a string');
    }
  }
  if (ops.remove !== undefined) {
    if (!Array.isArray(ops.remove)) throw err(`${field}.remove`, 'must be a list');
    ops.remove.forEach((h, i) => {
      if (typeof h !== 'string' || !HEADER_NAME.test(h)) throw err(`${field}.remove[${i}]`, 'must be a header name');
    });
  }
}

/** `selector: {matchLabels}` (Istio's WorkloadSelector has matchLabels only). */
export function workloadSelector(v: unknown, field: string, err: FieldError): void {
  if (v === undefined) return;
  const s = record(v, field, err);
  for (const k of Object.keys(s)) if (k !== 'matchLabels') throw err(`${field}.${k}`, 'unknown field: a workload selector has matchLabels only');
  validateLabels(s.matchLabels, `${field}.matchLabels`, err);
}

export function spec(v: unknown, err: FieldError): Record<string, unknown> {
  if (v === undefined) return {};
  if (!isRecord(v)) throw err('spec', 'must be a mapping');
  return v;
}
