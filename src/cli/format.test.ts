import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import type { KubeObject, V1Pod } from '../api/types.js';
import { age, asList, podTable, table } from './format.js';

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
