// NetworkPolicy in a real lab, in the model of the Kubernetes e2e netpol suite: namespaces x, y, z;
// pods a, b, c in each (labelled pod=<name>, namespaces ns=<name>), every pod serving TCP and UDP on
// 80 and 81. For every scenario the whole measured matrix must equal the expected truth table and
// `podnet policy matrix`'s prediction. Then the CLI tools, bad input and cutting established flows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { stringify } from 'yaml';
import type { KubeObject, Loaded, V1NetworkPolicy, V1Pod } from '../src/api/types.js';
import { LabClient } from '../src/lab/daemon/client.js';
import { nodeNetns, podNetns } from '../src/lab/names.js';
import { probeMatrices } from '../src/lab/reach-matrix.js';
import {
  SCENARIOS, E2E_PODS, compareMatrices, e2eNamespaces, e2ePods, expectedMatrix, matrixFromJSON, renderMatrix, scenarioContext,
  type MatrixJSON, type Scenario,
} from '../src/netpol/index.js';
import { run } from '../src/sys/exec.js';
import { cli, uniqueLab } from './helpers/lab.js';
import { leftovers } from './netpol-leftovers.js';

const loaded = (objects: unknown[], file: string): Loaded[] =>
  objects.map((object, doc) => ({ object: object as KubeObject, source: { file, doc } }));

