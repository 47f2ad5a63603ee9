import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as dgram from 'node:dgram';
import * as net from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';
import { DnsCache } from './cache.js';
import { createForwarder, parseUpstream, UpstreamError, type Upstream, type UpstreamTransport } from './forward.js';
import { startDnsServerEphemeral } from './server.js';
import { socketTransport } from './server-upstream.js';
import { frame, TcpFramer } from './wire.js';
import { buildZone } from './zone.js';

type Reply = DecodedPacket & { rcode: string };
const decode = (b: Buffer) => dnsPacket.decode(b) as Reply;

function q(name: string, type = 'A', id = 4242): { msg: Buffer; query: Packet } {
  const query: Packet = { id, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as 'A', class: 'IN' }] };
  return { msg: dnsPacket.encode(query), query };
}

/** An upstream's reply to `msg` (same ID and question). */
function answerTo(msg: Buffer, opts: { rcode?: number; tc?: boolean; answers?: Answer[] } = {}): Buffer {
  const p = dnsPacket.decode(msg);
  const name = p.questions?.[0]?.name ?? '';
  const answers = opts.answers ?? [{ name, type: 'A', class: 'IN', ttl: 60, data: '192.0.2.10' }];
  return dnsPacket.encode({ ...p, type: 'response', flags: 0x8180 | (opts.tc ? 0x200 : 0) | (opts.rcode ?? 0), answers: opts.tc ? [] : answers });
}

type Behaviour = (msg: Buffer, upstream: Upstream) => Buffer[] | 'timeout' | Error;

/** A transport whose upstreams behave as scripted; records every exchange. */
function fakeTransport(udp: Behaviour, tcp: Behaviour = udp) {
  const calls: string[] = [];
  const run = async (kind: string, b: Behaviour, up: Upstream, msg: Buffer, timeoutMs: number, accept: (r: Buffer) => boolean) => {
    calls.push(`${kind} ${up.host}:${up.port} ${Math.round(timeoutMs)}`);
    const out = b(msg, up);
    if (out instanceof Error) throw out;
    if (out === 'timeout') return undefined;
    return out.find(accept);
  };
  const transport: UpstreamTransport = {
    udp: (up, msg, t, accept) => run('udp', udp, up, msg, t, accept),
    tcp: (up, msg, t) => run('tcp', tcp, up, msg, t, () => true),
  };
  return { transport, calls };
}

const ups = (...hosts: string[]) => hosts.map((h) => ({ host: h, port: 53 }));
const frozen = () => 0;

