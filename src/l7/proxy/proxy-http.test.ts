// The proxy over real sockets on 127.0.0.1: routing, forwarding headers, keep-alive pools,
// balancing, failures, timeouts, retries, filters, access log, metrics and table swaps.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Pool } from 'undici';
import type { EchoHandle } from '../echo/echo-main.js';
import { startAdminServer } from './admin-server.js';
import { cluster, echo, proxy, raw, route, table, type EchoJson } from './proxy.test-util.js';
import type { ProxyServer } from './server.js';

async function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const c = new Pool(`http://127.0.0.1:${port}`);
  try {
    const r = await c.request({ path, method: method as 'GET', headers: { host: 'shop.example', ...headers } });
    return { status: r.statusCode, headers: r.headers, text: await r.body.text() };
  } finally {
    await c.close();
  }
}

/** An upstream that counts connections and requests and answers with a status of our choosing. */
async function counting(status: (n: number) => number = () => 200): Promise<{ port: number; conns: () => number; reqs: () => number; paths: string[]; close: () => Promise<void> }> {
  let conns = 0;
  let reqs = 0;
  const paths: string[] = [];
  const s = http.createServer((req, res) => {
    reqs++;
    paths.push(req.url ?? '');
    res.writeHead(status(reqs), { 'content-type': 'text/plain' }).end(`n=${reqs}`);
  });
  s.on('connection', () => conns++);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { port: (s.address() as AddressInfo).port, conns: () => conns, reqs: () => reqs, paths, close: () => new Promise((r) => (s.closeAllConnections(), s.close(() => r()))) };
}

describe('HTTP/1.1 proxying', () => {
  let a: EchoHandle, b: EchoHandle;
  let p: ProxyServer, port: number, logs: string[];
  before(async () => {
    a = await echo('a');
    b = await echo('b');
    const t = table(
      [route('r/api', '/api', [{ cluster: 'api' }]), route('r/empty', '/empty', [{ cluster: 'none' }]), route('r/zero', '/zero', [{ cluster: 'api', weight: 0 }]), route('r/root', '/', [{ cluster: 'web' }])],
      [cluster('api', [a.ports.http]), cluster('web', [b.ports.http]), cluster('none', [])],
      { host: 'shop.example' },
    );
    const made = await proxy(t);
    p = made.proxy;
    port = made.port;
    logs = made.logs;
  });
  after(async () => {
    await p.close();
    await a.close();
    await b.close();
  });

  it('routes by path and forwards the normalised path, Host, X-Forwarded-* and traceparent', async () => {
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    // A raw client: undici would not send a Connection header naming another header.
    const r = await raw(port, `GET /public/../api/x%2Fy?q=1 HTTP/1.1\r\nHost: shop.example\r\ntraceparent: ${tp}\r\nX-Forwarded-For: 192.0.2.1\r\nConnection: close, X-Secret\r\nX-Secret: s\r\nKeep-Alive: 5\r\n\r\n`);
    assert.equal(r.status, 200);
    const j = JSON.parse(r.body) as EchoJson;
    assert.equal(j.pod, 'a');
    assert.equal(j.path, '/api/x%2Fy?q=1');
    assert.equal(j.host, 'shop.example');
    assert.deepEqual(j.headers['Traceparent'], [tp]);
    assert.deepEqual(j.headers['X-Forwarded-For'], ['192.0.2.1, 127.0.0.1']);
    assert.deepEqual(j.headers['X-Forwarded-Proto'], ['http']);
    assert.deepEqual(j.headers['X-Forwarded-Host'], ['shop.example']);
    assert.equal(j.headers['X-Secret'], undefined);
    assert.equal(j.headers['Keep-Alive'], undefined);
    // The client's Connection header stays on its hop; the pool's own hop says keep-alive.
    assert.deepEqual(j.headers['Connection'], ['keep-alive']);
    assert.equal(JSON.parse((await get(port, '/other')).text).pod, 'b');
  });

  it('says what was missing: 404 host, 404 path, 503 endpoints, 500 backends', async () => {
    const noHost = await get(port, '/', { host: 'nope.example:8080' });
    assert.equal(noHost.status, 404);
    assert.match(noHost.text, /no route for host nope\.example on listener test\/http/);
    const none = await get(port, '/empty/x');
    assert.equal(none.status, 503);
    assert.match(none.text, /no ready endpoint for cluster none/);
    const zero = await get(port, '/zero');
    assert.equal(zero.status, 500);
    assert.match(zero.text, /route r\/zero has no valid backend/);
  });

  it('writes one JSON access-log line per request', async () => {
    logs.length = 0;
    await get(port, '/api/logged');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(logs.length, 1);
    const rec = JSON.parse(logs[0]) as Record<string, unknown>;
    assert.equal(rec.listener, 'test/http');
    assert.equal(rec.route, 'r/api');
    assert.equal(rec.method, 'GET');
    assert.equal(rec.host, 'shop.example');
    assert.equal(rec.path, '/api/logged');
    assert.equal(rec.status, 200);
    assert.equal(rec.upstream, `127.0.0.1:${a.ports.http}`);
    assert.ok(typeof rec.duration_ms === 'number' && typeof rec.bytes === 'number' && (rec.bytes as number) > 100);
    assert.match(String(rec.time), /^\d{4}-\d\d-\d\dT/);
  });

  it('serves Prometheus metrics on the admin port', async () => {
    const admin = await startAdminServer(p.metrics, 0, '127.0.0.1');
    try {
      const r = await get((admin.address() as AddressInfo).port, '/metrics');
      assert.equal(r.status, 200);
      assert.match(r.text, /podnet_l7_requests_total\{listener="test\/http",route="r\/api",backend="api",code="2xx"\} \d+/);
      assert.match(r.text, /podnet_l7_requests_total\{[^}]*route="r\/empty"[^}]*code="5xx"\}/);
      assert.match(r.text, /podnet_l7_request_duration_seconds_bucket\{le="0.005",listener="test\/http",route="r\/api",backend="api"\}/);
    } finally {
      admin.close();
    }
  });
});

