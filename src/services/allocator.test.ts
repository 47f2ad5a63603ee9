import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1ServiceSpec } from '@kubernetes/client-node';
import { errorsFor, ManifestError } from '../api/errors.js';
import type { ClusterConfig, V1Service } from '../api/types.js';
import { BatchAllocator, type BatchFixed } from './allocator.js';
import { seededRandom, type Random } from './claims.js';
import { clusterAllocators } from './ranges.js';

const CONFIG = { serviceCIDRs: ['10.96.0.0/28', 'fd00:10:96::/124'], loadBalancerPools: ['172.18.0.240/30'], nodePortRange: [30000, 30009] } as unknown as ClusterConfig;
const noFixed = (): BatchFixed => ({ ips: new Set(), ports: new Set(), lbIPs: new Set() });
/** Always draws 0: the first free value of the upper band. CONFIG's ranges are too small for a static band. */
const FIRST: Random = () => 0;

/** A Service as admission hands it to the allocator: defaulted, families chosen. */
function svc(name: string, spec: V1ServiceSpec): V1Service {
  return { metadata: { name, namespace: 'default' }, spec: { ipFamilies: ['IPv4'], ports: [{ port: 80 }], ...spec } };
}

/** Runs every step for each Service in order, as admission does. */
function admitAll(batch: BatchAllocator, services: V1Service[], old: Map<string, V1Service> = new Map()): V1Service[] {
  for (const s of services) {
    const key = `default/${s.metadata?.name}`;
    const err = errorsFor({ kind: 'Service', metadata: { name: s.metadata?.name ?? '' } });
    batch.clusterIPs(s, key, err);
    batch.nodePorts(s, key, err);
    batch.loadBalancer(s, key, old.get(key), err);
  }
  return services;
}

describe('BatchAllocator', () => {
  it('gives each family its own picker, around the reserved .1 and .10', () => {
    const batch = new BatchAllocator(clusterAllocators(CONFIG), [], noFixed(), FIRST);
    const out = admitAll(batch, Array.from({ length: 10 }, (_, i) => svc(`s${i}`, { ipFamilies: i % 2 ? ['IPv6'] : ['IPv4'] })));
    assert.deepEqual(out.map((s) => s.spec?.clusterIP), [
      '10.96.0.2', 'fd00:10:96::2', '10.96.0.3', 'fd00:10:96::3', '10.96.0.4', 'fd00:10:96::4', '10.96.0.5', 'fd00:10:96::5', '10.96.0.6', 'fd00:10:96::6',
    ]);
  });

  it('hands a value freed earlier in the batch to the next Service that needs one', () => {
    const existing = [svc('a', { type: 'NodePort', clusterIP: '10.96.0.2', ports: [{ port: 80, nodePort: 30000 }] }), svc('b', { type: 'NodePort', clusterIP: '10.96.0.3', ports: [{ port: 80, nodePort: 30001 }] })];
    const batch = new BatchAllocator(clusterAllocators(CONFIG), existing, noFixed(), FIRST);
    const [c] = admitAll(batch, [svc('c', { type: 'NodePort' })]);
    assert.equal(c.spec?.ports?.[0].nodePort, 30002);
    // a turns into a plain ClusterIP Service: its NodePort is free again for d, in the same batch.
    const [, d] = admitAll(batch, [svc('a', { clusterIP: '10.96.0.2' }), svc('d', { type: 'NodePort' })]);
    assert.equal(d.spec?.ports?.[0].nodePort, 30000);
  });

  it('keeps values fixed anywhere in the batch out of dynamic picks', () => {
    const fixed = noFixed();
    fixed.ips.add('10.96.0.2');
    fixed.ports.add(30000);
    fixed.lbIPs.add('172.18.0.240');
    const batch = new BatchAllocator(clusterAllocators(CONFIG), [], fixed, FIRST);
    const [a] = admitAll(batch, [svc('a', { type: 'LoadBalancer' })]);
    assert.equal(a.spec?.clusterIP, '10.96.0.3');
    assert.equal(a.spec?.ports?.[0].nodePort, 30001);
    assert.deepEqual(a.status?.loadBalancer?.ingress, [{ ip: '172.18.0.241' }]);
  });
});

/** A /24 (static band .1-.16, upper band .17-.254) and 1,000 NodePorts (static band 30000-30030). */
const BANDED = { serviceCIDRs: ['10.96.0.0/24'], loadBalancerPools: ['172.18.0.240/30'], nodePortRange: [30000, 30999] } as unknown as ClusterConfig;
const lastOctet = (ip: string | undefined): number => Number(ip?.split('.')[3]);

/** Admits `n` new NodePort Services one at a time into what is stored, as separate applies would. */
function createMany(n: number, random: Random, stored: V1Service[] = []): V1Service[] {
  for (let i = 0; i < n; i++) {
    const batch = new BatchAllocator(clusterAllocators(BANDED), stored, noFixed(), random);
    stored.push(...admitAll(batch, [svc(`n${stored.length}`, { type: 'NodePort' })]));
  }
  return stored;
}

