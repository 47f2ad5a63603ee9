// Wire-level helpers shared by the UDP and TCP paths: size limits, truncation, FORMERR from a bare
// header. Pure (Buffers only), so they are tested without sockets.
import * as dnsPacket from 'dns-packet';
import type { OptAnswer, Packet } from 'dns-packet';
import { FLAG_RD, FLAG_TC, RCODE } from './answer.js';

/** RFC 1035 §4.2.1: without EDNS0 a UDP message is at most 512 bytes. */
export const CLASSIC_UDP_SIZE = 512;
const QR = 1 << 15;

/**
 * The largest UDP response we may send for this query: the client's advertised EDNS0 size
 * (RFC 6891 §6.2.5, never below 512), capped by our own so that we do not invite fragmentation.
 */
export function udpLimit(query: Packet, serverMax: number): number {
  const opt = (query.additionals ?? []).find((a): a is OptAnswer => a.type === 'OPT');
  if (!opt) return CLASSIC_UDP_SIZE;
  return Math.max(CLASSIC_UDP_SIZE, Math.min(opt.udpPayloadSize, serverMax));
}

/**
 * Encodes a response, truncating it when it exceeds `limit`: the answer, authority and additional
 * sections are dropped (the OPT record is kept) and TC is set, so the client retries over TCP
 * (RFC 2181 §9, RFC 7766). CoreDNS instead keeps as many whole RRsets as fit; clients retry either
 * way, and an empty truncated answer can never be mistaken for a complete one.
 */
export function encodeResponse(res: Packet, limit: number): Buffer {
  const full = dnsPacket.encode(res);
  if (full.length <= limit) return full;
  const opt = (res.additionals ?? []).filter((a) => a.type === 'OPT');
  return dnsPacket.encode({ ...res, flags: (res.flags ?? 0) | FLAG_TC, answers: [], authorities: [], additionals: opt });
}

/**
 * A FORMERR reply built from the first 12 bytes alone, for messages whose body does not decode.
 * Returns undefined when there is no header to answer, or when the message is itself a response
 * (answering responses invites reflection loops between servers).
 */
export function formErrFromHeader(msg: Buffer): Buffer | undefined {
  if (msg.length < 12) return undefined;
  const flags = msg.readUInt16BE(2);
  if (flags & QR) return undefined;
  const out = Buffer.alloc(12);
  out.writeUInt16BE(msg.readUInt16BE(0), 0);
  out.writeUInt16BE(QR | (flags & (0xf << 11)) | (flags & FLAG_RD) | RCODE.FORMERR, 2);
  return out;
}

/** Splits a TCP byte stream into DNS messages (RFC 1035 §4.2.2: two-byte length prefix). */
export class TcpFramer {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Buffer[] = [];
    while (this.buf.length >= 2) {
      const len = this.buf.readUInt16BE(0);
      if (this.buf.length < 2 + len) break;
      out.push(this.buf.subarray(2, 2 + len));
      this.buf = this.buf.subarray(2 + len);
    }
    return out;
  }
}

export function frame(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length, 0);
  return Buffer.concat([len, msg]);
}
