import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileListenerTls, SniTable, TlsConfigError } from './tls.js';

describe('SniTable', () => {
  const t = new SniTable(
    [
      { hostnames: ['shop.example.com'], value: 'shop' },
      { hostnames: ['*.example.com'], value: 'wild' },
      { hostnames: ['*.eu.example.com', 'EU.example.com'], value: 'eu' },
    ],
    'default',
  );
  it('exact beats wildcard, longest wildcard wins, names compare case-insensitively', () => {
    assert.equal(t.select('shop.example.com'), 'shop');
    assert.equal(t.select('SHOP.Example.com.'), 'shop');
    assert.equal(t.select('api.example.com'), 'wild');
    assert.equal(t.select('a.b.example.com'), 'wild');
    assert.equal(t.select('x.eu.example.com'), 'eu');
    assert.equal(t.select('eu.example.com'), 'eu');
  });
  it('falls back to the default without SNI or without a match', () => {
    assert.equal(t.select(undefined), 'default');
    assert.equal(t.select('example.com'), 'default');
    assert.equal(t.select('other.org'), 'default');
    assert.equal(new SniTable([{ hostnames: ['a'], value: 1 }]).select('b'), undefined);
  });
});

describe('compileListenerTls', () => {
  it('names the listener and certificate when a PEM is bad', () => {
    assert.throws(
      () => compileListenerTls('gw/https', { certificates: [{ name: 'ns/bad', hostnames: ['a'], certPem: 'nope', keyPem: 'nope' }] }),
      (e: unknown) => e instanceof TlsConfigError && /listener gw\/https: certificate ns\/bad: /.test(e.message),
    );
    assert.throws(() => compileListenerTls('gw/https', { certificates: [] }), /without certificates/);
  });
});
