import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifests } from './manifests.js';
import { ManifestError, objectRef } from './errors.js';
import { coreKinds } from './core-kinds.js';
import { KindRegistry } from './registry.js';

/** api's kinds and one a component would register (services/ does Service); src/kinds.test.ts uses podnet's. */
const kinds = new KindRegistry([...coreKinds, { apiVersion: 'v1', kind: 'Service' }]);

describe('ManifestError', () => {
  it('formats FILE: OBJECT: FIELD: PROBLEM, omitting unknown parts', () => {
    const cases: [ConstructorParameters<typeof ManifestError>[0], string][] = [
      [{ file: 'a.yaml', object: 'Deployment x/web', field: 'spec.replicas' }, 'a.yaml: Deployment x/web: spec.replicas: bad'],
      [{ file: 'a.yaml', line: 3 }, 'a.yaml:3: bad'],
      [{ field: '--nodes' }, '--nodes: bad'],
      [{}, 'bad'],
    ];
    for (const [where, message] of cases) assert.equal(new ManifestError(where, 'bad').message, message);
    assert.equal(new ManifestError({}, 'two\n  lines').message, 'two lines');
  });
  it('names cluster-scoped objects without a namespace', () => {
    assert.equal(objectRef({ kind: 'Namespace', metadata: { name: 'a' } }), 'Namespace a');
    assert.equal(objectRef({ kind: 'Pod', metadata: { name: 'p', namespace: 'a' } }), 'Pod a/p');
  });
});

describe('parseManifests', () => {
  it('splits documents, ignores empty ones, defaults namespaces', () => {
    const text = `---
apiVersion: v1
kind: Namespace
metadata: {name: team, namespace: ignored}
---
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
---
apiVersion: v1
kind: Pod
metadata: {name: p, namespace: team}
`;
    const { objects, skipped } = parseManifests([{ file: 'a.yaml', text }], kinds);
    assert.deepEqual(objects.map((o) => [objectRef(o.object), o.source.doc]), [
      ['Namespace team', 0], ['Deployment default/web', 2], ['Pod team/p', 3],
    ]);
    assert.deepEqual(skipped, []);
  });

  it('flattens kind: List and typed lists', () => {
    const text = `apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Pod, metadata: {name: a}}
- {apiVersion: v1, kind: Service, metadata: {name: s}}
---
apiVersion: v1
kind: PodList
items:
- {apiVersion: v1, kind: Pod, metadata: {name: b}}
`;
    const { objects } = parseManifests([{ file: 'l.yaml', text }], kinds);
    assert.deepEqual(objects.map((o) => [objectRef(o.object), o.source]), [
      ['Pod default/a', { file: 'l.yaml', doc: 0 }], ['Service default/s', { file: 'l.yaml', doc: 0 }], ['Pod default/b', { file: 'l.yaml', doc: 1 }],
    ]);
  });

  it('loads the registered kinds and lists the rest as skipped', () => {
    const text = ['v1 Pod', 'v1 Service', 'podnet.dev/v1alpha1 Cluster', 'v1 ConfigMap', 'networking.k8s.io/v1 NetworkPolicy']
      .map((ak) => ak.split(' ')).map(([a, k]) => `apiVersion: ${a}\nkind: ${k}\nmetadata: {name: x}\n`).join('---\n');
    const { objects, skipped } = parseManifests([{ file: 'k.yaml', text }], kinds);
    assert.deepEqual(objects.map((o) => o.object.kind), ['Pod', 'Service', 'Cluster']);
    assert.deepEqual(skipped, [
      { kind: 'ConfigMap', name: 'x', source: { file: 'k.yaml', doc: 3 } },
      // Not registered here, so skipped: which kinds load is the registry's to say.
      { kind: 'NetworkPolicy', name: 'x', source: { file: 'k.yaml', doc: 4 } },
    ]);
    assert.equal(objects.find((o) => o.object.kind === 'Cluster')?.object.metadata.namespace, undefined);
    assert.equal(objects.find((o) => o.object.kind === 'Pod')?.object.metadata.namespace, 'default');
  });

  const errors: [string, string, Partial<ManifestError>][] = [
    ['YAML syntax', 'a: 1\nb: [\n', { file: 'bad.yaml', line: 3, message: 'bad.yaml:3: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]' }],
    ['missing kind', 'apiVersion: v1\nmetadata: {name: a}\n', { file: 'bad.yaml', field: 'kind', message: 'bad.yaml: kind: required (document 1)' }],
    ['missing apiVersion', 'kind: Pod\nmetadata: {name: a}\n', { field: 'apiVersion', message: 'bad.yaml: Pod: apiVersion: required (document 1)' }],
    ['missing name', 'apiVersion: v1\nkind: Pod\nmetadata: {}\n', { field: 'metadata.name', message: 'bad.yaml: Pod: metadata.name: required (document 1)' }],
    ['not a mapping', '- a\n- b\n', { message: 'bad.yaml: document 1 is not a mapping (a Kubernetes object)' }],
    ['list item without name', 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod}\n', { field: 'items[0].metadata.name' }],
    ['old apiVersion', 'apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata: {name: a}\n',
      { object: 'Deployment default/a', field: 'apiVersion', message: 'bad.yaml: Deployment default/a: apiVersion: Deployment must be apps/v1, not extensions/v1beta1' }],
  ];
  for (const [name, text, expected] of errors) {
    it(`rejects ${name}`, () => {
      assert.throws(() => parseManifests([{ file: 'bad.yaml', text }], kinds), (e: unknown) => {
        assert.ok(e instanceof ManifestError);
        for (const [k, v] of Object.entries(expected)) assert.equal(e[k as keyof ManifestError], v, k);
        return true;
      });
    });
  }

  it('rejects duplicates across files, naming both', () => {
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n';
    assert.throws(() => parseManifests([{ file: 'a.yaml', text: pod }, { file: 'b.yaml', text: `---\n${pod}---\n${pod.replace('{name: p}', '{name: p, namespace: default}')}` }], kinds), {
      file: 'b.yaml', object: 'Pod default/p',
      message: 'b.yaml: Pod default/p: defined twice: in a.yaml (document 1) and b.yaml (document 1)',
    });
    // Same name in another namespace or of another kind is fine.
    const ok = parseManifests([{ file: 'a.yaml', text: `${pod}---\n${pod.replace('{name: p}', '{name: p, namespace: x}')}---\n${pod.replace('Pod', 'Service')}` }], kinds);
    assert.equal(ok.objects.length, 3);
  });
});
