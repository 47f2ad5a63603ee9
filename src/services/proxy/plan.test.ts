// What the planned rules do, asserted by tracing packets through them (kube-proxy's approach), for
// each behaviour the proxy promises. Node under test: node-1 (172.18.0.2); pods 10.244.0.x live on
// node-1, 10.244.1.x on node-2, 10.244.2.x on node-3; 172.18.0.3 is a client outside the cluster.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planProxy, ProxyPlanCache } from './plan.js';
import { traceProxy, type TracePacket } from './tracer.js';
import { CONFIG_DUAL, input, slice, svc } from './fixtures.test-util.js';
import type { ProxyPlan } from './types.js';
import type { V1EndpointSlice, V1Service } from '../../api/types.js';

const POD = '10.244.0.9';
const OUTSIDE = '172.18.0.3';
const NODE = '172.18.0.2';

function trace(plan: ProxyPlan, src: string, dst: string, dport: number, more: Partial<TracePacket> = {}) {
  return traceProxy(plan, { src, dst, dport, proto: 'tcp', ...more });
}

const third = 1 / 3;
const np = (nodePort: number) => [{ name: 'http', port: 80, protocol: 'TCP', nodePort }];

describe('ClusterIP', () => {
  const plan = planProxy(input(
    [
      svc('web', ['10.96.0.20'], { ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }, { name: 'sig', port: 3868, protocol: 'SCTP' }] }),
      svc('one', ['10.96.0.21']),
      svc('draining', ['10.96.0.22']),
      svc('gone', ['10.96.0.23']),
      svc('empty', ['10.96.0.24']),
    ],
    [
      slice('web', ['10.244.0.5@node-1', '10.244.1.5@node-2', '10.244.2.5@node-3', '10.244.2.6@node-3!'],
        [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 5353, protocol: 'UDP' }, { name: 'sig', port: 3869, protocol: 'SCTP' }]),
      slice('one', ['10.244.1.7@node-2']),
      slice('draining', ['10.244.0.8@node-1~', '10.244.1.8@node-2!']),
      slice('gone', ['10.244.0.9@node-1!']),
    ],
  ));

  it('spreads evenly over the ready endpoints, each port to its target port', () => {
    const t = trace(plan, POD, '10.96.0.20', 80);
    assert.equal(t.verdict, 'dnat');
    assert.deepEqual(t.targets, { '10.244.0.5:8080': third, '10.244.1.5:8080': third, '10.244.2.5:8080': third });
    assert.equal(t.masquerade, 'none', 'pod sources are kept');
    assert.deepEqual(trace(plan, POD, '10.96.0.20', 53, { proto: 'udp' }).targets, { '10.244.0.5:5353': third, '10.244.1.5:5353': third, '10.244.2.5:5353': third });
    assert.deepEqual(Object.keys(trace(plan, POD, '10.96.0.20', 3868, { proto: 'sctp' }).targets).sort(), ['10.244.0.5:3869', '10.244.1.5:3869', '10.244.2.5:3869']);
  });

  it('does not match another protocol on the same port', () => {
    assert.equal(trace(plan, POD, '10.96.0.20', 80, { proto: 'udp' }).verdict, 'reject');
  });

  it('sends a single endpoint straight to it', () => {
    assert.deepEqual(trace(plan, POD, '10.96.0.21', 80).targets, { '10.244.1.7:8080': 1 });
  });

  it('falls back to serving terminating endpoints when none is ready; never to not-ready ones', () => {
    assert.deepEqual(trace(plan, POD, '10.96.0.22', 80).targets, { '10.244.0.8:8080': 1 });
    const gone = trace(plan, POD, '10.96.0.23', 80);
    assert.equal(gone.verdict, 'reject');
  });

  it('refuses at once without endpoints: from pods (forward), the node (output) and outside', () => {
    const fromPod = trace(plan, POD, '10.96.0.24', 80);
    assert.equal(fromPod.verdict, 'reject');
    assert.ok(fromPod.path.some((p) => p.startsWith('filter-forward: ')));
    assert.ok(fromPod.path.includes('reject-chain: reject'));
    assert.equal(trace(plan, NODE, '10.96.0.24', 80, { hook: 'output' }).verdict, 'reject');
    assert.equal(trace(plan, OUTSIDE, '10.96.0.24', 80).verdict, 'reject');
  });

  it('refuses a port the ClusterIP does not serve and drops addresses no Service has', () => {
    assert.equal(trace(plan, POD, '10.96.0.20', 81).verdict, 'reject');
    assert.equal(trace(plan, POD, '10.96.9.9', 80).verdict, 'drop');
    assert.equal(trace(plan, POD, '10.245.0.1', 80).verdict, 'accept', 'traffic outside the service range is not ours');
  });

  it('masquerades ClusterIP traffic from outside the pod network, and from the node itself', () => {
    assert.equal(trace(plan, OUTSIDE, '10.96.0.20', 80).masquerade, 'all');
    const node = trace(plan, NODE, '10.96.0.20', 80, { hook: 'output' });
    assert.equal(node.verdict, 'dnat');
    assert.equal(node.masquerade, 'all');
  });

  it('hairpin: a pod reaching itself through its Service is masqueraded, only then', () => {
    const t = trace(plan, '10.244.0.5', '10.96.0.20', 80);
    assert.equal(t.masquerade, 'some');
    for (const o of t.outcomes) assert.equal(o.masquerade, o.dnat === '10.244.0.5:8080', JSON.stringify(o));
    assert.ok(t.outcomes.find((o) => o.masquerade)?.path.some((p) => p.includes('@hairpin-v4')));
  });

  it('records UDP frontends for conntrack cleanup', () => {
    assert.deepEqual(plan.udp.map((u) => `${u.dst}:${u.port}>${u.endpoint}`), ['10.96.0.20:53>10.244.0.5', '10.96.0.20:53>10.244.1.5', '10.96.0.20:53>10.244.2.5']);
  });
});

