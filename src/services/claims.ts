// Who holds which ClusterIP, NodePort and load balancer address, and how a free value is picked:
// at random with a static band (ClusterIPs and NodePorts, as the API server) or the lowest free one
// (load balancer pools, as MetalLB). Which values are taken is passed in (claimsOf the stored
// Services): the store is the only record, so deleting a Service frees its values with no release
// step to forget.
import { formatIP } from '../api/cidr.js';
import type { V1Service } from '../api/types.js';
import { serviceKey } from './labels.js';
import { canonicalOrNone, offsetIn, type IPRange } from './ranges.js';

/**
 * Who holds which value (canonical IP or port number → `ns/name`). An owner's claims are replaced
 * as a whole, so an update that moves a Service to a new port frees the old one in the same batch.
 */
export class Claims<T> {
  private readonly owners = new Map<T, string>();
  private readonly held = new Map<string, T[]>();
  /** Every value freed so far, in order, so a LowestFree cursor can step back to it. */
  private readonly freed: T[] = [];

  ownerOf(value: T): string | undefined {
    return this.owners.get(value);
  }

  /** True when someone other than `self` holds `value`. */
  heldByOther(value: T, self: string): boolean {
    const o = this.owners.get(value);
    return o !== undefined && o !== self;
  }

  /** What `owner` holds now (a value another owner took over since is no longer its). */
  heldBy(owner: string): T[] {
    return (this.held.get(owner) ?? []).filter((v) => this.owners.get(v) === owner);
  }

  /** Values freed so far; the list only grows. */
  get released(): readonly T[] {
    return this.freed;
  }

  set(owner: string, values: readonly T[]): void {
    const keep = new Set(values);
    for (const v of this.held.get(owner) ?? []) {
      if (this.owners.get(v) !== owner || keep.has(v)) continue;
      this.owners.delete(v);
      this.freed.push(v);
    }
    this.held.set(owner, [...values]);
    for (const v of values) this.owners.set(v, owner);
  }
}

export interface ServiceClaims {
  ips: Claims<string>;
  ports: Claims<number>;
  lbIPs: Claims<string>;
}

/** What stored Services hold: ClusterIPs, NodePorts (and health-check ports), load balancer addresses. */
export function claimsOf(services: readonly V1Service[]): ServiceClaims {
  const claims: ServiceClaims = { ips: new Claims(), ports: new Claims(), lbIPs: new Claims() };
  for (const s of services) {
    const key = serviceKey(s);
    const spec = s.spec ?? {};
    claims.ips.set(key, (spec.clusterIPs ?? [spec.clusterIP]).flatMap(canonicalOrNone));
    claims.ports.set(key, [...(spec.ports ?? []).map((p) => p.nodePort), spec.healthCheckNodePort].filter((p): p is number => !!p));
    claims.lbIPs.set(key, (s.status?.loadBalancer?.ingress ?? []).flatMap((i) => canonicalOrNone(i.ip)));
  }
  return claims;
}

/** Values laid out on offsets [first, last]; `at` is undefined where a value is never handed out dynamically. */
export interface Space<T> {
  first: bigint;
  last: bigint;
  at(offset: bigint): T | undefined;
  offsetOf(value: T): bigint | undefined;
}

/** The addresses of a range, less those `avoid` reserves and the range skips. Values are canonical text. */
export function ipSpace(range: IPRange, avoid: (offset: bigint) => boolean = () => false): Space<string> {
  const { family, base } = range.cidr;
  return {
    first: range.first,
    last: range.last,
    at: (off) => (avoid(off) || range.skip?.(base + off) ? undefined : formatIP(family, base + off)),
    offsetOf: (ip) => offsetIn(range, ip),
  };
}

export function portSpace(range: readonly [number, number]): Space<number> {
  return {
    first: BigInt(range[0]),
    last: BigInt(range[1]),
    at: (off) => Number(off),
    offsetOf: (p) => (p >= range[0] && p <= range[1] ? BigInt(p) : undefined),
  };
}