test('network policy: e2e scenarios measured in a lab equal the truth tables and the prediction', async (t) => {
  const lab = uniqueLab();
  const before = await leftovers(lab);
  const tmp = mkdtempSync(`${tmpdir()}/pn-np-`);
  const api = new LabClient(lab);
  try {
    const manifest = `${tmp}/e2e.yaml`;
    writeFileSync(manifest, [...e2eNamespaces(), ...e2ePods()].map((o) => stringify(o)).join('---\n'));
    const up = await cli(['up', '-f', manifest, '--name', lab, '--nodes', '3']);
    assert.equal(up.code, 0, up.stderr);
    const pods = () => api.list('Pod').then((ps) => (ps as unknown as V1Pod[])
      .filter((p) => E2E_PODS.includes(`${p.metadata?.namespace}/${p.metadata?.name}`))
      .sort((a, b) => E2E_PODS.indexOf(`${a.metadata?.namespace}/${a.metadata?.name}`) - E2E_PODS.indexOf(`${b.metadata?.namespace}/${b.metadata?.name}`)));
    const ips: Record<string, string> = {};
    for (const p of await pods()) ips[`${p.metadata?.namespace}/${p.metadata?.name}`] = p.status?.podIP as string;
    const ctx = scenarioContext(ips, 4);

    const runScenario = async (s: Scenario) => {
      const file = `scenario ${s.name}`;
      if (s.podLabels || s.namespaceLabels) await api.apply(loaded([...e2eNamespaces(s), ...e2ePods(s)], file));
      const policies = s.policies(ctx);
      // apply returns once every node's rules match the store.
      if (policies.length) await api.apply(loaded(policies, file));
      try {
        const cases = s.cases.map((c) => ({ port: c.port, protocol: c.protocol }));
        const measured = await probeMatrices(lab, await pods(), cases, { timeoutMs: 800 });
        for (const [i, c] of s.cases.entries()) {
          const expected = expectedMatrix(c, 4);
          // Denied traffic shows as a timeout; on a loaded machine an allowed try can be slow too,
          // so a matrix that differs is measured once more with a longer timeout, as upstream retries.
          if (!compareMatrices(expected, measured[i]).equal) {
            measured[i] = (await probeMatrices(lab, await pods(), [cases[i]], { timeoutMs: 2500 }))[0];
          }
          const predictedRun = await cli(['policy', 'matrix', '--name', lab, '-n', 'x', '-n', 'y', '-n', 'z', '--port', `${c.port}/${c.protocol}`, '-o', 'json']);
          assert.equal(predictedRun.code, 0, predictedRun.stderr);
          const predicted = matrixFromJSON((JSON.parse(predictedRun.stdout) as MatrixJSON[])[0]);
          const vsExpected = compareMatrices(expected, measured[i]);
          assert.ok(vsExpected.equal, `${s.name} ${c.port}/${c.protocol}: measured differs from expected:\n${vsExpected.text}\nmeasured:\n${renderMatrix(measured[i])}`);
          const vsPredicted = compareMatrices(predicted, measured[i]);
          assert.ok(vsPredicted.equal, `${s.name} ${c.port}/${c.protocol}: measured differs from prediction:\n${vsPredicted.text}`);
        }
      } finally {
        if (policies.length) await api.delete(loaded(policies, file));
        if (s.podLabels || s.namespaceLabels) await api.apply(loaded([...e2eNamespaces(), ...e2ePods()], 'restore'));
      }
    };

    assert.ok(SCENARIOS.length >= 30, `${SCENARIOS.length} scenarios`);
    for (const s of SCENARIOS) await t.test(s.name, () => runScenario(s));

    await t.test('podnet probe matrix and policy explain', async () => {
      const deny = loaded([{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-x', namespace: 'x' }, spec: { podSelector: {} } }], 'deny.yaml');
      await api.apply(deny);
      try {
        const probe = await cli(['probe', 'matrix', '--name', lab, '-n', 'x', '-n', 'y', '--port', '80/TCP']);
        assert.equal(probe.code, 0, probe.stdout + probe.stderr);
        assert.match(probe.stdout, /^80\/TCP \(IPv4\)/);
        assert.match(probe.stdout, /\ny\/a\tX\tX\tX\t\.\t\.\t\.\n/);
        assert.match(probe.stdout, /matches the prediction/);
        const why = await cli(['policy', 'explain', 'y/a', 'x/b', '80/TCP', '--name', lab]);
        assert.equal(why.code, 0, why.stderr);
        assert.match(why.stdout, /denied/i);
        assert.match(why.stdout, /x\/deny-x/);
        const ok = await cli(['policy', 'explain', 'x/b', 'y/a', '80/TCP', '--name', lab]);
        assert.match(ok.stdout, /allowed/i);
      } finally {
        await api.delete(deny);
      }
    });

    await t.test('traffic to a Service VIP is judged after DNAT; the node reaches its own pods', async () => {
      const file = 'vip.yaml';
      const objects = loaded([
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a', namespace: 'x' }, spec: { selector: { pod: 'a' }, ports: [{ port: 8000, targetPort: 80 }] } },
        { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'only-b', namespace: 'x' },
          spec: { podSelector: { matchLabels: { pod: 'a' } }, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] } },
      ], file);
      await api.apply(objects);
      try {
        const vip = ((await api.list('Service', 'x')).find((o) => o.metadata.name === 'a')?.spec as { clusterIP: string }).clusterIP;
        const connect = async (netns: string, ip: string) =>
          (await run('ip', ['netns', 'exec', netns, 'timeout', '1', 'bash', '-c', `exec 3<>/dev/tcp/${ip}/80`], { allowFail: true })).code;
        const viaVip = async (pod: string) =>
          (await run('ip', ['netns', 'exec', podNetns(lab, pod.split('/')[0], pod.split('/')[1]), 'timeout', '1', 'bash', '-c', `exec 3<>/dev/tcp/${vip}/8000`], { allowFail: true })).code;
        assert.equal(await viaVip('x/b'), 0, 'x/b is allowed through the VIP');
        assert.notEqual(await viaVip('y/b'), 0, 'y/b is denied through the VIP, as it is to the pod');
        assert.notEqual(await viaVip('x/c'), 0, 'x/c is denied through the VIP');
        const xa = (await pods()).find((p) => p.metadata?.namespace === 'x' && p.metadata.name === 'a') as V1Pod;
        assert.equal(await connect(nodeNetns(lab, xa.spec?.nodeName as string), ips['x/a']), 0, 'its node reaches the isolated pod');
      } finally {
        await api.delete(objects);
      }
    });

    await t.test('an established flow that a new policy forbids is cut', async () => {
      // One UDP "connection" (same 5-tuple) before and after a deny: conntrack would let it through.
      const script = `const s=require('dgram').createSocket('udp4');s.bind(40123,()=>{let n=0;const t=()=>{s.send('hostname',80,'${ips['y/b']}');};` +
        `s.on('message',()=>{process.stdout.write('ok\\n');if(++n===1)setTimeout(t,1500);else process.exit(0);});t();` +
        `setTimeout(()=>{process.stdout.write('timeout\\n');process.exit(0);},4000);});`;
      const client = run('ip', ['netns', 'exec', podNetns(lab, 'x', 'a'), process.execPath, '-e', script]);
      await new Promise((r) => setTimeout(r, 500));
      const deny = loaded([{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-y', namespace: 'y' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } } as V1NetworkPolicy], 'deny-y.yaml');
      await api.apply(deny);
      try {
        const lines = (await client).stdout.trim().split('\n');
        assert.deepEqual(lines, ['ok', 'timeout']);
      } finally {
        await api.delete(deny);
      }
    });

    await t.test('bad policies are refused with the field named', async () => {
      const bad = async (spec: unknown, pattern: RegExp) => {
        const file = `${tmp}/bad.yaml`;
        writeFileSync(file, stringify({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'bad', namespace: 'x' }, spec }));
        const r = await cli(['apply', '-f', file, '--name', lab]);
        assert.equal(r.code, 1);
        assert.equal(r.stderr.trim().split('\n').length, 1);
        assert.match(r.stderr, pattern);
      };
      await bad({ podSelector: { matchExpressions: [{ key: 'a', operator: 'Sometimes' }] } }, /bad\.yaml: NetworkPolicy x\/bad: spec\.podSelector\.matchExpressions\[0\]\.operator/);
      await bad({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] }, /spec\.ingress\[0\]\.from\[0\]\.ipBlock\.cidr/);
      await bad({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/16', except: ['10.1.0.0/24'] } }] }] }, /spec\.ingress\[0\]\.from\[0\]\.ipBlock\.except\[0\]/);
      await bad({ podSelector: {}, egress: [{ ports: [{ port: 90, endPort: 80 }] }] }, /spec\.egress\[0\]\.ports\[0\]\.endPort/);
      await bad({ podSelector: {}, egress: [{ ports: [{ endPort: 80 }] }] }, /spec\.egress\[0\]\.ports\[0\]\.endPort/);
      assert.equal((await api.list('NetworkPolicy', 'x')).length, 0);
    });
  } finally {
    await cli(['down', '--name', lab]);
    rmSync(tmp, { recursive: true, force: true });
  }
  assert.deepEqual(await leftovers(lab), before);
});
