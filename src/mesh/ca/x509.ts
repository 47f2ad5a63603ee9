// @peculiar/x509 on Node's own webcrypto. The library resolves its ASN.1 schemas through tsyringe,
// which needs the reflect-metadata polyfill loaded first: every mesh module that touches X.509
// imports it from here, so the order is kept in one place.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as x509.CryptoProvider extends { set(value: infer C): unknown } ? C : never);

export { x509 };
export const subtle = webcrypto.subtle;
export type KeyPair = webcrypto.CryptoKeyPair;

/** ECDSA P-256 with SHA-256: what Istio's and Linkerd's workload certificates use. */
export const EC_ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export async function generateKeyPair(extractable: boolean): Promise<KeyPair> {
  return subtle.generateKey(EC_ALG, extractable, ['sign', 'verify']);
}

/** A private key as PKCS#8 PEM, the form node:tls takes. */
export async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await subtle.exportKey('pkcs8', key));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}
