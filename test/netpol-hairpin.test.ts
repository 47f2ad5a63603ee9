// Hairpin and node cells of the policy matrix, measured in a real lab: every pod reaches itself
// through its own Service VIP (the diagonal, as upstream's e2e probes go) and every node tries
// every pod from its own namespace (kubelet's probes come from there). For each policy set the
// measured matrix, hairpin and node cells included, must equal `podnet policy matrix`'s prediction,
// and some cells are pinned so that model and data plane cannot agree on the wrong answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { stringify } from 'yaml';
import type { KubeObject, Loaded, V1Pod } from '../src/api/types.js';
import { LabClient } from '../src/lab/daemon/client.js';
import { probeMatrices, type PortCase } from '../src/lab/reach-matrix.js';
import { AGNHOST_IMAGE, compareMatrices, matrixFromJSON, renderMatrix, type Matrix, type MatrixJSON } from '../src/netpol/index.js';
import { cli, uniqueLab } from './helpers/lab.js';
import { leftovers } from './netpol-leftovers.js';

const loaded = (objects: unknown[], file: string): Loaded[] =>
  objects.map((object, doc) => ({ object: object as KubeObject, source: { file, doc } }));

// x/a and x/c on node-1, x/b and y/d on node-2; a and b share app=same.
const PODS = [
  { ns: 'x', name: 'a', node: 'node-1', app: 'same' },
  { ns: 'x', name: 'b', node: 'node-2', app: 'same' },
  { ns: 'x', name: 'c', node: 'node-1', app: 'other' },
  { ns: 'y', name: 'd', node: 'node-2', app: 'other' },
];
const IDS = PODS.map((p) => `${p.ns}/${p.name}`);
const NODES = ['node-1', 'node-2'];
const CASES: PortCase[] = [{ port: 80, protocol: 'TCP' }, { port: 80, protocol: 'UDP' }];

function manifest(): unknown[] {
  const namespaces = ['x', 'y'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { ns: name } } }));
  const pods = PODS.map((p) => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: p.name, namespace: p.ns, labels: { pod: p.name, app: p.app } },
    spec: {
      nodeName: p.node,
      containers: ['tcp', 'udp'].map((proto) => ({
        name: `serve-${proto}`, image: AGNHOST_IMAGE, args: ['serve-hostname', `--${proto}`, '--http=false', '--port', '80'],
        ports: [{ containerPort: 80, protocol: proto.toUpperCase(), name: `serve-${proto}` }],
      })),
    },
  }));
  // One Service per pod, on another port than the pod's, as upstream's e2e gives each pod its own.
  const services = PODS.map((p) => ({
    apiVersion: 'v1', kind: 'Service', metadata: { name: `s-${p.name}`, namespace: p.ns },
    spec: { selector: { pod: p.name }, ports: ['TCP', 'UDP'].map((protocol) => ({ name: protocol.toLowerCase(), port: 8000, targetPort: 80, protocol })) },
  }));
  return [...namespaces, ...pods, ...services];
}

const policy = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: 'x' }, spec });

/** Cells pinned per scenario, `FROM -> TO` = allowed?, for TCP and UDP alike. */
const SCENARIOS: { name: string; policies: unknown[]; pinned: Record<string, boolean> }[] = [
  { name: 'no policy', policies: [], pinned: { 'x/a -> x/a': true, 'node/node-2 -> x/a': true, 'y/d -> x/b': true } },
  {
    name: 'deny-all ingress isolates the pods of x',
    policies: [policy('deny-all', { podSelector: {}, policyTypes: ['Ingress'] })],
    pinned: { 'x/a -> x/a': true, 'x/b -> x/b': true, 'x/a -> x/c': false, 'y/d -> x/a': false, 'node/node-1 -> x/a': true, 'node/node-1 -> x/b': false, 'node/node-2 -> x/b': true, 'node/node-2 -> x/c': false, 'x/a -> y/d': true },
  },
  {
    name: 'allow from the same labels',
    policies: [policy('same', { podSelector: { matchLabels: { app: 'same' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'same' } } }] }] })],
    pinned: { 'x/a -> x/a': true, 'x/a -> x/b': true, 'x/c -> x/b': false, 'y/d -> x/a': false, 'x/b -> x/c': true, 'node/node-2 -> x/a': false, 'node/node-1 -> x/a': true },
  },
  {
    name: 'allow from another namespace only',
    policies: [policy('from-y', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] })],
    pinned: { 'x/a -> x/a': true, 'x/c -> x/c': true, 'x/a -> x/b': false, 'y/d -> x/a': true, 'y/d -> x/c': true, 'node/node-2 -> x/b': true, 'node/node-1 -> x/b': false },
  },
];

function cell(m: Matrix, from: string, to: string): boolean {
  const rows = [...m.pods, ...(m.nodes ?? [])];
  return m.allowed[rows.indexOf(from)][m.pods.indexOf(to)];
}

