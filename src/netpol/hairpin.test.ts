// Hairpin (a pod to itself through its own Service VIP) and node rows (a node's own traffic to
// pods): the model's verdicts and words, the matrix cells, and the compiled rules agreeing with the
// model on them, traced packet by packet.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1NetworkPolicy } from '../api/types.js';
import { explain } from './explain.js';
import { flowAllowed, parseConntrack } from './conntrack.js';
import { compareMatrices, matrix, matrixFromJSON, matrixJSON, parseMatrix, renderMatrix } from './matrix.js';
import { HAIRPIN_SUMMARY, PolicyModel } from './model.js';
import { planPolicy } from './plan.js';
import { servicesFromV1 } from './services.js';
import { tracePlan } from './trace.js';
import type { PolicyWorld, ServiceInfo } from './types.js';

const np = (name: string, spec: Record<string, unknown>) => ({ metadata: { namespace: 'x', name }, spec }) as V1NetworkPolicy;
const svc = (name: string, ip: string, endpoints: string[]): ServiceInfo =>
  ({ namespace: 'x', name, ips: [ip], ports: [{ port: 8000, protocol: 'TCP', endpoints: endpoints.map((e) => ({ ip: e, port: 80 })) }] });

// x/a and x/b on n1, y/c on n2; x/a has its own Service, x/b shares one with y/c.
const world = (policies: V1NetworkPolicy[]): PolicyWorld => ({
  namespaces: [{ name: 'x', labels: { 'kubernetes.io/metadata.name': 'x' } }, { name: 'y', labels: { 'kubernetes.io/metadata.name': 'y' } }],
  pods: [
    { namespace: 'x', name: 'a', labels: { pod: 'a', app: 'same' }, node: 'n1', ips: ['10.244.1.2'], ports: [{ port: 80, protocol: 'TCP' }] },
    { namespace: 'x', name: 'b', labels: { pod: 'b', app: 'same' }, node: 'n1', ips: ['10.244.1.3'], ports: [{ port: 80, protocol: 'TCP' }] },
    { namespace: 'y', name: 'c', labels: { pod: 'c' }, node: 'n2', ips: ['10.244.2.2'], ports: [{ port: 80, protocol: 'TCP' }] },
  ],
  nodes: [{ name: 'n1', ips: ['172.18.0.2', '10.244.1.1'] }, { name: 'n2', ips: ['172.18.0.3', '10.244.2.1'] }],
  services: [svc('s-a', '10.96.0.10', ['10.244.1.2']), svc('both', '10.96.0.11', ['10.244.1.3', '10.244.2.2'])],
  policies,
});
const DENY_ALL = [np('deny-all', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] })];
const SAME_LABELS = [np('same', { podSelector: { matchLabels: { app: 'same' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'same' } } }] }] })];
const OTHER_NS = [np('from-y', { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'y' } } }] }] })];

describe('hairpin in the model', () => {
  it('a pod to its own Service VIP is allowed under deny-all, in both directions, with the reason', () => {
    const v = new PolicyModel(world(DENY_ALL)).allowed('x/a', '10.96.0.10', 8000, 'TCP');
    assert.equal(v.allowed, true);
    assert.equal(v.dst, 'service x/s-a (10.96.0.10)');
    assert.deepEqual(v.via?.backends, [{ endpoint: 'x/a (10.244.1.2)', port: 80, allowed: true, hairpin: true }]);
    assert.equal(v.egress.summary, HAIRPIN_SUMMARY);
    assert.equal(v.ingress.summary, HAIRPIN_SUMMARY);
  });

  it('a VIP is judged on every endpoint after DNAT: denied if any endpoint is', () => {
    const m = new PolicyModel(world(OTHER_NS));
    const v = m.allowed('x/a', '10.96.0.11', 8000, 'TCP');
    assert.equal(v.allowed, false);
    assert.deepEqual(v.via?.backends.map((b) => [b.endpoint, b.allowed, b.hairpin]), [['x/b (10.244.1.3)', false, false], ['y/c (10.244.2.2)', true, false]]);
    assert.match(v.ingress.summary, /x\/b is isolated for ingress by 1 policy/);
    const self = m.allowed('y/c', '10.96.0.11', 8000, 'TCP');
    assert.deepEqual(self.via?.backends.map((b) => [b.endpoint, b.allowed, b.hairpin]), [['x/b (10.244.1.3)', true, false], ['y/c (10.244.2.2)', true, true]]);
    assert.equal(m.allowed('y/c', '10.96.0.10', 8000, 'TCP').allowed, true, 'y/c is allowed into x by from-y');
    assert.equal(m.allowed('x/b', '10.96.0.10', 8000, 'TCP').allowed, false, 'x/b is not from y');
  });

  it('a VIP without the port or without endpoints is denied, saying why', () => {
    const m = new PolicyModel({ ...world([]), services: [svc('empty', '10.96.0.12', [])] });
    assert.match(m.allowed('x/a', '10.96.0.12', 8000, 'TCP').ingress.summary, /no ready endpoint for 8000\/TCP: the proxy rejects it/);
    assert.match(m.allowed('x/a', '10.96.0.12', 9, 'TCP').ingress.summary, /has no port 9\/TCP/);
  });

  it('hairpinTarget is a VIP whose only endpoint is the pod on that port', () => {
    const m = new PolicyModel(world([]));
    const pod = (k: string) => m.index.pod(k)!;
    assert.deepEqual(m.hairpinTarget(pod('x/a'), 80, 'TCP', 4), { service: 'x/s-a', ip: '10.96.0.10', port: 8000 });
    assert.equal(m.hairpinTarget(pod('x/a'), 81, 'TCP', 4), undefined);
    assert.equal(m.hairpinTarget(pod('x/a'), 80, 'UDP', 4), undefined);
    assert.equal(m.hairpinTarget(pod('x/b'), 80, 'TCP', 4), undefined, 'x/b shares its Service with y/c');
  });
});

