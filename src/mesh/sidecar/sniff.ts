// What an inbound connection starts with, read from its first bytes without consuming them (as
// Envoy's tls_inspector): plain data, or a TLS ClientHello and its ALPN list. A sidecar offers
// ALPN `podnet-mesh…`; an app doing TLS of its own does not, and passes through as opaque bytes.
// Parses only the first record, RFC 8446 4.1.2 / RFC 7301 3.1; pure, for unit tests.
export type Sniffed = { kind: 'more' } | { kind: 'plain' } | { kind: 'tls'; alpn: string[] };

const ALPN_EXT = 16;
/** Never wait for more than this: a ClientHello past it is not a sidecar's. */
export const SNIFF_LIMIT = 16 * 1024 + 5;

export function sniff(b: Buffer): Sniffed {
  if (b.length === 0) return { kind: 'more' };
  if (b[0] !== 0x16) return { kind: 'plain' };
  if (b.length >= 2 && b[1] !== 0x03) return { kind: 'plain' };
  if (b.length < 5) return { kind: 'more' };
  const recordLen = b.readUInt16BE(3);
  if (b.length < 5 + recordLen) return b.length >= SNIFF_LIMIT ? { kind: 'tls', alpn: [] } : { kind: 'more' };
  const r = b.subarray(5, 5 + recordLen);
  const alpn: string[] = [];
  try {
    if (r[0] !== 0x01) return { kind: 'tls', alpn };
    let p = 4 + 2 + 32; // handshake header, legacy_version, random
    p += 1 + r[p]; // session id
    p += 2 + r.readUInt16BE(p); // cipher suites
    p += 1 + r[p]; // compression methods
    if (p + 2 > r.length) return { kind: 'tls', alpn };
    const end = Math.min(r.length, p + 2 + r.readUInt16BE(p));
    p += 2;
    while (p + 4 <= end) {
      const type = r.readUInt16BE(p);
      const len = r.readUInt16BE(p + 2);
      p += 4;
      if (type === ALPN_EXT) {
        let q = p + 2;
        const listEnd = Math.min(p + len, p + 2 + r.readUInt16BE(p));
        while (q < listEnd) {
          const n = r[q];
          alpn.push(r.toString('latin1', q + 1, q + 1 + n));
          q += 1 + n;
        }
      }
      p += len;
    }
  } catch {
    // A truncated or odd hello: TLS without the mesh's ALPN.
  }
  return { kind: 'tls', alpn };
}
