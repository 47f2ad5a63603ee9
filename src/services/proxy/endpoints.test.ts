import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backendsFor, canonicalIP, categorize, indexSlices, usable } from './endpoints.js';
import { slice } from './fixtures.test-util.js';

const http = { name: 'http', port: 80, protocol: 'TCP' };

describe('backendsFor', () => {
  it('reads conditions with the API defaults (ready unset = ready; serving unset = ready)', () => {
    const s = slice('web', []);
    s.endpoints = [{ addresses: ['10.244.0.2'] }, { addresses: ['10.244.0.1'], conditions: { ready: false } }];
    assert.deepEqual(backendsFor([s], http, 4), [
      { ip: '10.244.0.1', port: 8080, nodeName: undefined, ready: false, serving: false, terminating: false },
      { ip: '10.244.0.2', port: 8080, nodeName: undefined, ready: true, serving: true, terminating: false },
    ]);
  });

  it('sorts numerically, skips other families and bad addresses, and canonicalizes IPv6', () => {
    const v4 = slice('web', ['10.244.0.10', '10.244.0.9', 'not-an-ip']);
    const v6 = slice('web', ['FD00:10:244:0::5'], undefined, { family: 6 });
    assert.deepEqual(backendsFor([v4, v6], http, 4).map((b) => b.ip), ['10.244.0.9', '10.244.0.10']);
    assert.deepEqual(backendsFor([v4, v6], http, 6).map((b) => b.ip), ['fd00:10:244::5']);
  });

  it('matches ports by name and protocol; unnamed matches unnamed', () => {
    const s = slice('web', ['10.244.0.1'], [{ port: 9000 }, { name: 'http', port: 8080, protocol: 'UDP' }]);
    assert.deepEqual(backendsFor([s], { port: 80, protocol: 'TCP' }, 4).map((b) => b.port), [9000]);
    assert.deepEqual(backendsFor([s], http, 4), []);
  });

  it('counts an address once when two slices carry it (first slice by name wins)', () => {
    const byName = indexSlices([slice('web', ['10.244.0.1@node-2'], undefined, { name: 'web-b' }), slice('web', ['10.244.0.1@node-1'], undefined, { name: 'web-a' })]);
    assert.deepEqual(backendsFor(byName.get('default/web') ?? [], http, 4).map((b) => b.nodeName), ['node-1']);
  });
});

describe('usable and categorize', () => {
  const all = backendsFor([slice('web', ['10.244.0.1@node-1', '10.244.1.1@node-2~', '10.244.0.2@node-1~', '10.244.1.2@node-2!'])], http, 4);

  it('prefers ready endpoints; without any, serving terminating ones; never not-ready', () => {
    assert.deepEqual(usable(all).map((b) => b.ip), ['10.244.0.1']);
    assert.deepEqual(usable(all.slice(1)).map((b) => b.ip), ['10.244.0.2', '10.244.1.1']);
    assert.deepEqual(usable(all.slice(3)), []);
  });

  it('applies the fallback to local endpoints on their own', () => {
    const { cluster, local } = categorize(all.filter((b) => b.ip !== '10.244.0.1'), 'node-2');
    assert.deepEqual(cluster.map((b) => b.ip), ['10.244.0.2', '10.244.1.1']);
    assert.deepEqual(local.map((b) => b.ip), ['10.244.1.1']);
  });
});

describe('canonicalIP', () => {
  it('returns RFC 5952 text of the right family only', () => {
    assert.equal(canonicalIP('FD00:0:0::1', 6), 'fd00::1');
    assert.equal(canonicalIP('10.0.0.1', 6), undefined);
    assert.equal(canonicalIP(undefined, 4), undefined);
  });
});
