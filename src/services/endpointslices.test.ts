import assert from 'node:assert/strict';
import { golden, testdataOf } from '../testing/golden.test-util.js';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import type { V1Node, V1Pod, V1Service } from '../api/types.js';
import { computeEndpointSlices, reconcileSlices } from './endpointslices.js';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, type EndpointSliceObject } from './labels.js';

// Tests run from dist/src/services/; the golden files live in the source tree.
const TESTDATA = testdataOf('services', import.meta.url);


interface PodOpts {
  ns?: string; labels?: Record<string, string>; ips?: string[]; ready?: boolean; node?: string; phase?: string;
  terminating?: boolean; ports?: { name: string; containerPort: number; protocol?: string }[]; hostname?: string; subdomain?: string;
}

function pod(name: string, o: PodOpts = {}): V1Pod {
  // web-N gets 10.244.0.(10+N), db-N .(20+N), api-N .(30+N): distinct and easy to read in the golden file.
  const n = Number(/\d+$/.exec(name)?.[0] ?? 0) + ({ web: 10, db: 20, api: 30 }[name.split('-')[0]] ?? 40);
  return {
    metadata: { name, namespace: o.ns ?? 'shop', uid: `uid-${name}`, labels: o.labels ?? { app: 'web' }, ...(o.terminating ? { deletionTimestamp: new Date('2024-01-01T00:00:00Z') } : {}) },
    spec: {
      nodeName: o.node ?? 'node-1', hostname: o.hostname, subdomain: o.subdomain,
      containers: [{ name: 'app', ports: o.ports ?? [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }] }],
    },
    status: {
      phase: o.phase ?? 'Running',
      podIPs: (o.ips ?? [`10.244.0.${n}`, `fd00:10:244::${n.toString(16)}`]).map((ip) => ({ ip })),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
    },
  };
}

function service(name: string, spec: NonNullable<V1Service['spec']>, labels?: Record<string, string>): V1Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop', uid: `uid-svc-${name}`, labels }, spec };
}

const nodes: V1Node[] = [
  { metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } },
  { metadata: { name: 'node-2', labels: {} } },
];

const SERVICES: V1Service[] = [
  service('web', {
    selector: { app: 'web' }, clusterIP: '10.96.0.2', ipFamilies: ['IPv4', 'IPv6'],
    ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', appProtocol: 'http' }, { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' }],
  }, { team: 'a', [LABEL_SERVICE_NAME]: 'spoofed' }),
  service('db', { selector: { app: 'db' }, clusterIP: 'None', ipFamilies: ['IPv4'], publishNotReadyAddresses: true, ports: [{ name: 'sql', port: 5432, protocol: 'TCP', targetPort: 5432 }] }),
  service('dns', { selector: { app: 'web' }, clusterIP: '10.96.0.3', ipFamilies: ['IPv4'], ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 'dns' }] }),
  service('empty', { selector: { app: 'nothing' }, clusterIP: '10.96.0.4', ipFamilies: ['IPv4', 'IPv6'], ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] }),
  service('manual', { clusterIP: '10.96.0.5', ipFamilies: ['IPv4'], ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] }),
  service('external', { type: 'ExternalName', externalName: 'example.com', selector: { app: 'web' } }),
];

const PODS: V1Pod[] = [
  pod('web-0'),
  pod('web-1', { ready: false, node: 'node-2' }),
  pod('web-2', { terminating: true }),
  pod('web-3', { ports: [{ name: 'other', containerPort: 7000 }] }),
  pod('web-4', { phase: 'Succeeded' }),
  pod('web-5', { ips: [] }),
  pod('web-6', { ns: 'elsewhere' }),
  pod('web-7', { ips: ['10.244.1.7'] }),
  pod('api-0', { labels: { app: 'api' } }),
  pod('db-0', { labels: { app: 'db' }, hostname: 'db-0', subdomain: 'db' }),
  pod('db-1', { labels: { app: 'db' }, hostname: 'db-1', subdomain: 'other', ready: false }),
];