describe('NodePort and LoadBalancer', () => {
  const plan = planProxy(input(
    [
      svc('front', ['10.96.1.1'], { type: 'LoadBalancer', ports: np(30080) }, { loadBalancer: { ingress: [{ ip: '172.18.0.240' }] } }),
      svc('keepsrc', ['10.96.1.2'], { type: 'LoadBalancer', externalTrafficPolicy: 'Local', externalIPs: ['192.0.2.7'], ports: np(30081) }, { loadBalancer: { ingress: [{ ip: '172.18.0.241' }] } }),
      svc('elsewhere', ['10.96.1.3'], { type: 'NodePort', externalTrafficPolicy: 'Local', ports: np(30082) }),
      svc('dark', ['10.96.1.4'], { type: 'NodePort', ports: np(30083) }),
    ],
    [
      slice('front', ['10.244.1.5@node-2', '10.244.2.5@node-3']),
      slice('keepsrc', ['10.244.0.6@node-1', '10.244.1.6@node-2']),
      slice('elsewhere', ['10.244.2.8@node-3']),
    ],
  ));

  it('externalTrafficPolicy Cluster: every endpoint, masqueraded, by NodePort or LoadBalancer address', () => {
    for (const [dst, port] of [[NODE, 30080], ['172.18.0.240', 80]] as const) {
      const t = trace(plan, OUTSIDE, dst, port);
      assert.deepEqual(t.targets, { '10.244.1.5:8080': 0.5, '10.244.2.5:8080': 0.5 }, `${dst}:${port}`);
      assert.equal(t.masquerade, 'all');
    }
  });

  it('NodePorts answer only on the node\'s own addresses', () => {
    assert.equal(trace(plan, OUTSIDE, '172.18.0.4', 30080).verdict, 'accept');
  });

  it('externalTrafficPolicy Local: outside clients reach this node\'s endpoints with their source kept', () => {
    for (const [dst, port] of [[NODE, 30081], ['172.18.0.241', 80], ['192.0.2.7', 80]] as const) {
      const t = trace(plan, OUTSIDE, dst, port);
      assert.deepEqual(t.targets, { '10.244.0.6:8080': 1 }, `${dst}:${port}`);
      assert.equal(t.masquerade, 'none');
    }
  });

  it('externalTrafficPolicy Local: pods and the node itself still reach every endpoint', () => {
    const pod = trace(plan, POD, '172.18.0.241', 80);
    assert.deepEqual(pod.targets, { '10.244.0.6:8080': 0.5, '10.244.1.6:8080': 0.5 });
    assert.equal(pod.masquerade, 'none');
    const node = trace(plan, NODE, NODE, 30081, { hook: 'output' });
    assert.deepEqual(node.targets, { '10.244.0.6:8080': 0.5, '10.244.1.6:8080': 0.5 });
    assert.equal(node.masquerade, 'all');
  });

  it('externalTrafficPolicy Local without a local endpoint: outside traffic is dropped, pods still served', () => {
    assert.equal(trace(plan, OUTSIDE, NODE, 30082).verdict, 'drop');
    assert.deepEqual(trace(plan, POD, NODE, 30082).targets, { '10.244.2.8:8080': 1 });
  });

  it('a NodePort without endpoints refuses (input hook)', () => {
    const t = trace(plan, OUTSIDE, NODE, 30083);
    assert.equal(t.verdict, 'reject');
    assert.ok(t.path.some((p) => p.startsWith('filter-input: ')));
  });

  it('node-originated traffic to NodePorts and LoadBalancer addresses is proxied', () => {
    assert.deepEqual(trace(plan, NODE, NODE, 30080, { hook: 'output' }).targets, { '10.244.1.5:8080': 0.5, '10.244.2.5:8080': 0.5 });
    assert.deepEqual(trace(plan, NODE, '172.18.0.240', 80, { hook: 'output' }).targets, { '10.244.1.5:8080': 0.5, '10.244.2.5:8080': 0.5 });
  });
});

