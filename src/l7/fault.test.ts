import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from './balance.js';
import { decideFault } from './fault.js';
import { retryable } from './retry.js';

describe('decideFault', () => {
  it('no policy, 0% and 100%', () => {
    assert.deepEqual(decideFault(undefined, Math.random), { delayMs: 0 });
    assert.deepEqual(decideFault({ abort: { status: 503, percent: 0 } }, () => 0), { delayMs: 0 });
    assert.deepEqual(decideFault({ abort: { status: 503, percent: 100 }, delay: { fixedDelayMs: 7, percent: 100 } }, () => 0.999), { delayMs: 7, abort: { status: 503 } });
  });

  it('a gRPC abort is HTTP 200 with grpc-status', () => {
    assert.deepEqual(decideFault({ abort: { grpcStatus: 14, percent: 100 } }, () => 0.5).abort, { status: 200, grpcStatus: 14 });
  });

  it('50% abort fires on about half of 10,000 tries (seeded; tolerance ±2 points)', () => {
    const random = seededRandom(42);
    let aborted = 0;
    for (let i = 0; i < 10_000; i++) if (decideFault({ abort: { status: 500, percent: 50 } }, random).abort) aborted++;
    assert.ok(Math.abs(aborted / 100 - 50) < 2, `aborted ${aborted / 100}%`);
  });

  it('faults apply per try: with 2 retries a 50% abort reaches the client on about 12.5% of requests', () => {
    // The contract: each try draws again, so retries mask aborts; 0.5^3 of requests fail all 3 tries.
    const random = seededRandom(7);
    const policy = { abort: { status: 503, percent: 50 } };
    let failed = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      let ok = false;
      for (let t = 0; t < 3 && !ok; t++) {
        const d = decideFault(policy, random);
        ok = !(d.abort && retryable(['5xx'], { status: d.abort.status }));
      }
      if (!ok) failed++;
    }
    assert.ok(Math.abs((100 * failed) / n - 12.5) < 1, `failed ${(100 * failed) / n}%`);
  });

  it('delay and abort are independent draws', () => {
    const draws = [0.1, 0.9];
    const d = decideFault({ delay: { fixedDelayMs: 100, percent: 50 }, abort: { status: 500, percent: 50 } }, () => draws.shift() ?? 0);
    assert.deepEqual(d, { delayMs: 100 });
  });
});

describe('retryable', () => {
  const cases: [Parameters<typeof retryable>[0], Parameters<typeof retryable>[1], boolean][] = [
    [[503], { status: 503 }, true],
    [[503], { status: 500 }, false],
    [['5xx'], { status: 500 }, true],
    [['5xx'], { status: 404 }, false],
    [['5xx'], { failure: 'reset' }, true],
    [['5xx'], { failure: 'timeout' }, true],
    [['gateway-error'], { status: 500 }, false],
    [['gateway-error'], { status: 504 }, true],
    [['gateway-error'], { failure: 'connect-failure' }, true],
    [['connect-failure'], { failure: 'connect-failure' }, true],
    [['connect-failure'], { failure: 'reset' }, false],
    [['connect-failure'], { failure: 'timeout' }, false],
    [['retriable-4xx'], { status: 409 }, true],
    [['retriable-4xx'], { status: 404 }, false],
    [['refused-stream'], { failure: 'refused-stream' }, true],
    [[], { status: 503 }, false],
  ];
  for (const [conditions, outcome, want] of cases) {
    it(`${JSON.stringify(conditions)} ${JSON.stringify(outcome)} -> ${want}`, () => assert.equal(retryable(conditions, outcome), want));
  }
});
