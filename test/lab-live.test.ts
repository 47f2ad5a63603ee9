// A running lab follows `podnet apply` and `podnet delete`; the CLI's get/exec/logs behave as
// kubectl users expect; containers restart per restartPolicy; the downward API fills env.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import type { V1Pod } from '../src/api/types.js';
import { LabClient } from '../src/lab/daemon/client.js';
import { nodeDir } from '../src/lab/names.js';
import { listNetns } from '../src/sys/netns.js';
import { cli, hostSnapshot, uniqueLab, waitFor, REPO } from './helpers/lab.js';

const F = `${REPO}/test/fixtures/live`;

test('live apply, delete, get, exec, logs and restarts on a running lab', async () => {
  const before = await hostSnapshot();
  const name = uniqueLab();
  try {
    const up = await cli(['up', '-f', `${F}/app.yaml`, '--name', name, '--nodes', '2', '--backend', 'routed']);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, new RegExp(`lab ${name} is up`));
    const client = new LabClient(name);
    const pods = async () => (await client.list('Pod', 'shop')) as unknown as V1Pod[];

    // get -o json: a List whose pod items carry what scripts read.
    const json = JSON.parse((await cli(['get', 'pods', '-n', 'shop', '-o', 'json', '--name', name])).stdout);
    assert.equal(json.kind, 'List');
    const solo = json.items.find((p: V1Pod) => p.metadata?.name === 'solo') as V1Pod;
    assert.equal(solo.spec?.nodeName, 'node-2');
    assert.equal(solo.status?.phase, 'Running');
    assert.ok(solo.status?.podIP && solo.status.podIPs?.[0].ip === solo.status.podIP && solo.status.hostIP);
    assert.equal(solo.metadata?.labels?.app, 'solo');

    // exec: the pod's hostname, its resolv.conf, and the exit code passed through.
    const host = await cli(['exec', 'shop/solo', '--name', name, '--', 'sh', '-c', 'hostname; cat /etc/resolv.conf; exit 7']);
    assert.equal(host.code, 7);
    assert.match(host.stdout, /^solo\n/);
    assert.match(host.stdout, /search shop\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);
    assert.match(host.stdout, /options ndots:5/);

    // logs: the downward API resolved the pod's own IP, node and namespace.
    const logs = await cli(['logs', 'shop/solo', '--name', name]);
    assert.equal(logs.stdout.trim(), `ip=${solo.status?.podIP} node=node-2 ns=shop`);

    // A crashing container is restarted (restartPolicy Always) and reported as such.
    await waitFor('crasher restarts', async () => {
      const c = (await pods()).find((p) => p.metadata?.name === 'crasher');
      return (c?.status?.containerStatuses?.[0].restartCount ?? 0) >= 2;
    });

    // Scale up live.
    const scaled = await cli(['apply', '-f', `${F}/scaled.yaml`, '--name', name]);
    assert.equal(scaled.code, 0, scaled.stderr);
    await waitFor('4 web pods running', async () => (await pods()).filter((p) => p.metadata?.labels?.app === 'web' && p.status?.phase === 'Running').length === 4);

    // Delete a pod: CNI DEL releases its address and its namespace is gone.
    const ip = solo.status?.podIP ?? '';
    const del = await cli(['delete', '-f', `${F}/solo.yaml`, '--name', name]);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /pod\/solo deleted/);
    assert.ok(!(await pods()).some((p) => p.metadata?.name === 'solo'));
    assert.ok(!(await listNetns()).includes(`pn-${name}-p-shop-solo`));
    const ipamFiles = readdirSync(`${nodeDir(name, 'node-2')}/ipam`, { recursive: true }).map(String);
    assert.ok(!ipamFiles.some((f) => f.endsWith(ip)), `address ${ip} released`);

    const status = await cli(['status', '--name', name]);
    assert.match(status.stdout, /2 nodes/);
  } finally {
    await cli(['down', '--name', name]);
  }
  assert.deepEqual(await hostSnapshot(), before);
});
