import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Packet } from 'dns-packet';
import { answer, FLAG_AA, FLAG_RD, isForward, RCODE } from './answer.js';
import { buildZone } from './zone.js';
import { objects, query, rr } from './fixtures.test-util.js';

const zone = buildZone(objects(), { domain: 'cluster.local' });
const SOA = 'cluster.local 5 SOA ns.dns.cluster.local hostmaster.cluster.local 5';
const S = 'svc.cluster.local';

interface Case { qname: string; qtype: string; rcode: number | 'forward'; answer?: string[]; ns?: string[]; extra?: string[] }

// À la CoreDNS plugin/kubernetes/handler_test.go: one row per behaviour.
const cases: Case[] = [
  // ClusterIP services (spec §2.3.1)
  { qname: `svc1.testns.${S}`, qtype: 'A', rcode: 0, answer: [`svc1.testns.${S} 30 A 10.0.0.1`] },
  { qname: `SVC1.TestNS.Svc.Cluster.Local.`, qtype: 'A', rcode: 0, answer: [`SVC1.TestNS.Svc.Cluster.Local 30 A 10.0.0.1`] },
  { qname: `svc1.testns.${S}`, qtype: 'AAAA', rcode: 0, answer: [], ns: [SOA] },
  { qname: `svc6.testns.${S}`, qtype: 'AAAA', rcode: 0, answer: [`svc6.testns.${S} 30 AAAA fd00::2`] },
  { qname: `svc6.testns.${S}`, qtype: 'A', rcode: 0, answer: [`svc6.testns.${S} 30 A 10.0.0.2`] },
  { qname: `pending.testns.${S}`, qtype: 'A', rcode: RCODE.NXDOMAIN, answer: [], ns: [SOA] },
  // SRV for named ports (§2.3.2)
  { qname: `_http._tcp.svc1.testns.${S}`, qtype: 'SRV', rcode: 0,
    answer: [`_http._tcp.svc1.testns.${S} 30 SRV 0 100 80 svc1.testns.${S}`], extra: [`svc1.testns.${S} 30 A 10.0.0.1`] },
  { qname: `_dns._udp.svc1.testns.${S}`, qtype: 'SRV', rcode: 0, answer: [`_dns._udp.svc1.testns.${S} 30 SRV 0 100 53 svc1.testns.${S}`] },
  { qname: `_http._udp.svc1.testns.${S}`, qtype: 'SRV', rcode: RCODE.NXDOMAIN, answer: [], ns: [SOA] },
  { qname: `_tcp.svc1.testns.${S}`, qtype: 'SRV', rcode: 0, answer: [], ns: [SOA] },
  { qname: `_http._tcp.svc1.testns.${S}`, qtype: 'A', rcode: 0, answer: [], ns: [SOA] },
  // Headless services (§2.4): ready endpoints only, by hostname or dashed IP
  { qname: `hdls1.testns.${S}`, qtype: 'A', rcode: 0, answer: [`hdls1.testns.${S} 30 A 172.0.0.2`, `hdls1.testns.${S} 30 A 172.0.0.3`] },
  { qname: `hdls1.testns.${S}`, qtype: 'AAAA', rcode: 0, answer: [`hdls1.testns.${S} 30 AAAA fd00::5`] },
  { qname: `endpoint-svc-0.hdls1.testns.${S}`, qtype: 'A', rcode: 0, answer: [`endpoint-svc-0.hdls1.testns.${S} 30 A 172.0.0.2`] },
  { qname: `172-0-0-3.hdls1.testns.${S}`, qtype: 'A', rcode: 0, answer: [`172-0-0-3.hdls1.testns.${S} 30 A 172.0.0.3`] },
  { qname: `172-0-0-4.hdls1.testns.${S}`, qtype: 'A', rcode: RCODE.NXDOMAIN, answer: [], ns: [SOA] },
  { qname: `fd00--5.hdls1.testns.${S}`, qtype: 'AAAA', rcode: 0, answer: [`fd00--5.hdls1.testns.${S} 30 AAAA fd00::5`] },
  { qname: `_http._tcp.hdls1.testns.${S}`, qtype: 'SRV', rcode: 0,
    answer: [
      `_http._tcp.hdls1.testns.${S} 30 SRV 0 33 80 172-0-0-3.hdls1.testns.${S}`,
      `_http._tcp.hdls1.testns.${S} 30 SRV 0 33 80 endpoint-svc-0.hdls1.testns.${S}`,
      `_http._tcp.hdls1.testns.${S} 30 SRV 0 33 80 fd00--5.hdls1.testns.${S}`,
    ],
    extra: [`172-0-0-3.hdls1.testns.${S} 30 A 172.0.0.3`, `endpoint-svc-0.hdls1.testns.${S} 30 A 172.0.0.2`, `fd00--5.hdls1.testns.${S} 30 AAAA fd00::5`] },
  { qname: `hdls-empty.testns.${S}`, qtype: 'A', rcode: 0, answer: [], ns: [SOA] },
  { qname: `hdls-notready.testns.${S}`, qtype: 'A', rcode: 0, answer: [`hdls-notready.testns.${S} 30 A 172.0.1.1`] },
  // ExternalName (§2.6)
  { qname: `ext.testns.${S}`, qtype: 'CNAME', rcode: 0, answer: [`ext.testns.${S} 30 CNAME ext.interwebs.test`] },
  { qname: `ext.testns.${S}`, qtype: 'A', rcode: 0, answer: [`ext.testns.${S} 30 CNAME ext.interwebs.test`] },
  { qname: `alias.testns.${S}`, qtype: 'A', rcode: 0, answer: [`alias.testns.${S} 30 CNAME svc1.testns.${S}`, `svc1.testns.${S} 30 A 10.0.0.1`] },
  // PTR (§2.3.3, §2.4.3): service IPs win over endpoint IPs
  { qname: '1.0.0.10.in-addr.arpa', qtype: 'PTR', rcode: 0, answer: [`1.0.0.10.in-addr.arpa 30 PTR svc1.testns.${S}`] },
  { qname: '2.0.0.172.in-addr.arpa', qtype: 'PTR', rcode: 0, answer: [`2.0.0.172.in-addr.arpa 30 PTR endpoint-svc-0.hdls1.testns.${S}`] },
  { qname: '3.0.0.172.in-addr.arpa', qtype: 'PTR', rcode: 0, answer: [`3.0.0.172.in-addr.arpa 30 PTR 172-0-0-3.hdls1.testns.${S}`] },
  { qname: `2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa`, qtype: 'PTR', rcode: 0,
    answer: [`2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa 30 PTR svc6.testns.${S}`] },
  // Endpoints of ClusterIP services get no names (spec §2.3); CoreDNS would answer them.
  { qname: '1.2.0.172.in-addr.arpa', qtype: 'PTR', rcode: 'forward' },
  { qname: '9.9.9.9.in-addr.arpa', qtype: 'PTR', rcode: 'forward' },
  // Schema version (§2.2)
  { qname: 'dns-version.cluster.local', qtype: 'TXT', rcode: 0, answer: ['dns-version.cluster.local 30 TXT 1.1.0'] },
  // Empty non-terminals vs names that do not exist
  { qname: `testns.${S}`, qtype: 'A', rcode: 0, answer: [], ns: [SOA] },
  { qname: S, qtype: 'A', rcode: 0, answer: [], ns: [SOA] },
  { qname: `nons.${S}`, qtype: 'A', rcode: RCODE.NXDOMAIN, answer: [], ns: [SOA] },
  { qname: `nosvc.testns.${S}`, qtype: 'A', rcode: RCODE.NXDOMAIN, answer: [], ns: [SOA] },
  { qname: 'nothing.cluster.local', qtype: 'A', rcode: RCODE.NXDOMAIN, answer: [], ns: [SOA] },
  // Pods, `pods insecure`: answered from the name itself
  { qname: '10-244-0-7.testns.pod.cluster.local', qtype: 'A', rcode: 0, answer: ['10-244-0-7.testns.pod.cluster.local 30 A 10.244.0.7'] },
  { qname: '1-2-3-4.otherns.pod.cluster.local', qtype: 'A', rcode: 0, answer: ['1-2-3-4.otherns.pod.cluster.local 30 A 1.2.3.4'] },
  { qname: 'fd00--7.testns.pod.cluster.local', qtype: 'AAAA', rcode: 0, answer: ['fd00--7.testns.pod.cluster.local 30 AAAA fd00::7'] },
  { qname: '10-244-0-7.testns.pod.cluster.local', qtype: 'AAAA', rcode: 0, answer: [], ns: [SOA] },
  { qname: 'notanip.testns.pod.cluster.local', qtype: 'A', rcode: RCODE.NXDOMAIN, answer: [], ns: [SOA] },
  { qname: '10-244-0-300.testns.pod.cluster.local', qtype: 'A', rcode: RCODE.NXDOMAIN, answer: [], ns: [SOA] },
  { qname: 'testns.pod.cluster.local', qtype: 'A', rcode: 0, answer: [], ns: [SOA] },
  // Apex
  { qname: 'cluster.local', qtype: 'SOA', rcode: 0, answer: [SOA] },
  { qname: 'cluster.local', qtype: 'NS', rcode: 0, answer: ['cluster.local 30 NS ns.dns.cluster.local'] },
  // Outside the zone
  { qname: 'example.com', qtype: 'A', rcode: 'forward' },
  { qname: 'local', qtype: 'A', rcode: 'forward' },
];