describe('node rows in the model', () => {
  it('a node reaches its own isolated pods, not another node\'s; an ipBlock can let a node in', () => {
    const m = new PolicyModel(world(DENY_ALL));
    const own = m.allowed('node/n1', 'x/a', 80, 'TCP');
    assert.equal(own.allowed, true);
    assert.match(own.ingress.summary, /traffic from x\/a's own node is always allowed \(probes\)/);
    assert.equal(own.src, 'node n1 (172.18.0.2)');
    assert.equal(m.allowed('node/n2', 'x/a', 80, 'TCP').allowed, false);
    const block = new PolicyModel(world([np('nodes', { podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '172.18.0.0/24' } }] }] })]));
    assert.equal(block.allowed('node/n2', 'x/a', 80, 'TCP').allowed, true);
    assert.throws(() => m.allowed('node/n9', 'x/a', 80, 'TCP'), /node n9 not found/);
  });
});

describe('explain: hairpin and node wording', () => {
  it('names the Service, each endpoint and the hairpin rule', () => {
    const out = explain(world(DENY_ALL), 'x/a', '10.96.0.10', '8000/TCP');
    assert.equal(out.split('\n')[0], 'x/a (10.244.1.2) -> service x/s-a (10.96.0.10) 8000/TCP: ALLOWED');
    assert.match(out, /through service x\/s-a: rules judge it after DNAT, on the endpoint the proxy picks \(1 endpoint\):\n {2}x\/a \(10\.244\.1\.2\) port 80: allowed \(hairpin: the source itself\)\n/);
    assert.match(out, /\negress: allowed: hairpin: a pod reaching itself through a Service VIP is always allowed/);
    const node = explain(world(DENY_ALL), 'node/n2', 'x/a', '80/TCP');
    assert.match(node, /^node n2 \(172\.18\.0\.3\) -> x\/a \(10\.244\.1\.2\) 80\/TCP: DENIED\n/);
    assert.match(node, /ingress: denied: x\/a is isolated for ingress by 1 policy and no rule allows it/);
  });
});

describe('matrix with node rows and a hairpin diagonal', () => {
  const m = matrix(world(DENY_ALL), { port: 80, protocol: 'TCP', nodes: ['n1', 'n2'], hairpin: true });

  it('adds a row per node and judges the diagonal through the pod\'s VIP', () => {
    assert.equal(renderMatrix(m), '-\tx/a\tx/b\ty/c\nx/a\t.\tX\tX\nx/b\tX\t.\tX\ny/c\tX\tX\t.\nnode/n1\t.\t.\t.\nnode/n2\tX\tX\t.\n');
    assert.deepEqual(matrixFromJSON(matrixJSON(m)), m);
    assert.deepEqual(parseMatrix(renderMatrix(m)), { pods: m.pods, nodes: m.nodes, allowed: m.allowed });
  });

  it('compares the hairpin diagonal and node rows, which a loopback diagonal does not', () => {
    const flipped = { ...m, allowed: m.allowed.map((r) => [...r]) };
    flipped.allowed[0][0] = false;
    flipped.allowed[4][0] = true;
    const diff = compareMatrices(m, flipped);
    assert.deepEqual(diff.mismatches.map((x) => `${x.from}->${x.to}`), ['x/a->x/a', 'node/n2->x/a']);
    assert.deepEqual(compareMatrices({ ...m, diagonal: undefined }, { ...flipped, diagonal: undefined }).mismatches.map((x) => x.from), ['node/n2']);
    assert.throws(() => compareMatrices(m, { ...m, nodes: ['node/n1'], allowed: m.allowed.slice(0, 4) }), /different rows/);
    assert.throws(() => parseMatrix('-\tx/a\nx/a\t.\nother\t.\n'), /row other comes after the 1 pod rows but is not node\/NAME/);
  });
});

