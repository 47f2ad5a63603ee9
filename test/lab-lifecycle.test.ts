// Two labs side by side; traffic leaving the cluster ranges is masqueraded at the node; and `down`
// cleans up after a lab whose daemon was killed (the journal, not the daemon, knows what exists).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { V1Pod } from '../src/api/types.js';
import { labDown, labUp, daemonPid } from '../src/lab/daemon/launch.js';
import { checkConnectivity } from '../src/lab/check.js';
import { underlayNetns } from '../src/lab/names.js';
import { cli, hostSnapshot, uniqueLab, REPO } from './helpers/lab.js';

const SMALL = `${REPO}/test/fixtures/live/small.yaml`;
const AGNHOST = `${REPO}/dist/src/lab/agnhost/agnhost-main.js`;

test('two labs run side by side, and pod traffic leaving the cluster is masqueraded', async () => {
  const before = await hostSnapshot();
  const a = uniqueLab();
  const b = uniqueLab();
  let outside: ReturnType<typeof spawn> | undefined;
  try {
    const ra = await labUp({ files: [SMALL], name: a, nodes: 2, backend: 'vxlan' });
    const rb = await labUp({ files: [SMALL], name: b, nodes: 2, backend: 'routed' });
    // Same addresses in both labs: they are separate worlds.
    assert.deepEqual(ra.pods.map((p) => p.status?.podIP).sort(), rb.pods.map((p) => p.status?.podIP).sort());
    for (const [name, r] of [[a, ra], [b, rb]] as const) {
      const report = await checkConnectivity(name, r.pods);
      assert.deepEqual(report.failures, []);
    }

    // A server "outside the cluster": in lab a's underlay namespace, at the underlay gateway.
    outside = spawn('ip', ['netns', 'exec', underlayNetns(a), process.execPath, AGNHOST, 'netexec', '--http-port=9090', '--udp-port=-1'], { stdio: 'ignore' });
    const pod = ra.pods[0] as V1Pod;
    const script = "const t=Date.now();const go=()=>fetch('http://172.18.0.1:9090/clientip').then(r=>r.text()).then(console.log,()=>Date.now()-t<5000?setTimeout(go,100):process.exit(1));go()";
    const r = await cli(['exec', `default/${pod.metadata?.name}`, '--name', a, '--', process.execPath, '-e', script]);
    assert.equal(r.code, 0, r.stderr);
    const seen = r.stdout.trim().replace(/:\d+$/, '');
    const nodeIP = ra.config.nodes.findIndex((n) => n.name === pod.spec?.nodeName) + 2;
    assert.equal(seen, `172.18.0.${nodeIP}`, 'the outside sees the node address, not the pod IP');
  } finally {
    if (outside?.pid) process.kill(outside.pid, 'SIGTERM');
    await labDown(a).catch(() => undefined);
    await labDown(b).catch(() => undefined);
  }
  assert.deepEqual(await hostSnapshot(), before);
});

test('down removes a lab whose daemon was killed', async () => {
  const before = await hostSnapshot();
  const name = uniqueLab();
  try {
    await labUp({ files: [SMALL], name, nodes: 2 });
    const pid = daemonPid(name);
    assert.ok(pid);
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(daemonPid(name), undefined);
    const down = await cli(['down', '--name', name]);
    assert.equal(down.code, 0, down.stderr);
  } finally {
    await labDown(name).catch(() => undefined);
  }
  assert.deepEqual(await hostSnapshot(), before);
});
