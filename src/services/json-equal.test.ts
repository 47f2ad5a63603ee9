import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJSON } from '../api/util.js';
import { jsonEqual } from './json-equal.js';

describe('jsonEqual', () => {
  /** [a, b]: jsonEqual must agree with comparing canonical JSON. */
  const cases: [unknown, unknown][] = [
    [{ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 }],
    [{ a: 1, u: undefined }, { a: 1 }],
    [{ a: 1 }, { a: 1, b: null }],
    [[1, undefined], [1, null]],
    [[1, 2], [1, 2, 3]],
    [[1], { 0: 1 }],
    [{ a: { b: 1 } }, { a: { b: 2 } }],
    [{ a: {} }, { a: [] }],
    [{ t: new Date(0) }, { t: new Date(0) }],
    [{ t: new Date(0) }, { t: '1970-01-01T00:00:00.000Z' }],
    [{ t: new Date(0) }, { t: new Date(1) }],
    [null, null],
    ['1', 1],
    [{ a: true }, { a: false }],
  ];
  for (const [a, b] of cases) {
    it(`${JSON.stringify(a)} vs ${JSON.stringify(b)}`, () => {
      assert.equal(jsonEqual(a, b), canonicalJSON(a) === canonicalJSON(b));
      assert.equal(jsonEqual(b, a), canonicalJSON(a) === canonicalJSON(b));
    });
  }
});
