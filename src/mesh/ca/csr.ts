// The workload side of issuance: a fresh key made in the pod (the sidecar's memory) and a CSR
// naming the workload's SPIFFE ID. Only the CSR leaves; the key stays for node:tls.
import { x509, EC_ALG, generateKeyPair, privateKeyPem } from './x509.js';

export interface KeyAndCsr {
  keyPem: string;
  csrPem: string;
}

export async function createCsr(spiffe: string): Promise<KeyAndCsr> {
  const keys = await generateKeyPair(true);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    keys,
    signingAlgorithm: EC_ALG,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: spiffe }], true)],
  });
  return { keyPem: await privateKeyPem(keys.privateKey), csrPem: csr.toString('pem') };
}
