// Encoded replies from the cluster zone, memoized per zone generation. Pure (Buffers and a Map).
//
// Why: answer() is a pure function of (zone, query) and encodeResponse of (reply, size limit), and
// the limit is a function of the query's bytes and the transport. So two queries whose bytes agree
// past the ID get byte-identical replies except for the ID, and a hit skips decoding, answering and
// encoding (dns-packet's work dominated the server's profile). This is not a TTL cache: the server
// drops every entry when the zone changes (setZone), so answers still follow the zone at once.
// Upstream (forwarded) replies never come here; they go through cache.ts, which honours TTLs.

export interface AnswerCacheOptions {
  /** Entries kept; past it the oldest goes first. Default 10,000 (≈ 1-2 MB of short replies). */
  maxEntries?: number;
}

/** The header's first two bytes are the ID; everything after it decides the reply. */
const ID_BYTES = 2;
/** Longer queries are not worth a key (they carry EDNS options such as cookies that differ per client). */
const MAX_KEY_BYTES = 300;

export class AnswerCache {
  private readonly entries = new Map<string, Buffer>();
  private readonly maxEntries: number;
  hits = 0;
  misses = 0;

  constructor(opts: AnswerCacheOptions = {}) {
    this.maxEntries = Math.max(1, opts.maxEntries ?? 10_000);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The memoized reply to `msg` with `msg`'s ID, or undefined. */
  get(msg: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined {
    const key = keyOf(msg, transport);
    const cached = key === undefined ? undefined : this.entries.get(key);
    if (!cached) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    const out = Buffer.allocUnsafe(cached.length);
    cached.copy(out);
    out[0] = msg[0] as number;
    out[1] = msg[1] as number;
    return out;
  }

  put(msg: Buffer, transport: 'udp' | 'tcp', reply: Buffer): void {
    const key = keyOf(msg, transport);
    if (key === undefined || reply.length < 12) return;
    if (!this.entries.has(key) && this.entries.size >= this.maxEntries) {
      // Insertion order: the first key is the oldest. FIFO rather than LRU keeps a hit to one lookup.
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(key, Buffer.from(reply));
  }

  /** Called on every zone change. */
  clear(): void {
    this.entries.clear();
  }
}

function keyOf(msg: Buffer, transport: 'udp' | 'tcp'): string | undefined {
  if (msg.length < 12 || msg.length > MAX_KEY_BYTES) return undefined;
  // latin1 maps each byte to one code unit, so distinct byte strings give distinct keys.
  return (transport === 'udp' ? 'u' : 't') + msg.toString('latin1', ID_BYTES);
}
