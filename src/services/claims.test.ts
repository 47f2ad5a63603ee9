import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Service } from '../api/types.js';
import { Claims, claimsOf, ipSpace, LowestFree, portSpace, RandomFree, seededRandom } from './claims.js';
import { poolRange, serviceIPRange } from './ranges.js';

/** One pick from a fresh cursor: what the first Service of a batch would get. */
function lowestIP(cidr: string, taken: string[], avoid?: (off: bigint) => boolean, pool = false): string | undefined {
  const claims = new Claims<string>();
  claims.set('other/x', taken);
  return new LowestFree(ipSpace(pool ? poolRange(cidr) : serviceIPRange(cidr), avoid), claims, new Set()).next('a/me');
}

describe('LowestFree over addresses', () => {
  it('takes the lowest free address and steps around avoided offsets', () => {
    assert.equal(lowestIP('10.96.0.0/28', []), '10.96.0.1');
    assert.equal(lowestIP('10.96.0.0/28', ['10.96.0.1', '10.96.0.2'], (off) => off === 3n), '10.96.0.4');
  });

  it('returns undefined when the range is full', () => {
    assert.equal(lowestIP('10.96.0.0/30', ['10.96.0.1', '10.96.0.2']), undefined);
  });

  it('never hands out IPv4 .0 or .255 from a pool', () => {
    assert.equal(lowestIP('172.18.0.240/28', ['172.18.0.240', '172.18.0.241'], undefined, true), '172.18.0.242');
    const all = Array.from({ length: 15 }, (_, i) => `172.18.0.${240 + i}`);
    assert.equal(lowestIP('172.18.0.240/28', all, undefined, true), undefined, '.255 is never handed out');
    assert.equal(lowestIP('fd00:172:18::f0/124', [], undefined, true), 'fd00:172:18::f0');
  });
});

describe('LowestFree over a batch', () => {
  const ports = (fixed: number[] = []) => {
    const claims = new Claims<number>();
    return { claims, free: new LowestFree(portSpace([30000, 30009]), claims, new Set(fixed)) };
  };

  it('continues where the last pick ended, around values the batch fixes', () => {
    const { claims, free } = ports([30001]);
    for (const name of ['a', 'b', 'c']) claims.set(name, [free.next(name) as number]);
    assert.deepEqual(['a', 'b', 'c'].map((n) => claims.heldBy(n)[0]), [30000, 30002, 30003]);
  });

  it('steps back to a value freed in the same batch', () => {
    const { claims, free } = ports();
    for (const name of ['a', 'b', 'c']) claims.set(name, [free.next(name) as number]);
    claims.set('a', []);
    assert.equal(free.next('d'), 30000);
  });

  it('lets an owner reuse its own value unless told otherwise', () => {
    const { claims, free } = ports();
    claims.set('a', [30000]);
    claims.set('b', [30001]);
    assert.equal(free.next('b'), 30001);
    assert.equal(free.next('b', (p) => p === 30001), 30002);
  });

  it('reports a full range', () => {
    const claims = new Claims<number>();
    const free = new LowestFree(portSpace([30000, 30001]), claims, new Set([30001]));
    claims.set('a', [free.next('a') as number]);
    assert.equal(free.next('b'), undefined);
    assert.equal(free.next('b'), undefined);
  });
});

describe('Claims', () => {
  it('replaces an owner\'s claims as a whole, and logs what is freed', () => {
    const c = new Claims<number>();
    c.set('a/x', [30000, 30001]);
    c.set('a/y', [30002]);
    assert.equal(c.ownerOf(30001), 'a/x');
    assert.ok(c.heldByOther(30001, 'a/y'));
    assert.ok(!c.heldByOther(30001, 'a/x'));
    c.set('a/x', [30005, 30000]);
    assert.equal(c.ownerOf(30001), undefined);
    assert.equal(c.ownerOf(30005), 'a/x');
    assert.equal(c.ownerOf(30002), 'a/y');
    assert.deepEqual(c.released, [30001]);
    assert.deepEqual(c.heldBy('a/x'), [30005, 30000]);
  });
});

describe('claimsOf', () => {
  it('collects ClusterIPs, NodePorts, health-check ports and LoadBalancer addresses', () => {
    const services: V1Service[] = [
      { metadata: { name: 'a', namespace: 'x' }, spec: { clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5', 'FD00::5'], ports: [{ port: 80, nodePort: 30080 }], healthCheckNodePort: 30099 },
        status: { loadBalancer: { ingress: [{ ip: '172.18.0.240' }, { hostname: 'lb.example' }] } } },
      { metadata: { name: 'h' }, spec: { clusterIP: 'None' } },
      { metadata: { name: 'old' }, spec: { clusterIP: '10.96.0.6' } },
    ];
    const c = claimsOf(services);
    assert.equal(c.ips.ownerOf('fd00::5'), 'x/a');
    assert.equal(c.ips.ownerOf('10.96.0.6'), 'default/old', 'clusterIP alone counts');
    assert.equal(c.ports.ownerOf(30080), 'x/a');
    assert.equal(c.ports.ownerOf(30099), 'x/a');
    assert.equal(c.lbIPs.ownerOf('172.18.0.240'), 'x/a');
    assert.equal(c.ips.ownerOf('None'), undefined);
  });
});

describe('RandomFree', () => {
  it('scans from a random start, wrapping round, past taken, fixed and excluded values', () => {
    const claims = new Claims<number>();
    claims.set('x', [30008]);
    // Upper band 30004-30009; a draw of 0.7 starts at 30004 + floor(0.7 * 6) = 30008.
    const free = new RandomFree(portSpace([30000, 30009]), claims, new Set([30009]), 4n, () => 0.7);
    assert.equal(free.next('a'), 30004, '30008 held, 30009 fixed: wraps round to 30004');
    assert.equal(free.next('a', (p) => p === 30004), 30005);
  });

  it('falls into the static band only when the upper band is full, and keeps an owner its own value', () => {
    const claims = new Claims<number>();
    claims.set('x', [30004, 30005, 30006, 30007, 30008, 30009]);
    const free = new RandomFree(portSpace([30000, 30009]), claims, new Set(), 4n, seededRandom(1));
    const v = free.next('a') as number;
    assert.ok(v >= 30000 && v <= 30003, String(v));
    assert.equal(free.next('x'), 30004);
    claims.set('y', [30000, 30001, 30002, 30003]);
    assert.equal(free.next('a'), undefined);
  });

  it('seededRandom: repeatable, in [0, 1)', () => {
    const a = seededRandom(99);
    const b = seededRandom(99);
    const xs = Array.from({ length: 1000 }, () => a());
    assert.deepEqual(xs.slice(0, 5), Array.from({ length: 5 }, () => b()));
    assert.ok(xs.every((x) => x >= 0 && x < 1));
  });
});
