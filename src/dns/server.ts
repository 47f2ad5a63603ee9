// The cluster DNS server: UDP and TCP on one address and port, answering from a Zone that can be
// swapped atomically (a reference assignment; a query sees either the old zone or the new one),
// or changed in place between two queries (server-pod.ts applies watch events to one ClusterZone)
// and set again, which drops the memoized answers.
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Packet } from 'dns-packet';
import { answer, errorResponse, isForward, RCODE, type AnswerOptions } from './answer.js';
import { AnswerCache } from './answer-cache.js';
import { encodeResponse, formErrFromHeader, frame, TcpFramer, udpLimit } from './wire.js';
import type { Zone } from './zone.js';

export interface DnsServerOptions {
  host: string;
  /** 0 picks an ephemeral port; UDP and TCP then share the one UDP got. */
  port: number;
  /** Until a zone is set, every query gets SERVFAIL (not NXDOMAIN, which clients would cache). */
  zone: Zone | undefined;
  answer?: AnswerOptions;
  /** Our EDNS0 UDP payload size, advertised and used as a cap. Default 1232. */
  udpPayloadSize?: number;
  /**
   * Resolves names outside the zone (forward.ts createForwarder): gets the query's bytes and decoded
   * form, returns the reply's bytes with the client's ID. Without it such names get REFUSED (as
   * CoreDNS with no matching server block).
   */
  forward?: (msg: Buffer, query: Packet) => Promise<Buffer>;
  /** For an IPv6 host: do not also take IPv4 (so that 0.0.0.0 and :: can be bound side by side). */
  ipv6Only?: boolean;
  /** Memoized encoded zone answers (answer-cache.ts), cleared on setZone. Default 10,000; 0 turns it off. */
  answerCacheSize?: number;
  /** Idle TCP connections are closed after this long (RFC 7766 §6.2.3). Default 10 s. */
  tcpIdleTimeoutMs?: number;
  onError?: (err: unknown) => void;
}

export interface DnsServer {
  readonly host: string;
  readonly port: number;
  /** The zone to answer from; call it again after changing the zone in place. */
  setZone(zone: Zone): void;
  close(): Promise<void>;
}

type Transport = 'udp' | 'tcp';

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  let zone = opts.zone;
  const udpPayloadSize = opts.udpPayloadSize ?? 1232;
  const answerOpts: AnswerOptions = { ...opts.answer, udpPayloadSize };
  const onError = opts.onError ?? (() => undefined);
  const memo = opts.answerCacheSize === 0 ? undefined : new AnswerCache({ maxEntries: opts.answerCacheSize });

  // Calls `reply` with the encoded reply, or undefined to drop the message. Synchronous for
  // everything the zone answers (the hot path); only forwarding waits.
  function handle(msg: Buffer, transport: Transport, reply: (out: Buffer | undefined) => void): void {
    const hit = memo?.get(msg, transport);
    if (hit) return reply(hit);
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return reply(formErrFromHeader(msg));
    }
    if (query.type === 'response') return reply(undefined);
    const limit = transport === 'udp' ? udpLimit(query, udpPayloadSize) : 0xffff;
    const fail = (err: unknown) => {
      onError(err);
      reply(encodeResponse(errorResponse(query, RCODE.SERVFAIL, answerOpts), limit));
    };
    try {
      if (!zone) return reply(encodeResponse(errorResponse(query, RCODE.SERVFAIL, answerOpts), limit));
      const r = answer(zone, query, answerOpts);
      if (!isForward(r)) {
        const out = encodeResponse(r, limit);
        memo?.put(msg, transport, out);
        return reply(out);
      }
      if (!opts.forward) return reply(encodeResponse(errorResponse(query, RCODE.REFUSED, answerOpts), limit));
      opts.forward(msg, query).then((out) => {
        // Larger than this client takes (an upstream that ignored its EDNS size): truncate it, setting TC.
        reply(out.length <= limit ? out : encodeResponse(dnsPacket.decode(out), limit));
      }).catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  const v6 = opts.host.includes(':');
  const udp = dgram.createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: v6 && opts.ipv6Only === true });
  const tcpSockets = new Set<net.Socket>();
  const tcp = net.createServer((sock) => {
    tcpSockets.add(sock);
    sock.setTimeout(opts.tcpIdleTimeoutMs ?? 10_000, () => sock.destroy());
    sock.on('close', () => tcpSockets.delete(sock));
    sock.on('error', onError);
    const framer = new TcpFramer();
    sock.on('data', (chunk: Buffer) => {
      for (const msg of framer.push(chunk)) {
        handle(msg, 'tcp', (out) => {
          if (out && !sock.destroyed) sock.write(frame(out));
          // A message we cannot even answer with FORMERR leaves the stream unframed: close it.
          else if (!out) sock.destroy();
        });
      }
    });
  });
  tcp.on('error', onError);

  const sent = (err: Error | null) => { if (err) onError(err); };
  udp.on('message', (msg, rinfo) => {
    handle(msg, 'udp', (out) => { if (out) udp.send(out, rinfo.port, rinfo.address, sent); });
  });

  await new Promise<void>((resolve, reject) => {
    udp.once('error', reject);
    udp.bind(opts.port, opts.host, () => {
      udp.off('error', reject);
      udp.on('error', onError);
      resolve();
    });
  });
  const port = udp.address().port;
  try {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen({ port, host: opts.host, ipv6Only: v6 && opts.ipv6Only === true }, () => {
        tcp.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    // With an ephemeral port, TCP may find it taken; startDnsServerEphemeral retries.
    udp.close();
    throw err;
  }

  return {
    host: opts.host,
    port,
    setZone(next: Zone) {
      zone = next;
      memo?.clear();
    },
    async close() {
      for (const s of tcpSockets) s.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}

/** startDnsServer with an ephemeral port, retrying when the UDP port is already taken for TCP. */
export async function startDnsServerEphemeral(opts: Omit<DnsServerOptions, 'port'>, attempts = 5): Promise<DnsServer> {
  let last: unknown;
  for (let i = 0; i < attempts; i++) {
    try {
      return await startDnsServer({ ...opts, port: 0 });
    } catch (err) {
      last = err;
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  throw last;
}
