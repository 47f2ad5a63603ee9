// Golden-file helper for the netpol tests: compares with testdata/NAME, or rewrites it with UPDATE_GOLDEN=1.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';

// Tests run from dist/src/netpol/; the golden files live in the source tree.
export const TESTDATA = new URL('../../../src/netpol/testdata/', import.meta.url);

export function golden(name: string, actual: string): void {
  const file = new URL(name, TESTDATA);
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(file, actual);
    return;
  }
  let expected: string;
  try {
    expected = readFileSync(file, 'utf8');
  } catch {
    assert.fail(`missing golden file ${file.pathname}: run the tests with UPDATE_GOLDEN=1 to create it`);
  }
  assert.equal(actual, expected, `${name} differs from ${file.pathname} (UPDATE_GOLDEN=1 regenerates it)`);
}

export function readTestdata(name: string): string {
  return readFileSync(new URL(name, TESTDATA), 'utf8');
}

// This module is imported by the other tests; as a test file of its own it checks its one assumption.
import { existsSync } from 'node:fs';
import { it } from 'node:test';
it('golden files live in src/netpol/testdata', () => assert.ok(existsSync(TESTDATA)));
