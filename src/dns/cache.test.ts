import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';
import { cacheKey, DnsCache } from './cache.js';
import { scanMessage, soaMinimum, WireError } from './scan.js';

const OPT = (flags = 0): Answer => ({ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags, flag_do: flags !== 0, options: [] });

function q(name: string, type = 'A', extra: Partial<Packet> = {}): Buffer {
  return dnsPacket.encode({ id: 7, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: type as 'A', class: 'IN' }], ...extra });
}

function reply(query: Buffer, fields: Partial<Packet> & { rcode?: number }): Buffer {
  const p = dnsPacket.decode(query);
  const { rcode = 0, ...rest } = fields;
  return dnsPacket.encode({ ...p, type: 'response', flags: 0x8180 | rcode, answers: [], authorities: [], additionals: [], ...rest });
}

const a = (name: string, ttl: number, data = '192.0.2.1'): Answer => ({ name, type: 'A', class: 'IN', ttl, data });
const soa = (ttl: number, minimum: number): Answer => ({
  name: 'example.test', type: 'SOA', class: 'IN', ttl,
  data: { mname: 'ns.example.test', rname: 'host.example.test', serial: 1, refresh: 1, retry: 1, expire: 1, minimum },
});

function clock() {
  const c = { t: 1_000_000, now: () => c.t };
  return c;
}

const ttlsOf = (b: Buffer) => (dnsPacket.decode(b) as DecodedPacket).answers?.map((r) => ('ttl' in r ? r.ttl : undefined));

describe('DnsCache', () => {
  it('keeps a positive answer for its smallest TTL, counting TTLs down on the way out', () => {
    const c = clock();
    const cache = new DnsCache({ now: c.now });
    const query = q('www.example.test');
    assert.equal(cache.put(query, reply(query, { answers: [a('www.example.test', 100), a('www.example.test', 60, '192.0.2.2')] })), true);
    c.t += 10_500;
    const hit = cache.get(q('www.example.test', 'A', { id: 99 }));
    assert.ok(hit);
    assert.equal(hit.readUInt16BE(0), 99, 'the asking client\'s ID');
    assert.deepEqual(ttlsOf(hit), [50, 50], 'clamped to the entry\'s life (60), minus 10 s');
    c.t += 49_400;
    assert.deepEqual(ttlsOf(cache.get(query) as Buffer), [1, 1], 'whole seconds elapsed are taken off');
    c.t += 100;
    assert.equal(cache.get(query), undefined, 'gone after 60 s');
    assert.equal(cache.size, 0);
  });

  it('caps positive TTLs at maxTtl (default 3600)', () => {
    const c = clock();
    const cache = new DnsCache({ now: c.now });
    const query = q('long.example.test');
    cache.put(query, reply(query, { answers: [a('long.example.test', 86400)] }));
    assert.deepEqual(ttlsOf(cache.get(query) as Buffer), [3600]);
    c.t += 3600_000;
    assert.equal(cache.get(query), undefined);
  });

  it('caches NXDOMAIN and NODATA for min(SOA TTL, SOA MINIMUM), capped at 1800 s (RFC 2308 §5)', () => {
    const c = clock();
    const cache = new DnsCache({ now: c.now });
    const nx = q('nope.example.test');
    assert.equal(cache.put(nx, reply(nx, { rcode: 3, authorities: [soa(300, 60)] })), true);
    const nodata = q('www.example.test', 'AAAA');
    assert.equal(cache.put(nodata, reply(nodata, { authorities: [soa(20, 900)] })), true);
    const big = q('big.example.test');
    assert.equal(cache.put(big, reply(big, { rcode: 3, authorities: [soa(86400, 86400)] })), true);
    c.t += 19_999;
    assert.equal((dnsPacket.decode(cache.get(nx) as Buffer) as DecodedPacket & { rcode: string }).rcode, 'NXDOMAIN');
    assert.ok(cache.get(nodata));
    c.t += 1;
    assert.equal(cache.get(nodata), undefined, 'NODATA lived min(20, 900) s');
    c.t = 1_000_000 + 60_000;
    assert.equal(cache.get(nx), undefined, 'NXDOMAIN lived min(300, 60) s');
    c.t = 1_000_000 + 1_799_000;
    assert.ok(cache.get(big));
    c.t = 1_000_000 + 1_800_000;
    assert.equal(cache.get(big), undefined, 'capped at 1800 s');
  });

  it('does not cache SERVFAIL, REFUSED, truncated replies, negative answers without SOA, TTL 0, or garbage', () => {
    const cache = new DnsCache({ now: clock().now });
    const query = q('x.example.test');
    assert.equal(cache.put(query, reply(query, { rcode: 2 })), false);
    assert.equal(cache.put(query, reply(query, { rcode: 5 })), false);
    assert.equal(cache.put(query, reply(query, { rcode: 3 })), false, 'NXDOMAIN without SOA');
    assert.equal(cache.put(query, reply(query, { flags: 0x8380, answers: [a('x.example.test', 60)] })), false, 'TC');
    assert.equal(cache.put(query, reply(query, { answers: [a('x.example.test', 0)] })), false);
    assert.equal(cache.put(query, Buffer.from([0, 7, 0x81, 0x80, 0, 1])), false);
    assert.equal(cache.size, 0);
  });

  it('keys on lowercase name, type, class and EDNS/DO state; answers in the client\'s own spelling', () => {
    const cache = new DnsCache({ now: clock().now });
    const query = q('WWW.Example.TEST');
    cache.put(query, reply(query, { answers: [a('www.example.test', 60)] }));
    const hit = cache.get(q('www.EXAMPLE.test'));
    assert.ok(hit);
    assert.equal((dnsPacket.decode(hit) as DecodedPacket).questions?.[0]?.name, 'www.EXAMPLE.test');
    assert.equal(cache.get(q('www.example.test', 'AAAA')), undefined);
    assert.equal(cache.get(q('www.example.test', 'A', { additionals: [OPT()] })), undefined, 'EDNS query vs plain reply');
    assert.equal(cache.get(q('www.example.test', 'A', { additionals: [OPT(dnsPacket.DNSSEC_OK)] })), undefined);
    const keyOf = (b: Buffer) => cacheKey(scanMessage(b));
    assert.equal(keyOf(q('A.b')), 'a.b|1|1|-');
    assert.equal(keyOf(q('a.b', 'A', { additionals: [OPT()] })), 'a.b|1|1|e');
    assert.equal(keyOf(q('a.b', 'A', { additionals: [OPT(dnsPacket.DNSSEC_OK)] })), 'a.b|1|1|do');
  });

  it('evicts the least recently used entry past maxEntries', () => {
    const cache = new DnsCache({ now: clock().now, maxEntries: 2 });
    const put = (n: string) => {
      const query = q(n);
      cache.put(query, reply(query, { answers: [a(n, 60)] }));
    };
    put('a.test');
    put('b.test');
    assert.ok(cache.get(q('a.test')));
    put('c.test');
    assert.equal(cache.size, 2);
    assert.equal(cache.get(q('b.test')), undefined);
    assert.ok(cache.get(q('a.test')));
    assert.ok(cache.get(q('c.test')));
  });
});