describe('computeEndpointSlices golden file', () => {
  it('mixed', () => golden(TESTDATA, 'endpointslices-mixed.golden.yaml', stringify(computeEndpointSlices(SERVICES, PODS, { nodes }))));

  it('does not depend on input order', () => {
    const a = computeEndpointSlices(SERVICES, PODS, { nodes });
    const b = computeEndpointSlices([...SERVICES].reverse(), [...PODS].reverse(), { nodes });
    assert.deepEqual(b, a);
  });
});

const names = (slices: EndpointSliceObject[]) => slices.map((s) => s.metadata.name);
const addresses = (s: EndpointSliceObject) => s.endpoints.flatMap((e) => e.addresses);

describe('computeEndpointSlices', () => {
  const web = SERVICES[0];

  it('groups pods by resolved ports: a pod without the named port lands in a slice without that port', () => {
    const v4 = computeEndpointSlices([web], PODS).filter((s) => s.addressType === 'IPv4');
    assert.deepEqual(v4.map((s) => [s.ports?.map((p) => `${p.name}:${p.port}`), addresses(s)]).sort(), [
      [['http:8080', 'metrics:9090'], ['10.244.0.10', '10.244.0.11', '10.244.0.12', '10.244.1.7']],
      [['metrics:9090'], ['10.244.0.13']],
    ].sort());
  });

  it('a pod without an address of a family is left out of that family only', () => {
    const v6 = computeEndpointSlices([web], PODS).filter((s) => s.addressType === 'IPv6');
    assert.ok(v6.every((s) => !s.endpoints.some((e) => e.targetRef?.name === 'web-7')));
  });

  it('conditions follow readiness, termination and publishNotReadyAddresses', () => {
    /** [pod ready, terminating, publishNotReadyAddresses] → [ready, serving, terminating]. */
    const table: [boolean, boolean, boolean, [boolean, boolean, boolean]][] = [
      [true, false, false, [true, true, false]],
      [false, false, false, [false, false, false]],
      [true, true, false, [false, true, true]],
      [false, true, false, [false, false, true]],
      [false, false, true, [true, true, false]],
      [true, true, true, [true, true, true]],
    ];
    for (const [ready, terminating, publish, want] of table) {
      const svc = service('s', { selector: { app: 'web' }, clusterIP: '10.96.0.9', ipFamilies: ['IPv4'], publishNotReadyAddresses: publish, ports: [{ port: 80, protocol: 'TCP' }] });
      const [slice] = computeEndpointSlices([svc], [pod('web-0', { ready, terminating })]);
      const c = slice.endpoints[0].conditions;
      assert.deepEqual([c?.ready, c?.serving, c?.terminating], want, JSON.stringify({ ready, terminating, publish }));
    }
  });

  it('splits at maxEndpointsPerSlice with stable, distinct names', () => {
    const pods = Array.from({ length: 5 }, (_, i) => pod(`web-${i}`));
    const svc = service('big', { selector: { app: 'web' }, clusterIP: '10.96.0.9', ipFamilies: ['IPv4'], ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] });
    const slices = computeEndpointSlices([svc], pods, { maxEndpointsPerSlice: 2 });
    assert.deepEqual(slices.map((s) => s.endpoints.length).sort(), [1, 2, 2]);
    assert.equal(new Set(names(slices)).size, 3);
    assert.ok(names(slices).every((n) => /^big-[bcdfghjklmnpqrstvwxz2456789]{5}$/.test(n)));
    // A pod turning unready rewrites its slice's content, not its name.
    const again = computeEndpointSlices([svc], [pod('web-0', { ready: false }), ...pods.slice(1)], { maxEndpointsPerSlice: 2 });
    assert.deepEqual(names(again), names(slices));
    assert.equal(computeEndpointSlices([svc], pods).length, 1, 'default of 100');
  });

  it('keeps the name a DNS label for the longest Service names', () => {
    const long = 'a'.repeat(63);
    const [slice] = computeEndpointSlices([service(long, { selector: { app: 'web' }, clusterIP: '10.96.0.9', ipFamilies: ['IPv4'], ports: [{ port: 80 }] })], [pod('web-0')]);
    assert.equal(slice.metadata.name.length, 63);
    assert.ok(slice.metadata.name.startsWith(`${'a'.repeat(58)}`));
  });

  it('without spec.ipFamilies: the ClusterIP\'s family, or both for headless', () => {
    const types = (spec: NonNullable<V1Service['spec']>) => computeEndpointSlices([service('s', { selector: { app: 'web' }, ports: [{ port: 80 }], ...spec })], [pod('web-0')]).map((s) => s.addressType);
    assert.deepEqual(types({ clusterIP: 'fd00:10:96::9' }), ['IPv6']);
    assert.deepEqual(types({ clusterIP: 'None' }).sort(), ['IPv4', 'IPv6']);
  });

  it('an empty selector selects nothing, as once stored', () => {
    assert.deepEqual(computeEndpointSlices([service('s', { selector: {}, clusterIP: '10.96.0.9', ports: [{ port: 80 }] })], [pod('web-0')]), []);
  });

  it('finds named ports in sidecars, with the Service port\'s protocol', () => {
    const p = pod('web-0', { ports: [{ name: 'dns', containerPort: 53, protocol: 'TCP' }] });
    if (p.spec) p.spec.initContainers = [{ name: 'side', restartPolicy: 'Always', ports: [{ name: 'dns', containerPort: 5353, protocol: 'UDP' }] }];
    const [slice] = computeEndpointSlices([SERVICES[2]], [p]);
    assert.deepEqual(slice.ports, [{ name: 'dns', port: 5353, protocol: 'UDP' }]);
  });
});

