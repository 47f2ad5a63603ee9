import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalIPv6, parseIPv4, parseIPv6, reverseName, undash } from './ip.js';
import { buildZone } from './zone.js';
import { objects } from './fixtures.test-util.js';

describe('ip helpers', () => {
  it('parses and rejects addresses', () => {
    assert.deepEqual(parseIPv4('10.0.0.1'), [10, 0, 0, 1]);
    for (const bad of ['10.0.0', '10.0.0.256', '010.0.0.1', '1.2.3.4.5']) assert.equal(parseIPv4(bad), undefined, bad);
    assert.deepEqual(parseIPv6('fd00::2'), [0xfd00, 0, 0, 0, 0, 0, 0, 2]);
    assert.deepEqual(parseIPv6('::ffff:1.2.3.4'), [0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    for (const bad of ['1::2::3', '12345::', 'g::1', '1:2:3:4:5:6:7']) assert.equal(parseIPv6(bad), undefined, bad);
  });

  it('formats canonical IPv6 and reverse names', () => {
    assert.equal(canonicalIPv6([0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]), '2001:db8::1:0:0:1');
    assert.equal(canonicalIPv6([0x2001, 0xdb8, 0, 1, 1, 1, 1, 1]), '2001:db8:0:1:1:1:1:1');
    assert.equal(reverseName('10.0.0.1'), '1.0.0.10.in-addr.arpa');
    assert.equal(reverseName('2001:db8::1'), '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
    assert.deepEqual(undash('2001-DB8--1'), { ip: '2001:db8::1', family: 6 });
    assert.equal(undash('web-0'), undefined);
  });
});

describe('buildZone', () => {
  it('is deterministic and dumps as plain data', () => {
    const a = buildZone(objects(), { domain: 'Cluster.Local.' }).dump();
    const b = buildZone(objects(), { domain: 'cluster.local' }).dump();
    assert.equal(JSON.stringify(a), JSON.stringify(b));
    assert.deepEqual(JSON.parse(JSON.stringify(a)), a);
  });
});
