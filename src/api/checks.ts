// Field checks every kind's validation shares, worded as the API server words them: a value from a
// fixed set, and a port number. Services, EndpointSlices, pod specs and the gateway's kinds all used
// near copies of these; one place keeps their messages alike.
import type { FieldError } from './errors.js';

/**
 * `v` must be one of `allowed`; absent (undefined) passes unless `required`. Returns the value,
 * typed, so callers can branch on it (`oneOf(t.mode, ['Terminate', 'Passthrough'], ...)`).
 */
export function oneOf<T extends string>(v: unknown, allowed: readonly T[], field: string, err: FieldError, required = false): T | undefined {
  if (v === undefined && !required) return undefined;
  if (!allowed.includes(v as T)) throw err(field, `unsupported value ${JSON.stringify(v)}: must be one of ${allowed.join(', ')}`);
  return v as T;
}

export function isPort(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;
}

/** A port number field (1-65535); absent passes unless `required`. Returns the port. */
export function port(v: unknown, field: string, err: FieldError, required = false): number | undefined {
  if (v === undefined && !required) return undefined;
  if (v === undefined) throw err(field, 'required');
  if (!isPort(v)) throw err(field, `must be an integer between 1 and 65535, not ${JSON.stringify(v)}`);
  return v;
}
