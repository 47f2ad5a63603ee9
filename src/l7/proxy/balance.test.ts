import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { available, newEndpointState, pickP2C, pickRoundRobin, recordOutcome } from './balance.js';

const states = (n: number) => Array.from({ length: n }, (_, i) => newEndpointState(`10.0.0.${i}:80`));

describe('round robin', () => {
  it('cycles over every endpoint evenly', () => {
    const s = states(3);
    let cursor = 0;
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = pickRoundRobin(s, cursor, 0);
      seen.push(r.index);
      cursor = r.cursor;
    }
    assert.deepEqual(seen, [0, 1, 2, 0, 1, 2]);
  });
  it('skips ejected endpoints until their time is up', () => {
    const s = states(3);
    recordOutcome(s[1], false, 1000);
    assert.deepEqual(available(s, 1000), [0, 2]);
    assert.deepEqual(available(s, 1000 + 2000), [0, 1, 2]);
  });
  it('uses every endpoint when all are ejected (panic), and honours exclusions', () => {
    const s = states(2);
    recordOutcome(s[0], false, 0);
    recordOutcome(s[1], false, 0);
    assert.deepEqual(available(s, 1), [0, 1]);
    assert.deepEqual(available(s, 1, new Set(['10.0.0.0:80'])), [1]);
    assert.equal(pickRoundRobin([], 0, 0).index, -1);
  });
});

describe('P2C least loaded', () => {
  it('picks the less loaded of two distinct random endpoints', () => {
    const s = states(3);
    s[0].inflight = 5;
    s[2].inflight = 1;
    // random 0 -> a = 0; second draw 0.99 -> b = floor(0.99*2)=1 -> bumped to 2.
    const seq = [0, 0.99];
    assert.equal(pickP2C(s, 0, () => seq.shift() ?? 0), 2);
  });
  it('never picks an endpoint with far more load when others are idle', () => {
    const s = states(4);
    s[3].inflight = 100;
    let x = 0.123;
    const rand = () => (x = (x * 9301 + 0.49297) % 1);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 1000; i++) counts[pickP2C(s, 0, rand)]++;
    assert.equal(counts[3], 0);
    assert.ok(counts[0] > 200 && counts[1] > 200 && counts[2] > 200, String(counts));
  });
  it('one endpoint, or none', () => {
    assert.equal(pickP2C(states(1), 0, () => 0.5), 0);
    assert.equal(pickP2C([], 0, () => 0.5), -1);
  });
});

describe('ejection', () => {
  it('backs off exponentially and a success clears the count', () => {
    const s = newEndpointState('a:1');
    recordOutcome(s, false, 0);
    assert.equal(s.ejectedUntil, 2000);
    recordOutcome(s, false, 0);
    assert.equal(s.ejectedUntil, 4000);
    recordOutcome(s, true, 0);
    assert.equal(s.failures, 0);
  });
});
