import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createBalancer, pickWeighted, seededRandom } from './balance.js';

/** Share of `n` draws per index, in percent. */
function shares(n: number, draw: () => number, size: number): number[] {
  const counts = new Array<number>(size).fill(0);
  for (let i = 0; i < n; i++) counts[draw()]++;
  return counts.map((c) => (100 * c) / n);
}

describe('pickWeighted', () => {
  it('a 90/10 canary split lands within ±1 point over 10,000 seeded draws', () => {
    // Binomial sd at p=0.1, n=10,000 is 0.3 points: ±1 point is over 3 sd.
    for (const seed of [1, 2, 3]) {
      const random = seededRandom(seed);
      const [stable, canary] = shares(10_000, () => pickWeighted([90, 10], random), 2);
      assert.ok(Math.abs(canary - 10) < 1, `seed ${seed}: canary ${canary}%`);
      assert.ok(Math.abs(stable - 90) < 1, `seed ${seed}: stable ${stable}%`);
    }
  });

  it('weight 0 is never drawn; all zero gives -1; blue-green 0/100 always picks green', () => {
    const random = seededRandom(9);
    for (let i = 0; i < 1000; i++) assert.equal(pickWeighted([0, 100], random), 1);
    assert.equal(pickWeighted([0, 0], random), -1);
    assert.equal(pickWeighted([], random), -1);
    assert.equal(pickWeighted([0, 5], () => 0.9999999999), 1);
  });
});

describe('createBalancer', () => {
  const flat = [{ inflight: 0 }, { inflight: 0 }, { inflight: 0 }];

  it('round robin cycles through the eligible endpoints', () => {
    const b = createBalancer('round-robin', Math.random);
    assert.deepEqual([0, 1, 2, 3, 4, 5].map(() => b.pick(flat)), [0, 1, 2, 0, 1, 2]);
    assert.deepEqual([0, 1, 2, 3].map(() => b.pick(flat, (i) => i !== 1)), [0, 2, 0, 2]);
    assert.equal(b.pick(flat, () => false), -1);
  });

  it('random is uniform within ±1.5 points over 30,000 seeded draws', () => {
    const b = createBalancer('random', seededRandom(5));
    for (const s of shares(30_000, () => b.pick(flat), 3)) assert.ok(Math.abs(s - 100 / 3) < 1.5, `${s}%`);
  });

  it('least request picks the fewest in flight, ties at random', () => {
    const b = createBalancer('least-request', seededRandom(3));
    assert.equal(b.pick([{ inflight: 3 }, { inflight: 1 }, { inflight: 2 }]), 1);
    const tie = shares(10_000, () => b.pick([{ inflight: 1 }, { inflight: 0 }, { inflight: 0 }]), 3);
    assert.equal(tie[0], 0);
    assert.ok(Math.abs(tie[1] - 50) < 2, `${tie[1]}%`);
  });

  it('p2c never picks the most loaded of three, and shares the two others', () => {
    // With two distinct picks out of three, the busiest endpoint always loses its comparison.
    const b = createBalancer('p2c', seededRandom(11));
    const s = shares(10_000, () => b.pick([{ inflight: 9 }, { inflight: 1 }, { inflight: 2 }]), 3);
    assert.equal(s[0], 0);
    assert.ok(Math.abs(s[1] - 66.7) < 2.5 && Math.abs(s[2] - 33.3) < 2.5, `${s}`);
  });

  it('p2c keeps load even under a simulated steady state', () => {
    const b = createBalancer('p2c', seededRandom(12));
    const eps = Array.from({ length: 8 }, () => ({ inflight: 0 }));
    for (let i = 0; i < 800; i++) eps[b.pick(eps)].inflight++;
    const max = Math.max(...eps.map((e) => e.inflight));
    const min = Math.min(...eps.map((e) => e.inflight));
    assert.ok(max - min <= 3, `spread ${min}..${max}`);
  });
});
