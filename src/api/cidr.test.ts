import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AddressError, addressFamily, contains, formatCIDR, formatIP, nthAddress, overlaps, parseCIDR, parseIP, size, subnet } from './cidr.js';

describe('parseIP / formatIP', () => {
  // [input, family, canonical output]
  const ok: [string, 4 | 6, string][] = [
    ['0.0.0.0', 4, '0.0.0.0'], ['10.244.1.5', 4, '10.244.1.5'], ['255.255.255.255', 4, '255.255.255.255'],
    ['::', 6, '::'], ['::1', 6, '::1'], ['FD00:10:244::', 6, 'fd00:10:244::'],
    ['2001:db8:0:0:1:0:0:1', 6, '2001:db8::1:0:0:1'], // RFC 5952 §4.2.3: first of equal runs
    ['2001:db8:0:1:1:1:1:1', 6, '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', 6, '2001:db8::ff00:42:8329'],
    ['::ffff:10.1.2.3', 6, '::ffff:a01:203'], ['1:2:3:4:5:6:7::', 6, '1:2:3:4:5:6:7:0'],
  ];
  for (const [input, family, out] of ok) {
    it(`${input} → ${out}`, () => {
      const ip = parseIP(input);
      assert.equal(ip.family, family);
      assert.equal(formatIP(ip.family, ip.value), out);
      assert.equal(addressFamily(input), family);
    });
  }
  for (const bad of ['10.1', '10.1.2.3.4', '256.1.1.1', '01.2.3.4', '1.2.3.-1', ':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'g::', '1:2:3:4:5:6:7:8::', '']) {
    it(`rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => parseIP(bad), AddressError);
      assert.equal(addressFamily(bad), undefined);
    });
  }
});

describe('CIDR arithmetic', () => {
  it('parses, notes host bits, formats canonically', () => {
    const c = parseCIDR('10.244.1.0/16');
    assert.equal(formatCIDR(c), '10.244.0.0/16');
    assert.equal(c.hadHostBits, true);
    assert.equal(parseCIDR('fd00:10:244:0000::/56').hadHostBits, false);
    assert.equal(formatCIDR(parseCIDR('FD00:10:244:0000::/56')), 'fd00:10:244::/56');
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/08', '::/129', 'x/8']) assert.throws(() => parseCIDR(bad), AddressError, bad);
  });
  it('size, contains, overlaps', () => {
    assert.equal(size(parseCIDR('10.244.0.0/24')), 256n);
    assert.equal(size(parseCIDR('fd00::/64')), 1n << 64n);
    const c = parseCIDR('10.96.0.0/12');
    assert.equal(contains(c, '10.111.255.255'), true);
    assert.equal(contains(c, '10.112.0.0'), false);
    assert.equal(contains(c, '::1'), false);
    const table: [string, string, boolean][] = [
      ['10.0.0.0/8', '10.244.0.0/16', true], ['10.244.0.0/16', '10.0.0.0/8', true], ['10.244.0.0/24', '10.244.1.0/24', false],
      ['10.0.0.0/8', 'fd00::/8', false], ['fd00:10:244::/56', 'fd00:10:244:ff::/64', true], ['0.0.0.0/0', '1.2.3.4/32', true],
    ];
    for (const [a, b, want] of table) assert.equal(overlaps(parseCIDR(a), parseCIDR(b)), want, `${a} ${b}`);
  });
  it('nthAddress and subnet', () => {
    assert.equal(nthAddress(parseCIDR('172.18.0.0/24'), 1), '172.18.0.1');
    assert.equal(nthAddress(parseCIDR('172.18.0.0/24'), -1), '172.18.0.255');
    assert.equal(nthAddress(parseCIDR('fd00:172:18::/64'), 3), 'fd00:172:18::3');
    assert.throws(() => nthAddress(parseCIDR('172.18.0.0/30'), 4), AddressError);
    assert.equal(formatCIDR(subnet(parseCIDR('10.244.0.0/16'), 24, 3)), '10.244.3.0/24');
    assert.equal(formatCIDR(subnet(parseCIDR('fd00:10:244::/56'), 64, 1)), 'fd00:10:244:1::/64');
    assert.equal(formatCIDR(subnet(parseCIDR('10.244.0.0/16'), 24, 255)), '10.244.255.0/24');
    assert.throws(() => subnet(parseCIDR('10.244.0.0/16'), 24, 256), /subnet 256 is outside 10.244.0.0\/16 \(256 \/24 subnets\)/);
    assert.throws(() => subnet(parseCIDR('10.244.0.0/16'), 8, 0), AddressError);
  });
});