describe('scanMessage', () => {
  it('finds TTL offsets, the SOA minimum, EDNS bits and trailing bytes', () => {
    const query = q('nope.example.test', 'A', { additionals: [OPT(dnsPacket.DNSSEC_OK)] });
    const r = reply(query, { rcode: 3, authorities: [soa(300, 60)], additionals: [OPT(dnsPacket.DNSSEC_OK)] });
    const s = scanMessage(r);
    assert.equal(s.rcode, 3);
    assert.deepEqual(s.question, { name: 'nope.example.test', type: 1, class: 1 });
    assert.equal(s.records.length, 1, 'OPT is not a record with a TTL');
    assert.equal(soaMinimum(r, s.records[0]!), 60);
    assert.deepEqual(s.edns, { udpSize: 1232, version: 0, dnssecOk: true });
    assert.equal(s.trailing, 0);
    assert.equal(scanMessage(Buffer.concat([r, Buffer.from([0])])).trailing, 1);
  });

  it('rejects pointer loops, forward pointers and records running past the end', () => {
    const header = Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    assert.throws(() => scanMessage(Buffer.concat([header, Buffer.from([0xc0, 12, 0, 1, 0, 1])])), WireError, 'pointer to itself');
    assert.throws(() => scanMessage(Buffer.concat([header, Buffer.from([0xc0, 20, 0, 1, 0, 1])])), WireError);
    assert.throws(() => scanMessage(Buffer.concat([header, Buffer.from([3, 0x61, 0x62])])), WireError);
    const r = reply(q('a.test'), { answers: [a('a.test', 5)] });
    assert.throws(() => scanMessage(r.subarray(0, r.length - 2)), WireError);
    assert.throws(() => scanMessage(Buffer.alloc(5)), WireError);
  });
});
