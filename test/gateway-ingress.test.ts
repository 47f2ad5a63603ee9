// Ingress in the lab, with the scenarios of kubernetes-sigs/ingress-controller-conformance: host and
// path rules (Exact and Prefix), the default backend, TLS termination from kubernetes.io/tls
// Secrets with curl in a pod verifying the certificate against the CA (--cacert, --resolve), SNI
// choosing between two certificates, plain HTTP still served on a TLS host, per-request balancing,
// status.loadBalancer, and an Ingress of an unknown class left without an address.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { stringify } from 'yaml';
import type { KubeObject } from '../src/api/types.js';
import type { Json } from '../src/gateway/conformance-kit.test-util.js';
import { LabClient } from '../src/lab/daemon/client.js';
import { podNetns } from '../src/lab/names.js';
import { run } from '../src/sys/exec.js';
import { echoDeployment } from './helpers/gateway-lab.js';
import { assertLabGone } from './helpers/gateway-host.js';
import { cli, hostSnapshot, uniqueLab, waitFor } from './helpers/lab.js';

const NS = 'ing';

/** A CA, and a certificate for each host signed by it (openssl, as a user would make them). */
async function makeCerts(dir: string, hosts: string[]): Promise<void> {
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/ca.key`, '-out', `${dir}/ca.crt`, '-days', '2', '-subj', '/CN=podnet test CA']);
  for (const h of hosts) {
    await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${dir}/${h}.key`, '-out', `${dir}/${h}.csr`, '-subj', `/CN=${h}`]);
    writeFileSync(`${dir}/${h}.ext`, `subjectAltName=DNS:${h}\n`);
    await run('openssl', ['x509', '-req', '-in', `${dir}/${h}.csr`, '-CA', `${dir}/ca.crt`, '-CAkey', `${dir}/ca.key`, '-CAcreateserial', '-out', `${dir}/${h}.crt`, '-days', '2', '-extfile', `${dir}/${h}.ext`]);
  }
}