function rcodeOf(p: Packet): number {
  return (p.flags ?? 0) & 0xf;
}

describe('answer: kubernetes DNS specification table', () => {
  for (const c of cases) {
    it(`${c.qname} ${c.qtype} → ${c.rcode === 'forward' ? 'forward' : c.rcode}`, () => {
      const res = answer(zone, query(c.qname, c.qtype));
      if (c.rcode === 'forward') {
        assert.ok(isForward(res));
        return;
      }
      assert.ok(!isForward(res));
      assert.equal(rcodeOf(res), c.rcode);
      assert.ok((res.flags ?? 0) & FLAG_AA, 'authoritative');
      if (c.answer) assert.deepEqual((res.answers ?? []).map(rr).sort(), [...c.answer].sort());
      assert.deepEqual((res.authorities ?? []).map(rr), c.ns ?? []);
      if (c.extra) assert.deepEqual((res.additionals ?? []).map(rr).sort(), [...c.extra].sort());
    });
  }
});

describe('answer: header and error handling', () => {
  it('copies id and RD, sets QR and AA', () => {
    const res = answer(zone, query(`svc1.testns.${S}`, 'A')) as Packet;
    assert.equal(res.id, 42);
    assert.equal(res.type, 'response');
    assert.equal((res.flags ?? 0) & FLAG_RD, FLAG_RD);
    const noRd = answer(zone, query(`svc1.testns.${S}`, 'A', { flags: 0 })) as Packet;
    assert.equal((noRd.flags ?? 0) & FLAG_RD, 0);
  });

  it('FORMERR when QDCOUNT is not 1', () => {
    for (const questions of [[], [{ name: 'a.cluster.local', type: 'A' as const }, { name: 'b.cluster.local', type: 'A' as const }]]) {
      const res = answer(zone, { id: 1, type: 'query', flags: 0, questions }) as Packet;
      assert.equal(rcodeOf(res), RCODE.FORMERR);
    }
  });

  it('NOTIMP for opcodes other than QUERY', () => {
    const res = answer(zone, query(`svc1.testns.${S}`, 'A', { flags: 2 << 11 })) as Packet;
    assert.equal(rcodeOf(res), RCODE.NOTIMP);
    assert.equal((res.flags ?? 0) >> 11, 2, 'opcode echoed');
  });

  it('echoes an OPT record when the query has one, and answers BADVERS for EDNS version > 0', () => {
    const opt = { type: 'OPT' as const, name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
    const res = answer(zone, query(`svc1.testns.${S}`, 'A', { additionals: [opt] }), { udpPayloadSize: 1232 }) as Packet;
    assert.deepEqual(res.additionals?.map(rr), ['.  OPT 1232']);
    const bad = answer(zone, query(`svc1.testns.${S}`, 'A', { additionals: [{ ...opt, ednsVersion: 1 }] })) as Packet;
    const badOpt = bad.additionals?.find((a) => a.type === 'OPT');
    assert.ok(badOpt && badOpt.type === 'OPT' && badOpt.extendedRcode === 1);
    assert.deepEqual(bad.answers, []);
  });

  it('honours a custom TTL', () => {
    const res = answer(zone, query(`svc1.testns.${S}`, 'A'), { ttl: 7 }) as Packet;
    assert.deepEqual(res.answers?.map(rr), [`svc1.testns.${S} 7 A 10.0.0.1`]);
  });
});

describe('answer: pods verified / disabled', () => {
  it('verified answers only IPs of pods in that namespace', () => {
    const z = buildZone(objects(), { domain: 'cluster.local', pods: 'verified' });
    assert.equal(rcodeOf(answer(z, query('10-244-0-7.testns.pod.cluster.local', 'A')) as Packet), 0);
    assert.equal(rcodeOf(answer(z, query('fd00--7.testns.pod.cluster.local', 'AAAA')) as Packet), 0);
    assert.equal(rcodeOf(answer(z, query('1-2-3-4.testns.pod.cluster.local', 'A')) as Packet), RCODE.NXDOMAIN);
    assert.equal(rcodeOf(answer(z, query('10-244-0-7.otherns.pod.cluster.local', 'A')) as Packet), RCODE.NXDOMAIN);
  });

  it('disabled answers NXDOMAIN', () => {
    const z = buildZone(objects(), { domain: 'cluster.local', pods: 'disabled' });
    assert.equal(rcodeOf(answer(z, query('10-244-0-7.testns.pod.cluster.local', 'A')) as Packet), RCODE.NXDOMAIN);
  });
});
