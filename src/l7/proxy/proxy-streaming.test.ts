// Response bodies on the dispatch path (upstream-body.ts): a large body streamed to a slow reader
// arrives whole (backpressure pauses the upstream instead of buffering), an upstream that dies
// mid-body breaks the client's response instead of ending it as if complete, and a client that
// goes away mid-body makes the proxy drop its upstream request.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { cluster, proxy, raw, route, table } from './proxy.test-util.js';
import type { ProxyServer } from './server.js';

const CHUNK = Buffer.alloc(64 * 1024, 'x');
const BIG_CHUNKS = 128; // 8 MiB

describe('response bodies through dispatch', () => {
  let up: http.Server;
  let p: ProxyServer;
  let port: number;
  let upstreamClosedEarly: Promise<void> = Promise.resolve();

  before(async () => {
    up = http.createServer((req, res) => {
      if (req.url === '/big') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        let i = 0;
        const more = () => {
          while (i < BIG_CHUNKS) {
            i++;
            if (!res.write(CHUNK)) return void res.once('drain', more);
          }
          res.end();
        };
        more();
      } else if (req.url === '/dies') {
        res.writeHead(200, { 'content-length': '1000' });
        res.write('partial');
        setTimeout(() => req.socket.destroy(), 50);
      } else if (req.url === '/endless') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const timer = setInterval(() => res.write('tick\n'), 10);
        upstreamClosedEarly = new Promise((resolve) => res.on('close', () => (clearInterval(timer), resolve())));
      } else res.end('ok\n');
    });
    await new Promise<void>((r) => up.listen(0, '127.0.0.1', r));
    const made = await proxy(table([route('r', '/', [{ cluster: 'up' }])], [cluster('up', [(up.address() as AddressInfo).port])]));
    p = made.proxy;
    port = made.port;
  });
  after(async () => {
    await p.close();
    up.closeAllConnections();
    up.close();
  });

  it('streams 8 MiB to a slow reader intact', async () => {
    const hash = createHash('sha256');
    let n = 0;
    await new Promise<void>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/big', headers: { host: 'a.example' }, agent: false }, (res) => {
        assert.equal(res.statusCode, 200);
        res.on('data', (c: Buffer) => {
          n += c.length;
          hash.update(c);
          // A slow reader: pause now and then so the proxy's writes back up.
          if (n % (1024 * 1024) < c.length) {
            res.pause();
            setTimeout(() => res.resume(), 20);
          }
        });
        res.on('end', resolve);
        res.on('error', reject);
      }).on('error', reject);
    });
    const want = createHash('sha256');
    for (let i = 0; i < BIG_CHUNKS; i++) want.update(CHUNK);
    assert.equal(n, BIG_CHUNKS * CHUNK.length);
    assert.equal(hash.digest('hex'), want.digest('hex'));
  });

  it('an upstream that dies mid-body breaks the response (never a short body that looks whole)', async () => {
    const r = await raw(port, 'GET /dies HTTP/1.1\r\nHost: a.example\r\n\r\n', 3000);
    assert.equal(r.status, 200);
    assert.ok(r.closed, 'the connection is closed');
    assert.ok(r.body.length < 1000, `body of ${r.body.length} bytes`);
    assert.equal((await raw(port, 'GET /ok HTTP/1.1\r\nHost: a.example\r\nConnection: close\r\n\r\n')).status, 200);
  });

  it('a client that goes away mid-body makes the proxy drop the upstream request', async () => {
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/endless', headers: { host: 'a.example' }, agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      setTimeout(() => reject(new Error('no body from /endless')), 3000);
    });
    const closed = await Promise.race([upstreamClosedEarly.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
    assert.ok(closed, 'the upstream response was closed after the client left');
  });
});