describe('internalTrafficPolicy Local', () => {
  const plan = planProxy(input(
    [svc('cache', ['10.96.2.2']), svc('agent', ['10.96.2.3']), svc('none', ['10.96.2.4'])].map((s) => ({ ...s, spec: { ...s.spec, internalTrafficPolicy: 'Local' } })),
    [slice('cache', ['10.244.0.12@node-1', '10.244.1.12@node-2']), slice('agent', ['10.244.1.13@node-2'])],
  ));

  it('keeps ClusterIP traffic on this node', () => {
    assert.deepEqual(trace(plan, POD, '10.96.2.2', 80).targets, { '10.244.0.12:8080': 1 });
  });

  it('drops when only other nodes have endpoints, refuses when nobody has', () => {
    assert.equal(trace(plan, POD, '10.96.2.3', 80).verdict, 'drop');
    assert.equal(trace(plan, POD, '10.96.2.4', 80).verdict, 'reject');
  });
});

describe('ClientIP session affinity', () => {
  const plan = planProxy(input(
    [svc('cart', ['10.96.3.1'], { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } } })],
    [slice('cart', ['10.244.0.11@node-1', '10.244.1.11@node-2'])],
  ));
  const set = (ip: string) => `affinity4-default/cart/tcp/http__${ip}/8080`;

  it('a new client is spread and remembered for the configured time', () => {
    const t = trace(plan, POD, '10.96.3.1', 80);
    assert.deepEqual(t.targets, { '10.244.0.11:8080': 0.5, '10.244.1.11:8080': 0.5 });
    assert.ok(t.outcomes.every((o) => o.path.some((p) => p.includes('update @affinity4-'))));
    const s = plan.tables[0].sets.find((x) => x.name === set('10.244.1.11'));
    assert.deepEqual({ flags: s?.flags, timeout: s?.timeout }, { flags: ['dynamic', 'timeout'], timeout: 600 });
  });

  it('a remembered client goes back to its endpoint', () => {
    const t = traceProxy(plan, { src: POD, dst: '10.96.3.1', dport: 80, proto: 'tcp' }, { dynamicSets: { [set('10.244.1.11')]: [POD] } });
    assert.deepEqual(t.targets, { '10.244.1.11:8080': 1 });
  });

  it('defaults to 10800 s', () => {
    const p = planProxy(input([svc('s', ['10.96.3.2'], { sessionAffinity: 'ClientIP' })], [slice('s', ['10.244.0.1@node-1'])]));
    assert.equal(p.tables[0].sets.find((x) => x.name.startsWith('affinity4-'))?.timeout, 10800);
  });
});

