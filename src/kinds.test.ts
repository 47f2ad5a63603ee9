// The assembled registry: every kind podnet handles is registered, with its component's validation
// and defaults, so a component whose kinds are not listed in kinds.ts fails here, not in a lab.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifests } from './api/manifests.js';
import { defaultObjects } from './api/registry.js';
import type { KubeObject, Loaded } from './api/types.js';
import { validateObjects } from './api/validate.js';
import { podnetKinds } from './kinds.js';

const load = (...objs: KubeObject[]): Loaded[] => objs.map((object, doc) => ({ object, source: { file: 'app.yaml', doc } }));

describe('podnetKinds', () => {
  it('registers api\'s kinds and each component\'s', () => {
    assert.deepEqual(podnetKinds().kinds().sort(), [
      'AuthorizationPolicy', 'Cluster', 'DaemonSet', 'Deployment', 'DestinationRule', 'EndpointSlice', 'Gateway', 'GatewayClass', 'HTTPRoute',
      'Ingress', 'IngressClass', 'Namespace', 'NetworkPolicy', 'PeerAuthentication', 'Pod', 'ReferenceGrant', 'ReplicaSet', 'Secret',
      'Service', 'StatefulSet', 'VirtualService',
    ]);
    const a = podnetKinds();
    a.register({ apiVersion: 'example.com/v1', kind: 'Widget' });
    assert.equal(podnetKinds().has('Widget'), false, 'each call builds a new registry');
    assert.throws(() => a.register({ apiVersion: 'v2', kind: 'Service' }), /kind Service is registered twice \(v1 and v2\)/);
  });

  it('takes the older apiVersions a kind also accepts (Istio v1beta1) and refuses others', () => {
    const pa = (apiVersion: string): KubeObject => ({ apiVersion, kind: 'PeerAuthentication', metadata: { name: 'p', namespace: 'default' }, spec: { mtls: { mode: 'STRICT' } } });
    for (const v of ['security.istio.io/v1', 'security.istio.io/v1beta1']) {
      assert.equal(parseManifests([{ file: 'a.yaml', text: JSON.stringify(pa(v)) }], podnetKinds()).objects.length, 1, v);
    }
    assert.throws(() => parseManifests([{ file: 'a.yaml', text: JSON.stringify(pa('security.istio.io/v2')) }], podnetKinds()),
      /a\.yaml: PeerAuthentication default\/p: apiVersion: PeerAuthentication must be security\.istio\.io\/v1, not security\.istio\.io\/v2/);
  });

  it('loads the handled kinds and skips the rest', () => {
    const kinds = [
      ['v1', 'Service'], ['discovery.k8s.io/v1', 'EndpointSlice'], ['networking.k8s.io/v1', 'NetworkPolicy'],
      ['podnet.dev/v1alpha1', 'Cluster'], ['apps/v1', 'StatefulSet'], ['apps/v1', 'DaemonSet'], ['apps/v1', 'ReplicaSet'],
      ['v1', 'ConfigMap'], ['rbac.authorization.k8s.io/v1', 'Role'],
    ];
    const text = kinds.map(([a, k]) => `apiVersion: ${a}\nkind: ${k}\nmetadata: {name: x}\n`).join('---\n');
    const { objects, skipped } = parseManifests([{ file: 'k.yaml', text }], podnetKinds());
    assert.deepEqual(objects.map((o) => o.object.kind), kinds.slice(0, 7).map(([, k]) => k));
    assert.deepEqual(skipped, [
      { kind: 'ConfigMap', name: 'x', source: { file: 'k.yaml', doc: 7 } },
      { kind: 'Role', name: 'x', source: { file: 'k.yaml', doc: 8 } },
    ]);
    assert.throws(() => parseManifests([{ file: 'k.yaml', text: 'apiVersion: extensions/v1beta1\nkind: NetworkPolicy\nmetadata: {name: x}\n' }], podnetKinds()),
      { message: 'k.yaml: NetworkPolicy default/x: apiVersion: NetworkPolicy must be networking.k8s.io/v1, not extensions/v1beta1' });
  });

  it('gives each component\'s kinds their errors, unchanged', () => {
    const kinds = podnetKinds();
    const cases: [KubeObject, string | RegExp][] = [
      [{ apiVersion: 'v1', kind: 'Service', metadata: { name: '1web', namespace: 'default' } },
        /^app\.yaml: Service default\/1web: metadata\.name: /],
      [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ port: 0 }] } },
        'app.yaml: Service default/web: spec.ports[0].port: must be an integer between 1 and 65535, not 0'],
      [{ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's', namespace: 'default' }, addressType: 'IP' },
        /^app\.yaml: EndpointSlice default\/s: addressType: /],
      [{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'default' }, spec: { ingress: [{ ports: [{ port: 80, endPort: 79 }] }] } },
        'app.yaml: NetworkPolicy default/p: spec.ingress[0].ports[0].endPort: must be greater than or equal to port (80)'],
      [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' }, spec: { replicas: -1 } },
        'app.yaml: Deployment default/d: spec.replicas: must be a non-negative integer, not -1'],
      [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'g', namespace: 'default' }, spec: { gatewayClassName: 'podnet', listeners: [{ name: 'h', port: 0, protocol: 'HTTP' }] } },
        'app.yaml: Gateway default/g: spec.listeners[0].port: must be an integer between 1 and 65535, not 0'],
      [{ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'default' }, spec: { rules: [{ matches: [{ path: { type: 'Prefix', value: '/' } }] }] } },
        'app.yaml: HTTPRoute default/r: spec.rules[0].matches[0].path.type: unsupported value "Prefix": must be one of Exact, PathPrefix, RegularExpression'],
      [{ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'default' }, spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: {} } } }] } }] } },
        'app.yaml: Ingress default/i: spec.rules[0].http.paths[0].backend.service.port: port name or number is required'],
      [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, type: 'kubernetes.io/tls', data: { 'tls.crt': 'AAAA' } } as KubeObject,
        'app.yaml: Secret default/s: data[tls.key]: required for a Secret of type kubernetes.io/tls'],
    ];
    for (const [object, message] of cases) assert.throws(() => validateObjects(load(object), new Set(), kinds), { message });
  });

  it('defaults NetworkPolicies and leaves kinds without defaults alone', () => {
    const policy: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'x' }, spec: { egress: [{}] } };
    const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'x' }, spec: { ports: [{ port: 80 }] } };
    const [p, s] = defaultObjects(load(policy, svc), podnetKinds());
    assert.deepEqual(p.object.spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'], egress: [{}] });
    assert.equal(s.object, svc, 'Service defaults belong to admission (they need the stored version)');
  });
});
