import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { MeshCa } from './ca.js';
import { createCsr } from './csr.js';
import { CsrError } from './csr-check.js';
import { x509 } from './x509.js';
import { parseSpiffeId, principal, spiffeId } from './spiffe.js';

const who = { namespace: 'shop', serviceAccount: 'web' };
const ID = 'spiffe://cluster.local/ns/shop/sa/web';

test('spiffe ids: format, parse, principal', () => {
  assert.equal(spiffeId({ trustDomain: 'cluster.local', ...who }), ID);
  assert.deepEqual(parseSpiffeId(ID), { trustDomain: 'cluster.local', ...who });
  assert.equal(parseSpiffeId('spiffe://cluster.local/ns/shop'), undefined);
  assert.equal(parseSpiffeId('https://cluster.local/ns/a/sa/b'), undefined);
  assert.equal(principal({ trustDomain: 'cluster.local', ...who }), 'cluster.local/ns/shop/sa/web');
});

test('a CSR for the proven identity becomes a short-lived leaf with the SPIFFE URI SAN, chained to the root', async () => {
  let t = Date.parse('2026-12-04T12:00:00Z');
  const ca = await MeshCa.create({ leafLifetimeSec: 30, now: () => new Date(t) });
  const { csrPem } = await createCsr(ID);
  const issued = await ca.sign(csrPem, who);
  const leaf = new X509Certificate(issued.certPem);
  assert.equal(leaf.subjectAltName, `URI:${ID}`);
  assert.equal(leaf.ca, false);
  assert.equal(Date.parse(leaf.validTo) - Date.parse(leaf.validFrom), 30_000);
  assert.equal(issued.bundle.length, 1);
  assert.ok(leaf.verify(new X509Certificate(issued.bundle[0]).publicKey), 'signed by the bundle root');
  assert.ok(new X509Certificate(issued.bundle[0]).ca);
  const eku = new x509.X509Certificate(issued.certPem).getExtension(x509.ExtendedKeyUsageExtension);
  assert.deepEqual([...(eku?.usages ?? [])], [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]);
  t += 1000;
  const again = await ca.sign(csrPem, who);
  assert.notEqual(again.serial, issued.serial, 'serials are random');
  assert.match(issued.serial, /^[0-7][0-9a-f]{31}$/, '128-bit positive serial');
});

test('a CSR naming another workload, a DNS name or two names is refused, with the reason', async () => {
  const ca = await MeshCa.create();
  const other = await createCsr('spiffe://cluster.local/ns/shop/sa/admin');
  await assert.rejects(ca.sign(other.csrPem, who), (e: unknown) => e instanceof CsrError && /sa\/admin is not the requester's identity spiffe:\/\/cluster.local\/ns\/shop\/sa\/web/.test(e.message));
  await assert.rejects(ca.sign('garbage', who), /not a PKCS#10 request/);
  const keys = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
  const two = await x509.Pkcs10CertificateRequestGenerator.create({
    keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: ID }, { type: 'dns', value: 'web.shop' }])],
  });
  await assert.rejects(ca.sign(two.toString('pem'), who), /exactly one URI SAN/);
  const rsa = await crypto.subtle.generateKey({ name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, false, ['sign', 'verify']);
  const rsaCsr = await x509.Pkcs10CertificateRequestGenerator.create({ keys: rsa, signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'url', value: ID }])] });
  await assert.rejects(ca.sign(rsaCsr.toString('pem'), who), /key must be ECDSA P-256/);
});

test('a CSR whose signature does not match its content is refused', async () => {
  const ca = await MeshCa.create();
  const { csrPem } = await createCsr(ID);
  const der = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - 5] ^= 0x01; // inside the signature value
  const bad = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
  await assert.rejects(ca.sign(bad, who), CsrError);
});

test('root rotation: new root trusted first, signs after one leaf lifetime, old root retired after two', async () => {
  let t = Date.parse('2026-12-04T12:00:00Z');
  const ca = await MeshCa.create({ leafLifetimeSec: 60, now: () => new Date(t) });
  const [oldRoot] = ca.bundle();
  const { csrPem } = await createCsr(ID);
  await ca.rotateRoot();
  assert.equal(ca.bundle().length, 2, 'both trusted during the overlap');
  const newRoot = ca.bundle()[1];
  const issuer = async () => {
    const leaf = new X509Certificate((await ca.sign(csrPem, who)).certPem);
    return leaf.verify(new X509Certificate(newRoot).publicKey) ? 'new' : leaf.verify(new X509Certificate(oldRoot).publicKey) ? 'old' : 'none';
  };
  assert.equal(await issuer(), 'old', 'nobody trusts the new root yet');
  t += 59_000;
  assert.equal(await issuer(), 'old');
  t += 1000;
  assert.equal(await issuer(), 'new');
  assert.equal(ca.bundle().length, 2, 'old leaves are still valid');
  t += 60_000;
  assert.deepEqual(ca.bundle(), [newRoot]);
  assert.equal(await issuer(), 'new');
});

test('lifetime below a second is refused', async () => {
  await assert.rejects(MeshCa.create({ leafLifetimeSec: 0 }), /at least 1/);
});
