// host-local style allocation over an abstract store: one address per range set, round-robin after
// the last reserved address. Correctness under concurrent allocators (several plugin processes,
// or the agent's concurrent requests) comes from the store: reserve() is an atomic create-if-absent
// (O_EXCL), so two callers can never both win the same address; losing just moves on.
import { CniError, CniCode } from '../errors.js';
import { formatIp, parseIp, type Ip } from './ip.js';
import { candidates, prefixAddress, rangeOf, type RangeSet } from './range.js';
import type { IpConfig, Route } from '../types.js';

const MAX_TRIES = 1 << 16;

export interface Allocation {
  ip: string;
  containerID: string;
  ifname: string;
}

export interface AllocStore {
  /** Atomically claims `ip`; false when it is already taken. */
  reserve(ip: string, containerID: string, ifname: string): Promise<boolean>;
  release(ip: string, containerID: string, ifname: string): Promise<void>;
  /** A hint where to continue the round-robin (may lag behind other allocators). */
  lastReserved(setIndex: number): Promise<string | undefined>;
  setLastReserved(setIndex: number, ip: string): Promise<void>;
  /** The addresses held by this attachment (empty when none). */
  byAttachment(containerID: string, ifname: string): Promise<string[]>;
  recordAttachment(containerID: string, ifname: string, ips: string[]): Promise<void>;
  forgetAttachment(containerID: string, ifname: string): Promise<void>;
  list(): Promise<Allocation[]>;
}

export interface IpamResult {
  ips: IpConfig[];
  /** True when the attachment already held these addresses (a repeated ADD). */
  existing: boolean;
  /**
   * The bookkeeping after the reservation (last reserved address, attachment index), still being
   * written: the caller overlaps it with its own work and awaits it before answering. Only the
   * O_EXCL reservations decide ownership, so nothing else has to wait for these writes.
   */
  saved: Promise<void>;
}

function toIpConfig(sets: RangeSet[], ipStr: string): IpConfig | undefined {
  const ip = parseIp(ipStr);
  if (!ip) return undefined;
  for (const set of sets) {
    const r = rangeOf(set, ip);
    if (r) return { address: prefixAddress(r, ip), gateway: formatIp(r.gateway), interface: 2 };
  }
  return undefined;
}

export async function allocate(store: AllocStore, sets: RangeSet[], containerID: string, ifname: string): Promise<IpamResult> {
  const held = await store.byAttachment(containerID, ifname);
  if (held.length === sets.length) {
    const ips = held.map((ip) => toIpConfig(sets, ip));
    if (ips.every((x): x is IpConfig => x !== undefined)) return { ips, existing: true, saved: Promise.resolve() };
  }
  const got: { ip: Ip; set: number }[] = [];
  const writes: Promise<void>[] = [];
  try {
    for (let i = 0; i < sets.length; i++) {
      const lastStr = await store.lastReserved(i);
      let won: Ip | undefined;
      let tries = 0;
      for (const { ip } of candidates(sets[i], lastStr ? parseIp(lastStr) : undefined)) {
        // An IPv6 /64 has 2^64 candidates: give up long before walking them all.
        if (++tries > MAX_TRIES) break;
        if (await store.reserve(formatIp(ip), containerID, ifname)) {
          won = ip;
          break;
        }
      }
      if (!won) throw new CniError(CniCode.Internal, `no IP addresses available in range set ${i}`, sets[i].map((r) => `${formatIp(r.start)}-${formatIp(r.end)}`).join(','));
      got.push({ ip: won, set: i });
      writes.push(store.setLastReserved(i, formatIp(won)));
    }
  } catch (e) {
    await Promise.allSettled(writes);
    for (const g of got) await store.release(formatIp(g.ip), containerID, ifname);
    throw e;
  }
  const ips = got.map((g) => formatIp(g.ip));
  writes.push(store.recordAttachment(containerID, ifname, ips));
  const saved = Promise.all(writes).then(() => undefined);
  saved.catch(() => undefined); // the caller awaits it; never an unhandled rejection meanwhile
  return { ips: ips.map((ip) => toIpConfig(sets, ip) as IpConfig), existing: false, saved };
}

/** Releases everything this attachment holds; a no-op when it holds nothing (DEL is idempotent). */
export async function releaseAttachment(store: AllocStore, containerID: string, ifname: string): Promise<string[]> {
  let ips = await store.byAttachment(containerID, ifname);
  if (ips.length === 0) {
    // No index (e.g. a crash between reserve and recordAttachment): fall back to a scan.
    ips = (await store.list()).filter((a) => a.containerID === containerID && a.ifname === ifname).map((a) => a.ip);
  }
  for (const ip of ips) await store.release(ip, containerID, ifname);
  await store.forgetAttachment(containerID, ifname);
  return ips;
}

/** GC: releases every allocation whose attachment is not in `valid`. Returns what was released. */
export async function garbageCollect(store: AllocStore, valid: { containerID: string; ifname: string }[]): Promise<Allocation[]> {
  const keep = new Set(valid.map((a) => `${a.containerID}\n${a.ifname}`));
  const stale = (await store.list()).filter((a) => !keep.has(`${a.containerID}\n${a.ifname}`));
  for (const a of stale) {
    await store.release(a.ip, a.containerID, a.ifname);
    await store.forgetAttachment(a.containerID, a.ifname);
  }
  return stale;
}

/** Routes of the result: the configured ones, each via the gateway of its family when none is given. */
export function resultRoutes(routes: Route[], ips: IpConfig[]): Route[] {
  return routes.map((r) => {
    if (r.gw) return r;
    const v6 = r.dst.includes(':');
    const gw = ips.find((ip) => ip.address.includes(':') === v6)?.gateway;
    return gw ? { dst: r.dst, gw } : { dst: r.dst };
  });
}
