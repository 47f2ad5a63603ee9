// IPv4/IPv6 addresses as bigints: parsing, formatting and prefix math. Pure.

export type Family = 4 | 6;

export interface Ip {
  family: Family;
  value: bigint;
}

export interface Cidr {
  ip: Ip;
  prefix: number;
}

const BITS: Record<Family, number> = { 4: 32, 6: 128 };

export function bits(family: Family): number {
  return BITS[family];
}

export function parseIp(s: string): Ip | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    const parts = s.split('.').map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { family: 4, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  let head = s;
  let v4tail: bigint[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    const v4 = parseIp(s.slice(lastColon + 1));
    if (!v4 || v4.family !== 4) return undefined;
    v4tail = [v4.value >> 16n, v4.value & 0xffffn];
    head = s.slice(0, lastColon) + (s.slice(0, lastColon).endsWith(':') ? ':' : '');
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string) => (h === '' ? [] : h.split(':'));
  const left = parse(halves[0]);
  const right = halves.length === 2 ? parse(halves[1]) : [];
  const groupsWanted = 8 - v4tail.length;
  if (left.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g)) || right.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const missing = groupsWanted - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right].map((g) => BigInt(parseInt(g, 16)));
  const all = [...groups, ...v4tail];
  return { family: 6, value: all.reduce((acc, g) => (acc << 16n) | g, 0n) };
}

export function formatIp(ip: Ip): string {
  if (ip.family === 4) {
    const v = ip.value;
    return [24n, 16n, 8n, 0n].map((sh) => String((v >> sh) & 0xffn)).join('.');
  }
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((ip.value >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (length >= 2) of zero groups, the first one on ties.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function parseCidr(s: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const ip = parseIp(m[1]);
  const prefix = Number(m[2]);
  if (!ip || prefix > bits(ip.family)) return undefined;
  return { ip, prefix };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.ip)}/${c.prefix}`;
}

export function hostMask(family: Family, prefix: number): bigint {
  return (1n << BigInt(bits(family) - prefix)) - 1n;
}

/** The network address of a CIDR (host bits cleared). */
export function networkOf(c: Cidr): Ip {
  return { family: c.ip.family, value: c.ip.value & ~hostMask(c.ip.family, c.prefix) };
}

export function broadcastOf(c: Cidr): Ip {
  return { family: c.ip.family, value: networkOf(c).value | hostMask(c.ip.family, c.prefix) };
}

export function contains(c: Cidr, ip: Ip): boolean {
  return ip.family === c.ip.family && networkOf({ ip, prefix: c.prefix }).value === networkOf(c).value;
}

export function ipEquals(a: Ip, b: Ip): boolean {
  return a.family === b.family && a.value === b.value;
}

export function addToIp(ip: Ip, n: bigint): Ip {
  return { family: ip.family, value: ip.value + n };
}
