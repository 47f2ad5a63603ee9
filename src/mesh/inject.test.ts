import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Namespace, V1Pod } from '../api/types.js';
import { decideMesh, injectPod, isInjected } from './inject.js';

const ns = (labels: Record<string, string> = {}, annotations: Record<string, string> = {}): V1Namespace => ({ metadata: { name: 'shop', labels, annotations } });
const pod = (annotations: Record<string, string> = {}, labels: Record<string, string> = {}): V1Pod => ({
  metadata: { name: 'web', namespace: 'shop', annotations, labels },
  spec: { containers: [{ name: 'app', image: 'registry.k8s.io/e2e-test-images/agnhost:2.45', args: ['netexec'] }] },
});

test('namespaces opt in by podnet, Istio and Linkerd markers', () => {
  const cases: [V1Namespace | undefined, boolean, RegExp][] = [
    [ns({ 'podnet.dev/mesh': 'enabled' }), true, /podnet.dev\/mesh/],
    [ns({ 'istio-injection': 'enabled' }), true, /istio-injection/],
    [ns({}, { 'linkerd.io/inject': 'enabled' }), true, /linkerd/],
    [ns({ 'istio-injection': 'disabled' }), false, /not enabled/],
    [ns({ 'linkerd.io/inject': 'enabled' }), false, /not enabled/], // Linkerd's marker is an annotation, not a label
    [ns(), false, /not enabled/],
    [undefined, false, /not enabled/],
  ];
  for (const [n, meshed, reason] of cases) {
    const d = decideMesh(n, pod());
    assert.equal(d.meshed, meshed, JSON.stringify(n?.metadata));
    assert.match(d.reason, reason);
  }
});

test('pods opt out by annotation or label; hostNetwork pods are never meshed', () => {
  const on = ns({ 'istio-injection': 'enabled' });
  assert.deepEqual(decideMesh(on, pod({ 'sidecar.istio.io/inject': 'false' })), { meshed: false, reason: 'pod annotation sidecar.istio.io/inject=false' });
  assert.equal(decideMesh(on, pod({}, { 'sidecar.istio.io/inject': 'false' })).meshed, false);
  assert.equal(decideMesh(on, pod({ 'linkerd.io/inject': 'disabled' })).meshed, false);
  assert.equal(decideMesh(on, pod({ 'sidecar.istio.io/inject': 'true' })).meshed, true);
  const host = pod();
  host.spec!.hostNetwork = true;
  assert.equal(decideMesh(on, host).meshed, false);
});

test('injection appends the sidecar container (2/2), with its identity from the downward API; idempotent', () => {
  const on = ns({ 'podnet.dev/mesh': 'enabled' });
  const original = pod();
  const { pod: out, decision } = injectPod(on, original);
  assert.equal(decision.meshed, true);
  assert.deepEqual(out.spec!.containers.map((c) => c.name), ['app', 'istio-proxy']);
  assert.ok(isInjected(out));
  assert.equal(original.spec!.containers.length, 1, 'input not mutated');
  const env = Object.fromEntries((out.spec!.containers[1].env ?? []).map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath]));
  assert.equal(env.SERVICE_ACCOUNT, 'spec.serviceAccountName');
  assert.equal(env.POD_NAMESPACE, 'metadata.namespace');
  assert.match(out.metadata!.annotations!['sidecar.istio.io/status'], /istio-proxy/);
  assert.deepEqual(injectPod(on, out).pod, out, 'a second admission changes nothing');
  const off = injectPod(ns(), original);
  assert.equal(off.pod, original);
});
