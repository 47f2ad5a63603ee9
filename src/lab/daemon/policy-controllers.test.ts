import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Namespace, V1NetworkPolicy, V1Pod } from '../../api/types.js';
import { PolicyModel } from '../../netpol/index.js';
import { labPolicyWorld, nodeInfo } from './policy-controllers.js';

const pod = (namespace: string, name: string, ip: string, labels: Record<string, string> = {}): V1Pod => ({
  metadata: { namespace, name, labels },
  spec: { containers: [{ name: 'c' }], nodeName: 'node-1' },
  status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
});

describe('labPolicyWorld', () => {
  it('adds built-in namespaces and ones only pods mention, labelled with their names', () => {
    const world = labPolicyWorld({
      pods: [pod('default', 'a', '10.244.0.5'), pod('team', 'b', '10.244.0.6')],
      namespaces: [{ metadata: { name: 'shop', labels: { env: 'prod' } } } as V1Namespace],
      policies: [],
    }, []);
    const names = world.namespaces.map((n) => n.name).sort();
    assert.deepEqual(names, ['default', 'kube-node-lease', 'kube-public', 'kube-system', 'shop', 'team']);
    assert.equal(world.namespaces.find((n) => n.name === 'team')?.labels['kubernetes.io/metadata.name'], 'team');
    assert.equal(world.namespaces.find((n) => n.name === 'shop')?.labels.env, 'prod');
  });

  it('a namespaceSelector on the name label matches an implied namespace', () => {
    const deny: V1NetworkPolicy = {
      metadata: { name: 'from-team', namespace: 'default' },
      spec: { podSelector: {}, ingress: [{ _from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team' } } }] }] },
    };
    // Policies come from JSON, where the field is `from`.
    const policy = JSON.parse(JSON.stringify(deny).replace('"_from"', '"from"')) as V1NetworkPolicy;
    const world = labPolicyWorld({ pods: [pod('default', 'a', '10.244.0.5'), pod('team', 'b', '10.244.0.6'), pod('other', 'c', '10.244.0.7')], namespaces: [], policies: [policy] }, []);
    const model = new PolicyModel(world);
    assert.equal(model.allowed('team/b', 'default/a', 80, 'TCP').allowed, true);
    assert.equal(model.allowed('other/c', 'default/a', 80, 'TCP').allowed, false);
  });
});

describe('nodeInfo', () => {
  it('a node is its underlay addresses and its bridge gateways', () => {
    assert.deepEqual(nodeInfo({ name: 'node-1', underlayIPs: ['172.18.0.2', 'fd00:172:18::2'], podCIDRs: ['10.244.0.0/24', 'fd00:10:244::/64'] }),
      { name: 'node-1', ips: ['172.18.0.2', 'fd00:172:18::2', '10.244.0.1', 'fd00:10:244::1'] });
  });
});
