import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1ServiceSpec } from '@kubernetes/client-node';
import { ManifestError } from '../api/errors.js';
import type { ClusterConfig, Loaded } from '../api/types.js';
import { admitServices } from './admission.js';
import { seededRandom, type Random } from './claims.js';
import type { ServiceObject } from './labels.js';

const V4: ClusterConfig = {
  name: 'lab', nodes: [{ name: 'node-1', labels: {} }], backend: 'vxlan', ipFamily: 'ipv4', podCIDRs: ['10.244.0.0/16'], nodeMaskSizes: [24],
  serviceCIDRs: ['10.96.0.0/12'], underlayCIDRs: ['172.18.0.0/24'], mtu: 1500, clusterDomain: 'cluster.local',
  nodePortRange: [30000, 32767], loadBalancerPools: ['172.18.0.240/28'], dnsUpstreams: [],
};
const DUAL: ClusterConfig = {
  ...V4, ipFamily: 'dual', podCIDRs: ['10.244.0.0/16', 'fd00:10:244::/56'], nodeMaskSizes: [24, 64],
  serviceCIDRs: ['10.96.0.0/12', 'fd00:10:96::/108'], underlayCIDRs: ['172.18.0.0/24', 'fd00:172:18::/64'],
  loadBalancerPools: ['172.18.0.240/28', 'fd00:172:18::f0/124'],
};

function svc(name: string, spec: V1ServiceSpec, ns = 'default'): ServiceObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec };
}
const web = (spec: V1ServiceSpec = {}): ServiceObject => svc('web', { selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }], ...spec });
const load = (objs: ServiceObject[]): Loaded<ServiceObject>[] => objs.map((object, doc) => ({ object, source: { file: 'svc.yaml', doc } }));
/**
 * A random source that always draws 0: each dynamic pick is the first free value of the upper band
 * (10.96.1.1, fd00:10:96::101 and NodePort 30086 up, past the static bands of 256 addresses and 86
 * ports), so expectations stay readable. The random spread itself is tested in allocator.test.ts.
 */
const FIRST: Random = () => 0;
const admit = (objs: ServiceObject[], existing: ServiceObject[] = [], config = V4, random = FIRST) => admitServices(load(objs), existing, config, random);
const one = (obj: ServiceObject, existing: ServiceObject[] = [], config = V4) => admit([obj], existing, config)[0];
/** Stores `objs` one apply at a time, as the lab would, and returns the stored Services. */
function stored(objs: ServiceObject[], config = V4): ServiceObject[] {
  return objs.reduce<ServiceObject[]>((all, o) => [...all.filter((s) => s.metadata.name !== o.metadata.name), one(o, all, config)], []);
}

describe('admitServices defaults', () => {
  it('fills in what the API server defaults on a minimal ClusterIP Service', () => {
    assert.deepEqual(one(svc('web', { selector: { app: 'web' }, ports: [{ port: 80 }] })).spec, {
      selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], type: 'ClusterIP', sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'], clusterIP: '10.96.1.1', clusterIPs: ['10.96.1.1'],
    });
  });

  it('defaults by type: NodePort and LoadBalancer get externalTrafficPolicy, LoadBalancer allocateLoadBalancerNodePorts, ClientIP a timeout', () => {
    const np = one(web({ type: 'NodePort', sessionAffinity: 'ClientIP' })).spec as V1ServiceSpec;
    assert.equal(np.externalTrafficPolicy, 'Cluster');
    assert.deepEqual(np.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
    const lb = one(web({ type: 'LoadBalancer' })).spec as V1ServiceSpec;
    assert.equal(lb.allocateLoadBalancerNodePorts, true);
    const ext = one(svc('db', { type: 'ExternalName', externalName: 'db.example.com' }));
    assert.deepEqual(ext.spec, { type: 'ExternalName', externalName: 'db.example.com', sessionAffinity: 'None' });
    assert.deepEqual(ext.status, { loadBalancer: {} });
  });

  it('keeps a named targetPort, and leaves the input and its order alone', () => {
    const input = [web({ ports: [{ name: 'http', port: 80, targetPort: 'http' }] }), svc('api', { ports: [{ port: 81 }] })];
    const before = structuredClone(input);
    const out = admit(input);
    assert.deepEqual(input, before);
    assert.deepEqual(out.map((s) => s.metadata.name), ['web', 'api']);
    assert.equal(out[0].spec?.ports?.[0].targetPort, 'http');
  });

  it('drops a status the user wrote', () => {
    const obj = { ...web(), status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }] } } };
    assert.deepEqual(one(obj).status, { loadBalancer: {} });
  });
});

