// Istio's value matching for AuthorizationPolicy fields: exact, `prefix*`, `*suffix`, or `*` for any
// non-empty value (security/v1 AuthorizationPolicy reference: "Istio supports exact, prefix, suffix
// and presence matching"); addresses against IPs or CIDRs.
import { contains, parseCIDR, parseIP } from '../../api/cidr.js';

export function matchValue(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (pattern === '*') return value !== '';
  if (pattern.startsWith('*')) return value.endsWith(pattern.slice(1));
  if (pattern.endsWith('*')) return value.startsWith(pattern.slice(0, -1));
  return value === pattern;
}

export function matchAny(patterns: readonly string[], value: string | undefined): boolean {
  for (const p of patterns) if (matchValue(p, value)) return true;
  return false;
}

/** `ip` inside `block` (a CIDR, or one address). An unreadable IP matches nothing. */
export function inBlock(block: string, ip: string | undefined): boolean {
  if (ip === undefined) return false;
  try {
    if (block.includes('/')) return contains(parseCIDR(block), ip);
    const a = parseIP(block);
    const b = parseIP(ip);
    return a.family === b.family && a.value === b.value;
  } catch {
    return false;
  }
}

export function inAnyBlock(blocks: readonly string[], ip: string | undefined): boolean {
  for (const b of blocks) if (inBlock(b, ip)) return true;
  return false;
}

/** `cluster.local/ns/NS/sa/SA` from a principal written with or without `spiffe://`. */
export function normalPrincipal(p: string | undefined): string | undefined {
  return p?.startsWith('spiffe://') ? p.slice('spiffe://'.length) : p;
}

/** The namespace of a SPIFFE principal (Istio derives source.namespace from the certificate). */
export function principalNamespace(p: string | undefined): string | undefined {
  const m = p ? /\/ns\/([^/]+)\/sa\//.exec(p) : null;
  return m ? m[1] : undefined;
}
