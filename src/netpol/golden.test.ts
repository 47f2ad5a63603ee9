// Golden-file helper for the netpol tests: compares with testdata/NAME, or rewrites it with UPDATE_GOLDEN=1.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { golden as sharedGolden } from '../testing/golden.test-util.js';

// Tests run from dist/src/netpol/; the golden files live in the source tree.
export const TESTDATA = new URL('../../../src/netpol/testdata/', import.meta.url);

export function golden(name: string, actual: string): void {
  sharedGolden(TESTDATA, name, actual);
}

export function readTestdata(name: string): string {
  return readFileSync(new URL(name, TESTDATA), 'utf8');
}

// This module is imported by the other tests; as a test file of its own it checks its one assumption.
import { existsSync } from 'node:fs';
import { it } from 'node:test';
it('golden files live in src/netpol/testdata', () => assert.ok(existsSync(TESTDATA)));
