// IP helpers for the DNS zone. Pure on purpose: node:net is off limits outside servers (see
// eslint.config.js), and all we need is parsing, canonical text and reverse names.

import { addressFamily, formatIP, parseIP, type Family } from '../api/cidr.js';

export type { Family };

// Parsing and canonical text come from api/cidr.ts (one IP grammar for all of podnet); these
// are the octet/group views that reverse names and dashed pod names need.

function valueOf(text: string, family: Family): bigint | undefined {
  return addressFamily(text) === family ? parseIP(text).value : undefined;
}

/** Returns the four octets of a dotted-quad IPv4 address, or undefined. */
export function parseIPv4(text: string): number[] | undefined {
  const v = valueOf(text, 4);
  return v === undefined ? undefined : [24n, 16n, 8n, 0n].map((s) => Number((v >> s) & 0xffn));
}

/** Returns the eight 16-bit groups of an IPv6 address (with optional embedded IPv4 tail), or undefined. */
export function parseIPv6(text: string): number[] | undefined {
  const v = valueOf(text, 6);
  return v === undefined ? undefined : Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn));
}

export function ipFamily(text: string): Family | undefined {
  return addressFamily(text);
}

/** RFC 5952 canonical text for an IPv6 address (lowercase, longest zero run compressed). */
export function canonicalIPv6(groups: number[]): string {
  return formatIP(6, groups.reduce((v, g) => (v << 16n) | BigInt(g), 0n));
}

export function reverseName(ip: string): string | undefined {
  const v4 = parseIPv4(ip);
  if (v4) return `${[...v4].reverse().join('.')}.in-addr.arpa`;
  const v6 = parseIPv6(ip);
  if (!v6) return undefined;
  const nibbles = v6.map((g) => g.toString(16).padStart(4, '0')).join('').split('');
  return `${nibbles.reverse().join('.')}.ip6.arpa`;
}

/**
 * The dashed form used for pod names and unnamed headless endpoints: 10.244.1.5 → 10-244-1-5,
 * 2001:db8::1 → 2001-db8--1 (CoreDNS replaces ':' with '-' in the address as written).
 */
export function dashed(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

/** Inverse of dashed() for a single DNS label, or undefined when it is not an address. */
export function undash(label: string): { ip: string; family: Family } | undefined {
  const v4 = parseIPv4(label.replace(/-/g, '.'));
  if (v4) return { ip: v4.join('.'), family: 4 };
  const v6 = parseIPv6(label.replace(/-/g, ':'));
  if (v6) return { ip: canonicalIPv6(v6), family: 6 };
  return undefined;
}
