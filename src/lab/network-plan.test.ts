import assert from 'node:assert/strict';
import { golden, testdataOf } from '../testing/golden.test-util.js';
import { describe, it } from 'node:test';
import { nodePodCIDRs, nodeUnderlayIPs, resolveCluster, type ClusterFlags } from '../api/cluster.js';
import type { ClusterConfig, Loaded } from '../api/types.js';
import { masqueradeRuleset, planNetwork, renderPlan, vtepMAC } from './network-plan.js';
import { NODE_UPLINK, VXLAN_DEVICE, VXLAN_OVERHEAD } from './names.js';

// Tests run from dist/src/lab/; the golden files live in the source tree.
const TESTDATA = testdataOf('lab', import.meta.url);

function cluster(flags: ClusterFlags, spec?: Record<string, unknown>): ClusterConfig {
  const doc: Loaded | undefined = spec && {
    object: { apiVersion: 'podnet.dev/v1alpha1', kind: 'Cluster', metadata: { name: flags.name ?? 'lab' }, spec },
    source: { file: 'cluster.yaml', doc: 0 },
  };
  return resolveCluster(flags, doc);
}

const CASES: Record<string, ClusterConfig> = {
  'vxlan-ipv4-3nodes': cluster({ name: 'lab', nodes: 3, backend: 'vxlan', ipFamily: 'ipv4' }),
  'routed-dual-3nodes': cluster({ name: 'lab', nodes: 3, backend: 'routed', ipFamily: 'dual' }),
  'vxlan-dual-2nodes-mtu9000': cluster({ name: 'lab' }, { nodes: 2, backend: 'vxlan', ipFamily: 'dual', mtu: 9000 }),
};


describe('renderPlan golden files', () => {
  for (const [name, config] of Object.entries(CASES)) {
    it(name, () => golden(TESTDATA, `${name}.plan.golden`, renderPlan(planNetwork(config))));
  }

  it('is deterministic', () => {
    const config = CASES['routed-dual-3nodes'];
    assert.equal(renderPlan(planNetwork(config)), renderPlan(planNetwork(config)));
  });
});

/** Node-namespace `route add` lines other than the default routes. */
const podRoutes = (batch: string[]) => batch.filter((l) => l.startsWith('route add ') && !l.startsWith('route add default'));

