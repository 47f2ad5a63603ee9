import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectStore, storeKey, type WatchEvent } from './store.js';
import type { KubeObject } from '../api/types.js';

function newStore(): { store: ObjectStore; events: string[] } {
  let n = 0;
  const store = new ObjectStore({ newUid: () => `uid-${++n}` });
  const events: string[] = [];
  store.watch((ev: WatchEvent) => events.push(`${ev.type} ${ev.object.kind}/${ev.object.metadata.name} rv=${ev.object.metadata.resourceVersion}`));
  return { store, events };
}
const pod = (name: string, image = 'a', ns?: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image }] },
});

describe('ObjectStore', () => {
  it('apply: created, unchanged, configured; uid, generation and resourceVersion', () => {
    const { store, events } = newStore();
    assert.equal(store.apply(pod('p')), 'created');
    assert.equal(store.apply(pod('p', 'a', 'default')), 'unchanged');
    // Key order and server fields do not count as changes.
    assert.equal(store.apply({ spec: { containers: [{ image: 'a', name: 'c' }] }, metadata: { labels: { app: 'x' }, name: 'p', uid: 'other', resourceVersion: '99' }, kind: 'Pod', apiVersion: 'v1' }), 'unchanged');
    assert.equal(store.apply(pod('p', 'b')), 'configured');
    const labelled = pod('p', 'b');
    labelled.metadata.labels = { app: 'y' };
    assert.equal(store.apply(labelled), 'configured');
    const got = store.get('Pod', 'default', 'p');
    assert.equal(got?.metadata.uid, 'uid-1');
    assert.equal(got?.metadata.namespace, 'default');
    assert.equal(got?.metadata.generation, 2); // only the spec change counts
    assert.equal(got?.metadata.resourceVersion, '3');
    assert.deepEqual(events, ['ADDED Pod/p rv=1', 'MODIFIED Pod/p rv=2', 'MODIFIED Pod/p rv=3']);
  });

  it('keys cluster-scoped kinds without a namespace', () => {
    const { store } = newStore();
    store.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team', namespace: 'x' } });
    assert.equal(store.get('Namespace', undefined, 'team')?.metadata.namespace, undefined);
    assert.equal(storeKey('Namespace', 'x', 'team'), 'Namespace/team');
    assert.equal(storeKey('Pod', undefined, 'p'), 'Pod/default/p');
  });

  it('hands out copies, so callers cannot change the store', () => {
    const { store } = newStore();
    const input = pod('p');
    store.apply(input);
    (input.spec as { containers: { image: string }[] }).containers[0].image = 'changed';
    const got = store.get('Pod', 'default', 'p') as KubeObject;
    assert.equal((got.spec as { containers: { image: string }[] }).containers[0].image, 'a');
    got.metadata.name = 'mutated';
    assert.equal(store.list('Pod')[0].metadata.name, 'p');
  });

  it('lists by kind and namespace in key order', () => {
    const { store } = newStore();
    for (const [n, ns] of [['b', 'x'], ['a', 'y'], ['c', 'x']]) store.apply(pod(n, 'a', ns));
    store.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: 'x' } });
    assert.deepEqual(store.list('Pod').map((p) => `${p.metadata.namespace}/${p.metadata.name}`), ['x/b', 'x/c', 'y/a']);
    assert.deepEqual(store.list('Pod', 'y').map((p) => p.metadata.name), ['a']);
    assert.deepEqual(store.list('Node'), []);
  });

  it('delete emits DELETED with the last state', () => {
    const { store, events } = newStore();
    store.apply(pod('p'));
    assert.equal(store.delete('Pod', 'default', 'p'), true);
    assert.equal(store.delete('Pod', 'default', 'p'), false);
    assert.equal(store.get('Pod', 'default', 'p'), undefined);
    assert.deepEqual(events, ['ADDED Pod/p rv=1', 'DELETED Pod/p rv=2']);
  });

  it('updateStatus changes status only; apply keeps it', () => {
    const { store, events } = newStore();
    store.apply(pod('p'));
    assert.equal(store.updateStatus('Pod', 'default', 'p', { podIP: '10.244.0.2' }), true);
    assert.equal(store.updateStatus('Pod', 'default', 'p', { podIP: '10.244.0.2' }), true); // no-op, no event
    assert.equal(store.updateStatus('Pod', 'default', 'nope', {}), false);
    assert.equal(store.apply({ ...pod('p'), status: { podIP: 'ignored' } }), 'unchanged');
    store.apply(pod('p', 'b'));
    assert.deepEqual(store.get('Pod', 'default', 'p')?.status, { podIP: '10.244.0.2' });
    assert.deepEqual(events, ['ADDED Pod/p rv=1', 'MODIFIED Pod/p rv=2', 'MODIFIED Pod/p rv=3']);
  });

  it('unsubscribes, and delivers to every handler even if one throws', () => {
    const { store, events } = newStore();
    const seen: string[] = [];
    const stop = store.watch((ev) => seen.push(ev.type));
    store.watch(() => { throw new Error('handler failed'); });
    const after: string[] = [];
    store.watch((ev) => after.push(ev.type));
    assert.throws(() => store.apply(pod('p')), /handler failed/);
    assert.equal(store.get('Pod', 'default', 'p')?.metadata.resourceVersion, '1'); // the change happened
    stop();
    assert.throws(() => store.apply(pod('q')));
    assert.deepEqual([events.length, seen, after], [2, ['ADDED'], ['ADDED', 'ADDED']]);
  });

  it('snapshot and restore round-trip, emit the difference, keep resourceVersion monotonic', () => {
    const { store } = newStore();
    store.apply(pod('a'));
    store.apply(pod('b'));
    const snap = JSON.parse(JSON.stringify(store.snapshot()));
    assert.equal(snap.resourceVersion, 2);

    const other = newStore();
    other.store.restore(snap);
    assert.deepEqual(other.store.snapshot(), snap);
    assert.deepEqual(other.events, ['ADDED Pod/a rv=1', 'ADDED Pod/b rv=2']);
    assert.equal(other.store.apply(pod('c')), 'created');
    assert.equal(other.store.get('Pod', 'default', 'c')?.metadata.resourceVersion, '3');

    store.delete('Pod', 'default', 'a');
    store.apply(pod('b', 'new'));
    store.apply(pod('d'));
    const events: string[] = [];
    store.watch((ev) => events.push(`${ev.type} ${ev.object.metadata.name}`));
    store.restore(snap);
    assert.deepEqual(events.sort(), ['ADDED a', 'DELETED d', 'MODIFIED b']);
    assert.equal(store.resourceVersion, 5);
    store.apply(pod('e'));
    assert.equal(store.get('Pod', 'default', 'e')?.metadata.resourceVersion, '6');
  });
});
