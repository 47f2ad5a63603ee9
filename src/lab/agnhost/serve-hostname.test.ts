import assert from 'node:assert/strict';
import net from 'node:net';
import { hostname } from 'node:os';
import { test } from 'node:test';
import { modeConflict, startServeHostname } from './serve-hostname.js';
import { get, udpAsk } from './testutil.js';

test('HTTP mode answers every path with the hostname; --close adds Connection: close', async () => {
  const h = await startServeHostname({ tcp: false, udp: false, http: true, close: true, port: 0, bindHost: '127.0.0.1' });
  try {
    const r = await get(h.httpPort ?? 0, '/whatever');
    assert.equal(r.body, hostname());
    assert.equal(r.headers.connection, 'close');
  } finally {
    await h.close();
  }
});

test('raw TCP and UDP modes send the hostname', async () => {
  const h = await startServeHostname({ tcp: true, udp: true, http: false, close: false, port: 0, bindHost: '127.0.0.1' });
  try {
    const tcp = await new Promise<string>((resolve, reject) => {
      let got = '';
      const c = net.connect(h.tcpPort ?? 0, '127.0.0.1');
      c.on('data', (d) => (got += d.toString()));
      c.on('end', () => resolve(got));
      c.on('error', reject);
    });
    assert.equal(tcp, hostname());
    assert.equal(await udpAsk(h.udpPort ?? 0, 'anything'), hostname());
  } finally {
    await h.close();
  }
});

test('HTTP together with TCP/UDP is refused as upstream', async () => {
  assert.equal(modeConflict({ tcp: true, udp: false, http: true }), "Can't server TCP/UDP mode and HTTP mode at the same time");
  assert.equal(modeConflict({ tcp: true, udp: true, http: false }), undefined);
  await assert.rejects(startServeHostname({ tcp: true, udp: false, http: true, close: false, port: 0, bindHost: '127.0.0.1' }));
});