describe('createForwarder (fake transport)', () => {
  it('answers SERVFAIL at once with no upstreams', async () => {
    const { transport, calls } = fakeTransport(() => 'timeout');
    const fwd = createForwarder({ upstreams: [], transport });
    const { msg, query } = q('example.test');
    const r = decode(await fwd(msg, query));
    assert.equal(r.rcode, 'SERVFAIL');
    assert.equal(r.id, 4242);
    assert.deepEqual(calls, []);
  });

  it('sends a fresh ID upstream and gives the client its own back', async () => {
    let seenId = -1;
    const { transport } = fakeTransport((m) => { seenId = m.readUInt16BE(0); return [answerTo(m)]; });
    const fwd = createForwarder({ upstreams: ups('192.0.2.53'), transport, newId: () => 777 });
    const { msg, query } = q('example.test');
    const r = decode(await fwd(msg, query));
    assert.equal(seenId, 777);
    assert.equal(r.id, 4242);
    assert.equal(r.rcode, 'NOERROR');
    assert.deepEqual(r.answers?.map((x) => x.type === 'A' && x.data), ['192.0.2.10']);
  });

  it('moves on after a timeout, SERVFAIL, REFUSED or a socket error, splitting the 2 s budget', async () => {
    const script: Record<string, Behaviour> = {
      '192.0.2.1': () => 'timeout',
      '192.0.2.2': (m) => [answerTo(m, { rcode: 2 })],
      '192.0.2.3': (m) => [answerTo(m, { rcode: 5 })],
      '192.0.2.4': () => new Error('ECONNREFUSED'),
      '192.0.2.5': (m) => [answerTo(m)],
    };
    const { transport, calls } = fakeTransport((m, up) => (script[up.host] as Behaviour)(m, up));
    const errors: unknown[] = [];
    const fwd = createForwarder({ upstreams: ups(...Object.keys(script)), transport, now: frozen, onError: (e) => errors.push(e) });
    const { msg, query } = q('example.test');
    assert.equal(decode(await fwd(msg, query)).rcode, 'NOERROR');
    // With a frozen clock nothing is spent, so each gets what is left divided by those not yet tried.
    assert.deepEqual(calls, ['udp 192.0.2.1:53 400', 'udp 192.0.2.2:53 500', 'udp 192.0.2.3:53 667', 'udp 192.0.2.4:53 1000', 'udp 192.0.2.5:53 2000']);
    assert.equal(errors.length, 1);
  });

  it('gives up with SERVFAIL once the time budget is spent', async () => {
    const clock = { t: 0 };
    const { transport, calls } = fakeTransport((_m, up) => { clock.t += up.host === '192.0.2.1' ? 2000 : 0; return 'timeout'; });
    const fwd = createForwarder({ upstreams: ups('192.0.2.1', '192.0.2.2'), transport, now: () => clock.t });
    const { msg, query } = q('example.test');
    assert.equal(decode(await fwd(msg, query)).rcode, 'SERVFAIL');
    assert.equal(calls.length, 1);
  });

  it('retries a truncated answer over TCP on the same upstream', async () => {
    const { transport, calls } = fakeTransport((m) => [answerTo(m, { tc: true })], (m) => [answerTo(m)]);
    const fwd = createForwarder({ upstreams: ups('192.0.2.1'), transport, now: frozen });
    const { msg, query } = q('example.test');
    const r = decode(await fwd(msg, query));
    assert.equal(r.flag_tc, false);
    assert.equal(r.answers?.length, 1);
    assert.deepEqual(calls, ['udp 192.0.2.1:53 2000', 'tcp 192.0.2.1:53 2000']);
  });

  it('ignores replies with another ID or question, and fails malformed or over-long ones', async () => {
    const { msg, query } = q('example.test');
    const other = answerTo(q('other.test').msg);
    const wrongId = Buffer.from(answerTo(msg));
    wrongId.writeUInt16BE(1, 0);
    const garbage = (m: Buffer) => Buffer.concat([answerTo(m).subarray(0, 30)]);
    const long = (m: Buffer) => answerTo(m, { answers: Array.from({ length: 40 }, (_, i) => ({ name: 'example.test', type: 'A' as const, class: 'IN' as const, ttl: 60, data: `192.0.2.${i}` })) });
    const run = async (b: Behaviour) => decode(await createForwarder({ upstreams: ups('192.0.2.1'), transport: fakeTransport(b).transport, newId: () => 4242 })(msg, query));
    assert.equal((await run(() => [other, wrongId])).rcode, 'SERVFAIL', 'nothing acceptable: the wait times out');
    assert.equal((await run((m) => [other, answerTo(m)])).rcode, 'NOERROR', 'the stray reply is skipped');
    assert.equal((await run((m) => [garbage(m)])).rcode, 'SERVFAIL');
    assert.equal((await run((m) => [Buffer.concat([answerTo(m), Buffer.from([0, 0])])])).rcode, 'SERVFAIL', 'bytes after the last record');
    assert.ok(long(msg).length > 512);
    assert.equal((await run((m) => [long(m)])).rcode, 'SERVFAIL', 'larger than 512 without EDNS');
  });

  it('answers repeats from the cache without asking upstream', async () => {
    const { transport, calls } = fakeTransport((m) => [answerTo(m)]);
    const fwd = createForwarder({ upstreams: ups('192.0.2.1'), transport, cache: new DnsCache({ now: frozen }) });
    await fwd(q('example.test').msg, q('example.test').query);
    const again = q('EXAMPLE.test', 'A', 9);
    const r = decode(await fwd(again.msg, again.query));
    assert.equal(r.id, 9);
    assert.equal(r.questions?.[0]?.name, 'EXAMPLE.test');
    assert.equal(calls.length, 1);
  });
});

describe('parseUpstream', () => {
  it('takes IP, IP:PORT, [IPv6]:PORT and bare IPv6', () => {
    assert.deepEqual(parseUpstream('192.0.2.1'), { host: '192.0.2.1', port: 53 });
    assert.deepEqual(parseUpstream('192.0.2.1:5353'), { host: '192.0.2.1', port: 5353 });
    assert.deepEqual(parseUpstream('[2001:db8::1]:5353'), { host: '2001:db8::1', port: 5353 });
    assert.deepEqual(parseUpstream('2001:db8::1'), { host: '2001:db8::1', port: 53 });
  });
  it('rejects names and bad ports in one line naming the flag', () => {
    for (const bad of ['dns.example', '192.0.2.1:0', '192.0.2.1:70000', '192.0.2.1:x', '[::1]:', '']) {
      assert.throws(() => parseUpstream(bad), (e: unknown) => e instanceof UpstreamError && e.message.startsWith(`--upstream ${bad}:`) && !e.message.includes('\n'));
    }
  });
});

