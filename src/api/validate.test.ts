import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateObjects } from './validate.js';
import { coreKinds } from './core-kinds.js';
import { KindRegistry } from './registry.js';
import { ManifestError } from './errors.js';
import type { KubeObject, Loaded } from './types.js';
import { checkDNS1123Label, checkDNS1123Subdomain, checkLabelValue, checkPortName, checkQualifiedName } from './names.js';

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'team', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front'] }] },
      template: {
        metadata: { labels: { app: 'web', tier: 'front' } },
        spec: {
          containers: [{
            name: 'web', image: 'agnhost', ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
            env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }, { name: 'X', value: '1' }],
          }],
        },
      },
    },
  };
}
const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } };
/** api's own kinds only: component kinds are tested with their components (and all together in src/kinds.test.ts). */
const kinds = new KindRegistry(coreKinds);
const load = (...objs: KubeObject[]): Loaded[] => objs.map((object, doc) => ({ object, source: { file: 'app.yaml', doc } }));

/** Sets `path` (e.g. `spec.a[0].b`) in `obj`; undefined deletes. */
function set(obj: unknown, path: string, value: unknown): void {
  const keys = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let at = obj as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  const last = keys[keys.length - 1];
  if (value === undefined) delete at[last];
  else at[last] = value;
}

const T = 'spec.template.spec';
const C = `${T}.containers[0]`;
/** [case, path to set, value, field the error names, text its problem contains] on a fresh valid Deployment. */
const cases: [string, string, unknown, string, string][] = [
  ['bad name', 'metadata.name', 'Web', 'metadata.name', 'must be a DNS subdomain'],
  ['bad label key', 'metadata.labels', { 'a/b/c': 'x' }, 'metadata.labels', 'must be a qualified name'],
  ['bad label value', 'metadata.labels', { app: '-x' }, 'metadata.labels.app', 'invalid value "-x"'],
  ['numeric label value', 'metadata.labels', { v: 1 as unknown as string }, 'metadata.labels.v', 'must be a string'],
  ['bad annotation key', 'metadata.annotations', { 'x_/y': 'z' }, 'metadata.annotations', 'prefix part'],
  ['negative replicas', 'spec.replicas', -1, 'spec.replicas', 'must be a non-negative integer, not -1'],
  ['fractional replicas', 'spec.replicas', 1.5, 'spec.replicas', 'not 1.5'],
  ['no selector', 'spec.selector', undefined, 'spec.selector', 'required'],
  ['empty selector', 'spec.selector', {}, 'spec.selector', 'empty selector'],
  ['selector mismatch', 'spec.selector.matchLabels.app', 'api', 'spec.template.metadata.labels', 'selector does not match template labels'],
  ['expression mismatch', 'spec.selector.matchExpressions[0].operator', 'NotIn', 'spec.template.metadata.labels', 'selector does not match'],
  ['bad operator', 'spec.selector.matchExpressions[0].operator', 'Equals', 'spec.selector.matchExpressions[0].operator', 'must be one of In, NotIn, Exists, DoesNotExist'],
  ['In without values', 'spec.selector.matchExpressions[0].values', [], 'spec.selector.matchExpressions[0].values', 'must be specified when operator is In'],
  ['Exists with values', 'spec.selector.matchExpressions[0].operator', 'Exists', 'spec.selector.matchExpressions[0].values', 'may not be specified'],
  ['no containers', `${T}.containers`, [], `${T}.containers`, 'at least one container'],
  ['container name', `${C}.name`, 'Web_1', `${C}.name`, 'must be a DNS label'],
  ['duplicate container', `${T}.initContainers`, [{ name: 'web', image: 'x' }], `${C}.name`, 'duplicate container name "web"'],
  ['no image', `${C}.image`, undefined, `${C}.image`, 'required'],
  ['port 0', `${C}.ports[0].containerPort`, 0, `${C}.ports[0].containerPort`, 'between 1 and 65535'],
  ['port 65536', `${C}.ports[0].containerPort`, 65536, `${C}.ports[0].containerPort`, 'not 65536'],
  ['port string', `${C}.ports[0].containerPort`, '80', `${C}.ports[0].containerPort`, 'not "80"'],
  ['protocol', `${C}.ports[0].protocol`, 'tcp', `${C}.ports[0].protocol`, 'must be one of TCP, UDP, SCTP'],
  ['port name long', `${C}.ports[0].name`, 'a-very-long-port-name', `${C}.ports[0].name`, 'no more than 15'],
  ['port name digits', `${C}.ports[0].name`, '8080', `${C}.ports[0].name`, 'at least one letter'],
  ['restartPolicy', `${T}.restartPolicy`, 'Sometimes', `${T}.restartPolicy`, 'must be one of Always, OnFailure, Never'],
  ['restartPolicy in workload', `${T}.restartPolicy`, 'Never', `${T}.restartPolicy`, 'must be Always'],
  ['env name', `${C}.env[2].name`, '1X', `${C}.env[2].name`, 'must not start with a digit'],
  ['env value number', `${C}.env[2].value`, 1, `${C}.env[2].value`, 'must be a string'],
  ['fieldPath', `${C}.env[0].valueFrom.fieldRef.fieldPath`, 'status.phase', `${C}.env[0].valueFrom.fieldRef.fieldPath`, 'unsupported "status.phase"'],
  ['secretKeyRef', `${C}.env[0].valueFrom`, { secretKeyRef: { name: 's', key: 'k' } }, `${C}.env[0].valueFrom`, 'only fieldRef is supported by podnet, not secretKeyRef'],
  ['nodeSelector', `${T}.nodeSelector`, { 'kubernetes.io/os': 'lin ux' }, `${T}.nodeSelector.kubernetes.io/os`, 'invalid value'],
  ['missing namespace', 'metadata.namespace', 'other', 'metadata.namespace', 'namespace "other" not found: add a Namespace document or create it first'],
];

