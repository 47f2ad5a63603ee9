import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Container, V1Pod } from '../api/types.js';
import { checkTargets, classify, judge, netexecPorts, summarizeFailures } from './check.js';
import type { ProbeResult } from './probe/types.js';

const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';

function pod(name: string, containers: Partial<V1Container>[], ips: string[] = [], phase = 'Running', namespace = 'default'): V1Pod {
  return {
    metadata: { name, namespace },
    spec: { containers: containers.map((c, i) => ({ name: `c${i}`, ...c })) },
    status: { phase, podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) },
  };
}

const netexec = (...flags: string[]): Partial<V1Container> => ({ image: AGNHOST, args: ['netexec', ...flags] });

describe('netexecPorts', () => {
  it('defaults to 8080/tcp and 8081/udp', () => {
    assert.deepEqual(netexecPorts(pod('a', [netexec()])), { port: 8080, udpPort: 8081 });
    assert.deepEqual(netexecPorts(pod('a', [{ image: AGNHOST, command: ['/agnhost', 'netexec'] }])), { port: 8080, udpPort: 8081 });
  });

  it('reads --http-port and --udp-port in their spellings', () => {
    assert.deepEqual(netexecPorts(pod('a', [netexec('--http-port=9000')])), { port: 9000, udpPort: 8081 });
    assert.deepEqual(netexecPorts(pod('a', [netexec('--http-port', '9000', '-udp-port=9001')])), { port: 9000, udpPort: 9001 });
  });

  it('a non-positive port disables that protocol', () => {
    assert.deepEqual(netexecPorts(pod('a', [netexec('--udp-port', '-1')])), { port: 8080, udpPort: undefined });
    assert.deepEqual(netexecPorts(pod('a', [netexec('--udp-port=-1')])), { port: 8080, udpPort: undefined });
    assert.deepEqual(netexecPorts(pod('a', [netexec('--http-port=0')])), { port: undefined, udpPort: 8081 });
  });

  it('finds the netexec container among others', () => {
    assert.deepEqual(netexecPorts(pod('a', [{ image: 'busybox', command: ['sleep', '1d'] }, netexec('--http-port=81')])), { port: 81, udpPort: 8081 });
  });

  it('is undefined for pods that do not run agnhost netexec', () => {
    assert.equal(netexecPorts(pod('a', [{ image: 'busybox', command: ['netexec'] }])), undefined);
    assert.equal(netexecPorts(pod('a', [{ image: AGNHOST, args: ['serve-hostname'] }])), undefined);
    assert.equal(netexecPorts(pod('a', [{ image: AGNHOST }])), undefined);
    assert.equal(netexecPorts({ metadata: { name: 'a' } }), undefined);
  });
});

describe('checkTargets', () => {
  const a = pod('a', [netexec()], ['10.244.0.2', 'fd00:10:244::2']);
  const b = pod('b', [netexec('--udp-port=-1')], ['10.244.1.2', 'fd00:10:244:1::2']);
  const c = pod('c', [netexec()], ['10.244.2.2'], 'Running', 'other');
  const pending = pod('d', [netexec()], ['10.244.2.3'], 'Pending');
  const plain = pod('e', [{ image: 'busybox', command: ['sleep', '1d'] }], ['10.244.2.4']);

  it('every running netexec pod probes every other one, on each pod IP, excluding itself', () => {
    const plan = checkTargets([a, b, c, pending, plain]);
    assert.deepEqual(plan.map((p) => p.pod), [a, b, c]);
    const [forA, forB, forC] = plan.map((p) => p.targets);
    const tA = (ip: string) => ({ id: 'default/a', ip, port: 8080, udpPort: 8081 });
    const tB = (ip: string) => ({ id: 'default/b', ip, port: 8080, udpPort: undefined });
    const tC = (ip: string) => ({ id: 'other/c', ip, port: 8080, udpPort: 8081 });
    assert.deepEqual(forA, [tB('10.244.1.2'), tB('fd00:10:244:1::2'), tC('10.244.2.2')]);
    assert.deepEqual(forB, [tA('10.244.0.2'), tA('fd00:10:244::2'), tC('10.244.2.2')]);
    assert.deepEqual(forC, [tA('10.244.0.2'), tA('fd00:10:244::2'), tB('10.244.1.2'), tB('fd00:10:244:1::2')]);
  });

  it('pods with the same name in different namespaces are different targets', () => {
    const x1 = pod('x', [netexec()], ['10.244.0.9'], 'Running', 'ns1');
    const x2 = pod('x', [netexec()], ['10.244.1.9'], 'Running', 'ns2');
    const plan = checkTargets([x1, x2]);
    assert.deepEqual(plan[0].targets.map((t) => t.id), ['ns2/x']);
    assert.deepEqual(plan[1].targets.map((t) => t.id), ['ns1/x']);
  });

  it('nothing to check without pods', () => {
    assert.deepEqual(checkTargets([]), []);
    assert.deepEqual(checkTargets([a]), [{ pod: a, targets: [] }]);
  });
});

