// The cluster DNS server: UDP and TCP on one address and port, answering from a Zone that can be
// swapped atomically (a reference assignment; a query sees either the old zone or the new one).
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Packet } from 'dns-packet';
import { answer, errorResponse, isForward, RCODE, type AnswerOptions } from './answer.js';
import { encodeResponse, formErrFromHeader, frame, TcpFramer, udpLimit } from './wire.js';
import type { Zone } from './zone.js';

export interface DnsServerOptions {
  host: string;
  /** 0 picks an ephemeral port; UDP and TCP then share the one UDP got. */
  port: number;
  zone: Zone;
  answer?: AnswerOptions;
  /** Our EDNS0 UDP payload size, advertised and used as a cap. Default 1232. */
  udpPayloadSize?: number;
  /** Resolves names outside the zone. Without it they get REFUSED (as CoreDNS with no matching block). */
  forward?: (query: Packet) => Promise<Packet>;
  /** Idle TCP connections are closed after this long (RFC 7766 §6.2.3). Default 10 s. */
  tcpIdleTimeoutMs?: number;
  onError?: (err: unknown) => void;
}

export interface DnsServer {
  readonly host: string;
  readonly port: number;
  setZone(zone: Zone): void;
  close(): Promise<void>;
}

type Transport = 'udp' | 'tcp';

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  let zone = opts.zone;
  const udpPayloadSize = opts.udpPayloadSize ?? 1232;
  const answerOpts: AnswerOptions = { ...opts.answer, udpPayloadSize };
  const onError = opts.onError ?? (() => undefined);

  // Returns the encoded reply, or undefined to drop the message.
  async function handle(msg: Buffer, transport: Transport): Promise<Buffer | undefined> {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return formErrFromHeader(msg);
    }
    if (query.type === 'response') return undefined;
    let res: Packet;
    try {
      const r = answer(zone, query, answerOpts);
      if (!isForward(r)) res = r;
      else if (opts.forward) res = { ...(await opts.forward(query)), id: query.id };
      else res = errorResponse(query, RCODE.REFUSED, answerOpts);
    } catch (err) {
      onError(err);
      res = errorResponse(query, RCODE.SERVFAIL, answerOpts);
    }
    const limit = transport === 'udp' ? udpLimit(query, udpPayloadSize) : 0xffff;
    return encodeResponse(res, limit);
  }

  const udp = dgram.createSocket(opts.host.includes(':') ? 'udp6' : 'udp4');
  const tcpSockets = new Set<net.Socket>();
  const tcp = net.createServer((sock) => {
    tcpSockets.add(sock);
    sock.setTimeout(opts.tcpIdleTimeoutMs ?? 10_000, () => sock.destroy());
    sock.on('close', () => tcpSockets.delete(sock));
    sock.on('error', onError);
    const framer = new TcpFramer();
    sock.on('data', (chunk: Buffer) => {
      for (const msg of framer.push(chunk)) {
        handle(msg, 'tcp').then(
          (out) => {
            if (out && !sock.destroyed) sock.write(frame(out));
            // A message we cannot even answer with FORMERR leaves the stream unframed: close it.
            else if (!out) sock.destroy();
          },
          (err: unknown) => onError(err),
        );
      }
    });
  });
  tcp.on('error', onError);

  udp.on('message', (msg, rinfo) => {
    handle(msg, 'udp').then(
      (out) => {
        if (out) udp.send(out, rinfo.port, rinfo.address, (err) => { if (err) onError(err); });
      },
      (err: unknown) => onError(err),
    );
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
      tcp.listen(port, opts.host, () => {
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
