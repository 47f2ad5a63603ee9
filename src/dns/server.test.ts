import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { promisify } from 'node:util';
import * as dnsPacket from 'dns-packet';
import type { DecodedPacket, Packet } from 'dns-packet';
import { startDnsServerEphemeral, type DnsServer } from './server.js';
import { frame, TcpFramer } from './wire.js';
import { buildZone, type ZoneObjects } from './zone.js';
import { objects, query } from './fixtures.test-util.js';

const HOST = '127.0.0.1';
// dns-packet decodes the rcode name too; its types omit it.
type Reply = DecodedPacket & { rcode: string };
const decode = (b: Buffer): Reply => dnsPacket.decode(b) as Reply;

function udpRaw(port: number, msg: Buffer, timeoutMs = 1000): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => { sock.close(); resolve(undefined); }, timeoutMs);
    sock.on('error', (err) => { clearTimeout(timer); sock.close(); reject(err); });
    sock.on('message', (m) => { clearTimeout(timer); sock.close(); resolve(m); });
    sock.send(msg, port, HOST);
  });
}

async function udp(port: number, q: Packet): Promise<Reply> {
  const res = await udpRaw(port, dnsPacket.encode(q));
  assert.ok(res, 'UDP reply');
  return decode(res);
}

function tcp(port: number, msgs: Buffer[]): Promise<Reply[]> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, HOST);
    const framer = new TcpFramer();
    const out: Reply[] = [];
    sock.on('error', reject);
    sock.on('data', (chunk: Buffer) => {
      for (const m of framer.push(chunk)) out.push(decode(m));
      if (out.length === msgs.length) { sock.end(); resolve(out); }
    });
    // Write byte by byte-ish halves to exercise reassembly.
    const all = Buffer.concat(msgs.map(frame));
    sock.write(all.subarray(0, 3));
    setTimeout(() => sock.write(all.subarray(3)), 20);
  });
}

/** Many A records for one headless service, so the answer outgrows 512 bytes. */
function bigObjects(n: number): ZoneObjects {
  const base = objects();
  base.services.push({ metadata: { name: 'big', namespace: 'testns' }, spec: { clusterIP: 'None' } });
  base.endpointSlices.push({
    addressType: 'IPv4',
    metadata: { name: 'big', namespace: 'testns', labels: { 'kubernetes.io/service-name': 'big' } },
    endpoints: Array.from({ length: n }, (_, i) => ({ addresses: [`10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`] })),
  });
  return base;
}