describe('admitServices IP families', () => {
  const cases: [string, ServiceObject, ClusterConfig, string, string[], string[]][] = [
    ['single-stack by default in a dual lab', web(), DUAL, 'SingleStack', ['IPv4'], ['10.96.1.1']],
    ['PreferDualStack gets both in a dual lab', web({ ipFamilyPolicy: 'PreferDualStack' }), DUAL, 'PreferDualStack', ['IPv4', 'IPv6'], ['10.96.1.1', 'fd00:10:96::101']],
    ['PreferDualStack gets one in an ipv4 lab', web({ ipFamilyPolicy: 'PreferDualStack' }), V4, 'PreferDualStack', ['IPv4'], ['10.96.1.1']],
    ['RequireDualStack IPv6 first', web({ ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6'] }), DUAL, 'RequireDualStack', ['IPv6', 'IPv4'], ['fd00:10:96::101', '10.96.1.1']],
    ['IPv6 only', web({ ipFamilies: ['IPv6'] }), DUAL, 'SingleStack', ['IPv6'], ['fd00:10:96::101']],
    ['families from fixed clusterIPs', web({ clusterIP: 'fd00:10:96::50', clusterIPs: ['fd00:10:96::50', '10.96.0.50'], ipFamilyPolicy: 'PreferDualStack' }), DUAL, 'PreferDualStack', ['IPv6', 'IPv4'], ['fd00:10:96::50', '10.96.0.50']],
    ['two families imply RequireDualStack', web({ clusterIP: '10.96.0.50', clusterIPs: ['10.96.0.50', 'fd00:10:96::50'], ipFamilyPolicy: 'RequireDualStack' }), DUAL, 'RequireDualStack', ['IPv4', 'IPv6'], ['10.96.0.50', 'fd00:10:96::50']],
    ['headless with a selector', web({ clusterIP: 'None' }), DUAL, 'SingleStack', ['IPv4'], ['None']],
    // Upstream quirk kept on purpose: a selector-less headless Service asks for both families even in a single-stack cluster.
    ['headless without a selector', svc('h', { clusterIP: 'None' }), V4, 'RequireDualStack', ['IPv4', 'IPv6'], ['None']],
    ['headless without a selector, SingleStack', svc('h', { clusterIP: 'None', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv6'] }), DUAL, 'SingleStack', ['IPv6'], ['None']],
  ];
  for (const [name, obj, config, policy, families, ips] of cases) {
    it(name, () => {
      const spec = one(obj, [], config).spec as V1ServiceSpec;
      assert.equal(spec.ipFamilyPolicy, policy);
      assert.deepEqual(spec.ipFamilies, families);
      assert.deepEqual(spec.clusterIPs, ips);
      assert.equal(spec.clusterIP, ips[0]);
    });
  }
});

describe('admitServices ClusterIP allocation', () => {
  it('picks above the static band, keeping .1 and .10 for kubernetes and kube-dns', () => {
    const names = Array.from({ length: 3 }, (_, i) => `s${i}`);
    const ips = admit(names.map((n) => svc(n, { ports: [{ port: 80 }] }))).map((s) => s.spec?.clusterIP);
    assert.deepEqual(ips, ['10.96.1.1', '10.96.1.2', '10.96.1.3']);
    // Only with the upper band full does a dynamic pick fall into the static band, still around .1 and .10.
    const small = { ...V4, serviceCIDRs: ['10.96.0.0/27'] }; // 32 addresses: a static band of 16 (.1-.16)
    const upper = Array.from({ length: 14 }, (_, i) => svc(`u${i}`, { clusterIP: `10.96.0.${17 + i}`, ports: [{ port: 80 }] }));
    const low = admit(names.map((n) => svc(n, { ports: [{ port: 80 }] })), upper, small, seededRandom(7)).map((s) => Number(s.spec?.clusterIP?.split('.')[3]));
    assert.ok(low.every((n) => n >= 2 && n <= 16 && n !== 10), low.join(' '));
    const dns = svc('kube-dns', { ports: [{ port: 53, protocol: 'UDP' }], ipFamilyPolicy: 'PreferDualStack' }, 'kube-system');
    assert.deepEqual(one(dns, [], DUAL).spec?.clusterIPs, ['10.96.0.10', 'fd00:10:96::a']);
    assert.equal(one(svc('kubernetes', { ports: [{ port: 443 }] })).spec?.clusterIP, '10.96.0.1');
  });

  it('never hands out an address a later document of the batch fixes', () => {
    const out = admit([svc('a', { ports: [{ port: 80 }] }), svc('b', { clusterIP: '10.96.1.1', ports: [{ port: 80 }] })]);
    assert.deepEqual(out.map((s) => s.spec?.clusterIP), ['10.96.1.2', '10.96.1.1']);
  });

  it('lets a user fix a reserved address', () => {
    assert.equal(one(web({ clusterIP: '10.96.0.10' })).spec?.clusterIP, '10.96.0.10');
  });

  it('frees the values of a deleted Service (what is taken comes from existing)', () => {
    const [a, b] = admit([svc('a', { ports: [{ port: 80 }] }), svc('b', { ports: [{ port: 80 }] })]);
    assert.equal(one(svc('c', { ports: [{ port: 80 }] }), [b]).spec?.clusterIP, a.spec?.clusterIP);
  });

  it('a Service deleted and created again gets another ClusterIP and NodePort (seeded random source)', () => {
    const random = seededRandom(2026);
    const make = () => admit([svc('web', { type: 'NodePort', ports: [{ port: 80 }] })], [], V4, random)[0].spec;
    const first = make();
    const again = make(); // nothing stored in between: the first one was deleted
    assert.notEqual(again?.clusterIP, first?.clusterIP);
    assert.notEqual(again?.ports?.[0].nodePort, first?.ports?.[0].nodePort);
  });

  it('compares addresses in canonical form', () => {
    const existing = [one(web({ clusterIP: 'fd00:10:96::50', ipFamilies: ['IPv6'] }), [], DUAL)];
    assert.throws(() => one(svc('b', { clusterIP: 'FD00:10:96:0::50', ports: [{ port: 80 }] }), existing, DUAL), /already allocated/);
  });
});

describe('admitServices NodePorts', () => {
  it('gives each port a free NodePort above the static band, one per port number, and honours fixed ones', () => {
    const dns = svc('dns', { type: 'NodePort', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53 }, { name: 'm', port: 9153 }] });
    const fixed = svc('fixed', { type: 'NodePort', ports: [{ port: 80, nodePort: 30001 }] });
    const [a, b] = admit([dns, fixed]);
    assert.deepEqual(a.spec?.ports?.map((p) => p.nodePort), [30086, 30086, 30087]);
    assert.deepEqual(b.spec?.ports?.map((p) => p.nodePort), [30001]);
  });

  it('shares a NodePort fixed on a later port with the same number', () => {
    const s = one(svc('dns', { type: 'NodePort', ports: [{ name: 'udp', port: 53, protocol: 'UDP' }, { name: 'tcp', port: 53, nodePort: 30053 }] }));
    assert.deepEqual(s.spec?.ports?.map((p) => p.nodePort), [30053, 30053]);
  });

  it('LoadBalancer: NodePorts unless allocateLoadBalancerNodePorts is false; a health-check port for Local', () => {
    const lb = one(web({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' }));
    assert.equal(lb.spec?.ports?.[0].nodePort, 30086);
    assert.equal(lb.spec?.healthCheckNodePort, 30087);
    const none = one(web({ type: 'LoadBalancer', allocateLoadBalancerNodePorts: false }));
    assert.equal(none.spec?.ports?.[0].nodePort, undefined);
    assert.equal(one(web({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 32000 })).spec?.healthCheckNodePort, 32000);
  });
});

describe('admitServices LoadBalancer addresses', () => {
  it('one address per family from the pools into status.loadBalancer.ingress', () => {
    const [a, b] = admit([web({ type: 'LoadBalancer', ipFamilyPolicy: 'PreferDualStack' }), svc('b', { type: 'LoadBalancer', ports: [{ port: 80 }] })], [], DUAL);
    assert.deepEqual(a.status, { loadBalancer: { ingress: [{ ip: '172.18.0.240' }, { ip: 'fd00:172:18::f0' }] } });
    assert.deepEqual(b.status, { loadBalancer: { ingress: [{ ip: '172.18.0.241' }] } });
  });

  it('honours spec.loadBalancerIP and keeps it from others in the batch', () => {
    const out = admit([svc('a', { type: 'LoadBalancer', ports: [{ port: 80 }] }), web({ type: 'LoadBalancer', loadBalancerIP: '172.18.0.240' })]);
    assert.deepEqual(out.map((s) => s.status?.loadBalancer?.ingress?.[0].ip), ['172.18.0.241', '172.18.0.240']);
  });

  it('leaves the Service pending when the pool is full', () => {
    const config = { ...V4, loadBalancerPools: ['172.18.0.252/31'] };
    const out = admit([svc('a', { type: 'LoadBalancer', ports: [{ port: 80 }] }), svc('b', { type: 'LoadBalancer', ports: [{ port: 80 }] }), svc('c', { type: 'LoadBalancer', ports: [{ port: 80 }] })], [], config);
    assert.deepEqual(out.map((s) => s.status?.loadBalancer), [{ ingress: [{ ip: '172.18.0.252' }] }, { ingress: [{ ip: '172.18.0.253' }] }, {}]);
  });
});

describe('admitServices large batches', () => {
  it('admits 10,000 new Services with unique ClusterIPs and NodePorts, fixed values honoured', () => {
    // Every tenth Service fixes a ClusterIP and a NodePort that a dynamic pick before it would otherwise take.
    const objs = Array.from({ length: 10_000 }, (_, i) => svc(`s${i}`, i % 10 === 9
      ? { type: 'NodePort', clusterIP: `10.96.${(i >> 8) & 255}.${i & 255}`, ports: [{ port: 80, nodePort: 30000 + Math.floor(i / 10) }] }
      : { type: i % 8 === 0 ? 'NodePort' : 'ClusterIP', ipFamilyPolicy: i % 3 === 0 ? 'PreferDualStack' : undefined, ports: [{ port: 80 }] }));
    for (const o of objs) if (o.spec?.ipFamilyPolicy === undefined) delete o.spec?.ipFamilyPolicy;
    const out = admit(objs, [], DUAL, seededRandom(1));
    const ips = out.flatMap((s) => s.spec?.clusterIPs ?? []);
    assert.equal(new Set(ips).size, ips.length, 'ClusterIPs are unique');
    assert.ok(!ips.includes('10.96.0.1') && !ips.includes('10.96.0.10'), 'reserved addresses stay free');
    const ports = out.flatMap((s) => s.spec?.ports?.map((p) => p.nodePort) ?? []).filter((p) => p !== undefined);
    assert.equal(new Set(ports).size, ports.length, 'NodePorts are unique');
    assert.equal(ports.length, out.filter((s) => s.spec?.type === 'NodePort').length);
    out.forEach((s, i) => {
      if (i % 10 === 9) assert.equal(s.spec?.clusterIP, objs[i].spec?.clusterIP);
    });
  });
});

describe('admitServices updates', () => {
  it('re-applying the same manifest changes nothing', () => {
    const manifest = web({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', ipFamilyPolicy: 'PreferDualStack' });
    const [first] = stored([manifest], DUAL);
    assert.deepEqual(one(manifest, [first], DUAL), first);
    // Re-applying what `get -o yaml` shows is also a no-op.
    assert.deepEqual(one(structuredClone(first), [first], DUAL), first);
  });

  it('keeps allocations when a lower address, port or pool address has come free', () => {
    const all = stored([svc('a', { type: 'LoadBalancer', ports: [{ port: 80 }] }), web({ type: 'LoadBalancer' })]);
    const mine = all[1];
    const again = one(web({ type: 'LoadBalancer' }), [mine]);
    assert.equal(again.spec?.clusterIP, mine.spec?.clusterIP);
    assert.equal(again.spec?.ports?.[0].nodePort, mine.spec?.ports?.[0].nodePort);
    assert.deepEqual(again.status, mine.status);
  });

  it('keeps NodePorts by port name, and allocates for new ports', () => {
    const [old] = stored([svc('np', { type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] })]);
    const next = one(svc('np', { type: 'NodePort', ports: [{ name: 'b', port: 8081 }, { name: 'c', port: 82 }, { name: 'a', port: 80 }] }), [old]);
    assert.deepEqual(next.spec?.ports?.map((p) => [p.name, p.nodePort]), [['b', 30087], ['c', 30088], ['a', 30086]]);
  });

  it('moving to SingleStack on purpose releases the secondary IP and family', () => {
    const [old] = stored([web({ ipFamilyPolicy: 'RequireDualStack' })], DUAL);
    const next = one(web({ ipFamilyPolicy: 'SingleStack' }), [old], DUAL).spec as V1ServiceSpec;
    assert.deepEqual([next.clusterIPs, next.ipFamilies], [['10.96.1.1'], ['IPv4']]);
    const explicit = one(web({ ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4', 'IPv6'], clusterIP: '10.96.1.1', clusterIPs: ['10.96.1.1', 'fd00:10:96::101'] }), [old], DUAL).spec;
    assert.deepEqual([explicit?.clusterIPs, explicit?.ipFamilies], [['10.96.1.1'], ['IPv4']]);
  });

  it('going dual-stack keeps the primary address and adds one', () => {
    const [old] = stored([web()], DUAL);
    assert.deepEqual(one(web({ ipFamilyPolicy: 'PreferDualStack' }), [old], DUAL).spec?.clusterIPs, ['10.96.1.1', 'fd00:10:96::101']);
  });

  it('changing type frees what the new type does not use', () => {
    const [old] = stored([web({ type: 'LoadBalancer' })]);
    const ext = one(svc('web', { type: 'ExternalName', externalName: 'web.example.com' }), [old]);
    assert.equal(ext.spec?.clusterIP, undefined);
    assert.deepEqual(ext.status, { loadBalancer: {} });
    const plain = one(web(), [old]);
    assert.equal(plain.spec?.ports?.[0].nodePort, undefined);
    assert.equal(plain.spec?.clusterIP, old.spec?.clusterIP);
    // What the LoadBalancer held is free for the next Service.
    assert.equal(one(svc('b', { type: 'LoadBalancer', ports: [{ port: 80 }] }), [plain]).status?.loadBalancer?.ingress?.[0].ip, '172.18.0.240');
  });
});

describe('admitServices errors', () => {
  const tiny = { ...V4, serviceCIDRs: ['10.96.0.0/29'], nodePortRange: [30000, 30000] as [number, number] };
  const other = (spec: V1ServiceSpec) => [one(svc('other', { ports: [{ port: 80 }], ...spec }), [], DUAL)];
  const dualWeb = (spec: V1ServiceSpec) => [one(web(spec), [], DUAL)];
  /** [case, incoming, existing, config, field, problem (exact, or a fragment when it starts with '~')]. */
  const cases: [string, ServiceObject[], ServiceObject[], ClusterConfig, string, string][] = [
    ['fixed IP outside the range', [web({ clusterIP: '192.0.2.1' })], [], V4, 'spec.clusterIP',
      'failed to allocate IP 192.0.2.1: the provided IP (192.0.2.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12'],
    ['the network address', [web({ clusterIP: '10.96.0.0' })], [], V4, 'spec.clusterIP', '~is not in the valid range'],
    ['fixed IP of another Service', [web({ clusterIP: '10.96.0.50' })], other({ clusterIP: '10.96.0.50' }), DUAL, 'spec.clusterIP',
      'failed to allocate IP 10.96.0.50: provided IP is already allocated (to Service default/other)'],
    ['the same fixed IP twice in a batch', [svc('a', { clusterIP: '10.96.0.50', ports: [{ port: 80 }] }), web({ clusterIP: '10.96.0.50' })], [], V4, 'spec.clusterIP', '~(to Service default/a)'],
    ['secondary outside the range', [web({ clusterIP: '10.96.0.50', clusterIPs: ['10.96.0.50', 'fd00:99::1'], ipFamilyPolicy: 'RequireDualStack' })], [], DUAL, 'spec.clusterIPs[1]', '~The range of valid IPs is fd00:10:96::/108'],
    ['IPv6 clusterIP in an ipv4 lab', [web({ clusterIP: 'fd00:10:96::5' })], [], V4, 'spec.clusterIP', 'IPv6 is not configured on this cluster'],
    ['IPv6 family in an ipv4 lab', [web({ ipFamilies: ['IPv6'] })], [], V4, 'spec.ipFamilies[0]', 'IPv6 is not configured on this cluster'],
    ['SingleStack with two cluster IPs', [web({ ipFamilyPolicy: 'SingleStack', clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5', 'fd00:10:96::5'] })], [], DUAL,
      'spec.ipFamilyPolicy', "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"],
    ['SingleStack with two families', [web({ ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4', 'IPv6'] })], [], DUAL,
      'spec.ipFamilyPolicy', "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"],
    ['RequireDualStack in an ipv4 lab', [web({ ipFamilyPolicy: 'RequireDualStack' })], [], V4, 'spec.ipFamilyPolicy', '~this cluster is not configured for dual-stack services'],
    ['range full', [web()], [2, 3, 4, 5, 6].map((n) => svc(`s${n}`, { clusterIP: `10.96.0.${n}`, clusterIPs: [`10.96.0.${n}`], ipFamilies: ['IPv4'], ports: [{ port: 80 }] })), tiny, 'spec.clusterIP',
      'failed to allocate a serviceIP: range is full (10.96.0.0/29)'],
    ['nodePort outside the range', [web({ type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] })], [], V4, 'spec.ports[0].nodePort',
      '80: provided port is not in the valid range. The range of valid ports is 30000-32767'],
    ['nodePort of another Service', [web({ type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81, nodePort: 30080 }] })],
      other({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), V4, 'spec.ports[1].nodePort', '30080: provided port is already allocated (to Service default/other)'],
    ['nodePort range full', [web({ type: 'NodePort' })], [one(svc('other', { type: 'NodePort', ports: [{ port: 80 }] }), [], tiny)], tiny, 'spec.ports[0].nodePort',
      'failed to allocate a nodePort: range is full (30000-30000)'],
    ['health-check port of another Service', [web({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 30080 })],
      other({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), V4, 'spec.healthCheckNodePort', '~already allocated (to Service default/other)'],
    ['health-check port equal to own nodePort', [web({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 30080, ports: [{ port: 80, nodePort: 30080 }] })],
      [], V4, 'spec.healthCheckNodePort', "30080: provided port is already allocated (to this Service's spec.ports)"],
    ['health-check port range full', [web({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', allocateLoadBalancerNodePorts: false })],
      [one(svc('other', { type: 'NodePort', ports: [{ port: 80 }] }), [], tiny)], tiny, 'spec.healthCheckNodePort', 'failed to allocate a nodePort: range is full (30000-30000)'],
    ['loadBalancerIP outside the pool', [web({ type: 'LoadBalancer', loadBalancerIP: '172.18.0.5' })], [], V4, 'spec.loadBalancerIP', '172.18.0.5 is not in the load balancer pool 172.18.0.240/28'],
    ['loadBalancerIP of another Service', [web({ type: 'LoadBalancer', loadBalancerIP: '172.18.0.240' })], other({ type: 'LoadBalancer' }), DUAL, 'spec.loadBalancerIP',
      '172.18.0.240 is already assigned to Service default/other'],
    ['loadBalancerIP of a family the Service lacks', [web({ type: 'LoadBalancer', loadBalancerIP: 'fd00:172:18::f1' })], [], DUAL, 'spec.loadBalancerIP',
      "fd00:172:18::f1 is an IPv6 address, but the Service's ipFamilies are IPv4"],
    ['changing the clusterIP', [web({ clusterIP: '10.96.0.3' })], dualWeb({}), DUAL, 'spec.clusterIP', '~field is immutable: it is 10.96.1.1, not 10.96.0.3'],
    ['changing the secondary clusterIP', [web({ ipFamilyPolicy: 'RequireDualStack', clusterIP: '10.96.1.1', clusterIPs: ['10.96.1.1', 'fd00:10:96::9'] })],
      dualWeb({ ipFamilyPolicy: 'RequireDualStack' }), DUAL, 'spec.clusterIPs[1]', '~field is immutable'],
    ['headless to a ClusterIP', [web({ clusterIP: '10.96.0.3' })], dualWeb({ clusterIP: 'None' }), DUAL, 'spec.clusterIP', '~field is immutable: it is None'],
    ['releasing the secondary IP without SingleStack', [web({ clusterIP: '10.96.1.1', clusterIPs: ['10.96.1.1'] })], dualWeb({ ipFamilyPolicy: 'RequireDualStack' }), DUAL,
      'spec.ipFamilyPolicy', "must be 'SingleStack' to release the secondary cluster IP"],
    ['releasing the secondary family without SingleStack', [web({ ipFamilies: ['IPv4'] })], dualWeb({ ipFamilyPolicy: 'PreferDualStack' }), DUAL,
      'spec.ipFamilyPolicy', "must be 'SingleStack' to release the secondary IP family"],
    ['a fixed nodePort left on a Service turned ClusterIP', [web({ ports: [{ name: 'http', port: 80, nodePort: 30000 }] })], dualWeb({ type: 'NodePort' }), DUAL,
      'spec.ports[0].nodePort', "may not be used when `type` is 'ClusterIP'"],
  ];
  for (const [name, incoming, existing, config, field, problem] of cases) {
    it(name, () => {
      assert.throws(() => admit(incoming, existing, config), (e: unknown) => {
        assert.ok(e instanceof ManifestError, String(e));
        assert.equal(e.field, field, e.message);
        if (problem.startsWith('~')) assert.ok(e.problem.includes(problem.slice(1)), e.problem);
        else assert.equal(e.problem, problem);
        assert.match(e.message, /^svc\.yaml: Service default\/\S+: spec\.\S+: /);
        return true;
      });
    });
  }
});