describe('validateObjects', () => {
  it('accepts a valid set', () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'kube-system' }, spec: { containers: [{ name: 'c', image: 'i' }], restartPolicy: 'Never' } };
    const sts: KubeObject = { ...deployment(), kind: 'StatefulSet', metadata: { name: 'db', namespace: 'prod' } };
    validateObjects(load(ns, deployment(), pod, sts), new Set(['prod']), kinds);
  });

  for (const [name, path, value, field, problem] of cases) {
    it(`rejects ${name}`, () => {
      const d = deployment();
      set(d, path, value);
      assert.throws(() => validateObjects(load(ns, d), new Set(), kinds), (e: unknown) => {
        assert.ok(e instanceof ManifestError, String(e));
        assert.equal(e.file, 'app.yaml');
        assert.equal(e.object, `Deployment ${d.metadata.namespace}/${d.metadata.name}`);
        assert.equal(e.field, field);
        assert.ok(e.problem.includes(problem), `${e.message} should contain ${problem}`);
        assert.equal(e.message, `app.yaml: ${e.object}: ${field}: ${e.problem}`);
        return true;
      });
    });
  }

  it('uses DNS labels for Namespace names, the kind\'s own rule where one is registered, else DNS subdomains', () => {
    assert.throws(() => validateObjects(load({ ...ns, metadata: { name: 'a.b' } }), new Set(), kinds), { field: 'metadata.name', object: 'Namespace a.b' });
    const widget = (name: string): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name, namespace: 'default' } });
    const withWidget = new KindRegistry([...coreKinds, { apiVersion: 'example.com/v1', kind: 'Widget', checkName: (n) => (n.startsWith('w') ? undefined : 'must start with w') }]);
    assert.throws(() => validateObjects(load(widget('x')), new Set(), withWidget), { message: 'app.yaml: Widget default/x: metadata.name: must start with w' });
    validateObjects(load(widget('w.1')), new Set(), withWidget);
    validateObjects(load({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a.b', namespace: 'default' } }), new Set(), kinds);
  });

  it('runs a registered kind\'s validate with errors bound to the object, after metadata and namespace checks', () => {
    const seen: string[] = [];
    const withWidget = new KindRegistry([...coreKinds, {
      apiVersion: 'example.com/v1', kind: 'Widget',
      validate: (obj, err) => {
        seen.push(obj.metadata.name);
        if (obj.spec !== undefined) throw err('spec.size', 'must be small');
      },
    }]);
    const widget: KubeObject = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'team' } };
    validateObjects(load(ns, widget), new Set(), withWidget);
    assert.deepEqual(seen, ['w']);
    assert.throws(() => validateObjects(load(ns, { ...widget, spec: {} }), new Set(), withWidget), { message: 'app.yaml: Widget team/w: spec.size: must be small' });
    assert.throws(() => validateObjects(load({ ...widget, spec: {} }), new Set(), withWidget), { field: 'metadata.namespace' });
    // The same object is only metadata-checked by a registry without the kind.
    validateObjects(load(ns, { ...widget, spec: {} }), new Set(), kinds);
  });

  it('allows one Cluster document', () => {
    const cluster = (name: string): KubeObject => ({ apiVersion: 'podnet.dev/v1alpha1', kind: 'Cluster', metadata: { name } });
    assert.throws(() => validateObjects(load(cluster('a'), cluster('b')), new Set(), kinds),
      { message: 'app.yaml: Cluster b: kind: only one Cluster document is allowed; Cluster a is in app.yaml (document 1)' });
  });

  it('validates bare pods at spec', () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i' }], nodeName: 'Node_1' } };
    assert.throws(() => validateObjects(load(pod), new Set(), kinds), { message: /^app\.yaml: Pod default\/p: spec\.nodeName: "Node_1" must be a DNS subdomain/ });
  });
});

describe('name rules', () => {
  const table: [(v: string) => string | undefined, string, boolean][] = [
    [checkDNS1123Label, 'a', true], [checkDNS1123Label, 'a-1', true], [checkDNS1123Label, '-a', false], [checkDNS1123Label, 'a.b', false],
    [checkDNS1123Label, 'a'.repeat(63), true], [checkDNS1123Label, 'a'.repeat(64), false],
    [checkDNS1123Subdomain, 'a.b-c.d', true], [checkDNS1123Subdomain, 'a..b', false], [checkDNS1123Subdomain, 'A', false],
    [checkQualifiedName, 'app', true], [checkQualifiedName, 'example.com/App_1.x', true], [checkQualifiedName, '/a', false],
    [checkQualifiedName, 'a/', false], [checkQualifiedName, `${'a'.repeat(254)}/x`, false], [checkQualifiedName, 'a'.repeat(64), false],
    [checkQualifiedName, '_a', false],
    [checkLabelValue, '', true], [checkLabelValue, 'A.b_c-1', true], [checkLabelValue, 'a b', false], [checkLabelValue, 'a'.repeat(64), false],
    [checkPortName, 'http', true], [checkPortName, 'h2c-8080', true], [checkPortName, 'a--b', false], [checkPortName, 'HTTP', false],
  ];
  for (const [check, value, ok] of table) {
    it(`${check.name}(${JSON.stringify(value.length > 20 ? `${value.slice(0, 8)}…` : value)}) ${ok ? 'ok' : 'rejected'}`, () => {
      assert.equal(check(value) === undefined, ok, check(value));
    });
  }
});
