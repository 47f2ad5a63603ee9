// IP helpers for the DNS zone. Pure on purpose: node:net is off limits outside servers (see
// eslint.config.js), and all we need is parsing, canonical text and reverse names.

/** Returns the four octets of a dotted-quad IPv4 address, or undefined. */
export function parseIPv4(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const octets: number[] = [];
  for (const p of parts) {
    // No leading zeros: "010" is ambiguous (octal in inet_aton), Kubernetes rejects it too.
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    octets.push(n);
  }
  return octets;
}

/** Returns the eight 16-bit groups of an IPv6 address (with optional embedded IPv4 tail), or undefined. */
export function parseIPv6(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const side = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const groups = s.split(':');
    for (let i = 0; i < groups.length; i++) {
      const g = groups[i] ?? '';
      if (i === groups.length - 1 && g.includes('.')) {
        const v4 = parseIPv4(g);
        if (!v4) return undefined;
        out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = side(halves[0] ?? '');
  if (!head) return undefined;
  if (halves.length === 1) return head.length === 8 ? head : undefined;
  const tail = side(halves[1] ?? '');
  if (!tail || head.length + tail.length > 7) return undefined;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

export type Family = 4 | 6;

export function ipFamily(text: string): Family | undefined {
  if (parseIPv4(text)) return 4;
  if (parseIPv6(text)) return 6;
  return undefined;
}

/** RFC 5952 canonical text for an IPv6 address (lowercase, longest zero run compressed). */
export function canonicalIPv6(groups: number[]): string {
  let bestStart = -1;
  let bestLen = 1; // a single zero group is not compressed (RFC 5952 §4.2.2)
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** The in-addr.arpa / ip6.arpa name (lowercase, no trailing dot) for an address, or undefined. */
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
