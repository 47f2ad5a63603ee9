// Checks shared by Service and EndpointSlice validation, worded as the API server words them.
import { parseIP } from '../api/cidr.js';
import type { FieldError } from '../api/errors.js';
import { oneOf as checkOneOf } from '../api/checks.js';

export { isPort } from '../api/checks.js';

/** api/checks.ts's oneOf with the value required: services' callers default or guard absent fields first. */
export function oneOf(v: unknown, allowed: readonly string[], field: string, err: FieldError): void {
  checkOneOf(v, allowed, field, err, true);
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
