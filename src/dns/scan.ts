// A bounds-checked walk over a DNS message in wire form (RFC 1035 §4.1), without decoding rdata.
// The cache and the forwarder need only offsets: where the question ends, where each TTL sits, the
// SOA minimum and the EDNS0 bits. Working on bytes keeps record types dns-packet does not know
// intact, and makes a cache hit a copy plus a few integer writes.

export class WireError extends Error {
  readonly code = 'EWIRE';
}

export const TYPE_SOA = 6;
export const TYPE_OPT = 41;
const QR = 0x8000;

export interface ScannedRR {
  section: 'answer' | 'authority' | 'additional';
  type: number;
  /** Byte offset of the 32-bit TTL field. */
  ttlOffset: number;
  ttl: number;
  rdataOffset: number;
  rdlength: number;
}

export interface ScannedMessage {
  id: number;
  flags: number;
  isResponse: boolean;
  rcode: number;
  truncated: boolean;
  qdcount: number;
  /** The first question (messages we handle carry exactly one), name lowercased per RFC 4343. */
  question?: { name: string; type: number; class: number };
  /** Offset just past the question section. */
  questionEnd: number;
  records: ScannedRR[];
  /** EDNS0 (RFC 6891 §6.1.3): absent when the message has no OPT record. */
  edns?: { udpSize: number; version: number; dnssecOk: boolean };
  /** Bytes after the last record: a sign of a broken or over-long message. */
  trailing: number;
}

/** Reads a possibly compressed name starting at `off`; returns it (lowercase, dotted) and the offset after it. */
function readName(msg: Buffer, off: number): { name: string; end: number } {
  const labels: string[] = [];
  let end = -1;
  let pos = off;
  let wireLen = 0;
  for (let hops = 0; ; hops++) {
    if (pos >= msg.length) throw new WireError('name runs past the end of the message');
    const len = msg[pos] as number;
    if (len === 0) {
      if (end < 0) end = pos + 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= msg.length) throw new WireError('compression pointer runs past the end');
      const target = ((len & 0x3f) << 8) | (msg[pos + 1] as number);
      // Pointers must point backwards (RFC 1035 §4.1.4 implies it; it also rules out loops).
      if (target >= pos || hops > 127) throw new WireError('bad compression pointer');
      if (end < 0) end = pos + 2;
      pos = target;
      continue;
    }
    if (len & 0xc0) throw new WireError('unknown label type');
    if (pos + 1 + len > msg.length) throw new WireError('label runs past the end of the message');
    wireLen += len + 1;
    if (wireLen > 254) throw new WireError('name longer than 255 bytes');
    // latin1 keeps every byte distinct; lowercasing only ASCII letters is what RFC 4343 asks; dots
    // and backslashes inside a label are escaped so that two different names never read the same.
    const label = msg.toString('latin1', pos + 1, pos + 1 + len);
    labels.push(label.replace(/[A-Z]+/g, (s) => s.toLowerCase()).replace(/[.\\]/g, '\\$&'));
    pos += 1 + len;
  }
  return { name: labels.join('.'), end };
}

export function scanMessage(msg: Buffer): ScannedMessage {
  if (msg.length < 12) throw new WireError('message shorter than its header');
  const flags = msg.readUInt16BE(2);
  const counts = [4, 6, 8, 10].map((o) => msg.readUInt16BE(o)) as [number, number, number, number];
  let pos = 12;
  let question: ScannedMessage['question'];
  for (let i = 0; i < counts[0]; i++) {
    const { name, end } = readName(msg, pos);
    if (end + 4 > msg.length) throw new WireError('question runs past the end of the message');
    if (i === 0) question = { name, type: msg.readUInt16BE(end), class: msg.readUInt16BE(end + 2) };
    pos = end + 4;
  }
  const questionEnd = pos;
  const records: ScannedRR[] = [];
  let edns: ScannedMessage['edns'];
  const sections = [['answer', counts[1]], ['authority', counts[2]], ['additional', counts[3]]] as const;
  for (const [section, count] of sections) {
    for (let i = 0; i < count; i++) {
      const { end } = readName(msg, pos);
      if (end + 10 > msg.length) throw new WireError('record header runs past the end of the message');
      const type = msg.readUInt16BE(end);
      const rdlength = msg.readUInt16BE(end + 8);
      const rdataOffset = end + 10;
      if (rdataOffset + rdlength > msg.length) throw new WireError('rdata runs past the end of the message');
      if (type === TYPE_OPT) {
        if (edns || section !== 'additional') throw new WireError('misplaced or repeated OPT record');
        // OPT reuses CLASS for the UDP size and TTL for extended rcode, version and the DO bit.
        edns = { udpSize: msg.readUInt16BE(end + 2), version: msg[end + 5] as number, dnssecOk: (msg.readUInt16BE(end + 6) & 0x8000) !== 0 };
      } else {
        const raw = msg.readUInt32BE(end + 4);
        // RFC 2181 §8: a TTL with the top bit set is to be read as zero.
        records.push({ section, type, ttlOffset: end + 4, ttl: raw > 0x7fffffff ? 0 : raw, rdataOffset, rdlength });
      }
      pos = rdataOffset + rdlength;
    }
  }
  return {
    id: msg.readUInt16BE(0), flags, isResponse: (flags & QR) !== 0, rcode: flags & 0xf, truncated: (flags & 0x0200) !== 0,
    qdcount: counts[0], question, questionEnd, records, edns, trailing: msg.length - pos,
  };
}

/** The SOA MINIMUM field: the last four bytes of the SOA rdata (RFC 1035 §3.3.13). */
export function soaMinimum(msg: Buffer, rr: ScannedRR): number | undefined {
  if (rr.type !== TYPE_SOA || rr.rdlength < 22) return undefined;
  return msg.readUInt32BE(rr.rdataOffset + rr.rdlength - 4);
}
