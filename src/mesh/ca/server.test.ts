import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { MeshCa } from './ca.js';
import { createCsr } from './csr.js';
import { startCaServer } from './server.js';
import { fetchPeers, requestCertificate } from '../sidecar/ca-client.js';

test('the CA endpoint signs for the identity of the calling process (SO_PEERCRED), and refuses others with the reason', async () => {
  const dir = mkdtempSync(`${tmpdir()}/podnet-ca-`);
  const socket = `${dir}/ca.sock`;
  const seen: number[] = [];
  let allowed = true;
  const server = await startCaServer(socket, {
    ca: await MeshCa.create({ leafLifetimeSec: 60 }),
    identify: (pid) => {
      seen.push(pid);
      return allowed ? { namespace: 'shop', serviceAccount: 'web' } : `process ${pid} is not in a meshed pod's network namespace`;
    },
    peers: () => ({ '10.244.1.5': 'spiffe://cluster.local/ns/shop/sa/web' }),
  });
  try {
    const { csrPem } = await createCsr('spiffe://cluster.local/ns/shop/sa/web');
    const issued = await requestCertificate(socket, csrPem);
    assert.deepEqual(seen, [process.pid], 'the kernel named this process as the caller');
    assert.equal(new X509Certificate(issued.certPem).subjectAltName, 'URI:spiffe://cluster.local/ns/shop/sa/web');
    assert.equal(Date.parse(issued.notAfter) - Date.parse(issued.notBefore), 60_000);
    const other = await createCsr('spiffe://cluster.local/ns/shop/sa/admin');
    await assert.rejects(requestCertificate(socket, other.csrPem), /HTTP 403.*not the requester's identity/);
    allowed = false;
    await assert.rejects(requestCertificate(socket, csrPem), new RegExp(`HTTP 403\\): process ${process.pid} is not in a meshed pod`));
    assert.deepEqual(await fetchPeers(socket), { '10.244.1.5': 'spiffe://cluster.local/ns/shop/sa/web' });
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
