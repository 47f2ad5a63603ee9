import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modifiedPath, modifyHeaders, pickBackend, redirectFor, rewriteFor, weightShares, type RedirectInput } from './filters.js';
import type { RouteMatch } from './route-table.js';

const prefix = (value: string): RouteMatch => ({ path: { type: 'PathPrefix', value } });

describe('header modifiers', () => {
  it('set replaces every value case-insensitively, add appends, remove drops all', () => {
    const out = modifyHeaders(
      [{ name: 'x-header-set', value: 'a' }, { name: 'X-Header-Set', value: 'b' }, { name: 'x-header-add', value: 'orig' }, { name: 'x-header-remove', value: 'r' }, { name: 'Other', value: 'o' }],
      { type: 'RequestHeaderModifier', set: [{ name: 'X-Header-Set', value: 'new' }], add: [{ name: 'X-Header-Add', value: 'more' }], remove: ['X-HEADER-REMOVE'] },
    );
    assert.deepEqual(out, [{ name: 'X-Header-Set', value: 'new' }, { name: 'x-header-add', value: 'orig' }, { name: 'Other', value: 'o' }, { name: 'X-Header-Add', value: 'more' }]);
  });
  it('set adds a missing header; the input list is not changed', () => {
    const input = [{ name: 'a', value: '1' }];
    assert.deepEqual(modifyHeaders(input, { type: 'ResponseHeaderModifier', set: [{ name: 'B', value: '2' }] }), [{ name: 'a', value: '1' }, { name: 'B', value: '2' }]);
    assert.equal(input.length, 1);
  });
});

describe('redirects', () => {
  const base: RedirectInput = { scheme: 'http', host: 'gw.example', listenerPort: 80, path: '/p', query: '' };
  const loc = (f: Parameters<typeof redirectFor>[0], over: Partial<RedirectInput> = {}, match: RouteMatch = prefix('/p')): string => redirectFor(f, { ...base, ...over }, match).location;
  it('default status 302, explicit status kept', () => {
    assert.equal(redirectFor({ type: 'RequestRedirect', hostname: 'example.org' }, base, {}).status, 302);
    assert.equal(redirectFor({ type: 'RequestRedirect', statusCode: 301 }, base, {}).status, 301);
  });
  it('port rules: explicit port, else the scheme\'s well-known port, else the listener port; defaults omitted', () => {
    assert.equal(loc({ type: 'RequestRedirect', hostname: 'example.org' }), 'http://example.org/p');
    assert.equal(loc({ type: 'RequestRedirect', hostname: 'example.org' }, { listenerPort: 8080 }), 'http://example.org:8080/p');
    assert.equal(loc({ type: 'RequestRedirect', port: 80 }, { listenerPort: 8080 }), 'http://gw.example/p');
    assert.equal(loc({ type: 'RequestRedirect', scheme: 'https' }, { listenerPort: 8080 }), 'https://gw.example/p');
    assert.equal(loc({ type: 'RequestRedirect', scheme: 'https', port: 443 }), 'https://gw.example/p');
    assert.equal(loc({ type: 'RequestRedirect', scheme: 'https', port: 8443 }), 'https://gw.example:8443/p');
    assert.equal(loc({ type: 'RequestRedirect', port: 8083 }), 'http://gw.example:8083/p');
    assert.equal(loc({ type: 'RequestRedirect', scheme: 'http' }, { scheme: 'https', listenerPort: 443 }), 'http://gw.example/p');
    assert.equal(loc({ type: 'RequestRedirect', port: 443 }, { scheme: 'https', listenerPort: 443 }), 'https://gw.example/p');
  });
  it('paths and the query', () => {
    assert.equal(loc({ type: 'RequestRedirect', path: { type: 'ReplacePrefixMatch', value: '/new' } }, { path: '/original/lemon' }, prefix('/original')), 'http://gw.example/new/lemon');
    assert.equal(loc({ type: 'RequestRedirect', path: { type: 'ReplaceFullPath', value: '/full' } }, { path: '/x/y', query: 'a=1' }), 'http://gw.example/full?a=1');
    assert.equal(loc({ type: 'RequestRedirect', hostname: '::1' }), 'http://[::1]/p');
  });
});

describe('path modifiers (the spec\'s HTTPPathModifier table)', () => {
  const cases: [string, string, string, string][] = [
    ['/foo/bar', '/foo', '/xyz', '/xyz/bar'],
    ['/foo/bar', '/foo', '/xyz/', '/xyz/bar'],
    ['/foo/bar', '/foo/', '/xyz', '/xyz/bar'],
    ['/foo/bar', '/foo/', '/xyz/', '/xyz/bar'],
    ['/foo', '/foo', '/xyz', '/xyz'],
    ['/foo/', '/foo', '/xyz', '/xyz/'],
    ['/foo/bar', '/foo', '', '/bar'],
    ['/foo/', '/foo', '', '/'],
    ['/foo', '/foo', '', '/'],
    ['/foo/', '/foo', '/', '/'],
    ['/foo', '/foo', '/', '/'],
    ['/strip-prefix/three', '/strip-prefix', '/', '/three'],
    ['/anything', '/', '/pre', '/pre/anything'],
  ];
  for (const [path, pre, value, want] of cases) {
    it(`${path} prefix ${pre} -> ${JSON.stringify(value)}`, () => assert.equal(modifiedPath({ type: 'ReplacePrefixMatch', value }, path, prefix(pre)), want));
  }
  it('URLRewrite returns path and host', () => {
    assert.deepEqual(rewriteFor({ type: 'URLRewrite', hostname: 'one.example.org' }, '/one', prefix('/one')), { path: '/one', host: 'one.example.org' });
    assert.deepEqual(rewriteFor({ type: 'URLRewrite', path: { type: 'ReplaceFullPath', value: '/one' } }, '/full/one/two', prefix('/full/one')), { path: '/one', host: undefined });
  });
});

describe('weighted backends', () => {
  const bs = [{ weight: 70, n: 'a' }, { weight: 30, n: 'b' }, { weight: 0, n: 'c' }];
  it('splits [0,1) by weight and never picks weight 0', () => {
    assert.equal(pickBackend(bs, 0)?.n, 'a');
    assert.equal(pickBackend(bs, 0.6999)?.n, 'a');
    assert.equal(pickBackend(bs, 0.7)?.n, 'b');
    assert.equal(pickBackend(bs, 0.99999999)?.n, 'b');
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 1000; i++) counts[pickBackend(bs, i / 1000)!.n as 'a' | 'b' | 'c']++;
    assert.deepEqual(counts, { a: 700, b: 300, c: 0 });
  });
  it('all weights 0: none', () => assert.equal(pickBackend([{ weight: 0 }], 0.5), undefined));
  it('shares', () => assert.deepEqual(weightShares(bs), [0.7, 0.3, 0]));
});
