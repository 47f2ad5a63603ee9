import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { nodePodCIDRs, nodeUnderlayIPs, podCapacity, resolveCluster, underlayGateways, type ClusterFlags } from './cluster.js';
import { ManifestError } from './errors.js';
import type { Loaded } from './types.js';

const doc = (spec: Record<string, unknown>, name = 'lab'): Loaded => ({
  object: { apiVersion: 'podnet.dev/v1alpha1', kind: 'Cluster', metadata: { name }, spec },
  source: { file: 'cluster.yaml', doc: 0 },
});

describe('resolveCluster', () => {
  it('fills in defaults', () => {
    const c = resolveCluster({}, undefined);
    assert.deepEqual(c, {
      name: 'podnet', backend: 'vxlan', ipFamily: 'ipv4', mtu: 1500,
      nodes: [1, 2].map((i) => ({ name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}`, 'kubernetes.io/os': 'linux' } })),
      podCIDRs: ['10.244.0.0/16'], nodeMaskSizes: [24], serviceCIDRs: ['10.96.0.0/12'], underlayCIDRs: ['172.18.0.0/24'],
      clusterDomain: 'cluster.local', nodePortRange: [30000, 32767], loadBalancerPools: ['172.18.0.240/28'], dnsUpstreams: [],
    });
    assert.deepEqual(nodePodCIDRs(c, 1), ['10.244.1.0/24']);
    assert.deepEqual(nodeUnderlayIPs(c, 0), ['172.18.0.2']);
    assert.deepEqual(underlayGateways(c), ['172.18.0.1']);
    assert.equal(podCapacity(c), 253);
  });

  it('dual stack defaults add the IPv6 ranges', () => {
    const c = resolveCluster({ ipFamily: 'dual', nodes: 3 }, undefined);
    assert.deepEqual(c.podCIDRs, ['10.244.0.0/16', 'fd00:10:244::/56']);
    assert.deepEqual(c.nodeMaskSizes, [24, 64]);
    assert.deepEqual(c.serviceCIDRs, ['10.96.0.0/12', 'fd00:10:96::/108']);
    assert.deepEqual(c.underlayCIDRs, ['172.18.0.0/24', 'fd00:172:18::/64']);
    assert.deepEqual(c.loadBalancerPools, ['172.18.0.240/28', 'fd00:172:18:0:f000::/68']);
    assert.deepEqual(nodePodCIDRs(c, 2), ['10.244.2.0/24', 'fd00:10:244:2::/64']);
    assert.deepEqual(nodeUnderlayIPs(c, 2), ['172.18.0.4', 'fd00:172:18::4']);
    assert.equal(podCapacity(c), 253);
  });

  it('reads the Cluster document, and explicit flags override it', () => {
    const d = doc({
      nodes: [{ name: 'cp', labels: { role: 'control' } }, { name: 'w1' }], backend: 'routed', ipFamily: 'dual',
      podCIDR: ['fd00:1::/48', '10.10.0.0/16'], nodeMaskSize: [26, 64], serviceCIDR: ['10.20.0.0/16', 'fd00:2::/108'],
      underlayCIDR: ['192.168.50.0/24', 'fd00:3::/64'], mtu: 9000,
    });
    const c = resolveCluster({}, d);
    assert.equal(c.name, 'lab');
    assert.deepEqual(c.nodes[0], { name: 'cp', labels: { role: 'control', 'kubernetes.io/hostname': 'cp', 'kubernetes.io/os': 'linux' } });
    assert.deepEqual(c.podCIDRs, ['10.10.0.0/16', 'fd00:1::/48']); // ordered IPv4 first
    assert.equal(podCapacity(c), 61); // /26 is the tighter family
    assert.equal(c.mtu, 9000);
    const o = resolveCluster({ name: 'x', nodes: 3, backend: 'vxlan' }, d);
    assert.deepEqual([o.name, o.backend, o.nodes.map((n) => n.name)], ['x', 'vxlan', ['cp', 'w1', 'node-3']]);
    assert.deepEqual(resolveCluster({ nodes: 1 }, d).nodes.map((n) => n.name), ['cp']);
    assert.equal(resolveCluster({}, doc({ nodes: 5 })).nodes.length, 5);
  });

  // [case, flags, spec (undefined: no document), field, message]
  const errors: [string, ClusterFlags, Record<string, unknown> | undefined, string, string][] = [
    ['bad CIDR', {}, { podCIDR: '10.244.0/16' }, 'spec.podCIDR', 'cluster.yaml: Cluster lab: spec.podCIDR: "10.244.0" is not an IPv4 address'],
    ['host bits', {}, { serviceCIDR: '10.96.0.1/12' }, 'spec.serviceCIDR', 'cluster.yaml: Cluster lab: spec.serviceCIDR: 10.96.0.1/12 has host bits set; did you mean 10.96.0.0/12?'],
    ['bad list entry', {}, { ipFamily: 'dual', podCIDR: ['10.0.0.0/16', 'fd00::/400'] }, 'spec.podCIDR[1]', 'cluster.yaml: Cluster lab: spec.podCIDR[1]: "fd00::/400" has an invalid prefix length (0-128)'],
    ['dual needs v6', {}, { ipFamily: 'dual', podCIDR: '10.1.0.0/16' }, 'spec.podCIDR', 'cluster.yaml: Cluster lab: spec.podCIDR: ipFamily dual needs one IPv4 and one IPv6 CIDR, got 10.1.0.0/16'],
    ['dual flag, v4 doc', { ipFamily: 'dual' }, { serviceCIDR: '10.1.0.0/16' }, 'spec.serviceCIDR', 'cluster.yaml: Cluster lab: spec.serviceCIDR: ipFamily dual needs one IPv4 and one IPv6 CIDR, got 10.1.0.0/16'],
    ['two v4', {}, { ipFamily: 'dual', podCIDR: ['10.1.0.0/16', '10.2.0.0/16'] }, 'spec.podCIDR', 'cluster.yaml: Cluster lab: spec.podCIDR: ipFamily dual needs one IPv4 and one IPv6 CIDR, got 10.1.0.0/16, 10.2.0.0/16'],
    ['v6 in ipv4', {}, { podCIDR: 'fd00::/48' }, 'spec.podCIDR', 'cluster.yaml: Cluster lab: spec.podCIDR: ipFamily ipv4 needs one IPv4 CIDR, got fd00::/48'],
    ['pod/service overlap', {}, { serviceCIDR: '10.244.128.0/20' }, 'spec.serviceCIDR', 'cluster.yaml: Cluster lab: spec.serviceCIDR: 10.244.128.0/20 overlaps podCIDR 10.244.0.0/16'],
    ['underlay overlap', {}, { underlayCIDR: '10.100.0.0/24' }, 'spec.underlayCIDR', 'cluster.yaml: Cluster lab: spec.underlayCIDR: 10.100.0.0/24 overlaps serviceCIDR 10.96.0.0/12'],
    ['pod CIDR too small', {}, { podCIDR: '10.244.0.0/23', nodes: 3 }, 'spec.podCIDR', 'cluster.yaml: Cluster lab: spec.podCIDR: 10.244.0.0/23 has room for 2 /24 node ranges, but the cluster has 3 nodes'],
    ['pod CIDR too small by flag', { nodes: 5 }, { podCIDR: '10.244.0.0/22' }, 'spec.podCIDR', 'cluster.yaml: Cluster lab: spec.podCIDR: 10.244.0.0/22 has room for 4 /24 node ranges, but the cluster has 5 nodes'],
    ['underlay too small', {}, { underlayCIDR: '172.18.0.0/30', nodes: 2 }, 'spec.underlayCIDR', 'cluster.yaml: Cluster lab: spec.underlayCIDR: 172.18.0.0/30 is too small for 2 nodes and a gateway'],
    ['mask too long', {}, { nodeMaskSize: 31 }, 'spec.nodeMaskSize', 'cluster.yaml: Cluster lab: spec.nodeMaskSize: IPv4 mask size must be an integer between 16 and 30, not 31'],
    ['mask shorter than pod CIDR', {}, { nodeMaskSize: 8 }, 'spec.nodeMaskSize', 'cluster.yaml: Cluster lab: spec.nodeMaskSize: IPv4 mask size must be an integer between 16 and 30, not 8'],
    ['single mask in dual', {}, { ipFamily: 'dual', nodeMaskSize: 24 }, 'spec.nodeMaskSize', 'cluster.yaml: Cluster lab: spec.nodeMaskSize: with ipFamily dual, give one mask size per family: [IPv4, IPv6]'],
    ['0 nodes', {}, { nodes: 0 }, 'spec.nodes', 'cluster.yaml: Cluster lab: spec.nodes: must be a list of nodes or a number between 1 and 64, not 0'],
    ['65 nodes by flag', { nodes: 65 }, undefined, '--nodes', '--nodes: must be a list of nodes or a number between 1 and 64, not 65'],
    ['duplicate node', {}, { nodes: [{ name: 'a' }, { name: 'a' }] }, 'spec.nodes[1].name', 'cluster.yaml: Cluster lab: spec.nodes[1].name: duplicate node name "a"'],
    ['bad node label', {}, { nodes: [{ name: 'a', labels: { zone: 'a b' } }] }, 'spec.nodes[0].labels.zone', 'cluster.yaml: Cluster lab: spec.nodes[0].labels.zone: invalid value "a b" must be empty or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character'],
    ['long name', { name: 'a-very-long-lab' }, undefined, '--name', '--name: "a-very-long-lab" must be no more than 12 characters (it prefixes namespace and link names)'],
    ['bad doc name', {}, {}, 'metadata.name', ''],
    ['backend', { backend: 'geneve' }, {}, '--backend', '--backend: unsupported value "geneve": must be one of vxlan, routed'],
    ['ipFamily in doc', {}, { ipFamily: 'ipv6' }, 'spec.ipFamily', 'cluster.yaml: Cluster lab: spec.ipFamily: unsupported value "ipv6": must be one of ipv4, dual'],
    ['mtu', {}, { mtu: 1000 }, 'spec.mtu', 'cluster.yaml: Cluster lab: spec.mtu: must be an integer between 1280 and 9000, not 1000'],
    ['pool outside underlay', {}, { loadBalancerPool: '192.168.5.0/28' }, 'spec.loadBalancerPool', 'cluster.yaml: Cluster lab: spec.loadBalancerPool: 192.168.5.0/28 must lie inside underlayCIDR 172.18.0.0/24, where nodes can announce it'],
    ['pool over node addresses', {}, { loadBalancerPool: '172.18.0.0/28' }, 'spec.loadBalancerPool', 'cluster.yaml: Cluster lab: spec.loadBalancerPool: 172.18.0.0/28 overlaps the node addresses of underlayCIDR 172.18.0.0/24'],
    ['node port range', {}, { serviceNodePortRange: '32000-31000' }, 'spec.serviceNodePortRange', 'cluster.yaml: Cluster lab: spec.serviceNodePortRange: must be a port range such as "30000-32767", not "32000-31000"'],
    ['upstream', {}, { dns: { upstreams: ['dns.example'] } }, 'spec.dns.upstreams[0]', 'cluster.yaml: Cluster lab: spec.dns.upstreams[0]: "dns.example" is not an IP or IP:PORT'],
    ['cluster domain', {}, { clusterDomain: 'Bad_Domain' }, 'spec.clusterDomain', 'cluster.yaml: Cluster lab: spec.clusterDomain: must be a DNS domain such as cluster.local, not "Bad_Domain"'],
  ];
  for (const [name, flags, spec, field, message] of errors) {
    it(`rejects ${name}`, () => {
      const d = spec === undefined ? undefined : doc(spec, name === 'bad doc name' ? 'Lab' : 'lab');
      assert.throws(() => resolveCluster(flags, d), (e: unknown) => {
        assert.ok(e instanceof ManifestError, String(e));
        assert.equal(e.field, field);
        if (message) assert.equal(e.message, message);
        return true;
      });
    });
  }
});
