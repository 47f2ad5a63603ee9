// Forwarding of names outside the cluster zone to upstream resolvers, like CoreDNS `forward` with
// `policy sequential`, in front of a cache. The sockets live behind UpstreamTransport
// (server-upstream.ts), so the decisions here - order, time budget, fallbacks, what counts as a
// usable reply - are tested with a fake transport as well as against a real fake upstream.
import * as dnsPacket from 'dns-packet';
import type { Packet } from 'dns-packet';
import { errorResponse, RCODE } from './answer.js';
import type { DnsCache } from './cache.js';
import { AddressError, parseHostPort } from '../api/cidr.js';
import { scanMessage, WireError, type ScannedMessage } from './scan.js';

export interface Upstream {
  host: string;
  port: number;
}

export class UpstreamError extends Error {
  readonly code = 'EUPSTREAM';
}

/** `IP`, `IP:PORT`, `[IPv6]:PORT` or a bare IPv6 address; the port defaults to 53. */
export function parseUpstream(text: string): Upstream {
  try {
    return parseHostPort(text, 53);
  } catch (e) {
    if (e instanceof AddressError) throw new UpstreamError(`--upstream ${text}: ${e.message}`);
    throw e;
  }
}

export interface UpstreamTransport {
  /**
   * Sends one datagram and resolves with the first reply for which `accept` is true, or undefined
   * when `timeoutMs` passes. Rejects on socket errors (for instance ICMP port unreachable).
   */
  udp(upstream: Upstream, msg: Buffer, timeoutMs: number, accept: (reply: Buffer) => boolean): Promise<Buffer | undefined>;
  /** One length-prefixed exchange over a fresh connection; undefined on timeout. */
  tcp(upstream: Upstream, msg: Buffer, timeoutMs: number): Promise<Buffer | undefined>;
}

export interface ForwarderOptions {
  upstreams: Upstream[];
  transport: UpstreamTransport;
  cache?: DnsCache;
  /** The whole exchange, all upstreams included. Default 2000 ms. */
  timeoutMs?: number;
  now?: () => number;
  /** The ID put on upstream queries; random by default so that an off-path reply is hard to forge. */
  newId?: () => number;
  onError?: (err: unknown) => void;
}

/** Resolves a query (wire bytes and decoded) to the reply bytes to send, always with the client's ID. */
export type Forward = (msg: Buffer, query: Packet) => Promise<Buffer>;

type Verdict = 'ok' | 'mismatch' | 'bad';

/**
 * Whether `reply` answers `sent`. 'mismatch' (another ID or question) is ignored and the wait goes on,
 * since anyone can send a datagram to our port; 'bad' is a reply that does not parse, carries bytes past
 * its last record, or is larger than the query allowed (RFC 6891 §6.2.5; 512 without EDNS).
 */
export function checkReply(sent: ScannedMessage, sentId: number, reply: Buffer, transport: 'udp' | 'tcp'): Verdict {
  if (reply.length < 12 || reply.readUInt16BE(0) !== sentId || (reply.readUInt16BE(2) & 0x8000) === 0) return 'mismatch';
  let r: ScannedMessage;
  try {
    r = scanMessage(reply);
  } catch (err) {
    if (err instanceof WireError) return 'bad';
    throw err;
  }
  const q = sent.question;
  // A reply may omit the question only when it is an error about the query itself (FORMERR, NOTIMP).
  if (r.qdcount === 0 && r.rcode !== 0) return 'ok';
  if (r.qdcount !== 1 || !q || r.question?.name !== q.name || r.question.type !== q.type || r.question.class !== q.class) return 'mismatch';
  const limit = transport === 'tcp' ? 0xffff : Math.max(512, sent.edns?.udpSize ?? 512);
  if (r.trailing !== 0 || reply.length > limit) return 'bad';
  return 'ok';
}

/** One UDP exchange, keeping the verdict of the reply that ended the wait. */
async function askUdp(
  transport: UpstreamTransport, upstream: Upstream, msg: Buffer, timeoutMs: number, check: (reply: Buffer) => Verdict,
): Promise<{ reply: Buffer | undefined; verdict: Verdict }> {
  let verdict: Verdict = 'mismatch';
  const reply = await transport.udp(upstream, msg, timeoutMs, (r) => (verdict = check(r)) !== 'mismatch');
  return { reply, verdict: reply ? verdict : 'mismatch' };
}

export function createForwarder(opts: ForwarderOptions): Forward {
  const total = opts.timeoutMs ?? 2000;
  const now = opts.now ?? Date.now;
  const newId = opts.newId ?? (() => Math.floor(Math.random() * 0x10000));
  const onError = opts.onError ?? (() => undefined);
  const servfail = (query: Packet) => dnsPacket.encode(errorResponse(query, RCODE.SERVFAIL));

  return async (msg, query) => {
    let scanned: ScannedMessage;
    try {
      scanned = scanMessage(msg);
    } catch {
      return servfail(query);
    }
    if (opts.upstreams.length === 0) return servfail(query);
    const hit = opts.cache?.get(msg, scanned);
    if (hit) return hit;

    const deadline = now() + total;
    for (let i = 0; i < opts.upstreams.length; i++) {
      const upstream = opts.upstreams[i] as Upstream;
      const remaining = deadline - now();
      if (remaining <= 0) break;
      // Split what is left evenly over the upstreams not yet tried, so a dead first one cannot use it all.
      const slot = remaining / (opts.upstreams.length - i);
      const id = newId() & 0xffff;
      const out = Buffer.from(msg);
      out.writeUInt16BE(id, 0);
      try {
        let { reply, verdict } = await askUdp(opts.transport, upstream, out, slot, (r) => checkReply(scanned, id, r, 'udp'));
        if (reply && verdict === 'ok' && (reply.readUInt16BE(2) & 0x0200) !== 0) {
          // Truncated: the same upstream over TCP (RFC 7766 §5), in whatever time this slot has left.
          const left = Math.max(deadline - now(), 0) / (opts.upstreams.length - i);
          reply = await opts.transport.tcp(upstream, out, left);
          verdict = reply ? checkReply(scanned, id, reply, 'tcp') : 'mismatch';
        }
        if (!reply || verdict !== 'ok') continue;
        const rcode = reply.readUInt16BE(2) & 0xf;
        if (rcode === RCODE.SERVFAIL || rcode === RCODE.REFUSED) continue;
        reply.writeUInt16BE(msg.readUInt16BE(0), 0);
        opts.cache?.put(msg, reply, scanned);
        return reply;
      } catch (err) {
        onError(err);
      }
    }
    return servfail(query);
  };
}
