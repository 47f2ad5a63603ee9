// The sockets the DNS server uses towards its upstreams (the real UpstreamTransport). It is named
// server-* because it is part of the server and owns sockets, which the lint rule admits only there.
//
// UDP uses a fresh socket per exchange: the kernel picks a random source port, which together with
// the random query ID is the usual defence against off-path forgery (RFC 5452 §9.2).
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import type { Upstream, UpstreamTransport } from './forward.js';
import { frame, TcpFramer } from './wire.js';

function udpExchange(upstream: Upstream, msg: Buffer, timeoutMs: number, accept: (reply: Buffer) => boolean): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(net.isIPv6(upstream.host) ? 'udp6' : 'udp4');
    let done = false;
    const finish = (err: Error | undefined, reply?: Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(reply);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    sock.on('error', (err) => finish(err));
    sock.on('message', (reply) => {
      if (accept(reply)) finish(undefined, reply);
    });
    // A connected socket receives only from the upstream's address and port (RFC 5452 §4.3 asks us to
    // check both), and the kernel reports ICMP port unreachable as ECONNREFUSED instead of silence.
    sock.connect(upstream.port, upstream.host, () => {
      sock.send(msg, (err) => { if (err) finish(err); });
    });
  });
}

function tcpExchange(upstream: Upstream, msg: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: upstream.host, port: upstream.port });
    const framer = new TcpFramer();
    let done = false;
    const finish = (err: Error | undefined, reply?: Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(reply);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    sock.on('error', (err) => finish(err));
    sock.on('connect', () => sock.write(frame(msg)));
    sock.on('data', (chunk: Buffer) => {
      const [reply] = framer.push(chunk);
      if (reply) finish(undefined, Buffer.from(reply));
    });
    sock.on('end', () => finish(new Error(`upstream ${upstream.host}:${upstream.port} closed the TCP connection before replying`)));
  });
}

export const socketTransport: UpstreamTransport = { udp: udpExchange, tcp: tcpExchange };
