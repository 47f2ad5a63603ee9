// The forwarder's answer cache, in the manner of CoreDNS's `cache` plugin. Pure: the clock is
// injected and entries are wire bytes, so a hit is one copy plus integer writes (ID, question case,
// TTLs) and record types we cannot decode survive untouched.
//
// Only upstream answers pass through here. Cluster-zone answers never do: the zone is rebuilt on
// every change and must show it within a second, which a TTL-based cache would defeat.
import { scanMessage, soaMinimum, type ScannedMessage, WireError } from './scan.js';

export interface CacheOptions {
  /** Milliseconds since any fixed origin (Date.now in production, a counter in tests). */
  now: () => number;
  /** Entries kept before the least recently used is evicted. Default 9984, CoreDNS's default capacity. */
  maxEntries?: number;
  /** Cap on positive TTLs, seconds. Default 3600, CoreDNS cache's `success` maximum. */
  maxTtl?: number;
  /** Cap on negative TTLs, seconds. Default 1800, CoreDNS cache's `denial` maximum (RFC 2308 §5 suggests 1-3 h). */
  maxNegativeTtl?: number;
}

interface Entry {
  reply: Buffer;
  storedAt: number;
  /** Where the question ends in `reply`; a query is served only when its own question ends there too. */
  questionEnd: number;
  /** Seconds this entry lives; every record's TTL is clamped to it on the way out. */
  ttl: number;
  ttlOffsets: number[];
  ttls: number[];
}

const RCODE_NOERROR = 0;
const RCODE_NXDOMAIN = 3;

/**
 * qname (lowercase) + qtype + qclass + EDNS state. The EDNS state has three values rather than the
 * DO bit alone: a query without EDNS must not get a cached reply carrying an OPT record (RFC 6891 §7).
 */
export function cacheKey(query: ScannedMessage): string | undefined {
  const q = query.question;
  if (!q || query.qdcount !== 1) return undefined;
  const edns = !query.edns ? '-' : query.edns.dnssecOk ? 'do' : 'e';
  return `${q.name}|${q.type}|${q.class}|${edns}`;
}

/**
 * How long a reply may be cached, in seconds, or 0 for "do not cache".
 * Positive answers: the smallest TTL in the message. NXDOMAIN and NODATA (RFC 2308 §5): the smaller of
 * the SOA's TTL and its MINIMUM; a negative answer without an SOA is not cached. Truncated replies and
 * other rcodes (SERVFAIL, REFUSED, ...) are not cached.
 */
export function cacheTtl(reply: Buffer, scanned: ScannedMessage, maxTtl: number, maxNegativeTtl: number): number {
  if (!scanned.isResponse || scanned.truncated || (scanned.flags & 0x7800) !== 0) return 0;
  const answers = scanned.records.filter((r) => r.section === 'answer');
  if (scanned.rcode === RCODE_NOERROR && answers.length > 0) {
    return Math.min(maxTtl, ...scanned.records.map((r) => r.ttl));
  }
  if (scanned.rcode !== RCODE_NOERROR && scanned.rcode !== RCODE_NXDOMAIN) return 0;
  const soa = scanned.records.find((r) => r.section === 'authority' && soaMinimum(reply, r) !== undefined);
  if (!soa) return 0;
  return Math.min(maxNegativeTtl, soa.ttl, soaMinimum(reply, soa) ?? 0);
}

export class DnsCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly maxTtl: number;
  private readonly maxNegativeTtl: number;

  constructor(private readonly opts: CacheOptions) {
    this.maxEntries = opts.maxEntries ?? 9984;
    this.maxTtl = opts.maxTtl ?? 3600;
    this.maxNegativeTtl = opts.maxNegativeTtl ?? 1800;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached reply for this query with the query's ID and question bytes, TTLs counted down; or undefined. */
  get(query: Buffer, scanned: ScannedMessage = scanMessage(query)): Buffer | undefined {
    const key = cacheKey(scanned);
    const entry = key === undefined ? undefined : this.entries.get(key);
    // A question spelled with a compression pointer has another length: it cannot be copied in place.
    if (!key || !entry || entry.questionEnd !== scanned.questionEnd) return undefined;
    const age = this.opts.now() - entry.storedAt;
    if (age < 0 || age >= entry.ttl * 1000) {
      this.entries.delete(key);
      return undefined;
    }
    // Least recently used goes first: a Map iterates in insertion order, so re-insert on every hit.
    this.entries.delete(key);
    this.entries.set(key, entry);
    const out = Buffer.from(entry.reply);
    out.writeUInt16BE(query.readUInt16BE(0), 0);
    // Same name in another case has the same length: give the client back its own spelling (0x20 mixing).
    query.copy(out, 12, 12, scanned.questionEnd);
    const elapsed = Math.floor(age / 1000);
    for (let i = 0; i < entry.ttlOffsets.length; i++) {
      out.writeUInt32BE(Math.max(0, Math.min(entry.ttls[i] as number, entry.ttl) - elapsed), entry.ttlOffsets[i] as number);
    }
    return out;
  }

  /** Stores a reply to `query` when it is cacheable; returns whether it was stored. Malformed replies are not. */
  put(query: Buffer, reply: Buffer, scannedQuery: ScannedMessage = scanMessage(query)): boolean {
    const key = cacheKey(scannedQuery);
    if (key === undefined) return false;
    let scanned: ScannedMessage;
    try {
      scanned = scanMessage(reply);
    } catch (err) {
      if (err instanceof WireError) return false;
      throw err;
    }
    if (scanned.questionEnd !== scannedQuery.questionEnd) return false;
    const ttl = cacheTtl(reply, scanned, this.maxTtl, this.maxNegativeTtl);
    if (ttl <= 0) return false;
    this.entries.delete(key);
    this.entries.set(key, {
      reply: Buffer.from(reply),
      storedAt: this.opts.now(),
      questionEnd: scanned.questionEnd,
      ttl,
      ttlOffsets: scanned.records.map((r) => r.ttlOffset),
      ttls: scanned.records.map((r) => r.ttl),
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return true;
  }

  clear(): void {
    this.entries.clear();
  }
}