describe('reconcileSlices', () => {
  const desired = computeEndpointSlices(SERVICES, PODS, { nodes });
  /** As the store returns them: with server-set metadata. */
  const asStored = (s: EndpointSliceObject): EndpointSliceObject => ({ ...s, metadata: { ...s.metadata, uid: 'x', resourceVersion: '7', creationTimestamp: new Date(0) } });
  const user: EndpointSliceObject = {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'manual-1', namespace: 'shop', labels: { [LABEL_SERVICE_NAME]: 'manual' } },
    addressType: 'IPv4', endpoints: [{ addresses: ['192.0.2.1'] }],
  };

  it('creates everything from nothing', () => {
    const r = reconcileSlices([], desired);
    assert.deepEqual(names(r.apply), names(desired));
    assert.deepEqual([r.delete, r.conflicts], [[], []]);
  });

  it('writes nothing when the store already matches, whatever the server added', () => {
    assert.deepEqual(reconcileSlices([...desired.map(asStored), user], desired), { apply: [], delete: [], conflicts: [] });
  });

  it('rewrites changed slices, deletes stale managed ones, never touches the user\'s', () => {
    const stale: EndpointSliceObject = { ...desired[0], metadata: { ...desired[0].metadata, name: 'web-zzzzz' } };
    const changed = { ...desired[1], endpoints: [] };
    const current = [asStored(changed), ...desired.slice(2).map(asStored), stale, user];
    const r = reconcileSlices(current, desired);
    assert.deepEqual(names(r.apply), names(desired.slice(0, 2)).sort());
    assert.deepEqual(r.delete.map((s) => s.metadata?.name), ['web-zzzzz']);
    assert.deepEqual(r.conflicts, []);
  });

  it('reports a desired slice whose name an unmanaged slice holds', () => {
    const squatter = { ...user, metadata: { ...user.metadata, name: desired[0].metadata.name } };
    const r = reconcileSlices([squatter], desired);
    assert.deepEqual(names(r.conflicts), [desired[0].metadata.name]);
    assert.ok(!names(r.apply).includes(desired[0].metadata.name));
    assert.equal(squatter.metadata.labels?.[LABEL_MANAGED_BY], undefined);
  });
});