describe('judge', () => {
  const from = pod('a', [netexec()], ['10.244.0.2', 'fd00:10:244::2']);
  const result = (r: Partial<ProbeResult>): ProbeResult => ({ target: 'default/b', ip: '10.244.1.2', protocol: 'TCP', ok: true, ms: 1, ...r });

  it('no failures when every probe is answered with one of the source pod IPs', () => {
    assert.deepEqual(judge(from, [
      result({ seen: '10.244.0.2' }),
      result({ ip: 'fd00:10:244:1::2', protocol: 'UDP', seen: 'fd00:10:244::2' }),
    ]), []);
    assert.deepEqual(judge(from, []), []);
  });

  it('a failed probe is a failure with its error', () => {
    assert.deepEqual(judge(from, [result({ ok: false, protocol: 'UDP', error: 'timeout' }), result({ ok: false })]), [
      { from: 'default/a', to: 'default/b', ip: '10.244.1.2', protocol: 'UDP', problem: 'timeout' },
      { from: 'default/a', to: 'default/b', ip: '10.244.1.2', protocol: 'TCP', problem: 'failed' },
    ]);
  });

  it('a source address other than the pod IP (NAT) is a failure', () => {
    const failures = judge(from, [result({ seen: '172.18.0.2' }), result({ seen: undefined }), result({ seen: '10.244.0.2' })]);
    assert.equal(failures.length, 2);
    assert.equal(failures[0].problem, 'target saw source 172.18.0.2, not the pod IP');
    assert.deepEqual({ ...failures[1], problem: '' }, { from: 'default/a', to: 'default/b', ip: '10.244.1.2', protocol: 'TCP', problem: '' });
  });
});

describe('failure classes and summary', () => {
  it('classifies the prober\'s errors', () => {
    assert.equal(classify('timeout'), 'timeout');
    assert.equal(classify('connect ECONNREFUSED 10.244.1.5:8080'), 'refused');
    assert.equal(classify('connect EHOSTUNREACH 10.244.1.5:8080'), 'unreachable');
    assert.equal(classify('send ENETUNREACH 10.244.1.5:8081'), 'unreachable');
    assert.equal(classify('socket hang up'), 'reset');
    assert.equal(classify('target saw source 10.244.0.1, not the pod IP'), 'wrong-source');
    assert.equal(classify('failed'), 'http-status');
    assert.equal(classify('EMFILE'), 'other');
  });

  it('counts failures by class, protocol and node pair, largest first', () => {
    const f = (from: string, to: string, protocol: string, problem: string) => ({ from, to, ip: '10.0.0.1', protocol, problem });
    const nodes: Record<string, string> = { 'a/x': 'node-1', 'a/y': 'node-2', 'a/z': 'node-2' };
    const lines = summarizeFailures([
      f('a/x', 'a/y', 'UDP', 'timeout'), f('a/x', 'a/z', 'UDP', 'timeout'), f('a/y', 'a/z', 'TCP', 'connect ECONNREFUSED 1.2.3.4:80'),
    ], (id) => nodes[id]);
    assert.deepEqual(lines, [
      'failed by class: timeout 2, refused 1',
      'failed by protocol: UDP 2, TCP 1',
      'failed by node pair: node-1 -> node-2 2, node-2 -> node-2 1',
    ]);
    assert.deepEqual(summarizeFailures([], () => undefined), []);
  });
});
