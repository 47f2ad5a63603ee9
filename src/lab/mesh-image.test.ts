import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerArgv } from './images.js';

test('the sidecar image runs the sidecar program as uid 1337 with its flags', () => {
  const paths = { node: '/usr/bin/node', agnhost: '/r/dist/src/lab/agnhost/agnhost-main.js' };
  assert.deepEqual(containerArgv({ name: 'istio-proxy', image: 'podnet.dev/sidecar:latest', args: ['proxy', 'sidecar', '--ca-socket', '/s'] }, paths), [
    'setpriv', '--reuid=1337', '--regid=1337', '--clear-groups', '--', '/usr/bin/node', '/r/dist/src/mesh/sidecar/sidecar-main.js', '--ca-socket', '/s',
  ]);
});
