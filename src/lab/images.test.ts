import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Container } from '../api/types.js';
import { containerArgv, ImageError, isAgnhost, isEchoBasic, type BuiltinPaths } from './images.js';

const paths: BuiltinPaths = { node: '/usr/bin/node', agnhost: '/opt/podnet/agnhost-main.js' };
const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
const builtin = (...argv: string[]) => [paths.node, paths.agnhost, ...argv];
const argv = (c: Partial<V1Container>) => containerArgv({ name: 'c', ...c }, paths);

describe('isAgnhost', () => {
  it('recognises agnhost image references', () => {
    for (const image of [
      AGNHOST,
      'agnhost',
      'agnhost:2.40',
      'k8s.gcr.io/e2e-test-images/agnhost:2.21',
      'gcr.io/kubernetes-e2e-test-images/agnhost:2.8',
      'localhost:5000/agnhost-amd64:1.0',
      `${AGNHOST}@sha256:${'ab'.repeat(32)}`,
    ]) assert.ok(isAgnhost(image), image);
  });

  it('rejects other images', () => {
    for (const image of ['busybox', 'registry.k8s.io/pause:3.9', 'example.com/not-agnhost:1', 'agnhostx', '']) {
      assert.ok(!isAgnhost(image), image);
    }
  });
});

describe('containerArgv', () => {
  it('agnhost with args runs the built-in agnhost with those args', () => {
    assert.deepEqual(argv({ image: AGNHOST, args: ['netexec', '--http-port=8080'] }), builtin('netexec', '--http-port=8080'));
  });

  it('agnhost with command /agnhost (or agnhost, agnhost-2) drops the entrypoint and keeps the rest', () => {
    assert.deepEqual(argv({ image: AGNHOST, command: ['/agnhost', 'serve-hostname'], args: ['--port=9376'] }), builtin('serve-hostname', '--port=9376'));
    assert.deepEqual(argv({ image: AGNHOST, command: ['/agnhost'], args: ['netexec'] }), builtin('netexec'));
    assert.deepEqual(argv({ image: AGNHOST, command: ['agnhost', 'pause'] }), builtin('pause'));
    assert.deepEqual(argv({ image: AGNHOST, command: ['/agnhost-2', 'netexec'] }), builtin('netexec'));
    assert.deepEqual(argv({ image: 'registry.k8s.io/e2e-test-images/agnhost-2:2.53', args: ['netexec'] }), builtin('netexec'));
  });

  it('agnhost with neither command nor args runs the image CMD, pause', () => {
    assert.deepEqual(argv({ image: AGNHOST }), builtin('pause'));
    assert.deepEqual(argv({ image: AGNHOST, command: [], args: [] }), builtin('pause'));
  });

  it('agnhost with a command but no args ignores the image CMD, as Kubernetes does', () => {
    assert.deepEqual(argv({ image: AGNHOST, command: ['/agnhost'] }), builtin());
  });

  it('agnhost with some other command runs it as a host program', () => {
    assert.deepEqual(argv({ image: AGNHOST, command: ['sh', '-c'], args: ['echo hi'] }), ['sh', '-c', 'echo hi']);
  });

  it('pause images run the built-in pause', () => {
    assert.deepEqual(argv({ image: 'registry.k8s.io/pause:3.9' }), builtin('pause'));
    assert.deepEqual(argv({ image: 'pause' }), builtin('pause'));
    // A pause image with a command is the command.
    assert.deepEqual(argv({ image: 'registry.k8s.io/pause:3.9', command: ['sleep'], args: ['1'] }), ['sleep', '1']);
  });

  it('any other image with a command runs that host program, args appended', () => {
    assert.deepEqual(argv({ image: 'busybox', command: ['/bin/sleep'], args: ['3600'] }), ['/bin/sleep', '3600']);
    assert.deepEqual(argv({ image: 'busybox', command: ['true'] }), ['true']);
    assert.deepEqual(argv({ command: ['true'] }), ['true']);
  });

  it('an image without a command is an ImageError naming the image and the container', () => {
    const err = (c: V1Container) => (e: unknown) => {
      assert.ok(e instanceof ImageError);
      assert.equal(e.code, 'EIMAGE');
      assert.match(e.message, new RegExp(`image ${(c.image ?? '(none)').replace(/[()]/g, '\\$&')} `));
      assert.match(e.message, new RegExp(`container ${c.name}\\b`));
      return true;
    };
    for (const c of [
      { name: 'web', image: 'nginx:1.27' },
      { name: 'web', image: 'nginx:1.27', args: ['-g', 'daemon off;'] },
      { name: 'nothing' },
    ]) assert.throws(() => containerArgv(c, paths), err(c));
  });

  it('podnet/dns and CoreDNS images run the built-in DNS program with their args', () => {
    const withDns: BuiltinPaths = { ...paths, dns: '/opt/podnet/dns-main.js' };
    const run = (c: Partial<V1Container>) => containerArgv({ name: 'dns', ...c }, withDns);
    assert.deepEqual(run({ image: 'podnet/dns:latest', args: ['--api-socket', '/s'] }), [paths.node, withDns.dns, '--api-socket', '/s']);
    assert.deepEqual(run({ image: 'registry.k8s.io/coredns/coredns:v1.11.1', command: ['/coredns'], args: ['--port', '53'] }), [paths.node, withDns.dns, '--port', '53']);
    assert.throws(() => containerArgv({ name: 'dns', image: 'podnet/dns' }, paths), ImageError);
  });

  it('with a pause program, agnhost pause and pause images run it; pause with flags stays agnhost', () => {
    const withPause: BuiltinPaths = { ...paths, pause: '/opt/podnet/pause' };
    const run = (c: Partial<V1Container>) => containerArgv({ name: 'p', ...c }, withPause);
    assert.deepEqual(run({ image: AGNHOST, args: ['pause'] }), ['/opt/podnet/pause']);
    assert.deepEqual(run({ image: AGNHOST, command: ['/agnhost', 'pause'] }), ['/opt/podnet/pause']);
    assert.deepEqual(run({ image: AGNHOST }), ['/opt/podnet/pause']);
    assert.deepEqual(run({ image: 'registry.k8s.io/pause:3.10' }), ['/opt/podnet/pause']);
    assert.deepEqual(run({ image: AGNHOST, args: ['pause', '--v=2'] }), [paths.node, paths.agnhost, 'pause', '--v=2']);
    assert.deepEqual(run({ image: AGNHOST, args: ['netexec'] }), [paths.node, paths.agnhost, 'netexec']);
    assert.deepEqual(run({ image: 'registry.k8s.io/pause:3.10', command: ['sleep'], args: ['1'] }), ['sleep', '1']);
  });
});