describe('upstream pools, balancing and failures', () => {
  it('reuses keep-alive connections to the endpoint', async () => {
    const up = await counting();
    const { proxy: p, port } = await proxy(table([route('r', '/', [{ cluster: 'c' }])], [cluster('c', [up.port])]));
    const client = new Pool(`http://127.0.0.1:${port}`, { connections: 1 });
    try {
      for (let i = 0; i < 50; i++) {
        const r = await client.request({ path: '/x', method: 'GET' });
        assert.equal(r.statusCode, 200);
        await r.body.text();
      }
      assert.equal(up.reqs(), 50);
      assert.equal(up.conns(), 1);
    } finally {
      await client.close();
      await p.close();
      await up.close();
    }
  });

  it('balances per request over the endpoints, and routes around one that refuses connections', async () => {
    const e1 = await counting();
    const e2 = await counting();
    const dead = await counting();
    await dead.close();
    const { proxy: p, port } = await proxy(table([route('r', '/', [{ cluster: 'c' }])], [cluster('c', [e1.port, e2.port, dead.port])]), { balance: 'round-robin' });
    try {
      for (let i = 0; i < 30; i++) assert.equal((await get(port, '/')).status, 200);
      assert.equal(e1.reqs() + e2.reqs(), 30);
      assert.ok(e1.reqs() >= 10 && e2.reqs() >= 10, `${e1.reqs()} ${e2.reqs()}`);
    } finally {
      await p.close();
      await e1.close();
      await e2.close();
    }
  });

  it('retries the statuses the route names, and answers 504 past the route timeout', async () => {
    const flaky = await counting((n) => (n % 2 === 1 ? 503 : 200));
    const slow = await echo('slow');
    const t = table(
      [
        route('r/retry', '/retry', [{ cluster: 'flaky' }], { retry: { attempts: 1, retryOn: [503] } }),
        route('r/slow', '/slow', [{ cluster: 'slow' }], { timeouts: { requestMs: 300 } }),
      ],
      [cluster('flaky', [flaky.port]), cluster('slow', [slow.ports.http])],
    );
    const { proxy: p, port } = await proxy(t);
    try {
      for (let i = 0; i < 5; i++) assert.equal((await get(port, '/retry')).status, 200);
      assert.equal(flaky.reqs(), 10);
      const started = Date.now();
      const r = await get(port, '/slow?delay=3s');
      assert.equal(r.status, 504);
      assert.match(r.text, /upstream request timeout after 300 ms \(route r\/slow\)/);
      assert.ok(Date.now() - started < 2000);
      assert.equal((await get(port, '/slow?delay=10ms')).status, 200);
    } finally {
      await p.close();
      await flaky.close();
      await slow.close();
    }
  });

  it('answers 503 naming the cluster when no endpoint accepts a connection', async () => {
    const dead = await counting();
    await dead.close();
    const { proxy: p, port } = await proxy(table([route('r', '/', [{ cluster: 'c' }])], [cluster('c', [dead.port])]));
    try {
      const r = await get(port, '/');
      assert.equal(r.status, 503);
      assert.match(r.text, /no endpoint of cluster c accepted a connection/);
    } finally {
      await p.close();
    }
  });
});

