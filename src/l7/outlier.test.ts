import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OutlierDetector } from './outlier.js';

const CONFIG = { consecutive5xxErrors: 3, intervalMs: 1000, baseEjectionTimeMs: 10_000, maxEjectionPercent: 50 };

describe('OutlierDetector', () => {
  it('ejects after consecutive 5xx, a success in between resets the count', () => {
    const d = new OutlierDetector(CONFIG, ['a', 'b', 'c', 'd'], 0);
    assert.equal(d.record('a', 500, 1), false);
    assert.equal(d.record('a', 503, 2), false);
    assert.equal(d.record('a', 200, 3), false);
    assert.equal(d.record('a', 502, 4), false);
    assert.equal(d.record('a', 'connect-failure', 5), false);
    assert.equal(d.record('a', 500, 6), true);
    assert.ok(d.isEjected('a', 7));
    assert.deepEqual([...d.ejected(7)], ['a']);
    assert.equal(d.record('a', 404, 8), false, '4xx is not a failure');
  });

  it('un-ejects at the first sweep after baseEjectionTime x ejections, and doubles the next time', () => {
    const d = new OutlierDetector(CONFIG, ['a', 'b'], 0);
    for (let i = 0; i < 3; i++) d.record('a', 500, 100);
    assert.ok(d.isEjected('a', 10_099));
    assert.ok(d.isEjected('a', 10_999), 'lifted at a sweep, not at the exact time');
    assert.ok(!d.isEjected('a', 11_000));
    for (let i = 0; i < 3; i++) d.record('a', 500, 11_500);
    assert.equal(d.state('a')?.ejections, 2);
    assert.ok(d.isEjected('a', 31_000));
    assert.ok(!d.isEjected('a', 32_000), 'second ejection lasts 2 x 10 s');
  });

  it('a healthy endpoint forgets ejections one sweep at a time', () => {
    const d = new OutlierDetector(CONFIG, ['a', 'b'], 0);
    for (let i = 0; i < 3; i++) d.record('a', 500, 1);
    d.sweepIfDue(11_000);
    assert.equal(d.state('a')?.ejections, 1);
    d.sweepIfDue(12_000);
    assert.equal(d.state('a')?.ejections, 0);
  });

  it('maxEjectionPercent caps ejections, but one endpoint may always be ejected', () => {
    const d = new OutlierDetector({ ...CONFIG, maxEjectionPercent: 50 }, ['a', 'b', 'c', 'd'], 0);
    const fail = (k: string): boolean => [1, 2, 3].map(() => d.record(k, 500, 5)).includes(true);
    assert.ok(fail('a'));
    assert.ok(fail('b'), '2 of 4 is 50%');
    assert.ok(!fail('c'), '3 of 4 would be 75%');
    const one = new OutlierDetector({ ...CONFIG, maxEjectionPercent: 10 }, ['x', 'y'], 0);
    for (let i = 0; i < 3; i++) one.record('x', 500, 1);
    assert.ok(one.isEjected('x', 2), 'at least one host, as Envoy');
  });

  it('0 consecutive errors disables it; endpoints that come and go keep or reset state', () => {
    const off = new OutlierDetector({ ...CONFIG, consecutive5xxErrors: 0 }, ['a'], 0);
    for (let i = 0; i < 10; i++) assert.equal(off.record('a', 500, 1), false);
    const d = new OutlierDetector(CONFIG, ['a', 'b'], 0);
    for (let i = 0; i < 3; i++) d.record('a', 500, 1);
    d.setEndpoints(['a', 'c']);
    assert.ok(d.isEjected('a', 2));
    assert.equal(d.record('b', 500, 2), false, 'gone');
    assert.deepEqual(d.state('c'), { consecutive5xx: 0, consecutiveGateway: 0, ejections: 0 });
  });

  it('consecutiveGatewayErrors counts 502/503/504 and connect failures only', () => {
    const d = new OutlierDetector({ ...CONFIG, consecutive5xxErrors: 0, consecutiveGatewayErrors: 2 }, ['a', 'b'], 0);
    assert.equal(d.record('a', 500, 1), false);
    assert.equal(d.record('a', 503, 2), false);
    assert.equal(d.record('a', 500, 3), false, 'a 500 breaks the gateway run');
    assert.equal(d.record('a', 'connect-failure', 4), false);
    assert.equal(d.record('a', 504, 5), true);
  });
});
