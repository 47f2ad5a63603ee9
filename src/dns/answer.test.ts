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
  { qname: `hdls-notready.testns.${S}`, qtype: 'A', rcode: 0, answer: [`hdls-notready.testns.${S} 30 A 172.0.1.1`] },
  // ExternalName (§2.6)
  { qname: `ext.testns.${S}`, qtype: 'CNAME', rcode: 0, answer: [`ext.testns.${S} 30 CNAME ext.interwebs.test`] },
  { qname: `ext.testns.${S}`, qtype: 'A', rcode: 0, answer: [`ext.testns.${S} 30 CNAME ext.interwebs.test`] },
  { qname: `alias.testns.${S}`, qtype: 'A', rcode: 0, answer: [`alias.testns.${S} 30 CNAME svc1.testns.${S}`, `svc1.testns.${S} 30 A 10.0.0.1`] },
  // PTR (§2.3.3, §2.4.3): service IPs win over endpoint IPs
  { qname: '1.0.0.10.in-addr.arpa', qtype: 'PTR', rcode: 0, answer: [`1.0.0.10.in-addr.arpa 30 PTR svc1.testns.${S}`] },
  { qname: '2.0.0.172.in-addr.arpa', qtype: 'PTR', rcode: 0, answer: [`2.0.0.172.in-addr.arpa 30 PTR endpoint-svc-0.hdls1.testns.${S}`] },
  // An address that is an endpoint of two headless services names both (CoreDNS serviceRecordForIP).
  { qname: '3.0.0.172.in-addr.arpa', qtype: 'PTR', rcode: 0,
    answer: [`3.0.0.172.in-addr.arpa 30 PTR 172-0-0-3.hdls1.testns.${S}`, `3.0.0.172.in-addr.arpa 30 PTR shared.hdls-shared.testns.${S}`] },
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
  { qname: '1-2-3-4.emptyns.pod.cluster.local', qtype: 'A', rcode: 0, answer: ['1-2-3-4.emptyns.pod.cluster.local 30 A 1.2.3.4'] },
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
  ...cornerCases(),
  { qname: 'local', qtype: 'A', rcode: 'forward' },
];

