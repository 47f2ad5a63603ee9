import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countBy, summarizeMatrix, summarizeMismatches } from './matrix-summary.js';

test('summarizeMatrix counts cells per namespace pair, node rows as their own group', () => {
  const m = {
    pods: ['a/p1', 'a/p2', 'b/q1'],
    nodes: ['node/n1'],
    allowed: [
      [true, true, false],
      [true, true, false],
      [true, false, true],
      [true, true, true],
    ],
  };
  assert.deepEqual(summarizeMatrix(m), [
    '3 pods x 3 pods (+1 node rows): 12 cells, 9 allowed, 3 denied',
    '  a -> a: 4 allowed, 0 denied',
    '  a -> b: 0 allowed, 2 denied',
    '  b -> a: 1 allowed, 1 denied',
    '  b -> b: 1 allowed, 0 denied',
    '  node -> a: 2 allowed, 0 denied',
    '  node -> b: 1 allowed, 0 denied',
  ]);
  assert.equal(summarizeMatrix(m, undefined, 2).at(-1), '  and 4 more group pairs');
});

test('summarizeMismatches counts by each key and lists the first few with detail', () => {
  const mm = [
    { from: 'a/p1', to: 'a/p2', expected: true, actual: false },
    { from: 'a/p1', to: 'b/q1', expected: true, actual: false },
    { from: 'b/q1', to: 'a/p1', expected: false, actual: true },
  ];
  const err: Record<string, string> = { 'a/p1>a/p2': 'timeout', 'a/p1>b/q1': 'timeout' };
  const lines = summarizeMismatches(mm, {
    keys: { class: (m) => err[`${m.from}>${m.to}`] ?? 'reached', 'namespace pair': (m) => `${m.from.split('/')[0]} -> ${m.to.split('/')[0]}` },
    detail: (m) => err[`${m.from}>${m.to}`],
    list: 2,
  });
  assert.deepEqual(lines, [
    '  by class: timeout 2, reached 1',
    '  by namespace pair: a -> a 1, a -> b 1, b -> a 1',
    '  a/p1 -> a/p2: predicted allowed, measured denied (timeout)',
    '  a/p1 -> b/q1: predicted allowed, measured denied (timeout)',
    '  and 1 more (--full lists every cell)',
  ]);
  assert.deepEqual(summarizeMismatches([], { keys: {} }), []);
});

test('countBy: largest first, ties by key, long tails cut', () => {
  assert.equal(countBy(['x', 'y', 'y', 'z'], (s) => s), 'y 2, x 1, z 1');
  assert.equal(countBy(['x', 'y', 'y', 'z'], (s) => s, 1), 'y 2, and 2 more');
});
