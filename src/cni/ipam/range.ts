// host-local style ranges: parsing/validation and the order in which a range set hands out
// addresses (round-robin after the last reserved one, like host-local's RangeIter). Pure.
import { invalidConfig } from '../errors.js';
import { addToIp, broadcastOf, contains, formatCidr, formatIp, ipEquals, networkOf, parseCidr, parseIp, type Cidr, type Ip } from './ip.js';

export interface RangeConfig {
  subnet: string;
  rangeStart?: string;
  rangeEnd?: string;
  gateway?: string;
}

export interface Range {
  subnet: Cidr;
  start: Ip;
  end: Ip;
  gateway: Ip;
}

/** One address is allocated from every range set; a set is tried range by range. */
export type RangeSet = Range[];

function need(ip: Ip | undefined, what: string, value: string): Ip {
  if (!ip) throw invalidConfig(`invalid ${what} "${value}"`);
  return ip;
}

export function parseRange(rc: RangeConfig): Range {
  if (!rc || typeof rc.subnet !== 'string') throw invalidConfig('ipam range is missing "subnet"');
  const parsed = parseCidr(rc.subnet);
  if (!parsed) throw invalidConfig(`invalid subnet "${rc.subnet}"`);
  const subnet: Cidr = { ip: networkOf(parsed), prefix: parsed.prefix };
  const fam = subnet.ip.family;
  // Need network + gateway + at least one pod (+ broadcast for IPv4).
  if ((fam === 4 && subnet.prefix > 29) || (fam === 6 && subnet.prefix > 126)) {
    throw invalidConfig(`subnet ${formatCidr(subnet)} is too small`);
  }
  const first = addToIp(subnet.ip, 1n);
  const last = fam === 4 ? addToIp(broadcastOf(subnet), -1n) : broadcastOf(subnet);
  const start = rc.rangeStart ? need(parseIp(rc.rangeStart), 'rangeStart', rc.rangeStart) : first;
  const end = rc.rangeEnd ? need(parseIp(rc.rangeEnd), 'rangeEnd', rc.rangeEnd) : last;
  const gateway = rc.gateway ? need(parseIp(rc.gateway), 'gateway', rc.gateway) : first;
  for (const [what, ip] of [['rangeStart', start], ['rangeEnd', end], ['gateway', gateway]] as const) {
    if (!contains(subnet, ip)) throw invalidConfig(`${what} ${formatIp(ip)} is not in ${formatCidr(subnet)}`);
  }
  if (start.value < first.value || end.value > last.value || start.value > end.value) {
    throw invalidConfig(`range ${formatIp(start)}-${formatIp(end)} is not usable in ${formatCidr(subnet)}`);
  }
  return { subnet, start, end, gateway };
}

export function parseRangeSets(raw: unknown): RangeSet[] {
  if (!Array.isArray(raw) || raw.length === 0) throw invalidConfig('ipam.ranges must be a non-empty array of range sets');
  const sets = raw.map((set, i) => {
    if (!Array.isArray(set) || set.length === 0) throw invalidConfig(`ipam.ranges[${i}] must be a non-empty array of ranges`);
    return set.map((r) => parseRange(r as RangeConfig));
  });
  const all = sets.flat();
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const a = all[i];
      const b = all[j];
      if (a.start.family === b.start.family && a.start.value <= b.end.value && b.start.value <= a.end.value) {
        throw invalidConfig(`ranges ${formatCidr(a.subnet)} and ${formatCidr(b.subnet)} overlap`);
      }
    }
  }
  return sets;
}

export function isReserved(r: Range, ip: Ip): boolean {
  return ipEquals(ip, r.gateway) || ipEquals(ip, r.subnet.ip) || (ip.family === 4 && ipEquals(ip, broadcastOf(r.subnet)));
}

export function rangeOf(set: RangeSet, ip: Ip): Range | undefined {
  return set.find((r) => ip.family === r.start.family && ip.value >= r.start.value && ip.value <= r.end.value);
}

/**
 * Every allocatable address of the set exactly once, starting just after `lastReserved` (so freed
 * addresses are not reused at once) and wrapping around through the following ranges.
 */
export function* candidates(set: RangeSet, lastReserved?: Ip): Generator<{ ip: Ip; range: Range }> {
  let startRange = 0;
  let startValue = set[0].start.value;
  const lastRange = lastReserved ? set.findIndex((r) => rangeOf([r], lastReserved)) : -1;
  if (lastReserved && lastRange >= 0) {
    startRange = lastRange;
    startValue = lastReserved.value + 1n;
    if (startValue > set[lastRange].end.value) {
      startRange = (lastRange + 1) % set.length;
      startValue = set[startRange].start.value;
    }
  }
  // Walk ranges startRange..end, then 0..startRange (the tail of startRange before startValue last).
  for (let k = 0; k <= set.length; k++) {
    const idx = (startRange + k) % set.length;
    const r = set[idx];
    let from = r.start.value;
    let to = r.end.value;
    if (k === 0) from = startValue;
    if (k === set.length) {
      if (startValue === r.start.value) break;
      to = startValue - 1n;
    }
    for (let v = from; v <= to; v++) {
      const ip: Ip = { family: r.start.family, value: v };
      if (!isReserved(r, ip)) yield { ip, range: r };
    }
  }
}

export function prefixAddress(r: Range, ip: Ip): string {
  return `${formatIp(ip)}/${r.subnet.prefix}`;
}
