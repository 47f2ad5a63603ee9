// A lab at moderate scale (the 1,000-pod one is in the bench: `npm run bench -- --only up`): 200
// pods on 4 nodes, one in ten netexec and the rest the C pause program. Every pod runs with its own
// address, the paused ones run no Node.js process, the connectivity check passes with no failure,
// no pod and no bridge holds a neighbour entry the kernel counts against its machine-wide limit
// (gc_thresh3: the cause of the 1,000-pod lab's timeouts), and down leaves the host as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { daemonPid, labDown, labUp } from '../src/lab/daemon/launch.js';
import { checkConnectivity } from '../src/lab/check.js';
import { nodeNetns, podNetns } from '../src/lab/names.js';
import { run } from '../src/sys/exec.js';
import { scaleManifests, SCALE_PAUSE_NS } from '../src/lab/scale-manifests.js';
import { processTree } from '../src/sys/memory.js';
import { isAlive, processStart } from '../src/sys/proc.js';
import { listNetns } from '../src/sys/netns.js';
import { uniqueLab } from './helpers/lab.js';

/** What this lab could leave behind (the machine is shared: other labs come and go meanwhile). */
async function leftovers(name: string): Promise<string[]> {
  const netns = (await listNetns()).filter((n) => n.startsWith(`pn-${name}-`));
  const mounts = readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((l) => l.includes(`/run/podnet/${name}/`));
  return [...netns, ...mounts, ...(existsSync(`/run/podnet/${name}`) ? [`/run/podnet/${name}`] : [])];
}

test('200 pods on 4 nodes: all run, paused pods are the C pause, check passes, down cleans up', { timeout: 600_000 }, async () => {
  const name = uniqueLab('sc');
  let daemonTree: { pid: number; start: string }[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'podnet-scale-test-'));
  try {
    writeFileSync(join(dir, 'scale.yaml'), scaleManifests({ pods: 200, nodes: 4, name }));
    const up = await labUp({ files: [dir], name, timeoutMs: 300_000 });
    const user = up.pods.filter((p) => p.metadata?.namespace !== 'kube-system');
    assert.equal(user.length, 200);
    assert.ok(user.every((p) => p.status?.phase === 'Running'), 'every pod runs');
    const ips = new Set(user.map((p) => p.status?.podIP));
    assert.equal(ips.size, 200, 'every pod has its own address');
    assert.equal(new Set(user.map((p) => p.spec?.nodeName)).size, 4, 'spread over the 4 nodes');

    // A paused pod's container process is the pause program itself, not node.
    assert.equal(user.filter((p) => p.metadata?.namespace === SCALE_PAUSE_NS).length, 180);
    const daemon = daemonPid(name);
    assert.ok(daemon);
    daemonTree = processTree(daemon).map((pid) => ({ pid, start: processStart(pid) }));
    const comms = processTree(daemon).map((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      } catch {
        return '';
      }
    });
    assert.equal(comms.filter((c) => c === 'pause').length, 180, 'one pause process per paused pod');

    const report = await checkConnectivity(name, up.pods);
    assert.deepEqual(report.summary, [], report.summary.join('; '));
    assert.equal(report.probes, 20 * 19 * 2);
    assert.equal(report.passed, report.probes);

    // After 760 probes: the pods resolved nobody (their gateway is permanent, their subnet routed
    // via it) and the nodes resolved no pod (permanent entries on cni0, written at CNI ADD). Only
    // the underlay (node to node, O(nodes²)) may hold counted entries.
    const counted = async (netns: string) => (await run('ip', ['-n', netns, 'neigh', 'show'])).stdout
      .split('\n').filter((l) => l.trim() !== '' && !/ PERMANENT\s*$/.test(l) && !/ dev eth0 /.test(l) && !l.startsWith('fe80:'));
    const podEntries = (await Promise.all(user.map(async (p) => (await counted(podNetns(name, p.metadata?.namespace ?? '', p.metadata?.name ?? ''))).map((l) => `${p.metadata?.name}: ${l}`)))).flat();
    assert.deepEqual(podEntries, [], 'pods hold no counted neighbour entries');
    const cni0 = (await Promise.all(['node-1', 'node-2', 'node-3', 'node-4'].map(async (n) => (await counted(nodeNetns(name, n))).filter((l) => / dev cni0 /.test(l))))).flat();
    assert.deepEqual(cni0, [], 'nodes resolve no pod on the bridge');
    const permanent = (await run('ip', ['-n', nodeNetns(name, 'node-1'), 'neigh', 'show', 'dev', 'cni0', 'nud', 'permanent'])).stdout.trim().split('\n');
    assert.ok(permanent.length >= 50, `node-1 has a permanent entry per local pod (${permanent.length})`);
  } finally {
    await labDown(name).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(await leftovers(name), []);
  // By pid and start time: a pid may be reused by another process on this busy machine.
  assert.deepEqual(daemonTree.filter((p) => p.start !== '' && isAlive(p.pid, p.start)), [], 'no lab process outlives down');
});
