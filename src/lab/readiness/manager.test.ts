import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Container, V1Pod } from '../../api/types.js';
import type { ContainerState } from '../../sys/supervisor.js';
import { ReadinessManager, type ProbedPod } from './manager.js';
import type { ProberCommand, ProberEvent } from './types.js';

interface FakeProber {
  node: string;
  sent: ProberCommand[];
  emit(ev: Partial<ProberEvent> & Pick<ProberEvent, 'id' | 'instance' | 'probe' | 'result'>): void;
  die(): void;
  stopped: boolean;
}

function setup(restartDelayMs = 1) {
  const probers: FakeProber[] = [];
  const changes: string[] = [];
  const logs: string[] = [];
  let clock = 5000;
  const m = new ReadinessManager({
    startProber: async (node, onLine, onExit) => {
      const p: FakeProber = {
        node, sent: [], stopped: false,
        emit: (ev) => onLine(JSON.stringify({ at: clock - 3, ...ev })),
        die: () => onExit('exited with 1'),
      };
      probers.push(p);
      return { send: (line) => p.sent.push(JSON.parse(line) as ProberCommand), stop: () => (p.stopped = true) };
    },
    onChange: (key) => changes.push(key),
    log: (line) => logs.push(line),
    now: () => clock,
    restartDelayMs,
  });
  return { m, probers, changes, logs, tick: (ms: number) => (clock += ms) };
}

function sandbox(containers: V1Container[], node = 'node-1') {
  const kills: [string, number, number][] = [];
  const sb: ProbedPod = {
    pod: { metadata: { name: 'web', namespace: 'shop' }, spec: { containers, terminationGracePeriodSeconds: 2 } } as V1Pod,
    namespace: 'shop', name: 'web', node: { name: node }, ips: ['10.244.1.7'],
    execPrefix: ['enter'], env: new Map([['app', { A: '1' }]]),
    killContainer: async (name, pid, graceMs) => void kills.push([name, pid, graceMs]),
  };
  return { sb, kills };
}

const running = (pid: number): ContainerState => ({ state: 'running', pid, startedAt: '2024-01-01T00:00:00.000Z', restartCount: 0 });
const exited: ContainerState = { state: 'terminated', exitCode: 1, restartCount: 1 };
const ready = { name: 'app', image: 'x', readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 1 } };

