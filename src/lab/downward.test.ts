import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Container, V1Pod } from '../api/types.js';
import { containerEnv, expandArgv, fieldValue } from './downward.js';

const pod: V1Pod = {
  metadata: {
    name: 'web-0', namespace: 'shop', uid: '1234-abcd',
    labels: { app: 'web', 'app.kubernetes.io/name': 'shop-web' },
    annotations: { note: 'hello' },
  },
  spec: { nodeName: 'node-2', containers: [{ name: 'c' }] },
  status: {
    podIP: '10.244.1.5', podIPs: [{ ip: '10.244.1.5' }, { ip: 'fd00:10:244:1::5' }],
    hostIP: '172.18.0.3', hostIPs: [{ ip: '172.18.0.3' }, { ip: 'fd00:172:18::3' }],
  },
};

describe('fieldValue', () => {
  it('resolves the downward API field paths', () => {
    const cases: [string, string | undefined][] = [
      ['metadata.name', 'web-0'],
      ['metadata.namespace', 'shop'],
      ['metadata.uid', '1234-abcd'],
      ["metadata.labels['app']", 'web'],
      ["metadata.labels['app.kubernetes.io/name']", 'shop-web'],
      ["metadata.labels['missing']", undefined],
      ["metadata.annotations['note']", 'hello'],
      ['spec.nodeName', 'node-2'],
      ['spec.serviceAccountName', 'default'],
      ['status.podIP', '10.244.1.5'],
      ['status.podIPs', '10.244.1.5,fd00:10:244:1::5'],
      ['status.hostIP', '172.18.0.3'],
      ['status.hostIPs', '172.18.0.3,fd00:172:18::3'],
      ['status.phase', undefined],
      ['metadata.labels', undefined],
    ];
    for (const [path, want] of cases) assert.equal(fieldValue(pod, path), want, path);
  });

  it('is undefined for a pod that has no address yet', () => {
    const bare: V1Pod = { metadata: { name: 'p' } };
    assert.equal(fieldValue(bare, 'status.podIP'), undefined);
    assert.equal(fieldValue(bare, 'status.podIPs'), undefined);
    assert.equal(fieldValue(bare, 'spec.nodeName'), undefined);
    assert.equal(fieldValue(bare, "metadata.labels['app']"), undefined);
  });
});

describe('containerEnv', () => {
  const container = (env: V1Container['env']): V1Container => ({ name: 'c', env });

  it('sets PATH and HOSTNAME, then literal values and fieldRefs in order', () => {
    const env = containerEnv(pod, container([
      { name: 'LITERAL', value: 'x' },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      { name: 'UNKNOWN', valueFrom: { fieldRef: { fieldPath: 'status.nothing' } } },
      { name: 'EMPTY' },
    ]));
    assert.equal(env.HOSTNAME, 'web-0');
    assert.match(env.PATH, /\/usr\/bin/);
    assert.equal(env.LITERAL, 'x');
    assert.equal(env.POD_IP, '10.244.1.5');
    assert.equal(env.NODE, 'node-2');
    assert.equal(env.UNKNOWN, '');
    assert.equal(env.EMPTY, '');
  });

  it('HOSTNAME is spec.hostname when set', () => {
    assert.equal(containerEnv({ ...pod, spec: { ...pod.spec!, hostname: 'h' } }, container([])).HOSTNAME, 'h');
  });

  it('expands $(VAR) from earlier variables and unescapes $$', () => {
    const env = containerEnv(pod, container([
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'URL', value: 'http://$(POD_IP):8080/$(LATER)' },
      { name: 'LATER', value: 'late' },
      { name: 'ESCAPED', value: '$$(POD_IP) costs $$5' },
      { name: 'PLAIN', value: 'a $ b $(unclosed $(1BAD)' },
    ]));
    // Only earlier variables count; unknown references stay as written.
    assert.equal(env.URL, 'http://10.244.1.5:8080/$(LATER)');
    assert.equal(env.ESCAPED, '$(POD_IP) costs $5');
    assert.equal(env.PLAIN, 'a $ b $(unclosed $(1BAD)');
  });
});

describe('expandArgv', () => {
  it('expands each argument', () => {
    const env = { POD_IP: '10.244.1.5', PORT: '80' };
    assert.deepEqual(
      expandArgv(['--addr=$(POD_IP):$(PORT)', '$(MISSING)', '$$(POD_IP)', '$$$(PORT)', 'plain'], env),
      ['--addr=10.244.1.5:80', '$(MISSING)', '$(POD_IP)', '$80', 'plain'],
    );
    assert.deepEqual(expandArgv([], env), []);
  });
});
