// The mesh's transport on a real lab: two meshed netexec pods (namespace label podnet.dev/mesh)
// on two nodes and one unmeshed. Injection gives 2/2; packets on node-1's pod bridge between the
// meshed pods are TLS only (tshark); openssl s_client from another pod's namespace sees the
// SPIFFE SAN; PERMISSIVE lets the unmeshed pod in and the meshed pod out; and with 4-second
// certificates a loop of requests across two and a half lifetimes sees no failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import type { V1Pod } from '../src/api/types.js';
import { run } from '../src/sys/exec.js';
import { cli, hostSnapshot as fullSnapshot, REPO, uniqueLab, waitFor } from './helpers/lab.js';

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';

async function hostSnapshot(lab: string): Promise<Record<string, string[]>> {
  const s = await fullSnapshot();
  const ours = (x: string) => x.includes(`pn-${lab}-`) || x.includes(`/run/podnet/${lab}/`) || x === lab;
  return { ...s, netns: s.netns.filter(ours), mounts: s.mounts.filter(ours), podnetFiles: s.podnetFiles.filter(ours), processes: s.processes.filter((c) => c.includes(`${REPO}/`)) };
}

const pod = (name: string, ns: string, node: string) => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns },
  spec: { nodeName: node, terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: AGNHOST, args: ['netexec', '--http-port=8080'] }] },
});
const MANIFEST = [
  JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'meshed', labels: { 'podnet.dev/mesh': 'enabled' } } }),
  JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'plain' } }),
  pod('a', 'meshed', 'node-1'), pod('b', 'meshed', 'node-2'), pod('c', 'plain', 'node-1'),
].join('\n---\n');

test('mesh: injection, mTLS only on the wire, SPIFFE SAN, PERMISSIVE both ways, rotation without a failed request', { timeout: 240_000 }, async () => {
  const name = uniqueLab('tmesh');
  const dir = mkdtempSync(`${tmpdir()}/podnet-mesh-`);
  writeFileSync(`${dir}/app.yaml`, MANIFEST);
  const before = await hostSnapshot(name);
  try {
    const up = await cli(['up', '-f', `${dir}/app.yaml`, '--name', name, '--nodes', '2'], { env: { ...process.env, PODNET_MESH_CERT_TTL: '4' } });
    assert.equal(up.code, 0, up.stderr);
    const pods = await waitFor('meshed pods 2/2 and ready', async () => {
      const out = await cli(['get', 'pods', '-A', '-o', 'json', '--name', name]);
      const items = (JSON.parse(out.stdout) as { items: V1Pod[] }).items;
      const find = (ns: string, n: string) => items.find((p) => p.metadata?.namespace === ns && p.metadata?.name === n);
      const all = [find('meshed', 'a'), find('meshed', 'b'), find('plain', 'c')];
      return all.every((p) => p?.status?.podIP && p.status.containerStatuses?.every((s) => s.ready)) ? all as V1Pod[] : undefined;
    }, 60_000);
    const [a, b, c] = pods;
    assert.deepEqual(a.spec!.containers.map((x) => x.name), ['app', 'istio-proxy']);
    assert.equal(c.spec!.containers.length, 1, 'the plain namespace is not injected');
    const ip = (p: V1Pod) => p.status!.podIP!;
    const exec = (p: string, cmd: string) => cli(['exec', p, '--name', name, '--', 'sh', '-c', cmd]);

    // The wire between the meshed pods, seen on node-1's pod bridge.
    const pcap = `${dir}/bridge.pcap`;
    const tshark = spawn('ip', ['netns', 'exec', `pn-${name}-node-1`, 'tshark', '-i', 'cni0', '-a', 'duration:8', '-w', pcap, '-f', `host ${ip(a)} and host ${ip(b)} and tcp`], { stdio: ['ignore', 'ignore', 'pipe'] });
    const captured = new Promise((r) => tshark.on('exit', r));
    let said = '';
    tshark.stderr.on('data', (d: Buffer) => (said += d.toString()));
    await waitFor('tshark capturing', async () => said.includes('Capture started') || said.includes('Capturing on'), 20_000);
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < 3; i++) assert.equal((await exec('meshed/a', `curl -s -m 3 http://${ip(b)}:8080/hostname`)).stdout, 'b');
    await captured;
    // Port 8080 is HTTP to tshark unless told: decoded as TLS for the handshake, as-is for the rest.
    const fields = async (filter: string, decode: string[] = []) => (await run('tshark', ['-r', pcap, ...decode, '-Y', filter, '-T', 'fields', '-e', 'frame.number'])).stdout.trim();
    assert.notEqual(await fields('tls.handshake.type == 1', ['-d', 'tcp.port==8080,tls']), '', 'ClientHellos between the sidecars');
    assert.equal(await fields('http.request'), '', 'no plain HTTP between meshed pods');
    assert.equal(await fields('tcp.payload contains "hostname"'), '', 'the request path never appears in clear');

    // The server sidecar's certificate, as any TLS client sees it.
    const sclient = await run('sh', ['-c', `echo | ip netns exec pn-${name}-p-plain-c openssl s_client -connect ${ip(b)}:8080 -alpn podnet-mesh 2>/dev/null | openssl x509 -noout -ext subjectAltName`], { allowFail: true });
    assert.match(sclient.stdout, /URI:spiffe:\/\/cluster\.local\/ns\/meshed\/sa\/default/);

    // PERMISSIVE: unmeshed -> meshed is accepted in plain text; meshed -> unmeshed passes through.
    assert.equal((await exec('plain/c', `curl -s -m 3 http://${ip(b)}:8080/hostname`)).stdout, 'b');
    assert.equal((await exec('meshed/a', `curl -s -m 3 http://${ip(c)}:8080/hostname`)).stdout, 'c');

    // Rotation: certificates of 4 s renew every ~2.7 s; 10 s of requests fail none.
    const loop = await exec('meshed/a', `ok=0; fail=0; end=$(($(date +%s)+10)); while [ $(date +%s) -lt $end ]; do if [ "$(curl -s -m 2 http://${ip(b)}:8080/hostname)" = b ]; then ok=$((ok+1)); else fail=$((fail+1)); fi; sleep 0.05; done; echo $ok $fail`);
    const [ok, fail] = loop.stdout.trim().split(' ').map(Number);
    assert.equal(fail, 0, `failed requests during rotation (${ok} ok)`);
    assert.ok(ok >= 20, `enough requests: ${ok}`);
    const logs = await cli(['logs', 'meshed/b', '-c', 'istio-proxy', '--name', name]);
    assert.ok(logs.stdout.split('\n').filter((l) => l.includes('"event":"certificate"')).length >= 4, 'the server sidecar renewed during the loop');
  } finally {
    await cli(['down', '--name', name]);
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(await hostSnapshot(name), before);
});
