import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { schedule } from './schedule.js';
import { ManifestError } from './errors.js';
import type { NodeSpec, V1Pod } from './types.js';

const nodes: NodeSpec[] = ['node-1', 'node-2', 'node-3'].map((name, i) => ({ name, labels: { 'kubernetes.io/hostname': name, zone: i === 2 ? 'b' : 'a' } }));
function pod(name: string, spec: Partial<NonNullable<V1Pod['spec']>> = {}, owner?: string): V1Pod {
  const [kind, ownerName] = owner?.split('/') ?? [];
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'ns', ownerReferences: owner ? [{ apiVersion: 'apps/v1', kind, name: ownerName, uid: 'u', controller: true }] : undefined },
    spec: { containers: [{ name: 'c' }], ...spec },
  };
}
const entries = (m: Map<string, string>): [string, string][] => [...m.entries()].sort();

describe('schedule', () => {
  it('spreads evenly, ties by node order, regardless of input order', () => {
    const pods = ['a', 'b', 'c', 'd'].map((n) => pod(n));
    const want: [string, string][] = [['ns/a', 'node-1'], ['ns/b', 'node-2'], ['ns/c', 'node-3'], ['ns/d', 'node-1']];
    assert.deepEqual(entries(schedule(pods, nodes, 10, new Map())), want);
    assert.deepEqual(entries(schedule([...pods].reverse(), nodes, 10, new Map())), want);
  });

  it('keeps existing assignments and fills around them', () => {
    const existing = new Map([['ns/a', 'node-3'], ['ns/b', 'node-3'], ['ns/gone', 'node-1'], ['ns/c', 'node-9']]);
    const got = schedule(['a', 'b', 'c', 'd'].map((n) => pod(n)), nodes, 10, existing);
    assert.deepEqual(entries(got), [['ns/a', 'node-3'], ['ns/b', 'node-3'], ['ns/c', 'node-1'], ['ns/d', 'node-2']]);
  });

  it('honours nodeName and nodeSelector, placing constrained pods first', () => {
    const got = schedule([pod('a'), pod('pinned', { nodeName: 'node-2' }), pod('zb', { nodeSelector: { zone: 'b' } })], nodes, 1, new Map());
    assert.deepEqual(entries(got), [['ns/a', 'node-1'], ['ns/pinned', 'node-2'], ['ns/zb', 'node-3']]);
  });

  it('moves an existing pod whose nodeSelector no longer matches', () => {
    const got = schedule([pod('a', { nodeSelector: { zone: 'b' } })], nodes, 10, new Map([['ns/a', 'node-1']]));
    assert.deepEqual(entries(got), [['ns/a', 'node-3']]);
  });

  const errors: [string, V1Pod[], number, Partial<ManifestError>][] = [
    ['unknown nodeName', [pod('p', { nodeName: 'node-7' })], 10,
      { object: 'Pod ns/p', field: 'spec.nodeName', message: 'Pod ns/p: spec.nodeName: node "node-7" does not exist (nodes: node-1, node-2, node-3)' }],
    ['unknown nodeName in a template', [pod('w-1', { nodeName: 'x' }, 'Deployment/w')], 10, { object: 'Deployment ns/w', field: 'spec.template.spec.nodeName' }],
    ['no node matches', [pod('p', { nodeSelector: { zone: 'c' } }, 'StatefulSet/db')], 10,
      { message: 'StatefulSet ns/db: spec.template.spec.nodeSelector: no node matches nodeSelector zone=c' }],
    ['over capacity', ['a', 'b', 'c', 'd'].map((n) => pod(`web-${n}`, {}, 'Deployment/web')), 1,
      { object: 'Deployment ns/web', field: 'spec.replicas', message: 'Deployment ns/web: spec.replicas: pod ns/web-d does not fit: node node-1 is full: it has room for 1 pods (the node pod CIDR\'s size)' }],
    ['pinned over capacity', [pod('a', { nodeName: 'node-1' }), pod('b', { nodeName: 'node-1' })], 1, { object: 'Pod ns/b', field: undefined }],
  ];
  for (const [name, pods, capacity, expected] of errors) {
    it(`rejects ${name}`, () => {
      assert.throws(() => schedule(pods, nodes, capacity, new Map()), (e: unknown) => {
        assert.ok(e instanceof ManifestError, String(e));
        for (const [k, v] of Object.entries(expected)) assert.equal(e[k as keyof ManifestError], v, k);
        return true;
      });
    });
  }
});