describe('ReadinessManager', () => {
  it('tracks a running container with probes on its node; unready until the prober says so', async () => {
    const { m, probers, changes } = setup();
    await m.start(['node-1', 'node-2']);
    const { sb } = sandbox([ready, { name: 'plain', image: 'x' }], 'node-2');
    m.containerChanged(sb, 'app', running(41));
    m.containerChanged(sb, 'plain', running(42));
    assert.deepEqual(probers[0].sent, []);
    assert.equal(probers[1].sent.length, 1);
    const cmd = probers[1].sent[0];
    assert.ok(cmd.op === 'track');
    assert.equal(cmd.id, 'shop/web/app');
    assert.equal(cmd.instance, 41);
    assert.equal(cmd.startedAt, Date.parse('2024-01-01T00:00:00.000Z'));
    assert.deepEqual(cmd.probes.readiness?.action, { type: 'tcp', host: '10.244.1.7', port: 80 });
    // A container without probes is absent: podStatus treats it as ready when running.
    assert.deepEqual([...m.readiness('shop/web')], [['app', { started: true, ready: false }]]);

    probers[1].emit({ id: 'shop/web/app', instance: 41, probe: 'readiness', result: 'success' });
    assert.deepEqual(changes, ['shop/web']);
    assert.deepEqual(m.readiness('shop/web').get('app'), { started: true, ready: true });
    assert.deepEqual(m.flipLatencies(), [3]);
    m.stop();
    assert.ok(probers.every((p) => p.stopped));
  });

  it('a new run starts unready and replaces the old; reports about the old run are ignored', async () => {
    const { m, probers, changes } = setup();
    await m.start(['node-1']);
    const { sb } = sandbox([ready]);
    m.containerChanged(sb, 'app', running(41));
    probers[0].emit({ id: 'shop/web/app', instance: 41, probe: 'readiness', result: 'success' });
    m.containerChanged(sb, 'app', exited);
    assert.deepEqual(probers[0].sent.map((c) => c.op), ['track', 'untrack']);
    assert.deepEqual(m.readiness('shop/web').get('app'), { started: false, ready: false });
    m.containerChanged(sb, 'app', running(43));
    m.containerChanged(sb, 'app', running(43)); // the same run again: nothing new
    assert.deepEqual(probers[0].sent.map((c) => [c.op, c.op === 'track' ? c.instance : '-']), [['track', 41], ['untrack', '-'], ['track', 43]]);
    probers[0].emit({ id: 'shop/web/app', instance: 41, probe: 'readiness', result: 'success' });
    assert.equal(m.readiness('shop/web').get('app')?.ready, false);
    assert.deepEqual(changes, ['shop/web']);
  });

  it('a failed liveness or startup probe kills that run with the probe grace', async () => {
    const { m, probers, logs } = setup();
    await m.start(['node-1']);
    const { sb, kills } = sandbox([{
      name: 'app', image: 'x', livenessProbe: { exec: { command: ['true'] }, terminationGracePeriodSeconds: 1 },
      startupProbe: { exec: { command: ['true'] } },
    }]);
    m.containerChanged(sb, 'app', running(41));
    const cmd = probers[0].sent[0];
    assert.ok(cmd.op === 'track' && cmd.probes.liveness?.action.type === 'exec');
    assert.deepEqual(cmd.probes.liveness?.action, { type: 'exec', argv: ['enter', 'true'], env: { A: '1' } });
    assert.deepEqual(m.readiness('shop/web').get('app'), { started: false, ready: false });
    probers[0].emit({ id: 'shop/web/app', instance: 41, probe: 'startup', result: 'success' });
    assert.deepEqual(m.readiness('shop/web').get('app'), { started: true, ready: true });
    probers[0].emit({ id: 'shop/web/app', instance: 41, probe: 'liveness', result: 'failure', message: 'boom' });
    probers[0].emit({ id: 'shop/web/app', instance: 99, probe: 'startup', result: 'failure' }); // stale: ignored
    assert.deepEqual(kills, [['app', 41, 1000]]);
    assert.match(logs.join('\n'), /shop\/web\/app: liveness probe failed \(boom\); killing pid 41/);
  });

  it('untrack stops probing the pod and forgets it', async () => {
    const { m, probers } = setup();
    await m.start(['node-1']);
    const { sb } = sandbox([ready]);
    m.containerChanged(sb, 'app', running(41));
    m.untrack('shop/web');
    assert.deepEqual(probers[0].sent.at(-1), { op: 'untrack', id: 'shop/web/app' });
    assert.equal(m.readiness('shop/web').size, 0);
    // The containers' stop after that does not bring it back.
    m.containerChanged(sb, 'app', exited);
    assert.equal(m.readiness('shop/web').size, 0);
  });

  it("a recreated pod of the same name: the old sandbox's late exit does not touch the new one", async () => {
    const { m, probers } = setup();
    await m.start(['node-1']);
    const old = sandbox([ready]).sb;
    const fresh = sandbox([ready]).sb;
    m.containerChanged(old, 'app', running(41));
    m.untrack('shop/web');
    m.containerChanged(fresh, 'app', running(51));
    m.containerChanged(old, 'app', exited);
    assert.deepEqual(probers[0].sent.map((c) => [c.op, c.op === 'track' ? c.instance : '-']), [['track', 41], ['untrack', '-'], ['track', 51]]);
    probers[0].emit({ id: 'shop/web/app', instance: 51, probe: 'readiness', result: 'success' });
    assert.equal(m.readiness('shop/web').get('app')?.ready, true);
  });

  it('a probe that cannot run is logged, never tracked, and leaves the container unready', async () => {
    const { m, probers, logs } = setup();
    await m.start(['node-1']);
    const { sb } = sandbox([{ name: 'app', image: 'x', readinessProbe: { tcpSocket: { port: 'nope' } } }]);
    m.containerChanged(sb, 'app', running(41));
    assert.deepEqual(probers[0].sent, []);
    assert.deepEqual(m.readiness('shop/web').get('app'), { started: true, ready: false });
    assert.match(logs[0], /spec\.containers\[0\]\.readinessProbe\.tcpSocket\.port: port "nope" is not a named port/);
  });

  it('a prober that dies: its containers turn unready, and a new prober is told everything again', async () => {
    const { m, probers, changes } = setup();
    await m.start(['node-1']);
    const { sb } = sandbox([ready]);
    m.containerChanged(sb, 'app', running(41));
    probers[0].emit({ id: 'shop/web/app', instance: 41, probe: 'readiness', result: 'success' });
    probers[0].die();
    assert.equal(m.readiness('shop/web').get('app')?.ready, false);
    assert.deepEqual(changes, ['shop/web', 'shop/web']);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(probers.length, 2);
    assert.deepEqual(probers[1].sent.map((c) => [c.op, c.id]), [['track', 'shop/web/app']]);
    m.stop();
  });

  it('ignores malformed lines with a log line', async () => {
    const { m, logs } = setup();
    let onLine: (l: string) => void = () => undefined;
    const m2 = new ReadinessManager({
      startProber: async (_n, line) => ((onLine = line), { send: () => undefined, stop: () => undefined }),
      onChange: () => assert.fail('no change'), log: (l) => logs.push(l),
    });
    await m2.start(['node-1']);
    onLine('ready');
    onLine('{"id":"x"}');
    assert.equal(logs.length, 1);
    assert.match(logs[0], /malformed prober event/);
    m.stop();
  });
});