describe('dual-stack', () => {
  const plan = planProxy(input(
    [svc('web', ['10.96.0.20', 'fd00:10:96::20'])],
    [slice('web', ['10.244.0.5@node-1']), slice('web', ['fd00:10:244::5@node-1', 'fd00:10:244:1::5@node-2'], undefined, { family: 6 })],
    { config: CONFIG_DUAL },
  ));

  it('each family goes to endpoints of its own family', () => {
    assert.deepEqual(trace(plan, 'fd00:10:244::9', 'fd00:10:96::20', 80).targets, { '[fd00:10:244::5]:8080': 0.5, '[fd00:10:244:1::5]:8080': 0.5 });
    assert.deepEqual(trace(plan, POD, '10.96.0.20', 80).targets, { '10.244.0.5:8080': 1 });
    assert.equal(trace(plan, 'fd00:172:18::3', 'fd00:10:96::20', 80).masquerade, 'all');
    assert.equal(trace(plan, 'fd00:10:244::9', 'fd00:10:96::99', 80).verdict, 'drop');
  });
});

describe('planProxy', () => {
  it('skips headless and ExternalName Services', () => {
    const plan = planProxy(input([svc('db', ['None']), { ...svc('search', []), spec: { type: 'ExternalName', externalName: 'x.example.com' } }], [slice('db', ['10.244.1.9@node-2'])]));
    const text = JSON.stringify(plan.tables);
    assert.doesNotMatch(text, /db|search|None/);
    assert.deepEqual(plan.warnings, []);
  });

  it('has as many chains and rules for 200 Services as for 2 (per-packet cost independent of Services)', () => {
    const many = (n: number) => planProxy(input(
      Array.from({ length: n }, (_, i) => svc(`s${i}`, [`10.96.${i >> 8}.${i & 255}`])),
      Array.from({ length: n }, (_, i) => slice(`s${i}`, [`10.244.1.${i % 250}@node-2`, `10.244.2.${i % 250}@node-3`, `10.244.0.${i % 250}@node-1`])),
    ));
    const shape = (p: ProxyPlan) => p.tables[0].chains.map((c) => `${c.name}:${c.rules.length}`);
    assert.deepEqual(shape(many(200)), shape(many(2)));
    assert.equal(many(200).tables[0].sets.find((s) => s.name === 'service-ips-v4')?.elements.length, 200);
  });

  it('is deterministic and independent of object order', () => {
    const services = [svc('a', ['10.96.0.1']), svc('b', ['10.96.0.2'], { type: 'NodePort', ports: np(30001) })];
    const slices = [slice('a', ['10.244.1.1@node-2', '10.244.0.1@node-1']), slice('b', ['10.244.2.2@node-3']), slice('a', ['10.244.2.1@node-3'], undefined, { name: 'a-2' })];
    assert.deepEqual(planProxy(input([...services].reverse(), [...slices].reverse())), planProxy(input(services, slices)));
  });

  it('matches slice ports by name and protocol and counts an address once', () => {
    const plan = planProxy(input(
      [svc('m', ['10.96.0.5'], { ports: [{ name: 'a', port: 80, protocol: 'TCP' }, { name: 'b', port: 81, protocol: 'TCP' }] })],
      [
        slice('m', ['10.244.0.1@node-1'], [{ name: 'a', port: 8080, protocol: 'TCP' }, { name: 'b', port: 8181, protocol: 'UDP' }]),
        slice('m', ['10.244.0.1@node-1'], [{ name: 'a', port: 8080, protocol: 'TCP' }], { name: 'm-dup' }),
      ],
    ));
    assert.deepEqual(trace(plan, POD, '10.96.0.5', 80).targets, { '10.244.0.1:8080': 1 });
    assert.equal(trace(plan, POD, '10.96.0.5', 81).verdict, 'reject', 'port b has no TCP endpoint');
  });

  it('warns, naming the field, about input it cannot program', () => {
    const plan = planProxy(input(
      [svc('v6', ['fd00:10:96::1']), svc('odd', ['10.96.0.7'], { ports: [{ name: 'x', port: 1, protocol: 'ICMP' }] }),
        svc('p1', ['10.96.0.8'], { type: 'NodePort', ports: np(30100) }), svc('p2', ['10.96.0.9'], { type: 'NodePort', ports: np(30100) })],
      [slice('p1', ['10.244.0.1@node-1']), slice('p2', ['10.244.0.2@node-1'])],
    ));
    assert.deepEqual(plan.warnings, [
      'Service default/odd: spec.ports[0].protocol: "ICMP" is not TCP, UDP or SCTP; skipped',
      'Service default/p2: spec.ports[0].nodePort: tcp . 30100 is already used by another Service; skipped',
      'Service default/v6: spec.clusterIPs: fd00:10:96::1 is not an address of the cluster\'s families (ipv4); skipped',
    ]);
  });

  it('gives the same plan with a cache, reusing unchanged Services', () => {
    const rv = <T extends { metadata?: { resourceVersion?: string } }>(o: T, v: number): T => ({ ...o, metadata: { ...o.metadata, resourceVersion: String(v) } });
    const cache = new ProxyPlanCache();
    let services = [rv(svc('a', ['10.96.0.1']), 1), rv(svc('b', ['10.96.0.2'], { type: 'NodePort', ports: np(30001) }), 2)];
    let slices = [rv(slice('a', ['10.244.1.1@node-2']), 3), rv(slice('b', ['10.244.0.2@node-1']), 4)];
    const same = (over: Partial<ReturnType<typeof input>> = {}) => {
      const inp = input(services, slices, over);
      assert.deepEqual(planProxy(inp, cache), planProxy(inp));
    };
    same();
    const a = cache.entries.get('default/a')?.fragment;
    slices = [slices[0], rv(slice('b', ['10.244.0.2@node-1', '10.244.2.2@node-3']), 5)];
    same();
    assert.equal(cache.entries.get('default/a')?.fragment, a, 'a did not change: its fragment is reused');
    services = [...services, rv(svc('c', ['10.96.0.3'], { type: 'NodePort', ports: np(30001) }), 6)];
    same();
    services = [services[0], services[2]];
    same();
    same({ node: { name: 'node-2', underlayIPs: ['172.18.0.3'] } });
    assert.equal(cache.entries.size, 2);
  });

  it('gives the same plan with a cache over 300 random changes (fuzz, fixed seed)', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    let version = 0;
    const versioned = <T extends { metadata?: { resourceVersion?: string } }>(o: T): T => ({ ...o, metadata: { ...o.metadata, resourceVersion: String(++version) } });
    const kinds = ['ClusterIP', 'NodePort', 'LoadBalancer'];
    const makeSvc = (i: number) => versioned(svc(`s${i}`, [`10.96.0.${i}`], {
      type: kinds[rand(3)],
      sessionAffinity: rand(5) === 0 ? 'ClientIP' : 'None',
      internalTrafficPolicy: rand(4) === 0 ? 'Local' : 'Cluster',
      externalTrafficPolicy: rand(3) === 0 ? 'Local' : 'Cluster',
      // Colliding NodePorts now and then: the first Service by name keeps it.
      ports: [{ name: 'http', port: 80, protocol: 'TCP', nodePort: 30000 + (rand(15) === 0 ? 0 : i) }, { name: 'dns', port: 53, protocol: 'UDP', nodePort: 31000 + i }],
    }, { loadBalancer: { ingress: [{ ip: `172.18.0.${240 + rand(4)}` }] } }));
    const makeSlice = (i: number) => versioned(slice(`s${i}`, Array.from({ length: rand(5) }, (_, j) => `10.244.${rand(3)}.${(i * 7 + j) % 250}@node-${rand(3) + 1}${['', '', '!', '~'][rand(4)]}`),
      [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 5353, protocol: 'UDP' }]));
    const services = new Map<number, V1Service>();
    const slices = new Map<number, V1EndpointSlice>();
    const cache = new ProxyPlanCache();
    let incremental = 0;
    for (let step = 0; step < 300; step++) {
      if (cache.state && !cache.conflicted) incremental++;
      const i = rand(20);
      const op = rand(4);
      if (op === 0) services.set(i, makeSvc(i));
      else if (op === 1) services.delete(i);
      else if (op === 2) slices.set(i, makeSlice(i));
      else slices.delete(i);
      const inp = input([...services.values()], [...slices.values()]);
      assert.deepEqual(planProxy(inp, cache), planProxy(inp), `step ${step}`);
    }
    assert.ok(incremental > 100, `the incremental path ran ${incremental} times`);
  });
});
