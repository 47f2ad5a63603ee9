import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerProbes, ProbeAction, ProbeSpec, ProberEvent } from './types.js';
import { ContainerProber, initialThreshold, observe, type CheckOutcome, type Timers } from './worker.js';

/** Virtual time: timers fire in order as `advance` moves the clock; checks settle in between. */
class FakeTimers implements Timers {
  t = 1_000_000;
  private queue: { at: number; fn: () => void; id: number }[] = [];
  private seq = 0;
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.seq;
    this.queue.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (h: unknown) => {
    this.queue = this.queue.filter((q) => q.id !== h);
  };
  get pending(): number {
    return this.queue.length;
  }
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      this.queue.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.queue[0];
      if (!next || next.at > end) break;
      this.queue.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
    await flush();
  }
}

const flush = () => new Promise<void>((r) => setImmediate(r));

const action = (name: string): ProbeAction => ({ type: 'tcp', host: name, port: 1 });
const spec = (name: string, over: Partial<ProbeSpec> = {}): ProbeSpec => ({
  action: action(name), initialDelayMs: 0, periodMs: 1000, timeoutMs: 1000, successThreshold: 1, failureThreshold: 3, ...over,
});

/** A prober whose checks answer from `answers[host]` (true = ok), recording when each ran. */
function harness(probes: ContainerProbes, startedAgoMs = 0, checkMs = 0) {
  const timers = new FakeTimers();
  const answers: Record<string, boolean | (() => boolean)> = {};
  const ran: [string, number][] = [];
  const events: (Pick<ProberEvent, 'probe' | 'result' | 'at'>)[] = [];
  const p = new ContainerProber('ns/pod/c', 42, timers.t - startedAgoMs, probes, {
    timers,
    check: async (a): Promise<CheckOutcome> => {
      const host = a.type === 'tcp' ? a.host : '';
      ran.push([host, timers.t]);
      if (checkMs) await new Promise<void>((r) => timers.setTimeout(r, checkMs));
      const ans = answers[host];
      if (ans === undefined) throw new Error('no answer');
      return { ok: typeof ans === 'function' ? ans() : ans, message: 'why' };
    },
    emit: (ev) => events.push({ probe: ev.probe, result: ev.result, at: ev.at - startT }),
  });
  const startT = timers.t;
  return { timers, answers, ran: () => ran.map(([h, at]) => [h, at - startT]), events, p };
}

describe('observe (thresholds)', () => {
  const th = { successThreshold: 2, failureThreshold: 3 };
  it('flips only after the threshold, and only on a change', () => {
    let t = initialThreshold('readiness');
    const seq = ['success', 'success', 'success', 'failure', 'failure', 'success', 'failure', 'failure', 'failure'] as const;
    const flips = seq.map((r) => {
      const { next, flipped } = observe(t, r, th);
      t = next;
      return flipped ? r : '-';
    });
    assert.deepEqual(flips, ['-', 'success', '-', '-', '-', '-', '-', '-', 'failure']);
  });

  it('start states: readiness failure, liveness success, startup unknown', () => {
    assert.equal(initialThreshold('readiness').current, 'failure');
    assert.equal(initialThreshold('liveness').current, 'success');
    assert.equal(initialThreshold('startup').current, 'unknown');
    // So a failing readiness probe reports nothing, a failing startup probe does.
    assert.equal(observe(initialThreshold('readiness'), 'failure', { successThreshold: 1, failureThreshold: 1 }).flipped, false);
    assert.equal(observe(initialThreshold('startup'), 'failure', { successThreshold: 1, failureThreshold: 1 }).flipped, true);
  });
});

describe('ContainerProber', () => {
  it('readiness: first probe after initialDelay, then every period; reports flips only', async () => {
    const h = harness({ readiness: spec('r', { initialDelayMs: 2000, successThreshold: 2, failureThreshold: 2 }) });
    h.answers.r = true;
    h.p.start();
    await h.timers.advance(1999);
    assert.deepEqual(h.ran(), []);
    await h.timers.advance(1001);
    assert.deepEqual(h.events, [{ probe: 'readiness', result: 'success', at: 3000 }]);
    h.answers.r = false;
    await h.timers.advance(3000);
    assert.deepEqual(h.ran().map(([, at]) => at), [2000, 3000, 4000, 5000, 6000]);
    assert.deepEqual(h.events.slice(1), [{ probe: 'readiness', result: 'failure', at: 5000 }]);
  });

  it('initialDelaySeconds counts from when the container started, not from start()', async () => {
    const h = harness({ readiness: spec('r', { initialDelayMs: 5000 }) }, 4500);
    h.answers.r = true;
    h.p.start();
    await h.timers.advance(500);
    assert.deepEqual(h.events, [{ probe: 'readiness', result: 'success', at: 500 }]);
  });

  it('the period runs from the start of the previous check (a slow check does not stretch it)', async () => {
    const h = harness({ readiness: spec('r') }, 0, 300);
    h.answers.r = false;
    h.p.start();
    await h.timers.advance(3500);
    assert.deepEqual(h.ran().map(([, at]) => at), [0, 1000, 2000, 3000]);
  });

  it('liveness: one failure event after failureThreshold, then probing stops', async () => {
    const h = harness({ liveness: spec('l'), readiness: spec('r') });
    h.answers.l = false;
    h.answers.r = true;
    h.p.start();
    await h.timers.advance(10_000);
    assert.deepEqual(h.events, [{ probe: 'readiness', result: 'success', at: 0 }, { probe: 'liveness', result: 'failure', at: 2000 }]);
    assert.equal(h.ran().filter(([n]) => n === 'l').length, 3);
    assert.equal(h.timers.pending, 0);
  });

  it('startup holds the others off until it succeeds, then stops', async () => {
    let n = 0;
    const h = harness({ startup: spec('s', { failureThreshold: 10 }), readiness: spec('r'), liveness: spec('l') });
    h.answers.s = () => ++n >= 3;
    h.answers.r = true;
    h.answers.l = true;
    h.p.start();
    await h.timers.advance(4500);
    assert.deepEqual(h.ran().filter(([x]) => x === 's').map(([, at]) => at), [0, 1000, 2000]);
    assert.deepEqual(h.ran().filter(([x]) => x === 'r').map(([, at]) => at), [2000, 3000, 4000]);
    assert.deepEqual(h.events, [{ probe: 'startup', result: 'success', at: 2000 }, { probe: 'readiness', result: 'success', at: 2000 }]);
  });

  it('a startup probe that never succeeds reports failure once and stops everything', async () => {
    const h = harness({ startup: spec('s', { failureThreshold: 2 }), readiness: spec('r') });
    h.answers.s = false;
    h.p.start();
    await h.timers.advance(10_000);
    assert.deepEqual(h.events, [{ probe: 'startup', result: 'failure', at: 1000 }]);
    assert.ok(!h.ran().some(([x]) => x === 'r'));
    assert.equal(h.timers.pending, 0);
  });

  it('a check that throws counts as a failure', async () => {
    const h = harness({ liveness: spec('l', { failureThreshold: 1 }) });
    h.p.start();
    await h.timers.advance(0);
    assert.deepEqual(h.events, [{ probe: 'liveness', result: 'failure', at: 0 }]);
  });

  it('stop(): no more checks, and a check in flight reports nothing', async () => {
    const h = harness({ readiness: spec('r') }, 0, 500);
    h.answers.r = true;
    h.p.start();
    await h.timers.advance(100);
    h.p.stop();
    await h.timers.advance(5000);
    assert.deepEqual(h.events, []);
    assert.equal(h.ran().length, 1);
  });
});
