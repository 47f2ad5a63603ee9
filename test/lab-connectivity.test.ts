// The foundation's promise: a 3-node lab of 30 agnhost pods (Deployments in 2 namespaces) comes up
// with either backend, every pod reaches every other pod over TCP and UDP on each of its pod IPs
// (both families in dual mode) and the receiver sees the sender's own pod IP; `down` then leaves the
// host exactly as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labDown, labUp } from '../src/lab/daemon/launch.js';
import { checkConnectivity } from '../src/lab/check.js';
import { parseCIDR, contains } from '../src/api/cidr.js';
import { hostSnapshot, uniqueLab, REPO } from './helpers/lab.js';

for (const backend of ['vxlan', 'routed'] as const) {
  for (const ipFamily of backend === 'vxlan' ? (['ipv4', 'dual'] as const) : (['dual'] as const)) {
    test(`30 pods on 3 nodes, ${backend}, ${ipFamily}: every pod reaches every other pod with its own source IP`, async () => {
      const before = await hostSnapshot();
      const name = uniqueLab();
      try {
        const up = await labUp({ files: [`${REPO}/examples/demo`], name, nodes: 3, backend, ipFamily });
        // Every lab also runs the cluster DNS pods in kube-system.
        const r = { ...up, pods: up.pods.filter((p) => p.metadata?.namespace !== 'kube-system') };
        assert.equal(r.pods.length, 30);
        assert.equal(up.pods.length - r.pods.length, 2, 'two cluster DNS pods');
        assert.equal(r.config.backend, backend);
        const perNode = new Map<string, number>();
        for (const p of up.pods) perNode.set(p.spec?.nodeName ?? '', (perNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
        const counts = [...perNode.values()];
        assert.ok(counts.length === 3 && Math.max(...counts) - Math.min(...counts) <= 1, `pods spread evenly over the nodes: ${counts}`);
        for (const p of r.pods) {
          const ips = (p.status?.podIPs ?? []).map((i) => i.ip);
          assert.equal(ips.length, ipFamily === 'dual' ? 2 : 1, `${p.metadata?.name} has an address per family`);
          const node = r.config.nodes.findIndex((n) => n.name === p.spec?.nodeName);
          const cidrs = r.config.podCIDRs.map((_, f) => parseCIDR(`${ips[f]}/${r.config.nodeMaskSizes[f]}`));
          ips.forEach((ip, f) => assert.ok(contains(cidrs[f], ip) && node >= 0, `${ip} lies in its node's podCIDR`));
        }
        const report = await checkConnectivity(name, r.pods);
        assert.deepEqual(report.failures, []);
        assert.equal(report.probes, 30 * 29 * 2 * (ipFamily === 'dual' ? 2 : 1));
        assert.equal(report.crossNode, 30 * 20 * 2 * (ipFamily === 'dual' ? 2 : 1), 'two thirds of the probes cross nodes');
      } finally {
        await labDown(name).catch(() => undefined);
      }
      assert.deepEqual(await hostSnapshot(), before, 'down leaves the host as it was');
    });
  }
}