describe('native netexec', () => {
  const withNative: BuiltinPaths = { ...paths, netexec: '/opt/podnet/netexec' };
  const run = (args: string[]) => containerArgv({ name: 'n', image: AGNHOST, args }, withNative);
  const N = '/opt/podnet/netexec';

  it('runs for the flags it implements, given in any pflag form, defaults spelled out', () => {
    assert.deepEqual(run(['netexec']), [N, '--http-port=8080', '--udp-port=8081', '--delay-shutdown=0']);
    assert.deepEqual(run(['netexec', '--http-port', '80', '-udp-port=-1', '--delay-shutdown=5', '--v=2']), [N, '--http-port=80', '--udp-port=-1', '--delay-shutdown=5']);
    assert.deepEqual(run(['netexec', '--sctp-port=-1', '--http-override=/hostname']), [N, '--http-port=8080', '--udp-port=8081', '--delay-shutdown=0', '--http-override=/hostname']);
  });

  it('falls back to the TypeScript netexec for TLS, UDP listen addresses, SCTP and bad flags', () => {
    for (const args of [
      ['netexec', '--tls-cert-file=/c.pem'],
      ['netexec', '--udp-listen-addresses=10.0.0.1'],
      ['netexec', '--sctp-port=9000'],
      ['netexec', '--http-port=abc'],
      ['netexec', '--no-such-flag'],
      ['netexec', 'positional'],
    ]) assert.deepEqual(run(args), [paths.node, paths.agnhost, ...args], args.join(' '));
  });

  it('without the native program, netexec is the TypeScript one', () => {
    assert.deepEqual(argv({ image: AGNHOST, args: ['netexec'] }), builtin('netexec'));
  });
});

describe('echo-basic', () => {
  it('recognises the Gateway API conformance echo server under its names, any tag', () => {
    for (const image of [
      'gcr.io/k8s-staging-gateway-api/echo-basic:v20231214-v1.0.0-140-gf544a46e',
      'registry.k8s.io/gateway-api/echo-basic:v1.5.1',
      'registry.k8s.io/gateway-api/conformance/echo-basic:v0.1.0',
      'gcr.io/k8s-staging-gateway-api/echo-basic',
      `registry.k8s.io/gateway-api/echo-basic@sha256:${'cd'.repeat(32)}`,
    ]) assert.ok(isEchoBasic(image), image);
    for (const image of ['echo-basic', 'example.com/echo-basic:1', 'registry.k8s.io/gateway-api/echo-advanced:v1', AGNHOST]) assert.ok(!isEchoBasic(image), image);
  });

  it('runs the built-in echo-basic, next to agnhost in the dist tree unless given', () => {
    const p: BuiltinPaths = { node: '/usr/bin/node', agnhost: '/opt/podnet/dist/src/lab/agnhost/agnhost-main.js' };
    const image = 'registry.k8s.io/gateway-api/echo-basic:v1.5.1';
    assert.deepEqual(containerArgv({ name: 'e', image }, p), ['/usr/bin/node', '/opt/podnet/dist/src/l7/echo/echo-main.js']);
    assert.deepEqual(containerArgv({ name: 'e', image, command: ['/echo-basic'] }, { ...p, echoBasic: '/e.js' }), ['/usr/bin/node', '/e.js']);
    // Some other command in the image is a host program, as for agnhost.
    assert.deepEqual(containerArgv({ name: 'e', image, command: ['sleep', '1'] }, p), ['sleep', '1']);
  });
});