test('network policy: hairpin and node cells measured in a lab equal the prediction', async (t) => {
  const lab = uniqueLab('rvnp');
  const before = await leftovers(lab);
  const tmp = mkdtempSync(`${tmpdir()}/pn-nphp-`);
  const api = new LabClient(lab);
  try {
    writeFileSync(`${tmp}/lab.yaml`, manifest().map((o) => stringify(o)).join('---\n'));
    const up = await cli(['up', '-f', `${tmp}/lab.yaml`, '--name', lab, '--nodes', '2']);
    assert.equal(up.code, 0, up.stderr);
    const pods = async () => ((await api.list('Pod')) as unknown as V1Pod[])
      .filter((p) => IDS.includes(`${p.metadata?.namespace}/${p.metadata?.name}`))
      .sort((a, b) => IDS.indexOf(`${a.metadata?.namespace}/${a.metadata?.name}`) - IDS.indexOf(`${b.metadata?.namespace}/${b.metadata?.name}`));

    const predict = async (c: PortCase): Promise<Matrix> => {
      const r = await cli(['policy', 'matrix', '--name', lab, '-n', 'x', '-n', 'y', '--port', `${c.port}/${c.protocol}`, '--nodes', '--hairpin', '-o', 'json']);
      assert.equal(r.code, 0, r.stderr);
      return matrixFromJSON((JSON.parse(r.stdout) as MatrixJSON[])[0]);
    };
    // Where each pod's own VIP is: the prober needs it; the model's choice is checked by the cells.
    const vips = new Map<string, string>();
    for (const s of (await api.list('Service')) as unknown as { metadata: { namespace: string; name: string }; spec: { clusterIP: string } }[]) {
      vips.set(`${s.metadata.namespace}/${s.metadata.name}`, s.spec.clusterIP);
    }
    const hairpin = (pod: string) => {
      const [ns, name] = pod.split('/');
      const ip = vips.get(`${ns}/s-${name}`);
      return ip ? { ip, port: 8000 } : undefined;
    };
    assert.equal(IDS.filter((id) => hairpin(id)).length, IDS.length, 'every pod has its own Service');

    for (const s of SCENARIOS) {
      await t.test(s.name, async () => {
        const objects = loaded(s.policies, `${s.name}.yaml`);
        if (objects.length) await api.apply(objects);
        try {
          const measure = async (c: PortCase, timeoutMs: number) => (await probeMatrices(lab, await pods(), [c], { timeoutMs, nodes: NODES, hairpin }))[0];
          for (const c of CASES) {
            const predicted = await predict(c);
            assert.equal(predicted.diagonal, 'hairpin');
            assert.deepEqual(predicted.nodes, NODES.map((n) => `node/${n}`));
            let measured = await measure(c, 800);
            // An allowed try can be slow on a loaded machine: a differing matrix is measured once more, longer.
            if (!compareMatrices(predicted, measured).equal) measured = await measure(c, 2500);
            const diff = compareMatrices(predicted, measured);
            assert.ok(diff.equal, `${s.name} ${c.port}/${c.protocol}: measured differs from the prediction:\n${diff.text}` +
              `${diff.mismatches.map((m) => `  ${m.from} -> ${m.to}: predicted ${m.expected}, measured ${m.actual}`).join('\n')}\nmeasured:\n${renderMatrix(measured)}`);
            for (const [key, want] of Object.entries(s.pinned)) {
              const [from, to] = key.split(' -> ');
              assert.equal(cell(measured, from, to), want, `${s.name} ${c.protocol}: ${key} measured`);
            }
          }
        } finally {
          if (objects.length) await api.delete(objects);
        }
      });
    }

    await t.test('podnet probe matrix --nodes --hairpin and policy explain through a VIP', async () => {
      const objects = loaded(SCENARIOS[1].policies, 'deny.yaml');
      await api.apply(objects);
      try {
        const probe = await cli(['probe', 'matrix', '--name', lab, '-n', 'x', '-n', 'y', '--port', '80/TCP', '--nodes', '--hairpin', '--timeout', '1500']);
        assert.equal(probe.code, 0, probe.stdout + probe.stderr);
        assert.match(probe.stdout, /through its own Service VIP/);
        assert.match(probe.stdout, /\nx\/a\t\.\tX\tX\t\.\n/, 'x/a reaches itself through its VIP, not b or c');
        assert.match(probe.stdout, /\nnode\/node-1\t\.\tX\t\.\t\.\n/);
        assert.match(probe.stdout, /matches the prediction/);
        const why = await cli(['policy', 'explain', 'x/a', vips.get('x/s-a') as string, '8000/TCP', '--name', lab]);
        assert.equal(why.code, 0, why.stderr);
        assert.match(why.stdout, /-> service x\/s-a \(.*\) 8000\/TCP: ALLOWED\n/);
        assert.match(why.stdout, /port 80: allowed \(hairpin: the source itself\)/);
        const node = await cli(['policy', 'explain', 'node/node-2', 'x/a', '80/TCP', '--name', lab]);
        assert.match(node.stdout, /: DENIED\n/);
      } finally {
        await api.delete(objects);
      }
    });
  } finally {
    await cli(['down', '--name', lab]);
    rmSync(tmp, { recursive: true, force: true });
  }
  assert.deepEqual(await leftovers(lab), before);
});
