// TLS settings between sidecars: the workload certificate both ways, trust in the mesh bundle
// only, and the peer named by its SPIFFE URI SAN rather than a hostname (X.509-SVID section 5).
import tls from 'node:tls';
import { MESH_ALPN } from '../ports.js';
import type { Identity } from './identity.js';

/** The SPIFFE ID in a peer certificate's SAN (exactly one URI SAN), or undefined. */
export function spiffeOf(cert: { subjectaltname?: string } | undefined): string | undefined {
  const uris = (cert?.subjectaltname ?? '').split(', ').filter((s) => s.startsWith('URI:')).map((s) => s.slice(4));
  return uris.length === 1 && uris[0].startsWith('spiffe://') ? uris[0] : undefined;
}

/** One secure context per certificate, made when it changes, so every handshake uses the newest. */
export class ContextCache {
  private made: { cert: string; ctx: tls.SecureContext } | undefined;

  get(id: Identity): tls.SecureContext {
    if (this.made?.cert !== id.certPem) {
      this.made = { cert: id.certPem, ctx: tls.createSecureContext({ cert: id.certPem, key: id.keyPem, ca: id.bundle, minVersion: 'TLSv1.3' }) };
    }
    return this.made.ctx;
  }
}

/** Client options to reach the sidecar of `expected` at address:port. */
export function clientOptions(ctx: tls.SecureContext, address: string, port: number, expected: string): tls.ConnectionOptions {
  return {
    host: address,
    port,
    secureContext: ctx,
    ALPNProtocols: [MESH_ALPN],
    // Not a hostname check: the peer must be the workload the destination address belongs to.
    checkServerIdentity: (_host, cert) => {
      const got = spiffeOf(cert);
      return got === expected ? undefined : new Error(`peer identity ${got ?? '(none)'} is not ${expected}`);
    },
  };
}