function manifests(dir: string): string {
  const svc = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 8080, targetPort: 3000 }] } });
  const secret = (h: string): KubeObject => ({
    apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: `tls-${h.split('.')[0]}`, namespace: NS },
    data: { 'tls.crt': readFileSync(`${dir}/${h}.crt`).toString('base64'), 'tls.key': readFileSync(`${dir}/${h}.key`).toString('base64') },
  } as KubeObject);
  const backend = (name: string, port: Json = { number: 8080 }) => ({ service: { name, port } });
  const ing = (name: string, spec: Json): KubeObject => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: NS }, spec });
  const objs: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    echoDeployment(NS, 'echo-v1', 3, { app: 'echo-v1' }), svc('echo-v1'),
    echoDeployment(NS, 'echo-v2', 1, { app: 'echo-v2' }), svc('echo-v2'),
    echoDeployment(NS, 'echo-v3', 1, { app: 'echo-v3' }), svc('echo-v3'),
    secret('foo.example.com'), secret('bar.example.com'),
    ing('foo', {
      tls: [{ hosts: ['foo.example.com'], secretName: 'tls-foo' }],
      rules: [{ host: 'foo.example.com', http: { paths: [
        { path: '/exact', pathType: 'Exact', backend: backend('echo-v2') },
        { path: '/v2', pathType: 'Prefix', backend: backend('echo-v2', { name: 'http' }) },
        { path: '/', pathType: 'Prefix', backend: backend('echo-v1') },
      ] } }],
    }),
    ing('bar', { ingressClassName: 'podnet', tls: [{ hosts: ['bar.example.com'], secretName: 'tls-bar' }], rules: [{ host: 'bar.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('echo-v2') }] } }] }),
    ing('fallback', { defaultBackend: backend('echo-v3') }),
    ing('other-class', { ingressClassName: 'nope', rules: [{ host: 'other.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: backend('echo-v1') }] } }] }),
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client', namespace: NS }, spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/e2e-test-images/agnhost:2.45', args: ['pause'] }] } },
  ];
  return objs.map((o) => stringify(o)).join('---\n');
}

describe('ingress lab', () => {
  const name = uniqueLab('gwing');
  const dir = mkdtempSync(`${tmpdir()}/gw-ing-`);
  let before0: Record<string, string[]>;
  let address = '';

  /** curl inside the client pod; prints `STATUS BODY`. */
  const curl = async (args: string[]): Promise<{ code: number; status: number; pod: string; out: string }> => {
    const r = await run('ip', ['netns', 'exec', podNetns(name, NS, 'client'), 'curl', '-sS', '-m', '5', '-w', '\n%{http_code}', ...args], { allowFail: true });
    const lines = r.stdout.trimEnd().split('\n');
    const status = Number(lines.pop());
    let pod = '';
    try {
      pod = (JSON.parse(lines.join('\n')) as { pod: string }).pod.replace(/-[^-]+-[^-]+$/, '');
    } catch {
      pod = lines.join('\n');
    }
    return { code: r.code, status, pod, out: r.stdout + r.stderr };
  };

  before(async () => {
    before0 = await hostSnapshot();
    await makeCerts(dir, ['foo.example.com', 'bar.example.com']);
    writeFileSync(`${dir}/app.yaml`, manifests(dir));
    const up = await cli(['up', '-f', `${dir}/app.yaml`, '--name', name, '--nodes', '2']);
    assert.equal(up.code, 0, up.stderr);
    const client = new LabClient(name);
    address = await waitFor('Ingress foo has an address', async () => {
      const ing = (await client.list('Ingress', NS)).find((o) => o.metadata.name === 'foo') as Json;
      return ing?.status?.loadBalancer?.ingress?.[0]?.ip as string | undefined;
    }, 60_000);
    // Served once the proxy pod answers (the address is assigned with the Service, before the pod runs).
    await waitFor('ingress gateway serving', async () => (await curl(['-H', 'Host: foo.example.com', `http://${address}/`])).status === 200, 30_000);
  });

  after(async () => {
    const down = await cli(['down', '--name', name]);
    rmSync(dir, { recursive: true, force: true });
    assert.equal(down.code, 0, down.stderr);
    await assertLabGone(name, before0);
  });

  it('routes by host and path (Exact before Prefix, longest prefix first) and falls back to the default backend', async () => {
    const at = (host: string, path: string) => curl(['-H', `Host: ${host}`, `http://${address}${path}`]);
    assert.deepEqual(await at('foo.example.com', '/exact').then((r) => [r.status, r.pod]), [200, 'echo-v2']);
    assert.deepEqual(await at('foo.example.com', '/exact/sub').then((r) => [r.status, r.pod]), [200, 'echo-v1']);
    assert.deepEqual(await at('foo.example.com', '/v2/x').then((r) => [r.status, r.pod]), [200, 'echo-v2']);
    assert.deepEqual(await at('foo.example.com', '/v20').then((r) => [r.status, r.pod]), [200, 'echo-v1'], 'Prefix matches whole path elements');
    assert.deepEqual(await at('unknown.example.com', '/').then((r) => [r.status, r.pod]), [200, 'echo-v3']);
    assert.deepEqual(await at('other.example.com', '/').then((r) => [r.status, r.pod]), [200, 'echo-v3'], 'an Ingress of another class is not served');
  });

  it('balances per request over the ready endpoints', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 30 && seen.size < 3; i++) {
      const r = await run('ip', ['netns', 'exec', podNetns(name, NS, 'client'), 'curl', '-sS', '-m', '5', '-H', 'Host: foo.example.com', `http://${address}/`]);
      seen.add((JSON.parse(r.stdout) as { pod: string }).pod);
    }
    assert.equal(seen.size, 3, `all three echo-v1 pods answered: ${[...seen].join(', ')}`);
  });

  it('terminates TLS with the Secret\'s certificate, verified against the CA, and picks the certificate by SNI', async () => {
    for (const [host, pod] of [['foo.example.com', 'echo-v1'], ['bar.example.com', 'echo-v2']]) {
      const r = await curl(['--cacert', `${dir}/ca.crt`, '--resolve', `${host}:443:${address}`, `https://${host}/`]);
      assert.equal(r.status, 200, r.out);
      assert.equal(r.pod, pod);
      const s = await run('ip', ['netns', 'exec', podNetns(name, NS, 'client'), 'sh', '-c', `openssl s_client -connect ${address}:443 -servername ${host} </dev/null 2>/dev/null | openssl x509 -noout -subject`]);
      assert.match(s.stdout, new RegExp(`CN ?= ?${host.replaceAll('.', '\\.')}`));
    }
    const plain = await curl(['--resolve', `foo.example.com:80:${address}`, 'http://foo.example.com/v2']);
    assert.deepEqual([plain.status, plain.pod], [200, 'echo-v2'], 'plain HTTP to a TLS host is served (no redirect asked)');
  });

  it('writes status.loadBalancer and shows it as kubectl does; no address for an unknown class', async () => {
    const out = (await cli(['get', 'ingress', '-n', NS, '--name', name])).stdout;
    assert.match(out, /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\n/);
    assert.match(out, new RegExp(`\\nfoo\\s+<none>\\s+foo\\.example\\.com\\s+${address.replaceAll('.', '\\.')}\\s+80, 443\\s`));
    assert.match(out, new RegExp(`\\nbar\\s+podnet\\s+bar\\.example\\.com\\s+${address.replaceAll('.', '\\.')}\\s+80, 443\\s`));
    assert.match(out, /\nother-class\s+nope\s+other\.example\.com\s+80\s/);
  });
});
