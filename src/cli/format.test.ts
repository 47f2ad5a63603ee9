import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { V1LabelSelector } from '@kubernetes/client-node';
import type { KubeObject, V1EndpointSlice, V1NetworkPolicy, V1Pod, V1Service } from '../api/types.js';
import { age, asList, endpointSliceTable, networkPolicyTable, podTable, serviceTable, table } from './format.js';

describe('table', () => {
  it('pads every column but the last to the widest cell plus three spaces', () => {
    assert.equal(
      table([['NAME', 'READY', 'STATUS'], ['a-long-name', '1/1', 'Running'], ['b', '10/10', 'X']]),
      'NAME          READY   STATUS\n' +
      'a-long-name   1/1     Running\n' +
      'b             10/10   X\n',
    );
  });

  it('trims trailing spaces when the last cell is empty', () => {
    assert.equal(table([['A', 'B'], ['x', '']]), 'A   B\nx\n');
  });

  it('a header alone is one line', () => {
    assert.equal(table([['NAME', 'AGE']]), 'NAME   AGE\n');
  });
});

describe('age', () => {
  const now = Date.parse('2024-06-01T12:00:00Z');
  const ago = (seconds: number) => new Date(now - seconds * 1000);

  it('formats like kubectl at the small end', () => {
    const cases: [number, string][] = [
      [0, '0s'], [59, '59s'], [119, '119s'],
      [120, '2m0s'], [303, '5m3s'], [599, '9m59s'],
      [600, '10m'], [179 * 60 + 59, '179m'],
      [180 * 60, '3h'], [3 * 3600 + 25 * 60, '3h25m'], [47 * 3600 + 59 * 60, '47h59m'],
      [48 * 3600, '2d'], [10 * 86400 + 3600, '10d'],
    ];
    for (const [s, want] of cases) assert.equal(age(ago(s), now), want, `${s}s`);
  });

  it('accepts ISO strings, clamps the future to 0s, and reports a missing time', () => {
    assert.equal(age(new Date(now - 65_000).toISOString(), now), '65s');
    assert.equal(age(new Date(now + 60_000), now), '0s');
    assert.equal(age(undefined, now), '<unknown>');
    assert.equal(age('', now), '<unknown>');
  });
});

describe('asList', () => {
  const items: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', namespace: 'default' } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b', namespace: 'default' }, spec: { nodeName: 'node-1' } },
  ];

  it('json: a v1 List indented by four spaces', () => {
    const out = asList(items, 'json');
    assert.ok(out.endsWith('}\n'));
    assert.deepEqual(JSON.parse(out), { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items });
    assert.match(out, /^\{\n {4}"apiVersion": "v1",\n {4}"kind": "List",\n {4}"metadata": \{\n {8}"resourceVersion": ""\n {4}\},\n {4}"items": \[/);
    assert.deepEqual(JSON.parse(asList([], 'json')).items, []);
  });

  it('yaml: the same List', () => {
    assert.deepEqual(parse(asList(items, 'yaml')), { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items });
  });
});

