import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Coalescer } from './coalescer.js';

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('Coalescer', () => {
  it('folds a burst of changes into one pass', async () => {
    let passes = 0;
    const c = new Coalescer(async () => { passes++; }, assert.fail, 1);
    for (let i = 0; i < 50; i++) c.schedule();
    await c.flush();
    assert.equal(passes, 1);
  });

  it('never runs two passes at once, and runs once more for a change made during a pass', async () => {
    let running = 0;
    let passes = 0;
    let release: () => void = () => undefined;
    const c = new Coalescer(async () => {
      running++;
      assert.equal(running, 1);
      passes++;
      if (passes === 1) await new Promise<void>((r) => { release = r; });
      running--;
    }, assert.fail, 1);
    c.schedule();
    await tick(5);
    c.schedule();
    c.schedule();
    const flushed = c.flush();
    release();
    await flushed;
    assert.equal(passes, 2);
  });

  it('flush waits for a pass that started after it was called', async () => {
    const seen: number[] = [];
    let state = 0;
    let release: () => void = () => undefined;
    const c = new Coalescer(async () => {
      seen.push(state);
      if (seen.length === 1) await new Promise<void>((r) => { release = r; });
    }, assert.fail, 1);
    c.schedule();
    await tick(5);
    state = 1;
    const flushed = c.flush();
    release();
    await flushed;
    assert.deepEqual(seen, [0, 1]);
  });

  it('settle() drops the re-trigger caused by a pass\'s own writes', async () => {
    let passes = 0;
    const c = new Coalescer(async () => {
      passes++;
      c.schedule(); // the pass's own write, seen through the watch
      c.settle();
    }, assert.fail, 1);
    await c.flush();
    await tick(10);
    assert.equal(passes, 1);
  });

  it('reports a failed pass and keeps going', async () => {
    const errors: string[] = [];
    let n = 0;
    const c = new Coalescer(async () => {
      if (n++ === 0) throw new Error('nft failed');
    }, (e) => errors.push(e.message), 1);
    await c.flush();
    await c.flush();
    assert.deepEqual(errors, ['nft failed']);
    assert.equal(n, 2);
  });

  it('after stop, flush resolves at once and nothing runs', async () => {
    let passes = 0;
    const c = new Coalescer(async () => { passes++; }, assert.fail, 1);
    c.stop();
    c.schedule();
    await c.flush();
    await tick(5);
    assert.equal(passes, 0);
  });

  it('hold() defers passes until released, then one pass sees every change', async () => {
    let passes = 0;
    const c = new Coalescer(async () => { passes++; }, assert.fail, 1);
    const release = c.hold();
    const inner = c.hold();
    for (let i = 0; i < 10; i++) c.schedule();
    const flushed = c.flush();
    await tick(10);
    assert.equal(passes, 0);
    release();
    release(); // twice is once
    await tick(10);
    assert.equal(passes, 0, 'still held by the inner hold');
    inner();
    await flushed;
    assert.equal(passes, 1);
  });

  it('waits at least as long as the last pass took before the next one', async () => {
    const starts: number[] = [];
    const c = new Coalescer(async () => {
      starts.push(Date.now());
      await tick(30);
    }, assert.fail, 1);
    await c.flush();
    await c.flush();
    assert.ok(starts[1] - starts[0] >= 30 + 25, `second pass ${starts[1] - starts[0]} ms after the first`);
  });
});
