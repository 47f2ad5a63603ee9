// Workload certificates: short-lived leaves whose only name is the SPIFFE ID (URI SAN, critical
// since the subject is empty: X.509-SVID spec section 4.1 / RFC 5280 4.2.1.6), usable as TLS
// server and client, signed by the active root.
import { x509, EC_ALG } from './x509.js';
import { checkCsr } from './csr-check.js';
import { randomSerial, type CaRoot } from './root.js';

export const DEFAULT_LIFETIME_SEC = 24 * 3600;

export interface SignOptions {
  now: Date;
  lifetimeSec?: number;
  serial?: () => Buffer;
}

export interface IssuedCert {
  certPem: string;
  serial: string;
  notBefore: Date;
  notAfter: Date;
}

export async function signWorkload(root: CaRoot, csrPem: string, expectedId: string, opts: SignOptions): Promise<IssuedCert> {
  const csr = await checkCsr(csrPem, expectedId);
  const lifetime = opts.lifetimeSec ?? DEFAULT_LIFETIME_SEC;
  const notBefore = opts.now;
  const notAfter = new Date(opts.now.getTime() + lifetime * 1000);
  const serial = (opts.serial ?? randomSerial)().toString('hex');
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: '',
    issuer: root.cert.subject,
    notBefore,
    notAfter,
    signingAlgorithm: EC_ALG,
    publicKey: csr.publicKey,
    signingKey: root.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: expectedId }], true),
      await x509.AuthorityKeyIdentifierExtension.create(root.keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), serial, notBefore, notAfter };
}