describe('the rules agree with the model on hairpin and node cells', () => {
  for (const [name, policies] of [['deny-all', DENY_ALL], ['allow same labels', SAME_LABELS], ['allow from another namespace only', OTHER_NS]] as const) {
    it(name, () => {
      const w = world([...policies]);
      const model = new PolicyModel(w);
      const plans = { n1: planPolicy({ ...w, node: { name: 'n1' } }), n2: planPolicy({ ...w, node: { name: 'n2' } }) };
      for (const pod of w.pods) {
        // Hairpin: after DNAT the forward hook of the pod's node sees pod -> pod, conntrack marked dnat.
        const ip = pod.ips[0];
        const traced = tracePlan(plans[pod.node as 'n1' | 'n2'], { hook: 'forward', src: ip, dst: ip, protocol: 'TCP', dport: 80, dnat: true });
        const target = model.hairpinTarget(pod, 80, 'TCP', 4);
        const predicted = target ? model.allowed(`${pod.namespace}/${pod.name}`, target.ip, target.port, 'TCP').allowed : true;
        assert.equal(traced.verdict === 'accept', predicted, `hairpin ${pod.namespace}/${pod.name}: ${traced.steps.join('; ')}`);
        // Another node's traffic is forwarded by the pod's node; its own leaves through output (unpoliced).
        for (const node of w.nodes!) {
          const src = node.ips[0];
          const hook = node.name === pod.node ? 'output' : 'forward';
          const t = tracePlan(plans[pod.node as 'n1' | 'n2'], { hook, src, dst: ip, protocol: 'TCP', dport: 80, local: w.nodes!.find((n) => n.name === pod.node)!.ips });
          assert.equal(t.verdict === 'accept', model.allowed(`node/${node.name}`, `${pod.namespace}/${pod.name}`, 80, 'TCP').allowed, `node/${node.name} -> ${pod.name}`);
        }
      }
      // Without DNAT a packet from a pod to itself is no hairpin: the set alone does not open it.
      const a = w.pods[0].ips[0];
      if (name === 'deny-all') assert.equal(tracePlan(plans.n1, { hook: 'forward', src: a, dst: a, protocol: 'TCP', dport: 80 }).verdict, 'drop');
    });
  }
});

describe('conntrack: hairpin flows are never cut', () => {
  it('a pod to itself through its VIP stays allowed under deny-all; the same VIP from another pod does not', () => {
    const m = new PolicyModel(world(DENY_ALL));
    const [self, other] = parseConntrack([
      'tcp      6 117 ESTABLISHED src=10.244.1.2 dst=10.96.0.10 sport=40000 dport=8000 src=10.244.1.2 dst=10.244.1.1 sport=80 dport=40000 [ASSURED] mark=0 use=1',
      'tcp      6 117 ESTABLISHED src=10.244.1.3 dst=10.96.0.10 sport=40001 dport=8000 src=10.244.1.2 dst=10.244.1.3 sport=80 dport=40001 [ASSURED] mark=0 use=1',
    ].join('\n'));
    assert.equal(flowAllowed(m, self), true);
    assert.equal(flowAllowed(m, other), false);
  });
});

describe('servicesFromV1', () => {
  it('maps each Service port to the ready endpoints of its slices, by port name', () => {
    const out = servicesFromV1(
      [{ metadata: { namespace: 'x', name: 's' }, spec: { clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] } },
        { metadata: { namespace: 'x', name: 'headless' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } }],
      [{ addressType: 'IPv4', metadata: { namespace: 'x', name: 's-1', labels: { 'kubernetes.io/service-name': 's' } },
        ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 5353, protocol: 'UDP' }],
        endpoints: [{ addresses: ['10.244.1.2'], conditions: { ready: true } }, { addresses: ['10.244.1.3'], conditions: { ready: false } }] }],
    );
    assert.deepEqual(out, [{ namespace: 'x', name: 's', ips: ['10.96.0.5'], ports: [
      { port: 80, protocol: 'TCP', endpoints: [{ ip: '10.244.1.2', port: 8080 }] },
      { port: 53, protocol: 'UDP', endpoints: [{ ip: '10.244.1.2', port: 5353 }] },
    ] }]);
  });
});