describe('planNetwork', () => {
  it('gives every node its namespace, underlay addresses and pod ranges', () => {
    const config = CASES['routed-dual-3nodes'];
    const plan = planNetwork(config);
    assert.equal(plan.underlay.netns, 'pn-lab-net');
    assert.deepEqual(plan.nodes.map((n) => n.netns), ['pn-lab-node-1', 'pn-lab-node-2', 'pn-lab-node-3']);
    plan.nodes.forEach((n, i) => {
      assert.equal(n.index, i);
      assert.deepEqual(n.underlayIPs, nodeUnderlayIPs(config, i));
      assert.deepEqual(n.podCIDRs, nodePodCIDRs(config, i));
      assert.equal(n.labels['kubernetes.io/hostname'], n.name);
    });
    // One veth per node on the underlay bridge, with the gateway address per family.
    assert.equal(plan.underlay.ipBatch.filter((l) => / type veth peer name /.test(l)).length, 3);
    assert.ok(plan.underlay.ipBatch.includes('addr add 172.18.0.1/24 dev underlay'));
    assert.ok(plan.underlay.ipBatch.includes('addr add fd00:172:18::1/64 dev underlay nodad'));
  });

  it('VXLAN pod MTU is the underlay MTU less the encapsulation; routed keeps the MTU', () => {
    assert.equal(VXLAN_OVERHEAD, 50);
    for (const n of planNetwork(CASES['vxlan-ipv4-3nodes']).nodes) assert.equal(n.podMTU, 1450);
    for (const n of planNetwork(CASES['vxlan-dual-2nodes-mtu9000']).nodes) assert.equal(n.podMTU, 8950);
    for (const n of planNetwork(CASES['routed-dual-3nodes']).nodes) assert.equal(n.podMTU, 1500);
    const routed9000 = cluster({ name: 'lab', backend: 'routed' }, { mtu: 9000 });
    for (const n of planNetwork(routed9000).nodes) assert.equal(n.podMTU, 9000);
    // The underlay links carry the configured MTU either way.
    for (const l of planNetwork(CASES['vxlan-dual-2nodes-mtu9000']).underlay.ipBatch.filter((x) => x.includes('type veth'))) {
      assert.match(l, / mtu 9000 type veth peer name eth0 mtu 9000 /);
    }
  });

  it('routed: one route per remote podCIDR per family via that node\'s underlay IP, no VXLAN', () => {
    const plan = planNetwork(CASES['routed-dual-3nodes']);
    for (const node of plan.nodes) {
      const expected = plan.nodes
        .filter((p) => p !== node)
        .flatMap((p) => p.podCIDRs.map((cidr, f) => `route add ${cidr} via ${p.underlayIPs[f]} dev ${NODE_UPLINK}`));
      assert.equal(expected.length, 2 * 2);
      assert.deepEqual(podRoutes(node.ipBatch), expected);
      assert.ok(!node.ipBatch.some((l) => l.includes('vxlan')), 'no vxlan device in routed mode');
      assert.deepEqual(node.fdbBatch, []);
      // No route to its own pod range (the bridge covers it).
      assert.ok(!node.podCIDRs.some((c) => podRoutes(node.ipBatch).some((l) => l.startsWith(`route add ${c} `))));
    }
  });

  it('routed, IPv4 only: one route per remote node', () => {
    const plan = planNetwork(cluster({ name: 'lab', nodes: 4, backend: 'routed' }));
    for (const node of plan.nodes) assert.equal(podRoutes(node.ipBatch).length, 3);
  });

  for (const name of ['vxlan-ipv4-3nodes', 'vxlan-dual-2nodes-mtu9000']) {
    it(`vxlan (${name}): neighbour and onlink route per remote node per family, one FDB entry per peer`, () => {
      const config = CASES[name];
      const families = config.podCIDRs.length;
      const plan = planNetwork(config);
      for (const node of plan.nodes) {
        const peers = plan.nodes.filter((p) => p !== node);
        const device = node.ipBatch.filter((l) => l.startsWith(`link add ${VXLAN_DEVICE} `));
        assert.equal(device.length, 1);
        assert.match(device[0], / nolearning$/);
        assert.match(device[0], new RegExp(` address ${vtepMAC(node.index)} mtu ${node.podMTU} type vxlan id 1 local ${node.underlayIPs[0]} dev eth0 dstport 8472 `));

        const neigh = node.ipBatch.filter((l) => l.startsWith('neigh add '));
        const routes = podRoutes(node.ipBatch);
        assert.equal(neigh.length, peers.length * families);
        assert.equal(routes.length, peers.length * families);
        for (const peer of peers) {
          for (const cidr of peer.podCIDRs) {
            const vtep = cidr.split('/')[0];
            assert.ok(neigh.includes(`neigh add ${vtep} lladdr ${vtepMAC(peer.index)} dev ${VXLAN_DEVICE} nud permanent`), `neighbour for ${cidr}`);
            assert.ok(routes.includes(`route add ${cidr} via ${vtep} dev ${VXLAN_DEVICE} onlink`), `onlink route for ${cidr}`);
          }
        }
        assert.deepEqual(
          node.fdbBatch,
          peers.map((p) => `fdb append ${vtepMAC(p.index)} dev ${VXLAN_DEVICE} dst ${p.underlayIPs[0]} self permanent`),
        );
        // The node's own VTEP address: the network address of each of its pod ranges, host-sized.
        for (const cidr of node.podCIDRs) {
          const len = cidr.includes(':') ? 128 : 32;
          assert.ok(node.ipBatch.some((l) => l.startsWith(`addr add ${cidr.split('/')[0]}/${len} dev ${VXLAN_DEVICE}`)));
        }
      }
    });
  }

  it('sysctls enable forwarding, loosen rp_filter and send no redirects', () => {
    for (const n of planNetwork(CASES['vxlan-ipv4-3nodes']).nodes) {
      assert.equal(n.sysctls['net.ipv4.ip_forward'], '1');
      assert.equal(n.sysctls['net.ipv6.conf.all.forwarding'], '1');
      assert.equal(n.sysctls['net.ipv4.conf.all.rp_filter'], '0');
      // Same-node pod traffic is routed back out of cni0: a redirect would make pods resolve each other.
      assert.equal(n.sysctls['net.ipv4.conf.all.send_redirects'], '0');
      assert.equal(n.sysctls['net.ipv4.conf.default.send_redirects'], '0');
    }
  });
});

describe('vtepMAC', () => {
  it('is unicast, locally administered and distinct per node', () => {
    const macs = Array.from({ length: 64 }, (_, i) => vtepMAC(i));
    assert.equal(new Set(macs).size, macs.length);
    for (const mac of macs) {
      assert.match(mac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
      const first = parseInt(mac.slice(0, 2), 16);
      assert.equal(first & 1, 0, `${mac} is unicast`);
      assert.equal(first & 2, 2, `${mac} is locally administered`);
    }
    assert.equal(vtepMAC(0), '0e:70:6e:00:00:01');
    assert.equal(vtepMAC(255), '0e:70:6e:00:01:00');
  });
});

describe('masqueradeRuleset', () => {
  it('IPv4: masquerades pod traffic leaving the pod and service ranges', () => {
    const rules = masqueradeRuleset(CASES['vxlan-ipv4-3nodes']);
    assert.ok(rules.endsWith('\n'));
    assert.ok(rules.startsWith('add table inet podnet\ndelete table inet podnet\n'), 'replaces the table atomically');
    const masq = rules.split('\n').filter((l) => l.includes('masquerade'));
    assert.deepEqual(masq, ['    ip saddr 10.244.0.0/16 ip daddr != { 10.244.0.0/16, 10.96.0.0/12 } masquerade']);
  });

  it('dual: each family excludes only its own pod and service ranges', () => {
    const rules = masqueradeRuleset(CASES['routed-dual-3nodes']);
    const masq = rules.split('\n').filter((l) => l.includes('masquerade'));
    assert.deepEqual(masq, [
      '    ip saddr 10.244.0.0/16 ip daddr != { 10.244.0.0/16, 10.96.0.0/12 } masquerade',
      '    ip6 saddr fd00:10:244::/56 ip6 daddr != { fd00:10:244::/56, fd00:10:96::/108 } masquerade',
    ]);
  });

  it('is the nft transaction of every node', () => {
    const config = CASES['vxlan-dual-2nodes-mtu9000'];
    for (const n of planNetwork(config).nodes) assert.equal(n.nft, masqueradeRuleset(config));
  });
});