describe('filters on the wire', () => {
  it('redirects, rewrites, modifies request and response headers, mirrors', async () => {
    const a = await echo('a');
    const shadow = await counting();
    const t = table(
      [
        route('r/redirect', '/old', [], { filters: [{ type: 'RequestRedirect', scheme: 'https', statusCode: 301 }] }),
        route('r/rewrite', '/prefix', [{ cluster: 'a' }], {
          filters: [
            { type: 'URLRewrite', hostname: 'internal.example', path: { type: 'ReplacePrefixMatch', value: '/new' } },
            { type: 'RequestHeaderModifier', set: [{ name: 'X-Set', value: 'v' }], add: [{ name: 'X-Add', value: 'w' }], remove: ['X-Drop'] },
            { type: 'ResponseHeaderModifier', set: [{ name: 'X-Resp', value: 'r' }], remove: ['X-Content-Type-Options'] },
            { type: 'RequestMirror', cluster: 'shadow' },
          ],
        }),
      ],
      [cluster('a', [a.ports.http]), cluster('shadow', [shadow.port])],
    );
    const { proxy: p, port } = await proxy(t);
    try {
      const red = await get(port, '/old/page?x=1');
      assert.equal(red.status, 301);
      assert.equal(red.headers['location'], 'https://shop.example/old/page?x=1');
      const r = await get(port, '/prefix/rest?q', { 'x-drop': '1', 'x-add': 'u' });
      assert.equal(r.status, 200);
      assert.equal(r.headers['x-resp'], 'r');
      assert.equal(r.headers['x-content-type-options'], undefined);
      const j = JSON.parse(r.text) as EchoJson;
      assert.equal(j.path, '/new/rest?q');
      assert.equal(j.host, 'internal.example');
      assert.deepEqual(j.headers['X-Set'], ['v']);
      assert.deepEqual(j.headers['X-Add'], ['u', 'w']);
      assert.equal(j.headers['X-Drop'], undefined);
      for (let i = 0; i < 50 && shadow.reqs() === 0; i++) await new Promise((res) => setTimeout(res, 10));
      assert.deepEqual(shadow.paths, ['/new/rest?q']);
    } finally {
      await p.close();
      await a.close();
      await shadow.close();
    }
  });
});

describe('table swaps', () => {
  it('swaps routes and endpoints under load with zero failed requests', async () => {
    const a = await echo('a');
    const b = await echo('b');
    const ta = table([route('r', '/', [{ cluster: 'c' }])], [cluster('c', [a.ports.http])]);
    const tb = table([route('r2', '/', [{ cluster: 'd' }])], [cluster('d', [b.ports.http])]);
    const { proxy: p, port } = await proxy(ta);
    const client = new Pool(`http://127.0.0.1:${port}`, { connections: 8 });
    const seen = new Map<string, number>();
    let failed = 0;
    let ok = 0;
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const r = await client.request({ path: '/swap', method: 'GET' });
          const j = JSON.parse(await r.body.text()) as EchoJson;
          if (r.statusCode !== 200) failed++;
          else {
            ok++;
            seen.set(j.pod, (seen.get(j.pod) ?? 0) + 1);
          }
        } catch {
          failed++;
        }
      }
    };
    try {
      const workers = Array.from({ length: 8 }, worker);
      for (let i = 0; i < 30; i++) {
        await new Promise((r) => setTimeout(r, 30));
        await p.setTable(i % 2 === 0 ? tb : ta);
      }
      stop = true;
      await Promise.all(workers);
      assert.equal(failed, 0);
      // The machine is shared: count, don't time.
      assert.ok(ok > 10, `only ${ok} requests`);
      assert.ok((seen.get('a') ?? 0) > 0 && (seen.get('b') ?? 0) > 0);
    } finally {
      stop = true;
      await client.close();
      await p.close();
      await a.close();
      await b.close();
    }
  });

  it('a bad table changes nothing and says which certificate is bad', async () => {
    const a = await echo('a');
    const good = table([route('r', '/', [{ cluster: 'c' }])], [cluster('c', [a.ports.http])]);
    const { proxy: p, port } = await proxy(good);
    try {
      const bad = table([route('r', '/', [{ cluster: 'c' }])], [cluster('c', [a.ports.http])], { https: [{ name: 'ns/broken', hostnames: ['x'], certPem: 'x', keyPem: 'y' }] });
      await assert.rejects(p.setTable(bad), /listener test\/https: certificate ns\/broken/);
      assert.equal(p.table, good);
      assert.equal((await get(port, '/')).status, 200);
    } finally {
      await p.close();
      await a.close();
    }
  });
});
