// Services end to end in a dual-stack, three-node lab: EndpointSlices from readiness, the nftables
// proxy (ClusterIP, NodePort, LoadBalancer, affinity, traffic policies, hairpin, reject) and the
// cluster DNS answering every record kind to `dig` inside pods. One lab serves every subtest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { V1EndpointSlice, V1Pod, V1Service } from '../src/api/types.js';
import { LabClient } from '../src/lab/daemon/client.js';
import { nodeNetns, podNetns } from '../src/lab/names.js';
import { run } from '../src/sys/exec.js';
import { cli, hostSnapshot, uniqueLab, waitFor, REPO } from './helpers/lab.js';

const F = `${REPO}/test/fixtures/services`;
const POD_CLIENT = `${REPO}/dist/test/helpers/pod-client-main.js`;

interface Spread { counts: Record<string, number>; errors: Record<string, number> }

test('services: endpoints, proxy and cluster DNS', async (t) => {
  const before = await hostSnapshot();
  const lab = uniqueLab();
  const tmp = mkdtempSync(`${tmpdir()}/pn-svc-`);
  const api = new LabClient(lab);
  const netnsRun = async (netns: string, argv: string[], allowFail = false) =>
    (await run('ip', ['netns', 'exec', netns, ...argv], { allowFail })).stdout;
  const inPod = (pod: string, argv: string[], ns = 'svc') => netnsRun(podNetns(lab, ns, pod), argv);
  const clientJSON = async <T>(netns: string, args: string[]): Promise<T> =>
    JSON.parse(await netnsRun(netns, [process.execPath, POD_CLIENT, ...args])) as T;
  const fromClient = <T>(args: string[]) => clientJSON<T>(podNetns(lab, 'svc', 'client'), args);
  const dig = (args: string[]) => inPod('client', ['dig', '+time=2', '+tries=1', ...args]);
  const digShort = async (args: string[]) => (await dig(['+short', ...args])).trim().split('\n').filter(Boolean).sort();
  const service = async (name: string, ns = 'svc') => (await api.list('Service', ns)).find((s) => s.metadata.name === name) as unknown as V1Service;
  const pods = async () => (await api.list('Pod', 'svc')) as unknown as V1Pod[];
  const webPods = async () => (await pods()).filter((p) => p.metadata?.labels?.app === 'web' && p.metadata.name !== 'web-notready');
  try {
    const up = await cli(['up', '-f', `${F}/cluster.yaml`, '--name', lab]);
    assert.equal(up.code, 0, up.stderr);
    await waitFor('4 web pods ready', async () => (await webPods()).filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length === 4, 30_000);
    await waitFor('cluster DNS answering', async () => (await digShort(['web.svc.svc.cluster.local']).catch(() => [])).length === 1, 30_000);
    const web = await service('web');
    const [webV4, webV6] = web.spec?.clusterIPs ?? [];

    await t.test('Services are admitted: ClusterIPs from the range, fixed ones honoured, NodePorts and LB addresses', async () => {
      assert.match(webV4, /^10\.(9[6-9]|10[0-9]|11[01])\./);
      assert.match(webV6 ?? '', /^fd00:10:96::/);
      assert.deepEqual(web.spec?.ipFamilies, ['IPv4', 'IPv6']);
      assert.equal((await service('fixed')).spec?.clusterIP, '10.96.100.100');
      assert.equal((await service('kube-dns', 'kube-system')).spec?.clusterIP, '10.96.0.10');
      assert.equal((await service('web-np')).spec?.ports?.[0].nodePort, 30080);
      assert.match((await service('web-lb')).status?.loadBalancer?.ingress?.[0].ip ?? '', /^172\.18\.0\.2[45]\d$/);
      const table = await cli(['get', 'svc', '-n', 'svc', '--name', lab]);
      assert.equal(table.code, 0, table.stderr);
      assert.match(table.stdout, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE/);
      assert.match(table.stdout, /\nweb-np\s+NodePort\s+10\.\S+\s+<none>\s+80:30080\/TCP/);
      assert.match(table.stdout, /\next\s+ExternalName\s+<none>\s+www\.example\.com/);
      const eps = await cli(['get', 'endpointslices', '-n', 'svc', '--name', lab]);
      assert.match(eps.stdout, /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE/);
      assert.match(eps.stdout, /\nweb-\S+\s+IPv6\s/);
    });

    await t.test('EndpointSlices carry readiness, named ports per pod and both families', async () => {
      const slices = (await api.list('EndpointSlice', 'svc') as unknown as V1EndpointSlice[])
        .filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === 'web');
      assert.deepEqual(slices.map((s) => s.addressType).sort(), ['IPv4', 'IPv6']);
      const v4 = slices.find((s) => s.addressType === 'IPv4') as V1EndpointSlice;
      assert.deepEqual(v4.ports?.map((p) => `${p.name}:${p.port}/${p.protocol}`).sort(), ['http:8080/TCP', 'udp:8081/UDP']);
      const notReady = v4.endpoints.find((e) => e.targetRef?.name === 'web-notready');
      assert.equal(notReady?.conditions?.ready, false);
      assert.equal(v4.endpoints.filter((e) => e.conditions?.ready).length, 4);
      const db = (await api.list('EndpointSlice', 'svc') as unknown as V1EndpointSlice[]).find((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === 'db' && s.addressType === 'IPv4');
      assert.deepEqual(db?.endpoints.map((e) => e.hostname).sort(), ['db-0', 'db-1']);
    });

    await t.test('ClusterIP spreads TCP over all ready endpoints, never to a not-ready one (IPv4 and IPv6)', async () => {
      const names = (await webPods()).map((p) => p.metadata?.name as string).sort();
      for (const vip of [webV4, `[${webV6}]`]) {
        const r = await fromClient<Spread>(['http', `http://${vip}:80/hostname`, '1000']);
        assert.deepEqual(r.errors, {}, vip);
        assert.deepEqual(Object.keys(r.counts).sort(), names, vip);
        for (const [pod, n] of Object.entries(r.counts)) assert.ok(n >= 1000 / (2 * names.length), `${vip}: ${pod} got ${n} of 1000`);
      }
    });

    await t.test('by name, over UDP, through the fixed ClusterIP', async () => {
      const byName = await fromClient<Spread>(['http', 'http://web.svc.svc.cluster.local/hostname', '20']);
      assert.deepEqual(byName.errors, {});
      const short = await inPod('client', ['getent', 'hosts', 'web']);
      assert.match(short, new RegExp(`^(${webV4}|${webV6})\\s+web\\.svc\\.svc\\.cluster\\.local`));
      const udp = await fromClient<Spread>(['udp', webV4, '81', '200', 'hostname']);
      assert.deepEqual(udp.errors, {});
      assert.equal(Object.keys(udp.counts).length, 4);
      const fixed = await fromClient<Spread>(['http', 'http://10.96.100.100/hostname', '20']);
      assert.deepEqual(fixed.errors, {});
    });

    await t.test('a Service without a selector uses the EndpointSlices the user gives it', async () => {
      const target = (await webPods())[1];
      const file = `${tmp}/manual.yaml`;
      writeFileSync(file, [
        'apiVersion: v1\nkind: Service\nmetadata: {name: manual, namespace: svc}\nspec:\n  ports: [{name: http, port: 80, targetPort: 8080}]\n',
        'apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata:\n  name: manual-1\n  namespace: svc\n  labels: {kubernetes.io/service-name: manual}\n'
          + `addressType: IPv4\nports: [{name: http, port: 8080, protocol: TCP}]\nendpoints:\n- addresses: ["${target.status?.podIP}"]\n  conditions: {ready: true}\n`,
      ].join('---\n'));
      const applied = await cli(['apply', '-f', file, '--name', lab]);
      assert.equal(applied.code, 0, applied.stderr);
      const vip = (await service('manual')).spec?.clusterIP;
      const r = await fromClient<Spread>(['http', `http://${vip}/hostname`, '10']);
      assert.deepEqual(r.errors, {});
      assert.deepEqual(Object.keys(r.counts), [target.metadata?.name]);
      assert.deepEqual(await digShort(['manual.svc.svc.cluster.local']), [vip]);
    });

    await t.test('ClientIP affinity keeps one client on one endpoint', async () => {
      const sticky = (await service('web-sticky')).spec?.clusterIP;
      const r = await fromClient<Spread>(['http', `http://${sticky}/hostname`, '100']);
      assert.deepEqual(r.errors, {});
      assert.equal(Object.keys(r.counts).length, 1, JSON.stringify(r.counts));
    });

    await t.test('a Service without endpoints refuses at once', async () => {
      const empty = (await service('empty')).spec?.clusterIP as string;
      const r = await fromClient<{ result: string; ms: number }>(['connect', empty, '80']);
      assert.equal(r.result, 'refused');
      assert.ok(r.ms < 1000, `took ${r.ms} ms`);
    });

    await t.test('hairpin: a pod reaches itself through its own Service', async () => {
      const self = (await webPods())[0].metadata?.name as string;
      const r = await clientJSON<Spread>(podNetns(lab, 'svc', self), ['http', `http://${webV4}/hostname`, '60']);
      assert.deepEqual(r.errors, {});
      assert.ok((r.counts[self] ?? 0) > 0, `never reached itself: ${JSON.stringify(r.counts)}`);
    });

    await t.test('NodePort and LoadBalancer from another node; externalTrafficPolicy Local keeps the source IP', async () => {
      const node2 = nodeNetns(lab, 'node-2');
      const r = await clientJSON<Spread>(node2, ['http', 'http://172.18.0.2:30080/hostname', '40']);
      assert.deepEqual(r.errors, {});
      assert.ok(Object.keys(r.counts).length >= 2);
      const lbIP = (await service('web-lb')).status?.loadBalancer?.ingress?.[0].ip as string;
      const lb = await clientJSON<Spread>(node2, ['http', `http://${lbIP}/hostname`, '40']);
      assert.deepEqual(lb.errors, {});
      const local = await clientJSON<Spread>(node2, ['http', 'http://172.18.0.2:30081/clientip', '10']);
      assert.deepEqual(local.errors, {});
      for (const seen of Object.keys(local.counts)) assert.match(seen, /^172\.18\.0\.3:\d+$/);
      const onNode1 = (await webPods()).filter((p) => p.spec?.nodeName === 'node-1').map((p) => p.metadata?.name);
      const localNames = await clientJSON<Spread>(node2, ['http', 'http://172.18.0.2:30081/hostname', '20']);
      assert.deepEqual(Object.keys(localNames.counts).sort(), onNode1.sort());
    });

    await t.test('internalTrafficPolicy Local stays on the client node', async () => {
      const itp = (await service('web-itp')).spec?.clusterIP as string;
      const onNode1 = (await webPods()).filter((p) => p.spec?.nodeName === 'node-1').map((p) => p.metadata?.name as string);
      const r = await fromClient<Spread>(['http', `http://${itp}/hostname`, '30']);
      assert.deepEqual(r.errors, {});
      assert.deepEqual(Object.keys(r.counts).sort(), onNode1.sort());
    });

    await t.test('DNS: every record kind, answered to dig inside a pod', async () => {
      const dom = 'svc.svc.cluster.local';
      assert.deepEqual(await digShort([`web.${dom}`, 'A']), [webV4]);
      assert.deepEqual(await digShort([`web.${dom}`, 'AAAA']), [webV6]);
      assert.deepEqual(await digShort(['+search', 'web', 'A']), [webV4]);
      const dbPods = (await pods()).filter((p) => p.metadata?.labels?.app === 'db');
      const dbIPs = dbPods.map((p) => p.status?.podIP as string).sort();
      assert.deepEqual(await digShort([`db.${dom}`, 'A']), dbIPs);
      const db0 = dbPods.find((p) => p.metadata?.name === 'db-0')?.status?.podIP;
      assert.deepEqual(await digShort([`db-0.db.${dom}`, 'A']), [db0]);
      assert.deepEqual(await digShort([`_http._tcp.web.${dom}`, 'SRV']), [`0 100 80 web.${dom}.`]);
      assert.deepEqual(await digShort([`_tcp-db._tcp.db.${dom}`, 'SRV']), [`0 50 5432 db-0.db.${dom}.`, `0 50 5432 db-1.db.${dom}.`]);
      assert.deepEqual(await digShort(['-x', webV4]), [`web.${dom}.`]);
      assert.deepEqual(await digShort(['-x', db0 as string]), [`db-0.db.${dom}.`]);
      assert.deepEqual((await digShort([`ext.${dom}`, 'CNAME'])), ['www.example.com.']);
      const podIP = (await webPods())[0].status?.podIP as string;
      assert.deepEqual(await digShort([`${podIP.replace(/\./g, '-')}.svc.pod.cluster.local`, 'A']), [podIP]);
      assert.deepEqual(await digShort(['dns-version.cluster.local', 'TXT']), ['"1.1.0"']);
      const nx = await dig([`nosuch.${dom}`, 'A']);
      assert.match(nx, /status: NXDOMAIN/);
      assert.match(nx, /AUTHORITY SECTION:\ncluster\.local\.\s+\d+\s+IN\s+SOA/);
      const nodata = await dig([`fixed.${dom}`, 'AAAA']);
      assert.match(nodata, /status: NOERROR/);
      assert.match(nodata, /ANSWER: 0,/);
      assert.match(nodata, /IN\s+SOA/);
      const tcp = await digShort(['+tcp', `web.${dom}`, 'A']);
      assert.deepEqual(tcp, [webV4]);
    });

    await t.test('DNS forwards outside names upstream, with a cache', async () => {
      for (let i = 0; i < 6; i++) assert.deepEqual(await digShort(['www.example.com', 'A']), ['192.0.2.10']);
      for (let i = 0; i < 6; i++) assert.match(await dig(['nope.example.com', 'A']), /status: NXDOMAIN/);
      const logs = (await cli(['logs', 'ext/upstream-dns', '--name', lab])).stdout;
      const asked = logs.split('\n').filter((l) => /\[A\] www\.example\.com from/.test(l)).length;
      // Two DNS replicas, each with its own cache: at most one upstream query each.
      assert.ok(asked >= 1 && asked <= 2, `upstream asked ${asked} times`);
      const negative = logs.split('\n').filter((l) => /\[A\] nope\.example\.com from/.test(l)).length;
      assert.ok(negative >= 1 && negative <= 2, `upstream asked ${negative} times for the NXDOMAIN`);
    });

    await t.test('changes reach rules and answers within a second', async () => {
      const file = `${tmp}/late.yaml`;
      writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata: {name: late, namespace: svc}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n');
      const applied = await cli(['apply', '-f', file, '--name', lab]);
      assert.equal(applied.code, 0, applied.stderr);
      const t0 = Date.now();
      await waitFor('late in DNS', async () => (await digShort([`late.svc.svc.cluster.local`])).length === 1, 5000);
      const dnsMs = Date.now() - t0;
      const late = (await service('late')).spec?.clusterIP as string;
      const reach = await fromClient<Spread>(['http', `http://${late}/hostname`, '10']);
      assert.deepEqual(reach.errors, {});
      t.diagnostic(`new Service answered by DNS after ${dnsMs} ms`);
      assert.ok(dnsMs < 1500, `DNS took ${dnsMs} ms`);

      // Scale web down to one: the removed pods stop getting traffic as soon as they terminate.
      writeFileSync(file, readFileSync(`${F}/cluster.yaml`, 'utf8').replace('replicas: 4', 'replicas: 1'));
      const scaled = await cli(['apply', '-f', file, '--name', lab]);
      assert.equal(scaled.code, 0, scaled.stderr);
      const left = (await webPods()).map((p) => p.metadata?.name);
      assert.equal(left.length, 1);
      const r = await fromClient<Spread>(['http', `http://${webV4}/hostname`, '50']);
      assert.deepEqual(r.errors, {});
      assert.deepEqual(Object.keys(r.counts), left);
    });

    await t.test('bad Services are refused with the field named, and nothing changes', async () => {
      const file = `${tmp}/bad.yaml`;
      writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata: {name: taken, namespace: svc}\nspec:\n  clusterIP: 10.96.100.100\n  ports: [{port: 80}]\n');
      const taken = await cli(['apply', '-f', file, '--name', lab]);
      assert.equal(taken.code, 1);
      assert.match(taken.stderr, /bad\.yaml: Service svc\/taken: spec\.clusterIP: .*10\.96\.100\.100.*(allocated|taken|in use)/);
      writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata: {name: far, namespace: svc}\nspec:\n  clusterIP: 192.0.2.1\n  ports: [{port: 80}]\n');
      const far = await cli(['apply', '-f', file, '--name', lab]);
      assert.match(far.stderr, /spec\.clusterIP: .*range/);
      writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata: {name: Bad_Name, namespace: svc}\nspec:\n  ports: [{port: 80}]\n');
      assert.match((await cli(['apply', '-f', file, '--name', lab])).stderr, /metadata\.name/);
      writeFileSync(file, 'apiVersion: v1\nkind: Service\nmetadata: {name: port0, namespace: svc}\nspec:\n  ports: [{port: 0}]\n');
      assert.match((await cli(['apply', '-f', file, '--name', lab])).stderr, /spec\.ports\[0\]\.port/);
      const names = (await api.list('Service', 'svc')).map((s) => s.metadata.name);
      assert.ok(!names.some((n) => ['taken', 'far', 'port0'].includes(n)));
    });
  } finally {
    await cli(['down', '--name', lab]);
    rmSync(tmp, { recursive: true, force: true });
  }
  assert.deepEqual(await hostSnapshot(), before);
});
