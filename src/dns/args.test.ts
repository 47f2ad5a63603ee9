import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DnsArgsError, parseDnsArgs } from './args.js';

const SOCK = ['--api-socket', '/run/podnet/demo/api.sock'];

describe('parseDnsArgs', () => {
  it('fills CoreDNS\'s defaults', () => {
    assert.deepEqual(parseDnsArgs(SOCK), {
      apiSocket: '/run/podnet/demo/api.sock', domain: 'cluster.local', upstreams: [],
      port: 53, readyPort: 8181, healthPort: 8080, ttl: 30, pods: 'insecure', bind: [],
    });
  });

  it('takes every flag, in both --flag value and --flag=value forms, and repeated upstreams in order', () => {
    const a = parseDnsArgs([
      '--api-socket=/tmp/a.sock', '--domain', 'Lab.Example.', '--upstream', '192.0.2.53', '--upstream=[2001:db8::53]:5353',
      '--port', '5300', '--ready-port=0', '--health-port', '18080', '--ttl', '5', '--pods', 'verified', '--bind', '127.0.0.1', '--bind=::1',
    ]);
    assert.deepEqual(a, {
      apiSocket: '/tmp/a.sock', domain: 'lab.example',
      upstreams: [{ host: '192.0.2.53', port: 53 }, { host: '2001:db8::53', port: 5353 }],
      port: 5300, readyPort: 0, healthPort: 18080, ttl: 5, pods: 'verified', bind: ['127.0.0.1', '::1'],
    });
  });

  const cases: Array<[string[], RegExp]> = [
    [[], /--api-socket is required/],
    [[...SOCK, '--port'], /--port needs a value/],
    [[...SOCK, '--port', '--ttl', '5'], /--port needs a value/],
    [[...SOCK, '--port', '65536'], /--port: 65536 is not a port number/],
    [[...SOCK, '--ready-port', 'x'], /--ready-port: x is not a port/],
    [[...SOCK, '--domain', 'bad_domain!'], /--domain: bad_domain! is not a DNS name/],
    [[...SOCK, '--upstream', 'dns.google'], /--upstream dns.google: not an IP address/],
    [[...SOCK, '--upstream', '192.0.2.1:0'], /--upstream 192.0.2.1:0: port 0/],
    [[...SOCK, '--ttl', '-1'], /--ttl: -1 is not a number/],
    [[...SOCK, '--pods', 'sometimes'], /--pods: sometimes is not one of/],
    [[...SOCK, '--port', '53', '--port', '54'], /--port given twice/],
    [[...SOCK, '--bind', 'localhost'], /--bind: localhost is not an IP address/],
    [[...SOCK, '--verbose', 'yes'], /unknown flag --verbose/],
    [[...SOCK, 'extra'], /unexpected argument extra/],
    [['-conf', '/etc/coredns/Corefile'], /-conf: podnet's DNS reads no Corefile/],
  ];
  for (const [argv, want] of cases) {
    it(`rejects ${JSON.stringify(argv.slice(argv[0] === SOCK[0] ? 2 : 0))} in one line`, () => {
      assert.throws(() => parseDnsArgs(argv), (e: unknown) => e instanceof DnsArgsError && want.test(e.message) && !e.message.includes('\n'));
    });
  }
});
