import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Node, V1Pod, V1Service } from '../api/types.js';
import { computeEndpointSlices, reconcileSlices } from './endpointslices.js';
import type { EndpointSliceObject } from './labels.js';
import { SliceMemo, versionKey } from './slice-memo.js';

let rv = 0;
/** As the store hands them out: every object with a resourceVersion, bumped on each change. */
function pod(name: string, app: string, ready = true): V1Pod {
  return {
    metadata: { name, namespace: 'shop', uid: `uid-${name}`, resourceVersion: String(++rv), labels: { app } },
    spec: { nodeName: 'node-1', containers: [{ name: 'c' }] },
    status: { phase: 'Running', podIP: `10.244.0.${rv % 250}`, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}
function service(name: string, withVersion = true): V1Service {
  return {
    metadata: { name, namespace: 'shop', uid: `uid-${name}`, ...(withVersion ? { resourceVersion: String(++rv) } : {}) },
    spec: { selector: { app: name }, clusterIP: '10.96.0.9', ipFamilies: ['IPv4'], ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] },
  };
}
const stored = (slices: EndpointSliceObject[]): EndpointSliceObject[] => slices.map((s) => ({ ...structuredClone(s), metadata: { ...structuredClone(s.metadata), resourceVersion: String(++rv) } }));
const byService = (slices: EndpointSliceObject[], name: string) => slices.filter((s) => s.metadata.ownerReferences?.[0].name === name);

describe('SliceMemo', () => {
  const services = [service('web'), service('db')];
  const pods = [pod('web-0', 'web'), pod('web-1', 'web'), pod('db-0', 'db')];

  it('gives what computing afresh gives, reusing the slices of unchanged Services', () => {
    const memo = new SliceMemo();
    const first = computeEndpointSlices(services, pods, { memo });
    assert.deepEqual(first, computeEndpointSlices(services, pods));
    const next = [pod('web-0', 'web', false), pods[1], pods[2]];
    const second = computeEndpointSlices(structuredClone(services), structuredClone(next), { memo });
    assert.deepEqual(second, computeEndpointSlices(services, next));
    assert.equal(byService(second, 'db')[0], byService(first, 'db')[0], 'db is untouched: the same object');
    assert.notEqual(byService(second, 'web')[0], byService(first, 'web')[0]);
  });

  it('recomputes when nodes (zones) or the slice size change, and never caches unversioned objects', () => {
    const memo = new SliceMemo();
    const first = computeEndpointSlices(services, pods, { memo });
    const nodes: V1Node[] = [{ metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'z' } } }];
    const zoned = computeEndpointSlices(services, pods, { memo, nodes });
    assert.equal(zoned[0].endpoints[0].zone, 'z');
    assert.notEqual(computeEndpointSlices(services, pods, { memo, nodes, maxEndpointsPerSlice: 1 }).length, first.length);
    const bare = [service('web', false)];
    const a = computeEndpointSlices(bare, pods, { memo });
    assert.notEqual(computeEndpointSlices(bare, pods, { memo })[0], a[0]);
    assert.equal(versionKey(bare), undefined);
  });

  it('lets reconcile skip slices it found equal, until the stored version changes', () => {
    const memo = new SliceMemo();
    const desired = computeEndpointSlices(services, pods, { memo });
    const current = stored(desired);
    assert.deepEqual(reconcileSlices(current, desired, memo).apply, []);
    const again = computeEndpointSlices(services, pods, { memo });
    assert.deepEqual(reconcileSlices(current, again, memo).apply, []);
    // Someone rewrote a slice behind the controller's back: a new version, compared again.
    const tampered = current.map((s, i) => (i === 0 ? { ...s, endpoints: [], metadata: { ...s.metadata, resourceVersion: String(++rv) } } : s));
    assert.deepEqual(reconcileSlices(tampered, again, memo).apply.map((s) => s.metadata.name), [again[0].metadata.name]);
  });
});
