// The front door's hardening over real sockets: request smuggling, oversized headers and bodies,
// slow clients, malformed paths, garbage on the TLS port, upstreams that misbehave. After each
// case the proxy must still serve an ordinary request.
import assert from 'node:assert/strict';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { EchoHandle } from '../echo/echo-main.js';
import { cluster, echo, makeCerts, proxy, raw, route, table } from './proxy.test-util.js';
import type { ProxyServer } from './server.js';

const GET = 'GET /ok HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n';

describe('hardening', () => {
  let a: EchoHandle;
  let bad: http.Server;
  let p: ProxyServer;
  let port: number;
  let tlsPort: number;
  const stillServes = async () => assert.equal((await raw(port, GET)).status, 200);

  before(async () => {
    a = await echo('a');
    // An upstream that resets every connection after reading the request.
    bad = http.createServer((req) => req.socket.destroy());
    await new Promise<void>((r) => bad.listen(0, '127.0.0.1', r));
    const [cert] = makeCerts([{ name: 'ns/shop', hostnames: ['shop.example'] }]);
    const t = table(
      [route('r/reset', '/reset', [{ cluster: 'bad' }]), route('r', '/', [{ cluster: 'a' }])],
      [cluster('a', [a.ports.http]), cluster('bad', [(bad.address() as AddressInfo).port])],
      {
        extraListeners: [{ name: 'test/https', port: 443, protocol: 'HTTPS', tls: { certificates: [cert], defaultCertificate: 'ns/shop' }, virtualHosts: [{ hostname: '*', routes: [route('r', '/', [{ cluster: 'a' }])] }] }],
      },
    );
    const made = await proxy(t, { maxHeaderBytes: 4096, maxBodyBytes: 1000, headersTimeoutMs: 400, requestTimeoutMs: 1500 });
    p = made.proxy;
    port = made.port;
    tlsPort = made.portOf(443);
  });
  after(async () => {
    await p.close();
    await a.close();
    bad.closeAllConnections();
    bad.close();
  });

  it('Content-Length with Transfer-Encoding gets 400 and the connection closes', async () => {
    const r = await raw(port, 'POST /x HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: shop.example\r\n\r\n');
    assert.equal(r.status, 400);
    assert.ok(r.closed);
    assert.doesNotMatch(r.raw, /smuggled/);
    await stillServes();
  });

  it('differing Content-Lengths get 400', async () => {
    const r = await raw(port, 'POST /x HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde');
    assert.equal(r.status, 400);
    await stillServes();
  });

  it('oversized headers get 431 (HTTP/1.1 and HTTP/2)', async () => {
    const r = await raw(port, `GET / HTTP/1.1\r\nHost: shop.example\r\nX-Big: ${'a'.repeat(6000)}\r\n\r\n`);
    assert.equal(r.status, 431);
    const status = await new Promise<number>((resolve, reject) => {
      const s = http2.connect(`http://127.0.0.1:${port}`);
      s.on('error', reject);
      const req = s.request({ ':path': '/', ':authority': 'shop.example', 'x-big': 'b'.repeat(5000) });
      req.on('response', (h) => resolve(Number(h[':status'])));
      req.on('error', reject);
      req.on('close', () => s.close());
      req.resume();
    });
    assert.equal(status, 431);
    await stillServes();
  });

  it('oversized bodies get 413, by Content-Length and when chunked', async () => {
    const r = await raw(port, `POST /x HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 5000\r\n\r\n${'x'.repeat(5000)}`);
    assert.equal(r.status, 413);
    assert.match(r.body, /request body larger than 1000 bytes/);
    const chunk = 'y'.repeat(600);
    const c = await raw(port, `POST /x HTTP/1.1\r\nHost: shop.example\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n${chunk}\r\n258\r\n${chunk}\r\n0\r\n\r\n`);
    assert.equal(c.status, 413);
    const small = await raw(port, `POST /x HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n${chunk}\r\n0\r\n\r\n`);
    assert.equal(small.status, 200);
    await stillServes();
  });

  it('a client that sends its headers too slowly is cut off', async () => {
    // One header line every 300 ms against a 400 ms headers timeout: cut before the end.
    const parts = ['GET / HTTP/1.1\r\n', 'Host: shop.example\r\n', ...Array.from({ length: 12 }, (_, i) => `X-${i}: ${i}\r\n`), '\r\n'];
    const r = await raw(port, parts, 8000, 300);
    assert.ok(r.closed, 'connection should be closed by the proxy');
    assert.ok(r.sent < parts.length, `the client got to send all ${r.sent} parts`);
    assert.ok(r.status === 408 || r.status === 0, `status ${r.status}`);
    await stillServes();
  });

  it('a malformed path gets 400 naming it', async () => {
    const r = await raw(port, 'GET /a%zz HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n');
    assert.equal(r.status, 400);
    assert.match(r.body, /malformed percent-encoding/);
  });

  it('garbage on the TLS port is dropped; the TLS listener still serves', async () => {
    for (const junk of ['GET / HTTP/1.1\r\nHost: x\r\n\r\n', Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 1, 2, 3]), Buffer.alloc(3000, 0xab)]) {
      const r = await raw(tlsPort, junk, 2000);
      assert.ok(r.closed);
    }
    // A connection that never speaks is cut by the handshake timeout too (not waited for here).
    const idle = net.connect(tlsPort, '127.0.0.1');
    idle.on('error', () => undefined);
    const status = await new Promise<number>((resolve, reject) => {
      const s = http2.connect(`https://127.0.0.1:${tlsPort}`, { servername: 'shop.example', rejectUnauthorized: false });
      s.on('error', reject);
      const req = s.request({ ':path': '/', ':authority': 'shop.example' });
      req.on('response', (h) => resolve(Number(h[':status'])));
      req.on('close', () => s.close());
      req.resume();
    });
    idle.destroy();
    assert.equal(status, 200);
  });

  it('an upstream that resets gets 502 for that request only', async () => {
    const r = await raw(port, 'GET /reset HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n');
    assert.equal(r.status, 502);
    assert.match(r.body, /cluster bad endpoint 127\.0\.0\.1:\d+ reset the request/);
    await stillServes();
  });
});
