import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProxyArgs, parseRouteTable, ProxyArgsError } from './args.js';

describe('parseProxyArgs', () => {
  it('defaults and flags in both spellings', () => {
    const a = parseProxyArgs(['--table', 't.json']);
    assert.equal(a.adminPort, 9901);
    assert.equal(a.balance, 'p2c');
    assert.equal(a.bind, '::');
    assert.equal(a.workers, 1);
    assert.equal(parseProxyArgs(['--table', 't', '--workers', '2']).workers, 2);
    const b = parseProxyArgs(['--table=t.json', '--admin-port=0', '--balance', 'round-robin', '--max-body-bytes', '100', '--access-log', 'off']);
    assert.deepEqual([b.adminPort, b.balance, b.maxBodyBytes, b.accessLog], [0, 'round-robin', 100, 'off']);
  });
  it('one clear line per mistake', () => {
    const bad: [string[], RegExp][] = [
      [[], /--table is required/],
      [['--table'], /--table needs a value/],
      [['--table', 'a', '--table', 'b'], /given twice/],
      [['--table', 'a', '--nope', '1'], /unknown flag --nope/],
      [['--table', 'a', '--balance', 'random'], /--balance: random is not/],
      [['--table', 'a', '--admin-port', '70000'], /--admin-port: 70000/],
      [['x'], /unexpected argument x/],
      [['--table', 'a', '--workers', '0'], /--workers: 0 is not a whole number in 1-64/],
    ];
    for (const [argv, re] of bad) assert.throws(() => parseProxyArgs(argv), (e: unknown) => e instanceof ProxyArgsError && re.test(e.message), argv.join(' '));
  });
});

describe('parseRouteTable', () => {
  it('accepts a table', () => {
    const t = parseRouteTable('{"listeners":[{"name":"l","port":80,"protocol":"HTTP","virtualHosts":[]}],"clusters":{"c":{"name":"c","endpoints":[{"address":"10.0.0.1","port":80}]}}}', 't.json');
    assert.equal(t.listeners[0].port, 80);
  });
  it('names the file and field of what is wrong', () => {
    const bad: [string, RegExp][] = [
      ['{', /^t\.json: not JSON: /],
      ['[]', /^t\.json: \(top\): /],
      ['{"listeners":{},"clusters":{}}', /^t\.json: listeners: expected an array$/],
      ['{"listeners":[{"name":"l","port":0,"protocol":"HTTP","virtualHosts":[]}],"clusters":{}}', /^t\.json: listeners\[0\]\.port: not a port$/],
      ['{"listeners":[{"name":"l","port":80,"protocol":"TCP","virtualHosts":[]}],"clusters":{}}', /listeners\[0\]\.protocol/],
      ['{"listeners":[],"clusters":{"c":{"endpoints":[{"address":1}]}}}', /^t\.json: clusters\[c\]\.endpoints\[0\]: expected \{address, port\}$/],
    ];
    for (const [text, re] of bad) assert.throws(() => parseRouteTable(text, 't.json'), (e: unknown) => e instanceof ProxyArgsError && re.test(e.message), text);
  });
});