describe('BatchAllocator at random with static bands (KEP-3070, KEP-3668)', () => {
  it('spreads first picks over the whole upper band', () => {
    const random = seededRandom(42);
    const quarters = [0, 0, 0, 0];
    const portQuarters = [0, 0, 0, 0];
    for (let i = 0; i < 2000; i++) {
      const [s] = createMany(1, random);
      const ip = lastOctet(s.spec?.clusterIP);
      const port = s.spec?.ports?.[0].nodePort ?? 0;
      assert.ok(ip >= 17 && ip <= 254, `ClusterIP ${s.spec?.clusterIP} is in the upper band`);
      assert.ok(port >= 30031 && port <= 30999, `NodePort ${port} is in the upper band`);
      quarters[Math.min(3, Math.floor(((ip - 17) / 238) * 4))]++;
      portQuarters[Math.min(3, Math.floor(((port - 30031) / 969) * 4))]++;
    }
    // 500 expected in each quarter; ±100 is over 4 standard deviations.
    for (const q of [...quarters, ...portQuarters]) assert.ok(q > 400 && q < 600, `quarters ${quarters} ${portQuarters}`);
  });

  it('leaves the static band alone until the upper band is full, then uses it (never .1 or .10)', () => {
    const stored = createMany(238, seededRandom(7));
    const octets = stored.map((s) => lastOctet(s.spec?.clusterIP));
    assert.deepEqual([...octets].sort((a, b) => a - b), Array.from({ length: 238 }, (_, i) => 17 + i), 'exactly the upper band');
    const ports = stored.map((s) => s.spec?.ports?.[0].nodePort ?? 0);
    assert.ok(ports.every((p) => p >= 30031), 'NodePorts too stay in their upper band');
    const next = createMany(14, seededRandom(8), stored).slice(238).map((s) => lastOctet(s.spec?.clusterIP));
    assert.deepEqual(next.sort((a, b) => a - b), [2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16]);
  });

  it('NodePorts fall into their static band only once the upper band is full', () => {
    const stored: V1Service[] = Array.from({ length: 969 }, (_, i) => svc(`u${i}`, { type: 'NodePort', clusterIP: 'None', ports: [{ port: 80, nodePort: 30031 + i }] }));
    const [s] = createMany(1, seededRandom(3), stored).slice(969);
    const port = s.spec?.ports?.[0].nodePort ?? 0;
    assert.ok(port >= 30000 && port <= 30030, `${port} from the static band`);
  });

  it('a full range is an error naming the field', () => {
    const stored = createMany(252, seededRandom(11));
    const batch = new BatchAllocator(clusterAllocators(BANDED), stored, noFixed(), seededRandom(12));
    assert.throws(() => admitAll(batch, [svc('one-too-many', {})]), (e: unknown) => {
      assert.ok(e instanceof ManifestError, String(e));
      assert.deepEqual([e.field, e.problem], ['spec.clusterIP', 'failed to allocate a serviceIP: range is full (10.96.0.0/24)']);
      return true;
    });
  });

  it('fixed addresses and ports may be taken anywhere in the range, static band or not', () => {
    const batch = new BatchAllocator(clusterAllocators(BANDED), [], noFixed(), seededRandom(5));
    const [lo, hi] = admitAll(batch, [
      svc('lo', { type: 'NodePort', clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'], ports: [{ port: 80, nodePort: 30005 }] }),
      svc('hi', { type: 'NodePort', clusterIP: '10.96.0.200', clusterIPs: ['10.96.0.200'], ports: [{ port: 80, nodePort: 30500 }] }),
    ]);
    assert.deepEqual([lo.spec?.clusterIP, lo.spec?.ports?.[0].nodePort], ['10.96.0.5', 30005]);
    assert.deepEqual([hi.spec?.clusterIP, hi.spec?.ports?.[0].nodePort], ['10.96.0.200', 30500]);
  });

  it('a Service deleted and created again gets a different ClusterIP and NodePort', () => {
    const random = seededRandom(2026);
    let same = 0;
    let prev: V1Service | undefined;
    for (let i = 0; i < 50; i++) {
      const [s] = createMany(1, random); // nothing stored: the previous one was deleted
      if (prev && (s.spec?.clusterIP === prev.spec?.clusterIP || s.spec?.ports?.[0].nodePort === prev.spec?.ports?.[0].nodePort)) same++;
      prev = s;
    }
    // With 238 addresses the chance of a repeat is under 1 in 200 per round; this seed gives none.
    assert.equal(same, 0);
  });

  it('the same seed gives the same picks', () => {
    const ips = (seed: number) => createMany(5, seededRandom(seed)).map((s) => s.spec?.clusterIP);
    assert.deepEqual(ips(9), ips(9));
    assert.notDeepEqual(ips(9), ips(10));
  });
});
