import { test } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { sniff } from './sniff.js';

/** The ClientHello node:tls really sends with these ALPN protocols (captured on a raw TCP server). */
async function clientHello(ALPNProtocols?: string[]): Promise<Buffer> {
  let resolveHello: (b: Buffer) => void = () => undefined;
  const hello = new Promise<Buffer>((r) => (resolveHello = r));
  const server = createServer((s: Socket) => s.once('data', (d: Buffer) => { resolveHello(d); s.destroy(); }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const c = tls.connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', ALPNProtocols, servername: 'x.example' });
  c.on('error', () => undefined);
  const b = await hello;
  c.destroy();
  server.close();
  return b;
}

test('a real ClientHello: its ALPN list is read; partial hellos ask for more', async () => {
  const h = await clientHello(['podnet-mesh', 'http/1.1']);
  assert.deepEqual(sniff(h), { kind: 'tls', alpn: ['podnet-mesh', 'http/1.1'] });
  assert.deepEqual(sniff(h.subarray(0, 3)), { kind: 'more' });
  assert.deepEqual(sniff(h.subarray(0, 40)), { kind: 'more' });
  assert.deepEqual(sniff(await clientHello()), { kind: 'tls', alpn: [] });
});

test('plain text and other first bytes are plain', () => {
  assert.deepEqual(sniff(Buffer.from('GET / HTTP/1.1\r\n')), { kind: 'plain' });
  assert.deepEqual(sniff(Buffer.from([0x16, 0x01, 0x00])), { kind: 'plain' });
  assert.deepEqual(sniff(Buffer.alloc(0)), { kind: 'more' });
});
