// What the CA accepts in a CSR: a valid self-signature (the requester holds the key), an EC P-256
// key, and exactly one SAN, a URI equal to the SPIFFE ID that the requester's proven identity gives.
// Anything else (a DNS name, a second URI, another workload's ID) is refused, as istiod does.
import { x509, EC_ALG } from './x509.js';

export class CsrError extends Error {
  readonly code = 'ECSR';
}

export async function checkCsr(csrPem: string, expectedId: string): Promise<x509.Pkcs10CertificateRequest> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrPem);
  } catch (err) {
    throw new CsrError(`csr: not a PKCS#10 request (${(err as Error).message})`);
  }
  if (!(await csr.verify())) throw new CsrError('csr: its signature does not verify');
  const alg = csr.publicKey.algorithm as { name?: string; namedCurve?: string };
  if (alg.name !== 'ECDSA' || alg.namedCurve !== EC_ALG.namedCurve) throw new CsrError(`csr: key must be ECDSA ${EC_ALG.namedCurve}, got ${alg.name ?? '?'} ${alg.namedCurve ?? ''}`.trim());
  const san = csr.extensions.find((e): e is x509.SubjectAlternativeNameExtension => e instanceof x509.SubjectAlternativeNameExtension);
  const names = san?.names.items ?? [];
  if (names.length !== 1 || names[0].type !== 'url') throw new CsrError(`csr: needs exactly one URI SAN (${expectedId}), got ${names.map((n: x509.GeneralName) => `${n.type}:${n.value}`).join(', ') || 'none'}`);
  if (names[0].value !== expectedId) throw new CsrError(`csr: SAN ${names[0].value} is not the requester's identity ${expectedId}`);
  return csr;
}
