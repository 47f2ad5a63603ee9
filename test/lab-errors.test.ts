// Bad input gets one clear line naming the file, object and field, never a stack trace, and a
// failure half-way through `up` rolls back everything it created.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli, hostSnapshot, uniqueLab, REPO } from './helpers/lab.js';

const BAD = `${REPO}/test/fixtures/bad`;

function oneLine(stderr: string): void {
  assert.equal(stderr.trim().split('\n').length, 1, `one line, got: ${stderr}`);
  assert.doesNotMatch(stderr, /\n\s+at /);
}

const cases: [string, string[], RegExp][] = [
  ['invalid YAML', ['-f', `${BAD}/invalid.yaml`], /invalid\.yaml/],
  ['duplicate names', ['-f', `${BAD}/duplicate.yaml`], /duplicate\.yaml.*Namespace dup/],
  ['missing file', ['-f', `${BAD}/nope.yaml`], /nope\.yaml: no such file/],
  ['bad backend flag', ['-f', `${REPO}/examples/demo`, '--backend', 'ipip'], /ipip/],
];

for (const [what, args, pattern] of cases) {
  test(`up rejects ${what} with one line and creates nothing`, async () => {
    const before = await hostSnapshot();
    const name = uniqueLab();
    const r = await cli(['up', ...args, '--name', name]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, pattern);
    oneLine(r.stderr);
    assert.deepEqual(await hostSnapshot(), before);
  });
}

test('a pod that cannot start fails `up`, names the image, and rolls the whole lab back', async () => {
  const before = await hostSnapshot();
  const name = uniqueLab();
  const r = await cli(['up', '-f', `${BAD}/no-command.yaml`, '--name', name]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /nginx:1\.27/);
  oneLine(r.stderr);
  assert.deepEqual(await hostSnapshot(), before);
});

test('up as a non-root user says so', async () => {
  const r = await cli(['up', '-f', `${REPO}/examples/demo`, '--name', uniqueLab()], { argv0: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /must run as root/);
  oneLine(r.stderr);
});

test('a missing system tool is named with its Debian package', async () => {
  const r = await cli(['up', '-f', `${REPO}/examples/demo`, '--name', uniqueLab()], { env: { ...process.env, PATH: '/nonexistent' } });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /install the Debian package iproute2/);
  oneLine(r.stderr);
});
