import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1ServiceSpec } from '@kubernetes/client-node';
import { errorsFor } from '../api/errors.js';
import type { ClusterConfig, V1Service } from '../api/types.js';
import { BatchAllocator, type BatchFixed } from './allocator.js';
import { clusterAllocators } from './ranges.js';

const CONFIG = { serviceCIDRs: ['10.96.0.0/28', 'fd00:10:96::/124'], loadBalancerPools: ['172.18.0.240/30'], nodePortRange: [30000, 30009] } as unknown as ClusterConfig;
const noFixed = (): BatchFixed => ({ ips: new Set(), ports: new Set(), lbIPs: new Set() });

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
  it('gives each family its own cursor, around the reserved .1 and .10', () => {
    const batch = new BatchAllocator(clusterAllocators(CONFIG), [], noFixed());
    const out = admitAll(batch, Array.from({ length: 10 }, (_, i) => svc(`s${i}`, { ipFamilies: i % 2 ? ['IPv6'] : ['IPv4'] })));
    assert.deepEqual(out.map((s) => s.spec?.clusterIP), [
      '10.96.0.2', 'fd00:10:96::2', '10.96.0.3', 'fd00:10:96::3', '10.96.0.4', 'fd00:10:96::4', '10.96.0.5', 'fd00:10:96::5', '10.96.0.6', 'fd00:10:96::6',
    ]);
  });

  it('hands a value freed earlier in the batch to the next Service that needs one', () => {
    const existing = [svc('a', { type: 'NodePort', clusterIP: '10.96.0.2', ports: [{ port: 80, nodePort: 30000 }] }), svc('b', { type: 'NodePort', clusterIP: '10.96.0.3', ports: [{ port: 80, nodePort: 30001 }] })];
    const batch = new BatchAllocator(clusterAllocators(CONFIG), existing, noFixed());
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
    const batch = new BatchAllocator(clusterAllocators(CONFIG), [], fixed);
    const [a] = admitAll(batch, [svc('a', { type: 'LoadBalancer' })]);
    assert.equal(a.spec?.clusterIP, '10.96.0.3');
    assert.equal(a.spec?.ports?.[0].nodePort, 30001);
    assert.deepEqual(a.status?.loadBalancer?.ingress, [{ ip: '172.18.0.241' }]);
  });
});
