import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterConfig } from '../api/types.js';
import { parseCIDR } from '../api/cidr.js';
import { canonicalIP, canonicalOrNone, clusterAllocators, nodePortStaticSize, notInRange, offsetIn, poolRange, serviceIPRange, serviceIPStaticSize } from './ranges.js';

describe('serviceIPRange', () => {
  it('leaves out the network address, and the broadcast address for IPv4 only', () => {
    const v4 = serviceIPRange('10.96.0.0/28');
    assert.equal(offsetIn(v4, '10.96.0.0'), undefined);
    assert.equal(offsetIn(v4, '10.96.0.1'), 1n);
    assert.equal(offsetIn(v4, '10.96.0.14'), 14n);
    assert.equal(offsetIn(v4, '10.96.0.15'), undefined);
    assert.equal(offsetIn(v4, '10.96.0.16'), undefined);
    const v6 = serviceIPRange('fd00:10:96::/124');
    assert.equal(offsetIn(v6, 'fd00:10:96::'), undefined);
    assert.equal(offsetIn(v6, 'fd00:10:96::f'), 15n);
    assert.equal(offsetIn(v6, '10.96.0.1'), undefined, 'other family');
  });

  it('words an address outside the range as the API server does', () => {
    assert.equal(notInRange(serviceIPRange('10.96.0.0/12'), '192.0.2.1'),
      'the provided IP (192.0.2.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12');
  });
});

describe('poolRange', () => {
  it('holds every address of the pool, and skips IPv4 .0 and .255', () => {
    const pool = poolRange('172.18.0.240/28');
    assert.equal(offsetIn(pool, '172.18.0.240'), 0n);
    assert.equal(offsetIn(pool, '172.18.0.255'), 15n);
    assert.ok(pool.skip?.(pool.cidr.base + 15n));
    assert.ok(!pool.skip?.(pool.cidr.base + 14n));
    assert.equal(poolRange('fd00:172:18::f0/124').skip, undefined);
  });
});

describe('canonicalIP', () => {
  it('gives one text per address', () => {
    assert.equal(canonicalIP('FD00:0:0::A'), 'fd00::a');
    assert.equal(canonicalIP('10.96.0.10'), '10.96.0.10');
    assert.deepEqual(canonicalOrNone('None'), []);
    assert.deepEqual(canonicalOrNone(undefined), []);
    assert.deepEqual(canonicalOrNone('not-an-ip'), []);
    assert.deepEqual(canonicalOrNone('fd00:0::1'), ['fd00::1']);
  });
});

describe('clusterAllocators', () => {
  it('keys ranges by family name, primary first', () => {
    const config = {
      serviceCIDRs: ['10.96.0.0/12', 'fd00:10:96::/108'], loadBalancerPools: ['172.18.0.240/28', 'fd00:172:18::f0/124'], nodePortRange: [30000, 32767],
    } as unknown as ClusterConfig;
    const a = clusterAllocators(config);
    assert.deepEqual(a.families, ['IPv4', 'IPv6']);
    assert.equal(a.serviceRanges.get('IPv6')?.cidr.prefix, 108);
    assert.equal(a.pools.get('IPv4')?.cidr.prefix, 28);
    assert.deepEqual(a.nodePorts, [30000, 32767]);
  });
});

describe('static bands', () => {
  it('ClusterIPs: min(max(16, size/16), 256) of the CIDR, none for 16 addresses or fewer (KEP-3070)', () => {
    const band = (c: string) => serviceIPStaticSize(parseCIDR(c));
    assert.deepEqual(['10.96.0.0/28', '10.96.0.0/27', '10.96.0.0/24', '10.96.0.0/20', '10.96.0.0/12', 'fd00:10:96::/108', 'fd00:10:96::/124'].map(band),
      [0n, 16n, 16n, 256n, 256n, 256n, 0n]);
    assert.equal(band('10.96.0.0/21'), 128n);
  });

  it('NodePorts: min(max(16, size/32), 128), none for 16 ports or fewer (KEP-3668)', () => {
    assert.deepEqual([[30000, 32767], [30000, 30015], [30000, 30016], [30000, 30999], [30000, 39999]].map((r) => nodePortStaticSize(r as [number, number])),
      [86n, 0n, 16n, 31n, 128n]);
  });
});
