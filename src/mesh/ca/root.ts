// The mesh's root CA: a self-signed ECDSA P-256 certificate made per lab at start. Its key lives
// only in the CA process's memory (webcrypto, not extractable), so nothing on disk can sign.
import { randomBytes } from 'node:crypto';
import { x509, generateKeyPair, EC_ALG, type KeyPair } from './x509.js';

export interface CaRoot {
  cert: x509.X509Certificate;
  keys: KeyPair;
  pem: string;
}

export interface RootOptions {
  trustDomain: string;
  now: Date;
  /** Default 10 years, as istiod's self-signed root. */
  lifetimeSec?: number;
  /** Test seam; default 16 random bytes. */
  serial?: () => Buffer;
}

/** A positive 128-bit serial (RFC 5280 4.1.2.2: at most 20 octets, positive; CA/B wants 64+ random bits). */
export function randomSerial(): Buffer {
  const b = randomBytes(16);
  b[0] &= 0x7f;
  if (b[0] === 0) b[0] = 0x01;
  return b;
}

export async function createRoot(opts: RootOptions): Promise<CaRoot> {
  const keys = await generateKeyPair(false);
  const lifetime = opts.lifetimeSec ?? 10 * 365 * 24 * 3600;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: (opts.serial ?? randomSerial)().toString('hex'),
    name: `O=${opts.trustDomain}, CN=podnet mesh root ${opts.now.toISOString()}`,
    notBefore: opts.now,
    notAfter: new Date(opts.now.getTime() + lifetime * 1000),
    signingAlgorithm: EC_ALG,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys, pem: cert.toString('pem') };
}
