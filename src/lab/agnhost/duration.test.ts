import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, parseDuration } from './duration.js';

test('parseDuration accepts Go durations', () => {
  assert.equal(parseDuration('5s'), 5_000_000_000n);
  assert.equal(parseDuration('500ms'), 500_000_000n);
  assert.equal(parseDuration('1m30s'), 90_000_000_000n);
  assert.equal(parseDuration('1.5h'), 5_400_000_000_000n);
  assert.equal(parseDuration('-2us'), -2_000n);
  assert.equal(parseDuration('3\u00b5s'), 3_000n);
  assert.equal(parseDuration('.5s'), 500_000_000n);
  assert.equal(parseDuration('0'), 0n);
  assert.equal(parseDuration('+10ns'), 10n);
});

test('parseDuration rejects like Go', () => {
  assert.throws(() => parseDuration(''), /^Error: time: invalid duration ""$/);
  assert.throws(() => parseDuration('abc'), /time: invalid duration "abc"/);
  assert.throws(() => parseDuration('5'), /time: missing unit in duration "5"/);
  assert.throws(() => parseDuration('5x'), /time: unknown unit "x" in duration "5x"/);
  assert.throws(() => parseDuration('.s'), /invalid duration/);
  assert.throws(() => parseDuration('3000000h'), /invalid duration/);
});

test('formatDuration matches Duration.String', () => {
  assert.equal(formatDuration(0n), '0s');
  assert.equal(formatDuration(5_000_000_000n), '5s');
  assert.equal(formatDuration(1_500_000n), '1.5ms');
  assert.equal(formatDuration(2_000n), '2\u00b5s');
  assert.equal(formatDuration(999n), '999ns');
  assert.equal(formatDuration(90_000_000_000n), '1m30s');
  assert.equal(formatDuration(3_600_000_000_000n), '1h0m0s');
  assert.equal(formatDuration(-1_500_000_000n), '-1.5s');
});