/** Corner cases reviewed against the spec and CoreDNS plugin/kubernetes (kubernetes.go, parse.go, handler_test.go). */
function cornerCases(): Case[] {
  const NX = RCODE.NXDOMAIN;
  const nx = (qname: string, qtype = 'A'): Case => ({ qname, qtype, rcode: NX, answer: [], ns: [SOA] });
  const nodata = (qname: string, qtype = 'A'): Case => ({ qname, qtype, rcode: 0, answer: [], ns: [SOA] });
  return [
    // Headless, no endpoints at all / none ready: the name does not exist (CoreDNS findServices
    // ends with errNoItems), and neither do its SRV and endpoint names.
    nx(`hdls-empty.testns.${S}`), nx(`hdls-empty.testns.${S}`, 'AAAA'), nx(`_http._tcp.hdls-empty.testns.${S}`, 'SRV'),
    nx(`hdls-allnotready.testns.${S}`), nx(`_http._tcp.hdls-allnotready.testns.${S}`, 'SRV'), nx(`172-0-3-1.hdls-allnotready.testns.${S}`),
    { qname: '1.3.0.172.in-addr.arpa', qtype: 'PTR', rcode: 'forward' },
    // publishNotReadyAddresses: a not-ready endpoint has its name and PTR like a ready one.
    { qname: `172-0-1-1.hdls-notready.testns.${S}`, qtype: 'A', rcode: 0, answer: [`172-0-1-1.hdls-notready.testns.${S} 30 A 172.0.1.1`] },
    { qname: '1.1.0.172.in-addr.arpa', qtype: 'PTR', rcode: 0, answer: [`1.1.0.172.in-addr.arpa 30 PTR 172-0-1-1.hdls-notready.testns.${S}`] },
    // Headless without ports: A records, no SRV (CoreDNS handler_test "hdlsprtls").
    { qname: `hdlsprtls.testns.${S}`, qtype: 'A', rcode: 0, answer: [`hdlsprtls.testns.${S} 30 A 172.0.0.20`] },
    { qname: `172-0-0-20.hdlsprtls.testns.${S}`, qtype: 'A', rcode: 0, answer: [`172-0-0-20.hdlsprtls.testns.${S} 30 A 172.0.0.20`] },
    nodata(`172-0-0-20.hdlsprtls.testns.${S}`, 'AAAA'),
    // ClusterIP Service without endpoints: still answered, SRV included (CoreDNS "svcempty";
    // only the non-default `ignore empty_service` makes it NXDOMAIN).
    { qname: `svcempty.testns.${S}`, qtype: 'A', rcode: 0, answer: [`svcempty.testns.${S} 30 A 10.0.0.3`] },
    { qname: `_http._tcp.svcempty.testns.${S}`, qtype: 'SRV', rcode: 0, answer: [`_http._tcp.svcempty.testns.${S} 30 SRV 0 100 80 svcempty.testns.${S}`] },
    nodata(`svcempty.testns.${S}`, 'AAAA'),
    // SRV at the Service's own name: NODATA per spec §2.3.2 (only _port._proto names). CoreDNS
    // answers one SRV per port there; no client podnet knows of relies on it.
    nodata(`svc1.testns.${S}`, 'SRV'),
    // ExternalName that looks like an IP: no record (CoreDNS keeps ExternalName only when
    // HostType() is CNAME; Kubernetes docs: such names "are not resolved by DNS servers").
    nx(`ext-ip.testns.${S}`), nx(`ext-ip.testns.${S}`, 'CNAME'),
    // ExternalName: CNAME for every type; nothing below it (CoreDNS handler_test "external").
    { qname: `ext.testns.${S}`, qtype: 'AAAA', rcode: 0, answer: [`ext.testns.${S} 30 CNAME ext.interwebs.test`] },
    nx(`_http._tcp.ext.testns.${S}`, 'SRV'), nx(`endpoint.ext.testns.${S}`, 'CNAME'), nx(`subdomain.subdomain.ext.testns.${S}`, 'CNAME'),
    // Extra labels: too long for any record (CoreDNS parseRequest: errInvalidRequest → NXDOMAIN).
    nx(`x.svc1.testns.${S}`), nx(`a.b.svc1.testns.${S}`), nx(`a.b.svc.testns.${S}`), nx(`a.endpoint-svc-0.hdls1.testns.${S}`),
    nx(`x._http._tcp.svc1.testns.${S}`, 'SRV'), nx(`bogusendpoint.hdls1.testns.${S}`), nx(`bogusendpoint.svc0.testns.${S}`),
    // Pods: a namespace must exist (CoreDNS findPods: namespaceExposed); one that only has a
    // Namespace object exists (NODATA); extra labels and non-address labels are NXDOMAIN.
    nx('x.pod.cluster.local'), nx('1-2-3-4.otherns.pod.cluster.local'), nx('x.1-2-3-4.testns.pod.cluster.local'),
    nx('svc1.testns.pod.cluster.local'), nodata('emptyns.pod.cluster.local'), nodata('emptyns.svc.cluster.local'),
    nodata('pod.cluster.local'),
    // Wildcards: not supported (CoreDNS dropped them in 1.9.0): '*' is an ordinary label that no name has.
    nx(`*.testns.${S}`), nx(`svc1.*.${S}`), nx(`*.*.${S}`, 'SRV'), nx(`_http._tcp.*.testns.${S}`, 'SRV'),
    // Types with no data at an existing name: NODATA with the SOA (CoreDNS handler_test TXT, SOA, NS).
    nodata(`svc1.testns.${S}`, 'TXT'), nodata(`svc1.testns.${S}`, 'SOA'), nodata(S, 'NS'), nodata(`testns.${S}`, 'NS'),
    nodata(`endpoint-svc-0.hdls1.testns.${S}`, 'AAAA'), nodata('dns-version.cluster.local', 'A'),
    nx('foo.cluster.local', 'NS'), nx(`foo.${S}`, 'NS'), nx(`svc0.svc-nons.${S}`, 'TXT'),
    // Case-insensitive everywhere; the answer keeps the question's spelling (as CoreDNS).
    { qname: `_HTTP._Tcp.SVC1.testns.${S}`, qtype: 'SRV', rcode: 0, answer: [`_HTTP._Tcp.SVC1.testns.${S} 30 SRV 0 100 80 svc1.testns.${S}`] },
    { qname: `Endpoint-Svc-0.HDLS1.TESTNS.SVC.cluster.local`, qtype: 'A', rcode: 0, answer: [`Endpoint-Svc-0.HDLS1.TESTNS.SVC.cluster.local 30 A 172.0.0.2`] },
    { qname: '1.0.0.10.IN-ADDR.ARPA.', qtype: 'PTR', rcode: 0, answer: [`1.0.0.10.IN-ADDR.ARPA 30 PTR svc1.testns.${S}`] },
    { qname: 'FD00--7.TestNS.POD.cluster.local', qtype: 'AAAA', rcode: 0, answer: ['FD00--7.TestNS.POD.cluster.local 30 AAAA fd00::7'] },
    { qname: 'DNS-Version.Cluster.Local', qtype: 'TXT', rcode: 0, answer: ['DNS-Version.Cluster.Local 30 TXT 1.1.0'] },
    nx(`HDLS-EMPTY.testns.${S}`),
  ];
}

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

  it('REFUSED for zone transfers (AXFR, IXFR), in the zone and below it, as CoreDNS', () => {
    for (const [name, type] of [['cluster.local', 'AXFR'], ['cluster.local', 'IXFR'], [`svc1.testns.${S}`, 'AXFR']]) {
      const res = answer(zone, query(name as string, type as string)) as Packet;
      assert.equal(rcodeOf(res), RCODE.REFUSED, `${name} ${type}`);
      assert.deepEqual(res.answers, []);
    }
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
