// Address arithmetic for the compiler: an ipBlock minus its excepts as a list of prefixes (what an
// nftables interval set holds), and a numeric order for addresses so set elements print sorted.
import { bits, formatCIDR, parseCIDR, parseIP, type CIDR } from '../api/cidr.js';

function end(c: CIDR): bigint {
  return c.base + (1n << BigInt(bits(c.family) - c.prefix)) - 1n;
}

/** The largest aligned prefixes covering [lo, hi] exactly (the classic range-to-CIDR split). */
function rangeToPrefixes(family: CIDR['family'], lo: bigint, hi: bigint): CIDR[] {
  const out: CIDR[] = [];
  const width = bits(family);
  while (lo <= hi) {
    let size = 0;
    // Grow the block while it stays aligned at lo and inside the range.
    while (size < width && (lo & ((1n << BigInt(size + 1)) - 1n)) === 0n && lo + (1n << BigInt(size + 1)) - 1n <= hi) size++;
    out.push({ family, base: lo, prefix: width - size, hadHostBits: false });
    lo += 1n << BigInt(size);
  }
  return out;
}

/** `cidr` without the `except` prefixes, as sorted, disjoint prefixes. */
export function cidrMinus(cidr: string, except: string[]): string[] {
  const whole = parseCIDR(cidr);
  const holes = except.map(parseCIDR).filter((x) => x.family === whole.family).sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
  const out: CIDR[] = [];
  let next = whole.base;
  const last = end(whole);
  for (const h of holes) {
    const hLo = h.base > whole.base ? h.base : whole.base;
    const hHi = end(h) < last ? end(h) : last;
    if (hHi < next) continue; // inside a hole already cut (overlapping excepts)
    if (hLo > next) out.push(...rangeToPrefixes(whole.family, next, hLo - 1n));
    next = hHi + 1n;
  }
  if (next <= last) out.push(...rangeToPrefixes(whole.family, next, last));
  return out.map(formatCIDR);
}

const values = new Map<string, bigint>();

/** The numeric value of an address, memoized: set elements are sorted on every plan. */
function ipValue(text: string): bigint {
  let v = values.get(text);
  if (v === undefined) {
    v = parseIP(text).value;
    if (values.size > 100_000) values.clear();
    values.set(text, v);
  }
  return v;
}

/** Set elements in address order (then by what follows, e.g. `. 80`); keys are computed once. */
export function sortElements(elements: Iterable<string>): string[] {
  const keyed = [...elements].map((e) => {
    const cut = e.indexOf(' . ');
    const addr = cut < 0 ? e : e.slice(0, cut);
    const slash = addr.indexOf('/');
    return { e, v: ipValue(slash < 0 ? addr : addr.slice(0, slash)), rest: cut < 0 ? '' : e.slice(cut + 3) };
  });
  keyed.sort((a, b) => (a.v !== b.v ? (a.v < b.v ? -1 : 1) : a.rest.length - b.rest.length || (a.rest < b.rest ? -1 : a.rest > b.rest ? 1 : 0)));
  return keyed.map((k) => k.e);
}