/**
 * The lowest value of a space nobody else holds and the batch does not fix, for one admission batch
 * (load balancer pools: MetalLB hands out the lowest free address). A cursor remembers how far the taken prefix reaches and steps back only
 * when a value below it is freed, so a batch of n new Services costs O(n), not O(n²).
 */
export class LowestFree<T> {
  /** Every offset below `low` is taken whoever asks: held, fixed in the batch, reserved or skipped. */
  private low: bigint;
  private seen = 0;

  constructor(private readonly space: Space<T>, private readonly claims: Claims<T>, private readonly fixed: ReadonlySet<T>) {
    this.low = space.first;
  }

  /** The lowest value free for `self`, which may reuse its own values unless `also` rules them out. */
  next(self: string, also: (value: T) => boolean = () => false): T | undefined {
    const { space, claims, fixed } = this;
    for (; this.seen < claims.released.length; this.seen++) {
      const off = space.offsetOf(claims.released[this.seen]);
      if (off !== undefined && off < this.low) this.low = off;
    }
    // The caller's own values are taken for everyone else, so the prefix may have run past them.
    let best: T | undefined;
    let bestOff: bigint | undefined;
    for (const v of claims.heldBy(self)) {
      const off = space.offsetOf(v);
      if (off === undefined || space.at(off) === undefined || fixed.has(v) || also(v)) continue;
      if (bestOff === undefined || off < bestOff) [best, bestOff] = [v, off];
    }
    for (let off = this.low; off <= space.last && (bestOff === undefined || off < bestOff); off++) {
      const v = space.at(off);
      if (v === undefined || fixed.has(v) || claims.ownerOf(v) !== undefined) {
        if (off === this.low) this.low = off + 1n;
      } else if (!also(v)) {
        return v;
      }
    }
    return best;
  }
}

/** Uniform numbers in [0, 1). Passed in, so that allocation stays a pure function of its inputs. */
export type Random = () => number;

/** A seeded source (mulberry32): the same seed gives the same picks, for tests and reproducible runs. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A free value picked as the API server picks ClusterIPs and NodePorts (ipallocator and
 * portallocator's randomScanStrategyWithOffset, KEP-3070 and KEP-3668): the first `staticSize`
 * offsets of the space are a band for values users fix; a dynamic pick starts at a random offset of
 * the upper band and takes the first free value from there (wrapping round), and falls into the
 * lower band the same way only when the upper one is full. Random rather than lowest-free, so a
 * Service deleted and created again does not get back the address (or port) that clients, DNS
 * caches and conntrack entries still remember for the old one.
 */
export class RandomFree<T> {
  constructor(
    private readonly space: Space<T>,
    private readonly claims: Claims<T>,
    private readonly fixed: ReadonlySet<T>,
    private readonly staticSize: bigint,
    private readonly random: Random,
  ) {}

  /** A free value for `self`, which keeps one of its own values unless `also` rules it out. */
  next(self: string, also: (value: T) => boolean = () => false): T | undefined {
    const { space } = this;
    for (const v of this.claims.heldBy(self)) {
      const off = space.offsetOf(v);
      if (off !== undefined && space.at(off) !== undefined && !this.fixed.has(v) && !also(v)) return v;
    }
    const split = space.first + this.staticSize > space.last + 1n ? space.last + 1n : space.first + this.staticSize;
    return this.scan(split, space.last, also) ?? this.scan(space.first, split - 1n, also);
  }

  /** From a random offset of [lo, hi], the first free value, wrapping round. */
  private scan(lo: bigint, hi: bigint, also: (value: T) => boolean): T | undefined {
    if (hi < lo) return undefined;
    const n = hi - lo + 1n;
    let start = BigInt(Math.floor(this.random() * Number(n)));
    if (start >= n || start < 0n) start = 0n;
    for (let i = 0n; i < n; i++) {
      const v = this.space.at(lo + ((start + i) % n));
      if (v !== undefined && !this.fixed.has(v) && this.claims.ownerOf(v) === undefined && !also(v)) return v;
    }
    return undefined;
  }
}