/** A loopback upstream: UDP answers, truncating names starting with "big."; TCP answers in full; "slow." never. */
async function fakeUpstream(): Promise<{ port: number; queries: string[]; close: () => Promise<void> }> {
  const queries: string[] = [];
  const respond = (m: Buffer, viaTcp: boolean): Buffer | undefined => {
    const name = dnsPacket.decode(m).questions?.[0]?.name ?? '';
    queries.push(`${viaTcp ? 'tcp' : 'udp'} ${name}`);
    if (name.startsWith('slow.')) return undefined;
    return answerTo(m, { tc: !viaTcp && name.startsWith('big.') });
  };
  const udp = dgram.createSocket('udp4');
  udp.on('message', (m, r) => { const out = respond(m, false); if (out) udp.send(out, r.port, r.address); });
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const port = udp.address().port;
  const tcp = net.createServer((s) => {
    const framer = new TcpFramer();
    s.on('data', (c: Buffer) => { for (const m of framer.push(c)) { const out = respond(m, true); if (out) s.write(frame(out)); } });
    s.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => { tcp.once('error', reject); tcp.listen(port, '127.0.0.1', resolve); });
  return { port, queries, close: async () => { udp.close(); await new Promise((r) => tcp.close(r)); } };
}

describe('forwarding over real sockets (127.0.0.1)', () => {
  let up: Awaited<ReturnType<typeof fakeUpstream>>;
  before(async () => { up = await fakeUpstream(); });
  after(async () => { await up.close(); });

  it('resolves through the fake upstream, and retries a truncated answer over TCP', async () => {
    const fwd = createForwarder({ upstreams: [{ host: '127.0.0.1', port: up.port }], transport: socketTransport });
    const small = q('www.example.test');
    assert.equal(decode(await fwd(small.msg, small.query)).answers?.length, 1);
    const big = q('big.example.test');
    const r = decode(await fwd(big.msg, big.query));
    assert.equal(r.flag_tc, false);
    assert.equal(r.answers?.length, 1);
    assert.deepEqual(up.queries.slice(-2), ['udp big.example.test', 'tcp big.example.test']);
  });

  it('skips a silent upstream after its share of the budget, and a closed port at once', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const closed = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => closed.bind(0, '127.0.0.1', resolve));
    const closedPort = closed.address().port;
    await new Promise<void>((resolve) => closed.close(resolve));
    try {
      const fwd = createForwarder({
        upstreams: [{ host: '127.0.0.1', port: closedPort }, { host: '127.0.0.1', port: silent.address().port }, { host: '127.0.0.1', port: up.port }],
        transport: socketTransport, timeoutMs: 600,
      });
      const t0 = Date.now();
      const { msg, query } = q('after.example.test');
      assert.equal(decode(await fwd(msg, query)).rcode, 'NOERROR');
      const ms = Date.now() - t0;
      // Refused at once (ICMP), then about 600/2 ms of silence, then the answer.
      assert.ok(ms >= 250 && ms < 550, `took ${ms} ms`);
    } finally {
      silent.close();
    }
  });

  it('serves forwarded names through startDnsServer, and SERVFAIL when upstream stays silent', async () => {
    const forward = createForwarder({ upstreams: [{ host: '127.0.0.1', port: up.port }], transport: socketTransport, timeoutMs: 300 });
    const server = await startDnsServerEphemeral({ host: '127.0.0.1', zone: buildZone({ services: [], endpointSlices: [], pods: [] }, { domain: 'cluster.local' }), forward });
    const ask = (name: string) => new Promise<Reply>((resolve, reject) => {
      const s = dgram.createSocket('udp4');
      s.on('message', (m) => { s.close(); resolve(decode(m)); });
      s.on('error', reject);
      s.send(q(name, 'A', 31).msg, server.port, '127.0.0.1');
    });
    try {
      const ok = await ask('www.example.test');
      assert.equal(ok.id, 31);
      assert.equal(ok.rcode, 'NOERROR');
      assert.equal((await ask('slow.example.test')).rcode, 'SERVFAIL');
      assert.equal((await ask('nope.cluster.local')).rcode, 'NXDOMAIN', 'the cluster zone is never forwarded');
    } finally {
      await server.close();
    }
  });
});
