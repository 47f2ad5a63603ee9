// The gateway in the lab: the 33 Gateway API HTTPRoute conformance cases, each applied with
// `podnet apply`, its status checked in the store, and its requests sent from a client pod inside
// the lab to the Gateway's LoadBalancer address (and a subset through `podnet port-forward` on
// 127.0.0.1); the status shown by `podnet get`; a route change under load with no failed request.
// Ingress scenarios are in gateway-ingress.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parse } from 'yaml';
import type { KubeObject } from '../src/api/types.js';
import { loadCases, type Json } from '../src/gateway/conformance-kit.test-util.js';
import { LabClient } from '../src/lab/daemon/client.js';
import { podNetns } from '../src/lab/names.js';
import { run } from '../src/sys/exec.js';
import { baseManifests, caseManifests, judge, unmetStatus, wireRequest, type Answer } from './helpers/gateway-lab.js';
import { assertLabGone, sendFromHost } from './helpers/gateway-host.js';
import { cli, CLI, hostSnapshot, REPO, uniqueLab, waitFor } from './helpers/lab.js';

const CLIENT = `${REPO}/dist/test/helpers/gw-client-main.js`;
const INFRA = 'gateway-conformance-infra';
const { base, cases } = loadCases();

describe('gateway lab', () => {
  const name = uniqueLab('gwlab');
  const dir = mkdtempSync(`${tmpdir()}/gw-lab-`);
  let client: LabClient;
  let before0: Record<string, string[]>;
  let forward: ChildProcess | undefined;
  let forwardPort = 0;

  /** Runs the client program inside the client pod's network namespace. */
  const fromPod = async (args: string[]): Promise<string> =>
    (await run('ip', ['netns', 'exec', podNetns(name, 'default', 'client'), process.execPath, CLIENT, ...args])).stdout;
  const get = async (kind: string, ns: string, n: string): Promise<KubeObject | undefined> => (await client.list(kind, ns)).find((o) => o.metadata.name === n);
  const addressOf = async (ns: string, gw: string): Promise<string> => waitFor(`Gateway ${ns}/${gw} programmed`, async () => {
    const g = (await get('Gateway', ns, gw)) as Json;
    const ok = g?.status?.conditions?.some((c: Json) => c.type === 'Programmed' && c.status === 'True');
    return ok ? (g.status.addresses[0].value as string) : undefined;
  }, 60_000);

  before(async () => {
    before0 = await hostSnapshot();
    writeFileSync(`${dir}/base.yaml`, baseManifests(base));
    const up = await cli(['up', '-f', `${dir}/base.yaml`, '--name', name, '--nodes', '2']);
    assert.equal(up.code, 0, up.stderr);
    client = new LabClient(name);
  });

  after(async () => {
    forward?.kill('SIGTERM');
    const down = await cli(['down', '--name', name]);
    rmSync(dir, { recursive: true, force: true });
    assert.equal(down.code, 0, down.stderr);
    await assertLabGone(name, before0);
  });

  it('creates GatewayClass and IngressClass podnet at up, and shows them as kubectl does', async () => {
    const gc = await cli(['get', 'gatewayclasses', '--name', name]);
    assert.match(gc.stdout, /^NAME\s+CONTROLLER\s+ACCEPTED\s+AGE\npodnet\s+podnet\.dev\/gateway\s+True\s+\S+\n$/);
    const ic = (parse((await cli(['get', 'ingressclasses', '-o', 'yaml', '--name', name])).stdout) as Json).items[0];
    assert.equal(ic.metadata.annotations['ingressclass.kubernetes.io/is-default-class'], 'true');
    for (const g of ['same-namespace', 'all-namespaces', 'backend-namespaces', 'same-namespace-with-https-listener']) await addressOf(INFRA, g);
    const gws = await cli(['get', 'gateways', '-n', INFRA, '--name', name]);
    assert.match(gws.stdout, /^NAME\s+CLASS\s+ADDRESS\s+PROGRAMMED\s+AGE\n/);
    assert.match(gws.stdout, /\nsame-namespace\s+podnet\s+172\.18\.0\.\d+\s+True\s/);
  });

  it('port-forward to a Gateway\'s Service listens on 127.0.0.1', async () => {
    forward = spawn(process.execPath, [CLI, 'port-forward', '-n', INFRA, 'svc/podnet-gw-same-namespace', '0:80', '--name', name], { stdio: ['ignore', 'pipe', 'inherit'] });
    forwardPort = await new Promise<number>((resolve, reject) => {
      let text = '';
      forward?.stdout?.on('data', (c: Buffer) => {
        text += c.toString();
        const m = /Forwarding from 127\.0\.0\.1:(\d+) -> 80/.exec(text);
        if (m) resolve(Number(m[1]));
      });
      forward?.once('exit', (code) => reject(new Error(`port-forward exited ${code}: ${text}`)));
    });
    const r = await sendFromHost({ address: '127.0.0.1', port: forwardPort, host: 'nothing.example', path: '/', method: 'GET', headers: {} });
    assert.equal(r.status, 404, 'no route yet: the gateway says so');
  });

  let viaForward = 0;
  for (const c of cases) {
    it(`conformance ${c.name}`, async () => {
      writeFileSync(`${dir}/case.yaml`, caseManifests(c));
      const applied = await cli(['apply', '-f', `${dir}/case.yaml`, '--name', name]);
      assert.equal(applied.code, 0, applied.stderr);
      try {
        const store = new Map<string, KubeObject>();
        await waitFor(`status of ${c.name}`, async () => {
          for (const s of c.statusChecks as Json[]) {
            const o = await get(s.kind, s.namespace, s.name);
            if (o) store.set(`${s.kind}/${s.namespace}/${s.name}`, o);
          }
          return unmetStatus(c, (k, ns, n) => store.get(`${k}/${ns}/${n}`)) === undefined;
        }, 30_000).catch(() => assert.fail(`${c.name}: ${unmetStatus(c, (k, ns, n) => store.get(`${k}/${ns}/${n}`))}`));
        const requests = c.requests as Json[];
        const addresses = new Map<string, string>();
        for (const rq of requests) {
          const key = `${rq.request.gateway.namespace}/${rq.request.gateway.name}`;
          if (!addresses.has(key)) addresses.set(key, await addressOf(rq.request.gateway.namespace, rq.request.gateway.name));
        }
        const wire = requests.map((rq) => wireRequest(rq, addresses.get(`${rq.request.gateway.namespace}/${rq.request.gateway.name}`) as string, rq.request.gateway.port));
        writeFileSync(`${dir}/requests.json`, JSON.stringify(wire));
        // Eventually consistent, as the suite's MakeRequestAndExpectEventuallyConsistentResponse:
        // the proxy swaps the new table in within moments of the status being written.
        let problems: string[] = [];
        await waitFor(`requests of ${c.name}`, async () => {
          const answers = JSON.parse(await fromPod(['requests', `${dir}/requests.json`])) as Answer[];
          problems = requests.map((rq, i) => judge(rq.expect, answers[i], wire[i].host)).map((p, i) => (p ? `request ${i} ${wire[i].method} ${wire[i].host}${wire[i].path}: ${p}` : '')).filter(Boolean);
          return problems.length === 0;
        }, 20_000).catch(() => assert.fail(problems.join('\n')));
        // The same requests through port-forward, for cases served by Gateway same-namespace on port 80.
        if (forwardPort && requests.every((rq) => rq.request.gateway.name === 'same-namespace' && rq.request.gateway.port === 80)) {
          for (const [i, rq] of requests.entries()) {
            const w = { ...wire[i], address: '127.0.0.1', port: forwardPort };
            const answer = await sendFromHost(w).catch((e: Error) => ({ error: e.message }));
            const p = judge(rq.expect, answer, w.host);
            assert.equal(p, undefined, `port-forward: request ${i} ${w.path}: ${p}`);
          }
          viaForward++;
        }
      } finally {
        const del = await cli(['delete', '-f', `${dir}/case.yaml`, '--name', name]);
        assert.equal(del.code, 0, del.stderr);
      }
    });
  }

  it('keeps serving while an HTTPRoute\'s backend changes under load: no failed request', async () => {
    const route = (backend: string): string => caseManifests({ objects: [{
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'flip', namespace: INFRA },
      spec: { parentRefs: [{ name: 'same-namespace' }], hostnames: ['flip.example.com'], rules: [{ backendRefs: [{ name: backend, port: 8080 }] }] },
    }] });
    writeFileSync(`${dir}/flip.yaml`, route('infra-backend-v1'));
    assert.equal((await cli(['apply', '-f', `${dir}/flip.yaml`, '--name', name])).code, 0);
    const address = await addressOf(INFRA, 'same-namespace');
    const url = `http://${address}/flip`;
    await waitFor('route flip served', async () => JSON.parse(await fromPod(['load', url, 'flip.example.com', '4', '2'])).statuses['200'] === 4);
    // A bounded load (2,000 requests, 4 at a time) while the backend flips six times.
    const load = fromPod(['load', url, 'flip.example.com', '2000', '4']);
    for (let i = 0; i < 6; i++) {
      writeFileSync(`${dir}/flip.yaml`, route(i % 2 === 0 ? 'infra-backend-v2' : 'infra-backend-v1'));
      assert.equal((await cli(['apply', '-f', `${dir}/flip.yaml`, '--name', name])).code, 0);
      await new Promise((r) => setTimeout(r, 300));
    }
    const r = JSON.parse(await load) as { statuses: Record<string, number>; errors: Record<string, number>; bodies: Record<string, number> };
    assert.deepEqual(r.errors, {}, 'no connection failed');
    assert.deepEqual(r.statuses, { 200: 2000 }, 'every request answered 200');
    assert.ok((r.bodies['infra-backend-v1'] ?? 0) > 0 && (r.bodies['infra-backend-v2'] ?? 0) > 0, `both backends served: ${JSON.stringify(r.bodies)}`);
    // Status in `podnet get httproute -o yaml`, with the transition time kept across the six writes.
    const yaml = parse((await cli(['get', 'httproute', '-n', INFRA, '-o', 'yaml', '--name', name])).stdout) as Json;
    const flip = yaml.items.find((o: Json) => o.metadata.name === 'flip');
    const accepted = flip.status.parents[0].conditions.find((c: Json) => c.type === 'Accepted');
    assert.equal(accepted.status, 'True');
    assert.equal(accepted.observedGeneration, 7, 'observedGeneration follows the spec changes');
    assert.ok(Date.parse(accepted.lastTransitionTime) < Date.parse(flip.metadata.creationTimestamp) + 5000, 'lastTransitionTime kept from the first write');
    const routes = await cli(['get', 'httproutes', '-n', INFRA, '--name', name]);
    assert.match(routes.stdout, /\nflip\s+\["flip\.example\.com"\]\s+\S+\n/);
    assert.equal((await cli(['delete', '-f', `${dir}/flip.yaml`, '--name', name])).code, 0);
  });

  it('ran cases through port-forward too', () => {
    assert.ok(viaForward >= 10, `only ${viaForward} cases went through port-forward`);
  });
});
