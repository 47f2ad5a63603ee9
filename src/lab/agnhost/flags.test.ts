import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlagError, loggingFlags, parseFlags, parseGoInt } from './flags.js';
import type { FlagSpecs } from './flags.js';

const specs: FlagSpecs = {
  port: { kind: 'int', default: 9376 },
  http: { kind: 'bool', default: true },
  tcp: { kind: 'bool', default: false },
  protocol: { kind: 'string', default: 'tcp' },
  timeout: { kind: 'duration', default: 0n },
};

test('defaults apply when flags are absent', () => {
  const f = parseFlags([], specs);
  assert.equal(f.int('port'), 9376);
  assert.equal(f.bool('http'), true);
  assert.equal(f.str('protocol'), 'tcp');
  assert.equal(f.duration('timeout'), 0n);
  assert.deepEqual(f.args, []);
});

test('--flag=value, --flag value, -flag and bare booleans', () => {
  const f = parseFlags(['--port=80', '-protocol', 'udp', '--tcp', '--http=false', '--timeout', '1.5s'], specs);
  assert.equal(f.int('port'), 80);
  assert.equal(f.str('protocol'), 'udp');
  assert.equal(f.bool('tcp'), true);
  assert.equal(f.bool('http'), false);
  assert.equal(f.duration('timeout'), 1_500_000_000n);
  assert.ok(f.changed.has('port') && !f.changed.has('udp'));
});

test('positionals interleave with flags; a bare bool does not eat the next word; -- ends flags', () => {
  const f = parseFlags(['10.0.0.1:80', '--tcp', 'extra', '--', '--port=1'], specs);
  assert.deepEqual(f.args, ['10.0.0.1:80', 'extra', '--port=1']);
  assert.equal(f.int('port'), 9376);
});

test('errors use pflag wording', () => {
  assert.throws(() => parseFlags(['--nope'], specs), (e: unknown) => e instanceof FlagError && e.message === 'unknown flag: --nope');
  assert.throws(() => parseFlags(['--port'], specs), /flag needs an argument: --port/);
  assert.throws(() => parseFlags(['--port=x'], specs), /invalid argument "x" for "--port" flag: strconv.ParseInt: parsing "x": invalid syntax/);
  assert.throws(() => parseFlags(['--tcp=maybe'], specs), /strconv.ParseBool/);
  assert.throws(() => parseFlags(['--timeout=5'], specs), /missing unit/);
});

test('klog flags are accepted', () => {
  const f = parseFlags(['--v=4', '-logtostderr', '--alsologtostderr=false'], { ...loggingFlags, ...specs });
  assert.equal(f.int('v'), 4);
});

test('parseGoInt follows strconv.ParseInt base 0', () => {
  assert.equal(parseGoInt('-1'), -1);
  assert.equal(parseGoInt('0x1f'), 31);
  assert.equal(parseGoInt('010'), 8);
  assert.equal(parseGoInt('0b101'), 5);
  assert.equal(parseGoInt('1_000'.replace('_', '')), 1000);
  assert.throws(() => parseGoInt('1_000'));
  assert.throws(() => parseGoInt('08'));
  assert.throws(() => parseGoInt(''));
});
