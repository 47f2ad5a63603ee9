import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod, V1PodStatus } from '@kubernetes/client-node';
import type { ContainerState } from '../../sys/supervisor.js';
import { podStatus } from './pod-status.js';

const HOST = ['172.18.0.2', 'fd00:172:18::2'];
const IPS = ['10.244.0.5', 'fd00:10:244::5'];

function pod(containers: string[], restartPolicy?: string): V1Pod {
  return {
    metadata: { name: 'p', namespace: 'default' },
    spec: { containers: containers.map((name) => ({ name, image: `img-${name}` })), restartPolicy },
  };
}

const waiting: ContainerState = { state: 'waiting', restartCount: 0, reason: 'ContainerCreating' };
const running = (pid = 100): ContainerState => ({ state: 'running', pid, startedAt: '2024-01-01T00:00:00Z', restartCount: 0 });
const exited = (exitCode: number): ContainerState => ({
  state: 'terminated', exitCode, reason: exitCode === 0 ? 'Completed' : 'Error',
  startedAt: '2024-01-01T00:00:00Z', finishedAt: '2024-01-01T00:00:05Z', restartCount: 0,
});

const states = (entries: Record<string, ContainerState>) => new Map(Object.entries(entries));
const condition = (s: V1PodStatus, type: string) => s.conditions?.find((c) => c.type === type)?.status;

