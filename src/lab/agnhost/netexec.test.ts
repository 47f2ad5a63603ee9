import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { after, before, describe, test } from 'node:test';
import { cleanPath } from './netexec.js';
import { IMPLS, startImpl } from './netexec-impl.test-util.js';
import type { NetexecUnderTest } from './netexec-impl.test-util.js';
import { get, udpAsk } from './testutil.js';

test('cleanPath is Go path.Clean with ServeMux\'s trailing slash', () => {
  assert.equal(cleanPath('/a/./b/../c/'), '/a/c/');
});

// Every case runs against both implementations: the TypeScript one and the native one the lab prefers.
for (const impl of IMPLS) {
  describe(`netexec (${impl})`, () => {
    let a: NetexecUnderTest;
    let b: NetexecUnderTest;

    before(async () => {
      a = await startImpl(impl);
      b = await startImpl(impl);
    });
    after(async () => {
      await a.close();
      await b.close();
    });

    test('/ prints the request time like Go', async () => {
      const r = await get(a.httpPort, '/');
      assert.equal(r.status, 200);
      assert.match(r.body, /^NOW: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4} \S+ m=\+\d+\.\d{9}$/);
      assert.match((await get(a.httpPort, '/no/such/path')).body, /^NOW: /); // "/" is the catch-all
    });

    test('/hostname, /hostName, /echo, /clientip, /header', async () => {
      assert.equal((await get(a.httpPort, '/hostname')).body, hostname());
      assert.equal((await get(a.httpPort, '/hostName')).body, hostname());
      assert.equal((await get(a.httpPort, '/echo?msg=hello%20world')).body, 'hello world');
      const coded = await get(a.httpPort, '/echo?msg=x&code=418');
      assert.deepEqual([coded.status, coded.body], [418, 'x']);
      assert.match((await get(a.httpPort, '/echo?msg=x&code=abc')).body, /argument 'code' must be an integer or empty, got "abc"/);
      assert.match((await get(a.httpPort, '/clientip')).body, /^127\.0\.0\.1:\d+$/);
      const hdr = JSON.parse((await get(a.httpPort, '/header')).body) as Record<string, string[]>;
      assert.equal(hdr['Host'], undefined);
      assert.deepEqual(hdr['Connection'], ['close']);
    });

    test('/healthz and /readyz follow the UDP server and SIGTERM', async () => {
      assert.equal((await get(a.httpPort, '/healthz')).status, 200);
      assert.equal((await get(a.httpPort, '/readyz')).body, 'ok');
      const noUdp = await startImpl(impl, { udpPort: -1 });
      try {
        assert.equal((await get(noUdp.httpPort, '/healthz')).status, 412); // upstream: ready only once UDP listens
        noUdp.terminate();
        await new Promise((r) => setTimeout(r, 50)); // the native one gets a real SIGTERM
        const r = await get(noUdp.httpPort, '/readyz');
        assert.deepEqual([r.status, r.body], [503, 'shutting down']);
      } finally {
        await noUdp.close();
      }
    });

    test('unclean paths redirect like Go ServeMux', async () => {
      const r = await get(a.httpPort, '//hostname?x=1');
      assert.equal(r.status, 301);
      assert.equal(r.headers.location, '/hostname?x=1');
    });

    test('UDP commands: hostname, echo, clientip; unknown gets no reply', async () => {
      const port = a.udpPorts[0] ?? 0;
      assert.equal(await udpAsk(port, 'hostname\n'), hostname());
      assert.equal(await udpAsk(port, 'echo Hello There'), 'hello there'); // upstream lower-cases
      assert.match((await udpAsk(port, 'clientip')) ?? '', /^127\.0\.0\.1:\d+$/);
      assert.equal(await udpAsk(port, 'bogus', 300), undefined);
    });

    test('/dial http and udp between two instances', async () => {
      const viaHttp = await get(a.httpPort, `/dial?request=hostname&protocol=http&host=127.0.0.1&port=${b.httpPort}&tries=3`);
      assert.equal(viaHttp.status, 200);
      assert.deepEqual(JSON.parse(viaHttp.body), { responses: [hostname(), hostname(), hostname()] });
      const echo = await get(a.httpPort, `/dial?request=${encodeURIComponent('echo?msg=a<b')}&host=127.0.0.1&port=${b.httpPort}`);
      assert.equal(echo.body, '{"responses":["a\\u003cb"]}'); // encoding/json escapes <
      const viaUdp = await get(a.httpPort, `/dial?request=hostname&protocol=udp&host=127.0.0.1&port=${b.udpPorts[0] ?? 0}&tries=2`);
      assert.deepEqual(JSON.parse(viaUdp.body), { responses: [hostname(), hostname()] });
    });

    test('/dial failures are reported as upstream does', async () => {
      const refused = JSON.parse((await get(a.httpPort, '/dial?request=hostname&host=127.0.0.1&port=1')).body) as { errors: string[] };
      assert.deepEqual(Object.keys(refused), ['errors']);
      assert.equal(refused.errors[0], 'Get "http://127.0.0.1:1/hostname": dial tcp 127.0.0.1:1: connect: connection refused');
      const udp = JSON.parse((await get(a.httpPort, '/dial?request=hostname&protocol=udp&host=127.0.0.1&port=1')).body) as { errors: string[] };
      assert.match(udp.errors[0] ?? '', /^reading from udp connection failed\. err:'read udp 127\.0\.0\.1:\d+->127\.0\.0\.1:1: read: connection refused'$/);
      const noReq = await get(a.httpPort, '/dial?host=127.0.0.1&port=1');
      assert.deepEqual([noReq.status, noReq.body], [400, 'request parameter not specified. <nil>\n']);
      const badTries = await get(a.httpPort, '/dial?request=x&tries=two');
      assert.deepEqual([badTries.status, badTries.body], [400, 'tries parameter is invalid. strconv.Atoi: parsing "two": invalid syntax\n']);
      const badProto = await get(a.httpPort, '/dial?request=x&protocol=icmp');
      assert.deepEqual([badProto.status, badProto.body], [400, 'unsupported protocol. icmp\n']);
      const badPort = await get(a.httpPort, '/dial?request=x&host=127.0.0.1&port=99999');
      assert.equal(badPort.status, 400);
      assert.match(badPort.body, /^host and\/or port param are invalid\. /);
    });

    test('/shell returns output and error as JSON', async () => {
      const r = JSON.parse((await get(a.httpPort, '/shell?cmd=' + encodeURIComponent('echo hi; exit 3'))).body) as Record<string, string>;
      assert.deepEqual(r, { error: 'exit status 3', output: 'hi\n' });
    });

    test('/exit responds, then exits with the code', async () => {
      const x = await startImpl(impl, { udpPort: -1 });
      try {
        assert.match((await get(x.httpPort, '/exit?code=abc')).body, /argument 'code' must be an integer \[0-127\] or empty/);
        assert.match((await get(x.httpPort, '/exit?timeout=zz')).body, /argument 'timeout' must be a valid golang duration/);
        assert.match((await get(x.httpPort, '/exit?wait=1x')).body, /argument 'wait' must be a valid golang duration or empty, got "1x"/);
        assert.equal((await get(x.httpPort, '/exit?code=42')).status, 200);
        assert.equal(await x.exited, 42);
      } finally {
        await x.close();
      }
    });

    test('/shutdown responds, then exits 0', async () => {
      const x = await startImpl(impl, { udpPort: -1 });
      try {
        assert.equal((await get(x.httpPort, '/shutdown')).status, 200);
        assert.equal(await x.exited, 0);
      } finally {
        await x.close();
      }
    });

    test('/redirect answers with Location, relative targets resolved against the path', async () => {
      const r = await get(a.httpPort, '/redirect?location=foo&code=307');
      assert.deepEqual([r.status, r.headers.location], [307, '/foo']);
      assert.equal(r.body, '<a href="/foo">Temporary Redirect</a>.\n\n');
      const abs = await get(a.httpPort, '/redirect?location=' + encodeURIComponent('http://example.com/x'));
      assert.deepEqual([abs.status, abs.headers.location], [302, 'http://example.com/x']);
      const via = await get(a.httpPort, `/dial?request=${encodeURIComponent('redirect?location=/hostname')}&host=127.0.0.1&port=${b.httpPort}`);
      assert.deepEqual(JSON.parse(via.body), { responses: [hostname()] }); // /dial follows redirects as Go's client
    });

    test('--http-override serves the override path for every request', async () => {
      const o = await startImpl(impl, { udpPort: -1, httpOverride: '/echo?msg=overridden' });
      try {
        assert.equal((await get(o.httpPort, '/anything')).body, 'overridden');
      } finally {
        await o.close();
      }
    });
  });
}