describe('dns server over 127.0.0.1', () => {
  let server: DnsServer;
  const errors: unknown[] = [];
  before(async () => {
    server = await startDnsServerEphemeral({ host: HOST, zone: buildZone(bigObjects(20), { domain: 'cluster.local' }), onError: (e) => errors.push(e) });
  });
  after(async () => { await server.close(); });

  it('answers A over UDP and TCP', async () => {
    const u = await udp(server.port, query('svc1.testns.svc.cluster.local', 'A'));
    assert.equal(u.rcode, 'NOERROR');
    assert.ok(u.flag_aa);
    assert.deepEqual(u.answers?.map((a) => a.type === 'A' && a.data), ['10.0.0.1']);
    const [t1, t2] = await tcp(server.port, [
      dnsPacket.encode(query('svc1.testns.svc.cluster.local', 'A')),
      dnsPacket.encode({ ...query('nope.testns.svc.cluster.local', 'A'), id: 43 }),
    ]);
    assert.equal(t1?.rcode, 'NOERROR');
    assert.equal(t2?.id, 43);
    assert.equal(t2?.rcode, 'NXDOMAIN');
  });

  it('truncates over UDP without EDNS (512), then the TCP retry gets everything', async () => {
    const q = query('big.testns.svc.cluster.local', 'A');
    const u = await udp(server.port, q);
    assert.ok(u.flag_tc, 'TC set');
    assert.equal(u.answers?.length, 0);
    const [t] = await tcp(server.port, [dnsPacket.encode(q)]);
    assert.equal(t?.flag_tc, false);
    assert.equal(t?.answers?.length, 20);
  });

  it('honours the EDNS0 UDP size and advertises its own', async () => {
    const opt = { type: 'OPT' as const, name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
    const u = await udp(server.port, query('big.testns.svc.cluster.local', 'A', { additionals: [opt] }));
    assert.equal(u.flag_tc, false);
    assert.equal(u.answers?.length, 20);
    const o = u.additionals?.find((a) => a.type === 'OPT');
    assert.ok(o && o.type === 'OPT' && o.udpPayloadSize === 1232);
  });

  it('FORMERR for a malformed packet whose header parses; drops shorter garbage; keeps answering', async () => {
    const good = dnsPacket.encode(query('svc1.testns.svc.cluster.local', 'A'));
    const bad = Buffer.concat([good.subarray(0, 12), Buffer.from([0x3f, 0x61])]); // label runs past the end
    const res = await udpRaw(server.port, bad);
    assert.ok(res);
    assert.equal(res.length, 12);
    assert.equal(res.readUInt16BE(0), 42);
    assert.equal(res.readUInt16BE(2) & 0x800f, 0x8001, 'QR + FORMERR');
    assert.equal(await udpRaw(server.port, Buffer.from([1, 2, 3]), 200), undefined);
    const [t] = await tcp(server.port, [bad]);
    assert.equal(t?.rcode, 'FORMERR');
    const u = await udp(server.port, query('svc1.testns.svc.cluster.local', 'A'));
    assert.equal(u.rcode, 'NOERROR');
  });

  it('REFUSED for names outside the zone (no forwarder configured yet)', async () => {
    const u = await udp(server.port, query('example.com', 'A'));
    assert.equal(u.rcode, 'REFUSED');
  });

  it('setZone swaps the zone for the next query', async () => {
    const before = await udp(server.port, query('svc1.testns.svc.cluster.local', 'A'));
    assert.equal(before.answers?.length, 1);
    server.setZone(buildZone({ services: [], endpointSlices: [], pods: [] }, { domain: 'cluster.local' }));
    const after = await udp(server.port, query('svc1.testns.svc.cluster.local', 'A'));
    assert.equal(after.rcode, 'NXDOMAIN');
    server.setZone(buildZone(bigObjects(20), { domain: 'cluster.local' }));
  });

  it('works with dig, including its automatic TCP retry', async () => {
    const run = promisify(execFile);
    const { stdout } = await run('dig', [`@${HOST}`, '-p', String(server.port), '+short', '+noedns', '+tries=1', '+time=2', 'big.testns.svc.cluster.local']);
    assert.equal(stdout.trim().split('\n').length, 20);
    const srv = await run('dig', [`@${HOST}`, '-p', String(server.port), '+short', '+tries=1', '+time=2', 'SRV', '_http._tcp.svc1.testns.svc.cluster.local']);
    assert.equal(srv.stdout.trim(), '0 100 80 svc1.testns.svc.cluster.local.');
    assert.deepEqual(errors, []);
  });
});

describe('dns server without a zone yet, and with a forwarder', () => {
  it('answers SERVFAIL until the first zone is set (never a cacheable NXDOMAIN)', async () => {
    const server = await startDnsServerEphemeral({ host: HOST, zone: undefined });
    try {
      assert.equal((await udp(server.port, query('svc1.testns.svc.cluster.local', 'A'))).rcode, 'SERVFAIL');
      server.setZone(buildZone(objects(), { domain: 'cluster.local' }));
      assert.equal((await udp(server.port, query('svc1.testns.svc.cluster.local', 'A'))).rcode, 'NOERROR');
    } finally {
      await server.close();
    }
  });

  it('truncates a forwarded reply larger than the client takes, and SERVFAILs when the forwarder throws', async () => {
    const big = (q: Packet) => dnsPacket.encode({
      ...q, type: 'response', flags: 0x8180,
      answers: Array.from({ length: 40 }, (_, i) => ({ name: 'example.test', type: 'A' as const, class: 'IN' as const, ttl: 60, data: `192.0.2.${i}` })),
    });
    const server = await startDnsServerEphemeral({
      host: HOST, zone: buildZone(objects(), { domain: 'cluster.local' }),
      forward: async (_msg, q) => {
        if (q.questions?.[0]?.name === 'boom.test') throw new Error('boom');
        return big(q);
      },
    });
    try {
      const u = await udp(server.port, query('example.test', 'A'));
      assert.ok(u.flag_tc);
      assert.equal(u.id, 42);
      const [t] = await tcp(server.port, [dnsPacket.encode(query('example.test', 'A'))]);
      assert.equal(t?.answers?.length, 40);
      assert.equal((await udp(server.port, query('boom.test', 'A'))).rcode, 'SERVFAIL');
    } finally {
      await server.close();
    }
  });
});