describe('podTable', () => {
  // Old enough that the AGE column cannot tick over while the test runs.
  const started = new Date(Date.now() - 150 * 60_000 - 30_000);
  const running: V1Pod = {
    metadata: { name: 'web-0', namespace: 'shop' },
    spec: { nodeName: 'node-1', containers: [{ name: 'a' }, { name: 'b' }] },
    status: {
      phase: 'Running', startTime: started,
      podIPs: [{ ip: '10.244.0.5' }, { ip: 'fd00:10:244::5' }],
      containerStatuses: [
        { name: 'a', image: '', imageID: '', ready: true, restartCount: 2, state: { running: {} } },
        { name: 'b', image: '', imageID: '', ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } },
      ],
    },
  };
  const creating: V1Pod = {
    metadata: { name: 'db', namespace: 'default' },
    spec: { nodeName: 'node-2', containers: [{ name: 'a' }] },
    status: { phase: 'Pending', containerStatuses: [{ name: 'a', image: '', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] },
  };
  const done: V1Pod = {
    metadata: { name: 'job', namespace: 'default' },
    spec: { nodeName: 'node-2', containers: [{ name: 'a' }] },
    status: {
      phase: 'Succeeded', startTime: started, podIPs: [{ ip: '10.244.1.7' }],
      containerStatuses: [{ name: 'a', image: '', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
    },
  };
  const unscheduled: V1Pod = { metadata: { name: 'lost', namespace: 'default' }, spec: { containers: [{ name: 'a' }] } };
  const pods = [running, creating, done, unscheduled];

  it('no pods: kubectl\'s message', () => {
    assert.equal(podTable([], { allNamespaces: true, wide: true }), 'No resources found.\n');
  });

  it('default columns', () => {
    assert.equal(podTable(pods, { allNamespaces: false, wide: false }), [
      'NAME    READY   STATUS              RESTARTS   AGE',
      'web-0   1/2     CrashLoopBackOff    3          150m',
      'db      0/1     ContainerCreating   0          <unknown>',
      'job     0/1     Completed           0          150m',
      'lost    0/1     Pending             0          <unknown>',
      '',
    ].join('\n'));
  });

  it('-A adds NAMESPACE first; wide adds IP and NODE last', () => {
    const out = podTable(pods, { allNamespaces: true, wide: true });
    const lines = out.trimEnd().split('\n');
    assert.deepEqual(lines[0].split(/\s+/), ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE']);
    assert.deepEqual(lines.slice(1).map((l) => l.split(/\s+/)), [
      ['shop', 'web-0', '1/2', 'CrashLoopBackOff', '3', '150m', '10.244.0.5,fd00:10:244::5', 'node-1'],
      ['default', 'db', '0/1', 'ContainerCreating', '0', '<unknown>', '<none>', 'node-2'],
      ['default', 'job', '0/1', 'Completed', '0', '150m', '10.244.1.7', 'node-2'],
      ['default', 'lost', '0/1', 'Pending', '0', '<unknown>', '<none>', '<none>'],
    ]);
    // Columns line up: every row's IP starts where the header's does.
    const at = lines[0].indexOf('IP');
    for (const l of lines.slice(1)) assert.match(l.slice(at), /^[0-9<]/);
    assert.deepEqual(podTable(pods, { allNamespaces: false, wide: true }).split('\n')[0].split(/\s+/), ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE']);
    assert.deepEqual(podTable(pods, { allNamespaces: true, wide: false }).split('\n')[0].split(/\s+/), ['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
  });
});

describe('serviceTable', () => {
  const now = Date.parse('2024-06-01T12:00:00Z');
  const created = new Date(now - 5 * 60_000 - 3_000);
  const svc = (name: string, spec: V1Service['spec'], status?: V1Service['status'], ns = 'default'): V1Service =>
    ({ metadata: { name, namespace: ns, creationTimestamp: created }, spec, status });
  const services: V1Service[] = [
    svc('web', { type: 'ClusterIP', clusterIP: '10.96.0.2', clusterIPs: ['10.96.0.2', 'fd00:10:96::2'], selector: { tier: 'front', app: 'web' }, ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] }),
    svc('dns', { type: 'NodePort', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 53, nodePort: 30053, protocol: 'UDP' }, { port: 53, nodePort: 30053, protocol: 'TCP' }] }, undefined, 'kube-system'),
    svc('lb', { type: 'LoadBalancer', clusterIP: '10.96.0.3', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] }, { loadBalancer: { ingress: [{ ip: 'fd00:172:18::f0' }, { ip: '172.18.0.240' }] } }),
    svc('pending', { type: 'LoadBalancer', clusterIP: '10.96.0.4', ports: [{ port: 80, nodePort: 30081, protocol: 'TCP' }] }, { loadBalancer: {} }),
    svc('db', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], selector: { app: 'db' } }),
    svc('ext', { type: 'ExternalName', externalName: 'db.example.com' }),
    svc('pub', { type: 'ClusterIP', clusterIP: '10.96.0.5', externalIPs: ['192.0.2.7'], ports: [{ port: 8080, protocol: 'SCTP' }] }),
  ];

  it('no Services: kubectl\'s message', () => {
    assert.equal(serviceTable([], { allNamespaces: false, wide: false, now }), 'No resources found.\n');
  });

  it('default columns, as kubectl prints them', () => {
    assert.equal(serviceTable(services, { allNamespaces: false, wide: false, now }), [
      'NAME      TYPE           CLUSTER-IP   EXTERNAL-IP        PORT(S)                     AGE',
      'web       ClusterIP      10.96.0.2    <none>             80/TCP,443/TCP              5m3s',
      'dns       NodePort       10.96.0.10   <none>             53:30053/UDP,53:30053/TCP   5m3s',
      'lb        LoadBalancer   10.96.0.3    172.18.0.240,...   80:30080/TCP                5m3s',
      'pending   LoadBalancer   10.96.0.4    <pending>          80:30081/TCP                5m3s',
      'db        ClusterIP      None         <none>             <none>                      5m3s',
      'ext       ExternalName   <none>       db.example.com     <none>                      5m3s',
      'pub       ClusterIP      10.96.0.5    192.0.2.7          8080/SCTP                   5m3s',
      '',
    ].join('\n'));
  });

  it('-A adds NAMESPACE first; wide shows every LB address and the SELECTOR', () => {
    const lines = serviceTable(services, { allNamespaces: true, wide: true, now }).trimEnd().split('\n');
    assert.deepEqual(lines[0].split(/\s+/), ['NAMESPACE', 'NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
    assert.deepEqual(lines[1].split(/\s+/), ['default', 'web', 'ClusterIP', '10.96.0.2', '<none>', '80/TCP,443/TCP', '5m3s', 'app=web,tier=front']);
    assert.deepEqual(lines[2].split(/\s+/).slice(0, 2), ['kube-system', 'dns']);
    assert.deepEqual(lines[3].split(/\s+/).slice(4), ['172.18.0.240,fd00:172:18::f0', '80:30080/TCP', '5m3s', '<none>']);
  });

  it('LoadBalancer: ingress hostnames, and externalIPs after the ingress', () => {
    const both = svc('x', { type: 'LoadBalancer', externalIPs: ['192.0.2.9'], ports: [] }, { loadBalancer: { ingress: [{ hostname: 'lb.example' }] } });
    assert.deepEqual(serviceTable([both], { allNamespaces: false, wide: false, now }).split('\n')[1].split(/\s+/).slice(3, 5), ['lb.example,192.0.2.9', '<none>']);
  });
});

describe('endpointSliceTable', () => {
  const now = Date.parse('2024-06-01T12:00:00Z');
  const slice = (name: string, addressType: string, ports: V1EndpointSlice['ports'], addrs: string[][], ns = 'shop'): V1EndpointSlice => ({
    metadata: { name, namespace: ns, creationTimestamp: new Date(now - 30_000) }, addressType, ports, endpoints: addrs.map((addresses) => ({ addresses })),
  });
  const slices = [
    slice('web-abcde', 'IPv4', [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9090 }], [['10.244.0.10'], ['10.244.0.11']]),
    slice('big-fghjk', 'IPv6', [{ port: 1 }, { port: 2 }, { port: 3 }, { port: 4 }, { port: 5 }], [['fd00::1'], ['fd00::2'], ['fd00::3'], ['fd00::4']]),
    slice('empty-lmnpq', 'IPv4', undefined, []),
    slice('named-rstvw', 'FQDN', [{ name: 'all' }, {}], [['db.example.com']], 'other'),
  ];

  it('no slices: kubectl\'s message', () => {
    assert.equal(endpointSliceTable([], { allNamespaces: true, wide: false, now }), 'No resources found.\n');
  });

  it('shows three ports and addresses, then how many more; <unset> when there are none', () => {
    assert.equal(endpointSliceTable(slices, { allNamespaces: false, wide: false, now }), [
      'NAME          ADDRESSTYPE   PORTS               ENDPOINTS                             AGE',
      'web-abcde     IPv4          8080,9090           10.244.0.10,10.244.0.11               30s',
      'big-fghjk     IPv6          1,2,3 + 2 more...   fd00::1,fd00::2,fd00::3 + 1 more...   30s',
      'empty-lmnpq   IPv4          <unset>             <unset>                               30s',
      'named-rstvw   FQDN          all,*               db.example.com                        30s',
      '',
    ].join('\n'));
  });

  it('-A adds NAMESPACE first; -o wide adds nothing', () => {
    const lines = endpointSliceTable(slices, { allNamespaces: true, wide: true, now }).split('\n');
    assert.deepEqual(lines[0].split(/\s+/), ['NAMESPACE', 'NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
    assert.deepEqual(lines[4].split(/\s+/).slice(0, 2), ['other', 'named-rstvw']);
  });
});

describe('networkPolicyTable', () => {
  const np = (name: string, podSelector: V1LabelSelector): V1NetworkPolicy =>
    ({ metadata: { name, namespace: 'x', creationTimestamp: new Date(0) }, spec: { podSelector } });
  it('shows the pod selector as kubectl does', () => {
    const out = networkPolicyTable([
      np('all', {}),
      np('web', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'canary', operator: 'DoesNotExist' }] }),
    ], { allNamespaces: true, now: 3_600_000 });
    assert.deepEqual(out.trimEnd().split('\n').map((l) => l.split(/\s{2,}/)), [
      ['NAMESPACE', 'NAME', 'POD-SELECTOR', 'AGE'],
      ['x', 'all', '<none>', '60m'],
      ['x', 'web', 'app=web,tier in (a,b),!canary', '60m'],
    ]);
    assert.equal(networkPolicyTable([], { allNamespaces: false }), 'No resources found.\n');
  });
});
