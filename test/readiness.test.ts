// Probes on a real lab: an httpGet readiness probe on agnhost netexec's /healthz turns ready, a
// tcpSocket probe on a port nothing listens on never does, an exec probe follows a file the test
// creates and removes, a startup probe holds readiness back, and a failing liveness probe restarts
// its container. Each flip is read back through `podnet get pods -o json`, as a user would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { V1Pod } from '../src/api/types.js';
import { LabClient } from '../src/lab/daemon/client.js';
import { labDir } from '../src/lab/names.js';
import { cli, hostSnapshot, uniqueLab, waitFor } from './helpers/lab.js';

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';

function manifest(readyFile: string, startedFile: string): string {
  const pod = (name: string, container: Record<string, unknown>) => JSON.stringify({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'probes' },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'main', image: AGNHOST, ...container }] },
  });
  const every = { periodSeconds: 1, timeoutSeconds: 1 };
  return [
    JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'probes' } }),
    pod('web', {
      args: ['netexec', '--http-port=8080', '--udp-port=8081'], ports: [{ name: 'http', containerPort: 8080 }],
      readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, ...every },
      livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, ...every },
    }),
    pod('closed', { args: ['netexec', '--http-port=8080'], readinessProbe: { tcpSocket: { port: 9999 }, ...every } }),
    pod('file', { args: ['pause'], readinessProbe: { exec: { command: ['test', '-f', readyFile] }, ...every, failureThreshold: 1 } }),
    pod('slow', { args: ['pause'], startupProbe: { exec: { command: ['test', '-f', startedFile] }, ...every, failureThreshold: 300 } }),
    pod('doomed', { args: ['pause'], livenessProbe: { exec: { command: ['false'] }, ...every, failureThreshold: 2 } }),
  ].join('\n---\n') + '\n';
}

test('readiness, startup and liveness probes drive the pod status', async (t) => {
  const before = await hostSnapshot();
  const name = uniqueLab();
  const dir = mkdtempSync(`${tmpdir()}/pnx-${name}-`);
  const readyFile = `${dir}/ready`;
  const startedFile = `${dir}/started`;
  try {
    writeFileSync(`${dir}/pods.yaml`, manifest(readyFile, startedFile));
    const up = await cli(['up', '-f', `${dir}/pods.yaml`, '--name', name, '--nodes', '2', '--backend', 'routed']);
    assert.equal(up.code, 0, up.stderr);

    const get = async (): Promise<Map<string, V1Pod>> => {
      const r = await cli(['get', 'pods', '-n', 'probes', '-o', 'json', '--name', name]);
      assert.equal(r.code, 0, r.stderr);
      return new Map((JSON.parse(r.stdout).items as V1Pod[]).map((p) => [p.metadata?.name ?? '', p]));
    };
    const c0 = (p: V1Pod | undefined) => p?.status?.containerStatuses?.[0];
    const cond = (p: V1Pod | undefined, type: string) => p?.status?.conditions?.find((c) => c.type === type);

    // httpGet on a named port: ready after the first successful probe.
    const pods = await waitFor('web ready', async () => {
      const all = await get();
      return c0(all.get('web'))?.ready === true && cond(all.get('web'), 'Ready')?.status === 'True' && all;
    });
    // tcpSocket on a closed port: running, never ready, with the kubelet's reason and message.
    const closed = pods.get('closed');
    assert.equal(closed?.status?.phase, 'Running');
    assert.equal(c0(closed)?.ready, false);
    for (const type of ['Ready', 'ContainersReady']) {
      const c = cond(closed, type);
      assert.deepEqual([c?.status, c?.reason, c?.message], ['False', 'ContainersNotReady', 'containers with unready status: [main]']);
    }
    // exec before its file exists; startup probe not yet passed.
    assert.equal(c0(pods.get('file'))?.ready, false);
    assert.deepEqual([c0(pods.get('slow'))?.started, c0(pods.get('slow'))?.ready], [false, false]);

    const table = await cli(['get', 'pods', '-n', 'probes', '--name', name]);
    assert.match(table.stdout, /^web\s+1\/1\s+Running/m);
    assert.match(table.stdout, /^closed\s+0\/1\s+Running/m);

    // The exec probe follows the file both ways; time from creating it to the status saying so.
    const client = new LabClient(name);
    const fileReady = async () => c0(((await client.list('Pod', 'probes')) as unknown as V1Pod[]).find((p) => p.metadata?.name === 'file'))?.ready;
    const t0 = Date.now();
    writeFileSync(readyFile, '');
    await waitFor('file ready', async () => (await fileReady()) === true, 10_000);
    const toReady = Date.now() - t0;
    assert.equal(c0((await get()).get('file'))?.ready, true);
    rmSync(readyFile);
    await waitFor('file unready again', async () => (await fileReady()) === false, 10_000);
    assert.equal(cond((await get()).get('file'), 'Ready')?.status, 'False');

    // A startup probe: not started (so not ready) until it passes, then ready without a readiness probe.
    writeFileSync(startedFile, '');
    await waitFor('slow started', async () => {
      const s = c0((await get()).get('slow'));
      return s?.started === true && s.ready === true;
    });

    // A failing liveness probe kills the container; it restarts and the restart is counted.
    await waitFor('doomed restarted', async () => (c0((await get()).get('doomed'))?.restartCount ?? 0) >= 1, 20_000);
    assert.equal(c0((await get()).get('web'))?.restartCount, 0);

    // How fast a flip reaches the status once the prober's threshold is reached (daemon log).
    const log = readFileSync(`${labDir(name)}/daemon.log`, 'utf8');
    const lat = [...log.matchAll(/status updated (\d+) ms after the threshold/g)].map((m) => Number(m[1]));
    assert.ok(lat.length >= 4, `flips logged: ${lat.length}`);
    assert.ok(Math.max(...lat) < 500, `flip → status latencies ${lat.join(', ')} ms`);
    t.diagnostic(`exec file → ready seen by a client: ${toReady} ms; prober threshold → status: max ${Math.max(...lat)} ms over ${lat.length} flips`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await cli(['down', '--name', name]);
  }
  assert.deepEqual(await hostSnapshot(), before);
});
