// What only the native netexec (src/lab/netexec/) has to show: its flag handling (anything it
// does not implement exits 2, so the lab can never run it with a flag it would ignore), SIGTERM
// with --delay-shutdown, graceful /exit, and that bad or oversized input gets an answer or a
// closed connection while the server keeps serving. The shared cases are in netexec.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { hostname } from 'node:os';
import { after, before, test } from 'node:test';
import { nativeNetexecPath, spawnNative } from './netexec-impl.test-util.js';
import type { NetexecUnderTest } from './netexec-impl.test-util.js';
import { get, udpAsk } from './testutil.js';

let n: NetexecUnderTest;
before(async () => {
  n = await spawnNative(['--http-port=0', '--udp-port=0']);
});
after(async () => {
  await n.close();
});

/** Sends raw bytes, returns everything the server wrote before closing (or after 2 s). */
function raw(port: number, data: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let out = '';
    const t = setTimeout(() => s.destroy(), 2000);
    s.on('data', (d) => (out += d.toString()));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(t);
      resolve(out);
    });
    s.write(data);
  });
}

test('flags it does not implement exit 2 with one line (the lab then runs the TS netexec)', () => {
  for (const args of [['--tls-cert-file=/x'], ['--sctp-port=9000'], ['--http-port=abc'], ['positional'], ['--udp-port']]) {
    const r = spawnSync(nativeNetexecPath, args, { encoding: 'utf8', timeout: 5000 });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /^Error: /);
  }
});

test('SIGTERM: /readyz 503 during --delay-shutdown, then exit 0', async () => {
  const x = await spawnNative(['--http-port=0', '--udp-port=0', '--delay-shutdown=1']);
  const t0 = Date.now();
  x.terminate();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await get(x.httpPort, '/readyz')).status, 503);
  assert.equal(await x.exited, 0);
  assert.ok(Date.now() - t0 >= 900, 'waited --delay-shutdown');
});

test('/exit with a timeout lets an in-flight request finish first', async () => {
  const x = await spawnNative(['--http-port=0', '--udp-port=-1']);
  try {
    const slow = get(x.httpPort, '/shell?cmd=' + encodeURIComponent('sleep 0.3; echo done'));
    await new Promise((r) => setTimeout(r, 50));
    await get(x.httpPort, '/exit?code=3&timeout=5s');
    assert.equal(JSON.parse((await slow).body).output, 'done\n');
    assert.equal(await x.exited, 3);
  } finally {
    await x.close();
  }
});

test('bad and oversized requests get 4xx or a close, and the server keeps serving', async () => {
  assert.match(await raw(n.httpPort, 'GARBAGE\r\n\r\n'), /^HTTP\/1\.1 400 /);
  assert.match(await raw(n.httpPort, `GET /${'a'.repeat(20000)} HTTP/1.1\r\nHost: x\r\n\r\n`), /^HTTP\/1\.1 431 /);
  assert.match(await raw(n.httpPort, 'GET / HTTP/1.1\r\nbad header\r\n\r\n'), /^HTTP\/1\.1 400 /);
  assert.match(await raw(n.httpPort, Buffer.from('GET /\0 HTTP/1.1\r\n\r\n')), /^HTTP\/1\.1 400 /);
  assert.match(await raw(n.httpPort, 'POST / HTTP/1.1\r\nContent-Length: 99999999\r\n\r\n'), /^HTTP\/1\.1 413 /);
  assert.match(await raw(n.httpPort, 'GET /echo?msg=%zz%41 HTTP/1.1\r\nConnection: close\r\n\r\n'), /\r\n\r\n%zzA$/);
  assert.equal(await raw(n.httpPort, 'GET / HTTP/1.1\r\nHost: x\r\n'), ''); // closed when the client gives up
  const headers = Array.from({ length: 150 }, (_, i) => `X-${i}: y\r\n`).join('');
  assert.match(await raw(n.httpPort, `GET / HTTP/1.1\r\n${headers}\r\n`), /^HTTP\/1\.1 431 /);
  assert.equal(await udpAsk(n.udpPorts[0] ?? 0, 'x'.repeat(5000), 300), undefined);
  assert.equal((await get(n.httpPort, '/hostname')).body, hostname());
});

test('keep-alive: two requests on one connection, a body skipped between them', async () => {
  const out = await raw(n.httpPort, 'POST /echo?msg=a HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyzGET /echo?msg=b HTTP/1.1\r\nConnection: close\r\n\r\n');
  assert.match(out, /^HTTP\/1\.1 200 OK[\s\S]*\r\n\r\na(HTTP\/1\.1 200 OK)[\s\S]*\r\n\r\nb$/);
});
