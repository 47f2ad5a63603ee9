// IP address and prefix arithmetic on bigint, for both families. Small enough to own rather than
// depend on: parsing is strict (no IPv4 shorthand like `10.1`, no leading zeros, which some
// parsers read as octal), and IPv6 output follows RFC 5952 (lower case, longest zero run compressed).

export type Family = 4 | 6;

export interface CIDR {
  family: Family;
  /** The network address (host bits cleared). */
  base: bigint;
  prefix: number;
  /** True when the text had host bits set, e.g. `10.244.1.0/16`. */
  hadHostBits: boolean;
}

export class AddressError extends Error {
  readonly code = 'EADDRESS';
  override name = 'AddressError';
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

export function bits(family: Family): number {
  return BITS[family];
}

/** 4, 6, or undefined when `text` is not an address. */
export function addressFamily(text: string): Family | undefined {
  try {
    return parseIP(text).family;
  } catch {
    return undefined;
  }
}

/**
 * A resolver address as written in configs and flags: `IP`, `IP:PORT`, `[IPv6]:PORT` or a bare
 * IPv6 address; the port defaults to `defaultPort`.
 */
export function parseHostPort(text: string, defaultPort: number): { host: string; port: number } {
  let host = text;
  let port = String(defaultPort);
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracket) [host, port] = [bracket[1] as string, bracket[2] ?? port];
  else if (text.split(':').length === 2) [host, port] = text.split(':') as [string, string];
  if (addressFamily(host) === undefined) throw new AddressError('not an IP address (IP, IP:PORT or [IPv6]:PORT)');
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) throw new AddressError(`port ${port} is not 1-65535`);
  return { host, port: Number(port) };
}

export function parseIP(text: string): { family: Family; value: bigint } {
  if (text.includes(':')) return { family: 6, value: parseIPv6(text) };
  return { family: 4, value: parseIPv4(text) };
}

function parseIPv4(text: string): bigint {
  const parts = text.split('.');
  if (parts.length !== 4) throw new AddressError(`${JSON.stringify(text)} is not an IPv4 address`);
  let v = 0n;
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) throw new AddressError(`${JSON.stringify(text)} is not an IPv4 address`);
    v = (v << 8n) | BigInt(p);
  }
  return v;
}

function parseIPv6(text: string): bigint {
  const bad = (): never => { throw new AddressError(`${JSON.stringify(text)} is not an IPv6 address`); };
  const halves = text.split('::');
  if (halves.length > 2) bad();
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const last = (halves.length === 2 ? tail : head);
  if (last.length > 0 && last[last.length - 1].includes('.')) {
    const v4 = parseIPv4(last.pop() as string);
    last.push((v4 >> 16n).toString(16), (v4 & 0xffffn).toString(16));
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) bad();
  let v = 0n;
  for (const g of [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) bad();
    v = (v << 16n) | BigInt(`0x${g}`);
  }
  return v;
}

export function formatIP(family: Family, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first one on a tie.
  let best = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export function parseCIDR(text: string): CIDR {
  const slash = text.indexOf('/');
  if (slash < 0) throw new AddressError(`${JSON.stringify(text)} is not a CIDR (expected ADDRESS/PREFIX)`);
  const { family, value } = parseIP(text.slice(0, slash));
  const p = text.slice(slash + 1);
  if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > BITS[family]) {
    throw new AddressError(`${JSON.stringify(text)} has an invalid prefix length (0-${BITS[family]})`);
  }
  const prefix = Number(p);
  const base = value & mask(family, prefix);
  return { family, base, prefix, hadHostBits: base !== value };
}

export function formatCIDR(c: CIDR): string {
  return `${formatIP(c.family, c.base)}/${c.prefix}`;
}

function mask(family: Family, prefix: number): bigint {
  const all = (1n << BigInt(BITS[family])) - 1n;
  return all ^ ((1n << BigInt(BITS[family] - prefix)) - 1n);
}

/** Number of addresses in the prefix. */
export function size(c: CIDR): bigint {
  return 1n << BigInt(BITS[c.family] - c.prefix);
}

export function contains(c: CIDR, ip: string): boolean {
  const { family, value } = parseIP(ip);
  return family === c.family && value >= c.base && value < c.base + size(c);
}

export function overlaps(a: CIDR, b: CIDR): boolean {
  if (a.family !== b.family) return false;
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** The n-th address in the prefix (0 = network address); negative n counts from the end (-1 = broadcast). */
export function nthAddress(c: CIDR, n: number | bigint): string {
  const i = BigInt(n) < 0n ? size(c) + BigInt(n) : BigInt(n);
  if (i < 0n || i >= size(c)) throw new AddressError(`address ${n} is outside ${formatCIDR(c)}`);
  return formatIP(c.family, c.base + i);
}

/** The index-th sub-prefix of length newPrefix, e.g. subnet(10.244.0.0/16, 24, 3) = 10.244.3.0/24. */
export function subnet(c: CIDR, newPrefix: number, index: number): CIDR {
  if (newPrefix < c.prefix || newPrefix > BITS[c.family]) {
    throw new AddressError(`/${newPrefix} cannot be carved from ${formatCIDR(c)}`);
  }
  const count = 1n << BigInt(newPrefix - c.prefix);
  if (index < 0 || BigInt(index) >= count) throw new AddressError(`subnet ${index} is outside ${formatCIDR(c)} (${count} /${newPrefix} subnets)`);
  const step = 1n << BigInt(BITS[c.family] - newPrefix);
  return { family: c.family, base: c.base + BigInt(index) * step, prefix: newPrefix, hadHostBits: false };
}