describe('podStatus', () => {
  it('Pending while containers are waiting (or unknown to the runtime)', () => {
    const s = podStatus(pod(['a', 'b']), HOST, IPS, states({ a: waiting }));
    assert.equal(s.phase, 'Pending');
    assert.deepEqual(s.containerStatuses?.map((c) => c.state?.waiting?.reason), ['ContainerCreating', 'ContainerCreating']);
    assert.deepEqual(s.containerStatuses?.map((c) => [c.ready, c.started]), [[false, false], [false, false]]);
    assert.equal(condition(s, 'Ready'), 'False');
    assert.equal(condition(s, 'ContainersReady'), 'False');
    assert.equal(condition(s, 'PodScheduled'), 'True');
    assert.equal(condition(s, 'Initialized'), 'True');
    assert.equal(s.reason, undefined);
  });

  it('Running (not Pending) while a container that has run before waits in CrashLoopBackOff', () => {
    const backoff: ContainerState = { state: 'waiting', reason: 'CrashLoopBackOff', restartCount: 3 };
    const s = podStatus(pod(['a'], 'Always'), HOST, IPS, states({ a: backoff }));
    assert.equal(s.phase, 'Running');
    assert.equal(s.containerStatuses?.[0].state?.waiting?.reason, 'CrashLoopBackOff');
    assert.equal(condition(s, 'Ready'), 'False');
  });

  it('Running when a container runs; Ready only when all do', () => {
    const some = podStatus(pod(['a', 'b']), HOST, IPS, states({ a: running(), b: waiting }));
    assert.equal(some.phase, 'Running');
    assert.equal(condition(some, 'Ready'), 'False');

    const all = podStatus(pod(['a', 'b']), HOST, IPS, states({ a: running(41), b: running(42) }));
    assert.equal(all.phase, 'Running');
    assert.equal(condition(all, 'Ready'), 'True');
    assert.equal(condition(all, 'ContainersReady'), 'True');
    const a = all.containerStatuses![0];
    assert.equal(a.name, 'a');
    assert.equal(a.image, 'img-a');
    assert.equal(a.ready, true);
    assert.equal(a.started, true);
    assert.equal(a.containerID, 'podnet://41');
    assert.deepEqual(a.state?.running?.startedAt, new Date('2024-01-01T00:00:00Z'));
  });

  it('reports addresses: podIP/hostIP are the first of each list', () => {
    const s = podStatus(pod(['a']), HOST, IPS, states({ a: running() }));
    assert.equal(s.podIP, '10.244.0.5');
    assert.deepEqual(s.podIPs, [{ ip: '10.244.0.5' }, { ip: 'fd00:10:244::5' }]);
    assert.equal(s.hostIP, '172.18.0.2');
    assert.deepEqual(s.hostIPs, [{ ip: '172.18.0.2' }, { ip: 'fd00:172:18::2' }]);

    const none = podStatus(pod(['a']), [], [], states({}));
    assert.equal(none.podIP, undefined);
    assert.deepEqual(none.podIPs, []);
  });

  it('restartPolicy Never: Succeeded when all exit 0, Failed otherwise', () => {
    const ok = podStatus(pod(['a', 'b'], 'Never'), HOST, IPS, states({ a: exited(0), b: exited(0) }));
    assert.equal(ok.phase, 'Succeeded');
    assert.equal(condition(ok, 'Ready'), 'False');
    const t = ok.containerStatuses![0].state?.terminated;
    assert.equal(t?.exitCode, 0);
    assert.equal(t?.reason, 'Completed');
    assert.deepEqual(t?.finishedAt, new Date('2024-01-01T00:00:05Z'));

    const bad = podStatus(pod(['a', 'b'], 'Never'), HOST, IPS, states({ a: exited(0), b: exited(2) }));
    assert.equal(bad.phase, 'Failed');
    assert.equal(bad.containerStatuses![1].state?.terminated?.exitCode, 2);

    // Not all containers done yet: still Running.
    const partial = podStatus(pod(['a', 'b'], 'Never'), HOST, IPS, states({ a: exited(1), b: running() }));
    assert.equal(partial.phase, 'Running');
  });

  it('restartPolicy OnFailure: Succeeded when all exit 0, Running while a failed one restarts', () => {
    assert.equal(podStatus(pod(['a'], 'OnFailure'), HOST, IPS, states({ a: exited(0) })).phase, 'Succeeded');
    assert.equal(podStatus(pod(['a'], 'OnFailure'), HOST, IPS, states({ a: exited(1) })).phase, 'Running');
  });

  it('restartPolicy Always (the default): exited containers keep the pod Running', () => {
    assert.equal(podStatus(pod(['a']), HOST, IPS, states({ a: exited(0) })).phase, 'Running');
    assert.equal(podStatus(pod(['a'], 'Always'), HOST, IPS, states({ a: exited(1) })).phase, 'Running');
  });

  it('carries restart counts', () => {
    const s = podStatus(pod(['a']), HOST, IPS, states({ a: { ...running(), restartCount: 3 } }));
    assert.equal(s.containerStatuses![0].restartCount, 3);
  });

  it('a sandbox error keeps the pod Pending with the reason and message', () => {
    const s = podStatus(pod(['a']), HOST, [], states({ a: waiting }), 'CNI ADD failed: no addresses');
    assert.equal(s.phase, 'Pending');
    assert.equal(s.reason, 'CreatePodSandboxError');
    assert.equal(s.message, 'CNI ADD failed: no addresses');
    assert.deepEqual(s.containerStatuses![0].state?.waiting, { reason: 'CreateContainerError', message: 'CNI ADD failed: no addresses' });
  });

  it('keeps the pod start time once set', () => {
    const start = new Date('2023-05-05T00:00:00Z');
    const p = { ...pod(['a']), status: { startTime: start } };
    assert.equal(podStatus(p, HOST, IPS, states({})).startTime, start);
    assert.ok(podStatus(pod(['a']), HOST, IPS, states({})).startTime instanceof Date);
  });

  it('probe results decide ready and started; containers without an entry are ready when running', () => {
    const probes = new Map([['a', { started: true, ready: false }], ['b', { started: false, ready: false }]]);
    const s = podStatus(pod(['a', 'b', 'c']), HOST, IPS, states({ a: running(1), b: running(2), c: running(3) }), undefined, probes);
    assert.deepEqual(s.containerStatuses?.map((c) => [c.name, c.started, c.ready]), [['a', true, false], ['b', false, false], ['c', true, true]]);
    const ready = s.conditions?.find((c) => c.type === 'Ready');
    assert.deepEqual({ ...ready, lastTransitionTime: undefined }, {
      type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [a b]', lastTransitionTime: undefined,
    });
    assert.equal(s.conditions?.find((c) => c.type === 'ContainersReady')?.message, 'containers with unready status: [a b]');

    // A probe result of ready never makes a container that is not running ready.
    const stopped = podStatus(pod(['a']), HOST, IPS, states({ a: exited(1) }), undefined, new Map([['a', { started: true, ready: true }]]));
    assert.equal(stopped.containerStatuses?.[0].ready, false);
  });

  it('ContainersReady and Ready are True without reason once all are ready; PodCompleted when Succeeded', () => {
    const s = podStatus(pod(['a']), HOST, IPS, states({ a: running() }), undefined, new Map([['a', { started: true, ready: true }]]));
    assert.deepEqual(s.conditions?.filter((c) => c.type.endsWith('Ready')).map((c) => [c.type, c.status, c.reason]), [['ContainersReady', 'True', undefined], ['Ready', 'True', undefined]]);
    const done = podStatus(pod(['a'], 'Never'), HOST, IPS, states({ a: exited(0) }));
    assert.deepEqual(done.conditions?.filter((c) => c.type.endsWith('Ready')).map((c) => [c.status, c.reason]), [['False', 'PodCompleted'], ['False', 'PodCompleted']]);
  });

  it('a condition keeps its lastTransitionTime until its status changes', () => {
    const t1 = new Date('2024-01-01T00:00:01Z');
    const t2 = new Date('2024-01-01T00:00:02Z');
    const t3 = new Date('2024-01-01T00:00:03Z');
    const p = pod(['a']);
    const notReady = new Map([['a', { started: true, ready: false }]]);
    p.status = podStatus(p, HOST, IPS, states({ a: running() }), undefined, notReady, t1);
    p.status = podStatus(p, HOST, IPS, states({ a: running() }), undefined, notReady, t2);
    const at = (type: string) => p.status?.conditions?.find((c) => c.type === type)?.lastTransitionTime;
    assert.deepEqual([at('Ready'), at('PodScheduled')], [t1, t1]);
    p.status = podStatus(p, HOST, IPS, states({ a: running() }), undefined, new Map(), t3);
    assert.deepEqual([at('Ready'), at('ContainersReady'), at('PodScheduled')], [t3, t3, t1]);
  });

  it('readiness gates: Ready waits for their conditions, which are kept as others set them', () => {
    const p = { ...pod(['a']), spec: { ...pod(['a']).spec!, readinessGates: [{ conditionType: 'example.com/lb' }] } };
    const s = podStatus(p, HOST, IPS, states({ a: running() }));
    const ready = s.conditions?.find((c) => c.type === 'Ready');
    assert.deepEqual([ready?.status, ready?.reason, ready?.message], ['False', 'ReadinessGatesNotReady', 'corresponding condition of pod readiness gate "example.com/lb" does not exist.']);
    assert.equal(condition(s, 'ContainersReady'), 'True');
    p.status = { conditions: [{ type: 'example.com/lb', status: 'True' }] };
    const gated = podStatus(p, HOST, IPS, states({ a: running() }));
    assert.equal(condition(gated, 'Ready'), 'True');
    assert.equal(condition(gated, 'example.com/lb'), 'True');
  });
});
