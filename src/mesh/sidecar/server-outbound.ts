// Outbound: the app's connections redirected to OUTBOUND_PORT. The original destination
// (SO_ORIGINAL_DST) decides: a meshed pod's address gets mTLS to that same address and port (its
// own capture hands it to its sidecar), with the peer's SPIFFE ID checked against the identity
// the destination pod has; anything else gets plain TCP, so meshed pods still reach the rest.
// Without a certificate a meshed destination is refused, never sent plain text (fails closed).
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { originalDst, socketFd, type OriginalDst } from '../../sys/sockopt.js';
import { OUTBOUND_PORT } from '../ports.js';
import { clientOptions, type ContextCache } from './mtls.js';
import { relay } from './relay.js';
import type { Identity } from './identity.js';

export interface OutboundEvent {
  dst: OriginalDst;
  outcome: 'mtls' | 'passthrough' | 'refused';
  peer?: string;
  reason?: string;
}

export interface OutboundDeps {
  identity(): Identity | undefined;
  contexts: ContextCache;
  /** The SPIFFE ID of the meshed pod at this address, or undefined when it is not meshed. */
  peerAt(address: string): string | undefined;
  log(e: OutboundEvent): void;
  /** How an app stream reaches a meshed destination; default: opaque TCP inside mTLS. The L7 hook. */
  toPeer?(app: Duplex, upstream: tls.TLSSocket, dst: OriginalDst): void;
}

function handle(deps: OutboundDeps, app: net.Socket, family: 4 | 6): void {
  let dst: OriginalDst;
  try {
    dst = originalDst(socketFd(app), family);
  } catch {
    app.destroy();
    return;
  }
  app.on('error', () => app.destroy());
  const expected = deps.peerAt(dst.address);
  if (expected === undefined) {
    deps.log({ dst, outcome: 'passthrough' });
    return relay(app, net.connect({ host: dst.address, port: dst.port, allowHalfOpen: true }));
  }
  const id = deps.identity();
  if (!id) {
    deps.log({ dst, outcome: 'refused', reason: 'no workload certificate' });
    return void app.destroy();
  }
  app.pause();
  const up = tls.connect(clientOptions(deps.contexts.get(id), dst.address, dst.port, expected));
  let secured = false;
  up.once('secureConnect', () => {
    secured = true;
    deps.log({ dst, outcome: 'mtls', peer: expected });
    if (deps.toPeer) deps.toPeer(app, up, dst);
    else relay(app, up);
    app.resume();
  });
  up.once('error', (err) => {
    if (secured) return; // the relay tears both down
    deps.log({ dst, outcome: 'refused', peer: expected, reason: err.message });
    app.destroy();
  });
}

export async function startOutbound(deps: OutboundDeps, port = OUTBOUND_PORT): Promise<net.Server[]> {
  const listen = (host: string, family: 4 | 6) =>
    new Promise<net.Server>((resolve, reject) => {
      const s = net.createServer({ allowHalfOpen: true }, (c) => handle(deps, c, family));
      s.once('error', reject).listen({ host, port, ipv6Only: family === 6 }, () => resolve(s));
    });
  return Promise.all([listen('0.0.0.0', 4), listen('::', 6)]);
}
