import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { expandWorkloads } from './workloads.js';
import { SAFE_ALPHABET, safeHash } from './hash.js';
import { ManifestError } from './errors.js';
import type { KubeObject, NodeSpec } from './types.js';

const template = {
  metadata: { labels: { app: 'web' }, annotations: { note: 'x' } },
  spec: { containers: [{ name: 'web', image: 'agnhost' }], nodeSelector: undefined as Record<string, string> | undefined },
};
function workload(kind: string, spec: Record<string, unknown>, name = 'web'): KubeObject {
  return {
    apiVersion: 'apps/v1', kind, metadata: { name, namespace: 'team', uid: `uid-${name}` },
    spec: { selector: { matchLabels: { app: 'web' } }, template: structuredClone(template), ...spec },
  };
}
const nodes: NodeSpec[] = [
  { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1', role: 'edge' } },
  { name: 'node-2', labels: { 'kubernetes.io/hostname': 'node-2' } },
];

describe('expandWorkloads', () => {
  it('Deployment: <name>-<10>-<5> names, pod-template-hash, owner, labels, annotations', () => {
    const pods = expandWorkloads([workload('Deployment', { replicas: 3 })], nodes);
    assert.equal(pods.length, 3);
    const hash = pods[0].metadata?.labels?.['pod-template-hash'] ?? '';
    assert.match(hash, new RegExp(`^[${SAFE_ALPHABET}]{10}$`));
    for (const pod of pods) {
      assert.match(pod.metadata?.name ?? '', new RegExp(`^web-${hash}-[${SAFE_ALPHABET}]{5}$`));
      assert.equal(pod.metadata?.namespace, 'team');
      assert.deepEqual(pod.metadata?.labels, { app: 'web', 'pod-template-hash': hash });
      assert.deepEqual(pod.metadata?.annotations, { note: 'x' });
      assert.deepEqual(pod.metadata?.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
      assert.equal(pod.spec?.containers[0].image, 'agnhost');
    }
    assert.equal(new Set(pods.map((p) => p.metadata?.name)).size, 3);
  });

  it('Deployment names are stable on re-apply and scaling, and change with the template', () => {
    const names = (d: KubeObject): string[] => expandWorkloads([d], nodes).map((p) => p.metadata?.name ?? '');
    const a = names(workload('Deployment', { replicas: 2 }));
    assert.deepEqual(names(workload('Deployment', { replicas: 2 })), a);
    assert.deepEqual(names(workload('Deployment', { replicas: 3 })).slice(0, 2), a);
    const changed = workload('Deployment', { replicas: 2 });
    (changed.spec as { template: typeof template }).template.spec.containers[0].image = 'agnhost:2';
    const b = names(changed);
    assert.notEqual(b[0].split('-')[1], a[0].split('-')[1]);
    assert.equal(b.filter((n) => a.includes(n)).length, 0);
  });

  it('defaults replicas to 1 and allows 0', () => {
    assert.equal(expandWorkloads([workload('ReplicaSet', {})], nodes).length, 1);
    assert.equal(expandWorkloads([workload('Deployment', { replicas: 0 })], nodes).length, 0);
  });

  it('ReplicaSet: <name>-<5>', () => {
    const pods = expandWorkloads([workload('ReplicaSet', { replicas: 2 })], nodes);
    for (const p of pods) assert.match(p.metadata?.name ?? '', new RegExp(`^web-[${SAFE_ALPHABET}]{5}$`));
    assert.equal(pods[0].metadata?.ownerReferences?.[0].kind, 'ReplicaSet');
  });

  it('StatefulSet: ordinals, identity labels, hostname and subdomain', () => {
    const pods = expandWorkloads([workload('StatefulSet', { replicas: 2, serviceName: 'db' }, 'db')], nodes);
    assert.deepEqual(pods.map((p) => [p.metadata?.name, p.metadata?.labels, p.spec?.hostname, p.spec?.subdomain]), [
      ['db-0', { app: 'web', 'statefulset.kubernetes.io/pod-name': 'db-0', 'apps.kubernetes.io/pod-index': '0' }, 'db-0', 'db'],
      ['db-1', { app: 'web', 'statefulset.kubernetes.io/pod-name': 'db-1', 'apps.kubernetes.io/pod-index': '1' }, 'db-1', 'db'],
    ]);
  });

  it('DaemonSet: one pod per matching node, pinned', () => {
    const all = expandWorkloads([workload('DaemonSet', {})], nodes);
    assert.deepEqual(all.map((p) => p.spec?.nodeName), ['node-1', 'node-2']);
    assert.notEqual(all[0].metadata?.name, all[1].metadata?.name);
    const ds = workload('DaemonSet', {});
    (ds.spec as { template: typeof template }).template.spec.nodeSelector = { role: 'edge' };
    assert.deepEqual(expandWorkloads([ds], nodes).map((p) => p.spec?.nodeName), ['node-1']);
  });

  it('passes plain Pods through as copies and ignores other kinds', () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'team' }, spec: { containers: [] } };
    const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'team' } };
    const out = expandWorkloads([pod, svc], nodes);
    assert.deepEqual(out, [pod]);
    assert.notEqual(out[0], pod);
  });

  it('rejects two objects that make the same pod', () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db-0', namespace: 'team' }, spec: { containers: [] } };
    assert.throws(() => expandWorkloads([pod, workload('StatefulSet', { replicas: 1 }, 'db')], nodes),
      (e: unknown) => e instanceof ManifestError && e.message === 'StatefulSet team/db: creates pod team/db-0, which Pod team/db-0 also defines');
  });

  it('safeHash is stable and independent of key order', () => {
    assert.equal(safeHash(5, { a: 1, b: 2 }), safeHash(5, { b: 2, a: 1 }));
    assert.notEqual(safeHash(10, { a: 1 }), safeHash(10, { a: 2 }));
    assert.equal(safeHash(10, 'x').length, 10);
  });
});
