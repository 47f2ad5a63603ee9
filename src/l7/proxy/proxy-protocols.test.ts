// Protocols through the proxy on 127.0.0.1: HTTPS with SNI choosing the certificate and ALPN
// choosing h2 or HTTP/1.1, certificate changes without restart, h2c with prior knowledge (both
// to the proxy and to an h2c upstream), WebSocket upgrades, and `Upgrade: h2c` served as HTTP/1.1.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import WebSocket from 'ws';
import type { EchoHandle } from '../echo/echo-main.js';
import { cluster, echo, makeCerts, proxy, raw, route, table, type EchoJson, type TestCert } from './proxy.test-util.js';
import type { ProxyServer } from './server.js';

function h2get(url: string, path: string, opts: http2.SecureClientSessionOptions & { authority?: string } = {}): Promise<{ status: number; body: string; cert?: tls.PeerCertificate; alpn?: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, opts);
    session.on('error', reject);
    const req = session.request({ ':path': path, ':authority': opts.authority ?? opts.servername ?? 'shop.example' });
    let status = 0;
    let body = '';
    req.on('response', (h) => (status = Number(h[':status'])));
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('error', reject);
    req.on('end', () => {
      const sock = session.socket as tls.TLSSocket;
      const cert = typeof sock.getPeerCertificate === 'function' ? sock.getPeerCertificate() : undefined;
      const alpn = sock.alpnProtocol || undefined;
      session.close();
      resolve({ status, body, cert, alpn });
    });
  });
}

function httpsGet(port: number, servername: string, ca: string[]): Promise<{ status: number; body: string; alpn: string | false | null }> {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: '/', servername, ca, headers: { host: servername }, agent: false, ALPNProtocols: ['http/1.1'] } as https.RequestOptions, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, alpn: (res.socket as tls.TLSSocket).alpnProtocol }));
    });
    req.on('error', reject);
  });
}

describe('HTTPS: SNI and ALPN', () => {
  let a: EchoHandle;
  let p: ProxyServer;
  let port: number;
  let certs: TestCert[];
  before(async () => {
    a = await echo('a');
    certs = makeCerts([
      { name: 'ns/shop', hostnames: ['shop.example'] },
      { name: 'ns/wild', hostnames: ['*.b.example'] },
      { name: 'ns/shop-v2', hostnames: ['shop.example'] },
    ]);
    const t = table([route('r', '/', [{ cluster: 'a' }])], [cluster('a', [a.ports.http])], { host: '*', port: 443, https: certs.slice(0, 2) });
    const made = await proxy(t);
    p = made.proxy;
    port = made.port;
  });
  after(async () => {
    await p.close();
    await a.close();
  });

  it('h2 over TLS, the certificate chosen by SNI and verified by the client', async () => {
    const r = await h2get(`https://127.0.0.1:${port}`, '/x', { servername: 'shop.example', ca: [certs[0].certPem] });
    assert.equal(r.status, 200);
    assert.equal(r.alpn, 'h2');
    assert.match(r.cert?.subjectaltname ?? '', /DNS:shop\.example/);
    const j = JSON.parse(r.body) as EchoJson;
    assert.deepEqual(j.headers['X-Forwarded-Proto'], ['https']);
    assert.equal(j.host, 'shop.example');
    const w = await h2get(`https://127.0.0.1:${port}`, '/y', { servername: 'api.b.example', ca: [certs[1].certPem] });
    assert.equal(w.status, 200);
    assert.match(w.cert?.subjectaltname ?? '', /DNS:\*\.b\.example/);
  });

  it('HTTP/1.1 over TLS when the client offers only http/1.1', async () => {
    const r = await httpsGet(port, 'shop.example', [certs[0].certPem]);
    assert.equal(r.status, 200);
    assert.equal(r.alpn, 'http/1.1');
    assert.equal((JSON.parse(r.body) as EchoJson).proto, 'HTTP/1.1');
  });

  it('a name without a certificate (and no default) fails the handshake; the listener stays up', async () => {
    await assert.rejects(h2get(`https://127.0.0.1:${port}`, '/', { servername: 'other.example', rejectUnauthorized: false }));
    assert.equal((await httpsGet(port, 'shop.example', [certs[0].certPem])).status, 200);
  });

  it('a new certificate is served to new handshakes without a restart', async () => {
    const t = table([route('r', '/', [{ cluster: 'a' }])], [cluster('a', [a.ports.http])], { host: '*', port: 443, https: [certs[2], certs[1]] });
    await p.setTable(t);
    await assert.rejects(httpsGet(port, 'shop.example', [certs[0].certPem]), /self-signed|signature|unable to verify/);
    assert.equal((await httpsGet(port, 'shop.example', [certs[2].certPem])).status, 200);
  });
});

describe('h2c and WebSocket', () => {
  let a: EchoHandle;
  let p: ProxyServer;
  let port: number;
  before(async () => {
    a = await echo('a');
    const t = table(
      [route('r/h2c', '/h2c', [{ cluster: 'a-h2c' }]), route('r', '/', [{ cluster: 'a' }])],
      [cluster('a', [a.ports.http]), cluster('a-h2c', [a.ports.h2c], 'h2c')],
    );
    const made = await proxy(t);
    p = made.proxy;
    port = made.port;
  });
  after(async () => {
    await p.close();
    await a.close();
  });

  it('h2c with prior knowledge on the plain port, to HTTP/1.1 and to h2c upstreams', async () => {
    const r = await h2get(`http://127.0.0.1:${port}`, '/plain');
    assert.equal(r.status, 200);
    assert.equal((JSON.parse(r.body) as EchoJson).proto, 'HTTP/1.1');
    const h = await h2get(`http://127.0.0.1:${port}`, '/h2c/x');
    assert.equal(h.status, 200);
    const j = JSON.parse(h.body) as EchoJson;
    assert.equal(j.proto, 'HTTP/2.0');
    assert.equal(j.host, 'shop.example');
  });

  it('forwards an HTTP/2 request body to an HTTP/1.1 upstream', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const session = http2.connect(`http://127.0.0.1:${port}`);
      session.on('error', reject);
      const req = session.request({ ':method': 'POST', ':path': '/post', ':authority': 'shop.example', 'content-type': 'text/plain' });
      let st = 0;
      let text = '';
      req.on('response', (h) => (st = Number(h[':status'])));
      req.setEncoding('utf8');
      req.on('data', (c: string) => (text += c));
      req.on('error', reject);
      req.on('end', () => (session.close(), resolve({ status: st, body: text })));
      req.end('x'.repeat(5000));
    });
    assert.equal(status, 200);
    const j = JSON.parse(body) as EchoJson;
    assert.equal(j.method, 'POST');
    assert.equal(j.path, '/post');
  });

  it('serves `Upgrade: h2c` requests as HTTP/1.1', async () => {
    const r = await raw(port, 'GET /up HTTP/1.1\r\nHost: shop.example\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n');
    assert.equal(r.status, 200);
    const j = JSON.parse(r.body.slice(r.body.indexOf('{'), r.body.lastIndexOf('}') + 1)) as EchoJson;
    assert.equal(j.headers['Upgrade'], undefined);
    assert.equal(j.headers['Http2-Settings'], undefined);
  });

  it('passes WebSocket upgrades through to the pooled upstream and echoes messages', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { host: 'shop.example' } });
    const got: string[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('error', reject);
      ws.on('open', () => {
        ws.send('hello');
        ws.send('world');
      });
      ws.on('message', (m) => {
        got.push(m.toString());
        if (got.length === 2) resolve();
      });
    });
    ws.close();
    assert.deepEqual(got, ['hello', 'world']);
  });
});
