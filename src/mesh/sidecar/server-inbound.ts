// Inbound: connections redirected to INBOUND_PORT. A TLS hello offering the mesh ALPN is a peer
// sidecar: terminate mTLS (client certificate required, chained to the bundle), record the peer's
// SPIFFE ID, then connect to the app at the original destination (the pod's own address, as
// Istio does since 1.10, so apps bound to the pod IP work). Anything else is plain text from an
// unmeshed client: passed through in PERMISSIVE, closed in STRICT.
import net from 'node:net';
import tls from 'node:tls';
import { Duplex } from 'node:stream';
import { originalDst, socketFd, type OriginalDst } from '../../sys/sockopt.js';
import { INBOUND_PORT, MESH_ALPN } from '../ports.js';
import { sniff, SNIFF_LIMIT } from './sniff.js';
import { spiffeOf, type ContextCache } from './mtls.js';
import { relay } from './relay.js';
import type { Identity } from './identity.js';

export type PeerMode = 'PERMISSIVE' | 'STRICT';

export interface InboundEvent {
  dst: OriginalDst;
  source: string;
  /** The client's SPIFFE ID over mTLS; undefined for plain text. */
  peer?: string;
  outcome: 'mtls' | 'plaintext' | 'refused';
  reason?: string;
}

export interface InboundDeps {
  identity(): Identity | undefined;
  contexts: ContextCache;
  mode(): PeerMode;
  log(e: InboundEvent): void;
  /** How a stream reaches the app; default: opaque TCP to the original destination. The L7 hook. */
  toApp?(down: Duplex, dst: OriginalDst, peer: string | undefined): void;
}

/** A stream that yields `head` first, then the socket's bytes: bytes read to sniff are not lost. */
function withHead(socket: net.Socket, head: Buffer): Duplex {
  const d = new Duplex({
    read: () => void socket.resume(),
    write: (chunk: Buffer, _enc, cb) => void socket.write(chunk, cb),
    final: (cb) => { socket.end(); cb(); },
    destroy: (err, cb) => { socket.destroy(err ?? undefined); cb(err); },
  });
  d.push(head);
  socket.on('data', (c: Buffer) => { if (!d.push(c)) socket.pause(); });
  socket.on('end', () => d.push(null));
  socket.on('error', (e) => d.destroy(e));
  return d;
}

function opaque(down: Duplex, dst: OriginalDst): void {
  const app = net.connect({ host: dst.address, port: dst.port, allowHalfOpen: true });
  relay(down, app);
}

function handle(deps: InboundDeps, socket: net.Socket, family: 4 | 6): void {
  let dst: OriginalDst;
  try {
    dst = originalDst(socketFd(socket), family);
  } catch {
    socket.destroy(); // not redirected: someone called the port directly
    return;
  }
  const source = socket.remoteAddress ?? '?';
  const toApp = deps.toApp ?? opaque;
  let buf = Buffer.alloc(0);
  const onData = (c: Buffer) => {
    buf = Buffer.concat([buf, c]);
    const s = sniff(buf);
    if (s.kind === 'more' && buf.length < SNIFF_LIMIT) return;
    socket.off('data', onData);
    socket.pause();
    const meshHello = s.kind === 'tls' && s.alpn.some((p) => p === MESH_ALPN || p.startsWith(`${MESH_ALPN}/`));
    if (!meshHello) {
      if (deps.mode() === 'STRICT') {
        deps.log({ dst, source, outcome: 'refused', reason: 'plain text in STRICT mode' });
        return void socket.destroy();
      }
      deps.log({ dst, source, outcome: 'plaintext' });
      return toApp(withHead(socket, buf), dst, undefined);
    }
    const id = deps.identity();
    if (!id) {
      deps.log({ dst, source, outcome: 'refused', reason: 'no workload certificate' });
      return void socket.destroy();
    }
    const tlsSocket = new tls.TLSSocket(withHead(socket, buf), {
      isServer: true, secureContext: deps.contexts.get(id), requestCert: true, rejectUnauthorized: true, ALPNProtocols: [MESH_ALPN],
    });
    tlsSocket.on('error', (err) => {
      deps.log({ dst, source, outcome: 'refused', reason: err.message });
      socket.destroy();
    });
    tlsSocket.on('secure', () => {
      const peer = spiffeOf(tlsSocket.getPeerCertificate());
      if (!peer) {
        deps.log({ dst, source, outcome: 'refused', reason: 'client certificate without a SPIFFE ID' });
        return void tlsSocket.destroy();
      }
      deps.log({ dst, source, peer, outcome: 'mtls' });
      toApp(tlsSocket, dst, peer);
    });
  };
  socket.on('data', onData);
  socket.on('error', () => socket.destroy());
}

/** Listens on INBOUND_PORT for IPv4 and IPv6 (separate sockets: SO_ORIGINAL_DST is per family). */
export async function startInbound(deps: InboundDeps, port = INBOUND_PORT): Promise<net.Server[]> {
  const listen = (host: string, family: 4 | 6) =>
    new Promise<net.Server>((resolve, reject) => {
      const s = net.createServer({ allowHalfOpen: true }, (c) => handle(deps, c, family));
      s.once('error', reject).listen({ host, port, ipv6Only: family === 6 }, () => resolve(s));
    });
  return Promise.all([listen('0.0.0.0', 4), listen('::', 6)]);
}
