import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileTable, parseQuery, prefixMatches, trimPrefix } from './match.js';
import type { RequestView, Route, RouteMatch, RouteTable, VirtualHost } from './route-table.js';

function req(host: string, pathAndQuery: string, method = 'GET', headers: Record<string, string> = {}): RequestView {
  const q = pathAndQuery.indexOf('?');
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    host,
    path: q < 0 ? pathAndQuery : pathAndQuery.slice(0, q),
    query: q < 0 ? '' : pathAndQuery.slice(q + 1),
    method,
    header: (name) => lower.get(name),
  };
}

function route(name: string, match: RouteMatch = {}): Route {
  return { name, match, filters: [], backends: [{ cluster: name, weight: 1 }] };
}

function table(vhosts: VirtualHost[], port = 80): RouteTable {
  return { listeners: [{ name: 'l', port, protocol: 'HTTP', virtualHosts: vhosts }], clusters: {} };
}

function picked(t: RouteTable, host: string, path: string, method?: string, headers?: Record<string, string>): string {
  const s = compileTable(t).select(80, req(host, path, method, headers));
  if (!s) return 'no-listener';
  return s.kind === 'route' ? s.route.name : s.reason;
}

describe('hosts', () => {
  const t = table([
    { hostname: 'foo.example.com', routes: [route('exact')] },
    { hostname: '*.example.com', routes: [route('wild')] },
    { hostname: '*.b.example.com', routes: [route('wild-longer')] },
    { hostname: '*.one.io', wildcardOneLabel: true, routes: [route('one-label')] },
    { hostname: '*', routes: [route('any')] },
  ]);
  it('exact beats wildcard beats *', () => {
    assert.equal(picked(t, 'foo.example.com', '/'), 'exact');
    assert.equal(picked(t, 'bar.example.com', '/'), 'wild');
    assert.equal(picked(t, 'other.org', '/'), 'any');
  });
  it('Gateway API wildcards cover one or more labels, never the bare suffix', () => {
    assert.equal(picked(t, 'a.c.example.com', '/'), 'wild');
    assert.equal(picked(t, 'example.com', '/'), 'any');
  });
  it('the longest wildcard suffix wins', () => assert.equal(picked(t, 'x.b.example.com', '/'), 'wild-longer'));
  it('Ingress wildcards cover exactly one label', () => {
    assert.equal(picked(t, 'a.one.io', '/'), 'one-label');
    assert.equal(picked(t, 'a.b.one.io', '/'), 'any');
    assert.equal(picked(t, 'one.io', '/'), 'any');
  });
  it('a trailing dot in the host is ignored', () => assert.equal(picked(t, 'foo.example.com.', '/'), 'exact'));
  it('no host and no route are told apart; an unknown port answers undefined', () => {
    const t2 = table([{ hostname: 'a.com', routes: [route('a', { path: { type: 'Exact', value: '/x' } })] }]);
    assert.equal(picked(t2, 'b.com', '/'), 'no-host');
    assert.equal(picked(t2, 'a.com', '/y'), 'no-route');
    assert.equal(compileTable(t2).select(81, req('a.com', '/x')), undefined);
  });
  it('host names compare case-insensitively on the table side', () => {
    assert.equal(picked(table([{ hostname: 'Foo.COM', routes: [route('r')] }]), 'foo.com', '/'), 'r');
  });
});

describe('paths', () => {
  const prefix = (v: string): RouteTable => table([{ hostname: '*', routes: [route('p', { path: { type: 'PathPrefix', value: v } })] }]);
  it('PathPrefix is element-wise with the trailing slash ignored', () => {
    for (const v of ['/foo', '/foo/']) {
      assert.equal(picked(prefix(v), 'h', '/foo'), 'p', v);
      assert.equal(picked(prefix(v), 'h', '/foo/'), 'p', v);
      assert.equal(picked(prefix(v), 'h', '/foo/bar'), 'p', v);
      assert.equal(picked(prefix(v), 'h', '/foobar'), 'no-route', v);
      assert.equal(picked(prefix(v), 'h', '/fo'), 'no-route', v);
    }
    assert.equal(picked(prefix('/'), 'h', '/anything'), 'p');
  });
  it('Exact is exact', () => {
    const t = table([{ hostname: '*', routes: [route('e', { path: { type: 'Exact', value: '/one' } })] }]);
    assert.equal(picked(t, 'h', '/one'), 'e');
    assert.equal(picked(t, 'h', '/one/'), 'no-route');
    assert.equal(picked(t, 'h', '/one?x=1'), 'e');
  });
  it('RegularExpression matches the whole path; an invalid one never matches', () => {
    const t = table([{ hostname: '*', routes: [route('r', { path: { type: 'RegularExpression', value: '/v[0-9]+/.*' } }), route('bad', { path: { type: 'RegularExpression', value: '(' } })] }]);
    assert.equal(picked(t, 'h', '/v12/x'), 'r');
    assert.equal(picked(t, 'h', '/a/v12/x'), 'no-route');
  });
  it('helpers', () => {
    assert.equal(trimPrefix('/'), '');
    assert.ok(prefixMatches('', '/x'));
    assert.ok(!prefixMatches('/a', '/ab'));
  });
});

describe('headers, query parameters, method', () => {
  const t = table([{
    hostname: '*',
    routes: [
      route('hdr', { headers: [{ type: 'Exact', name: 'X-Version', value: 'two' }, { type: 'RegularExpression', name: 'x-color', value: 'bl.e' }] }),
      route('qp', { queryParams: [{ type: 'Exact', name: 'animal', value: 'whale' }] }),
      route('qp-re', { queryParams: [{ type: 'RegularExpression', name: 'n', value: '[0-9]+' }] }),
      route('post', { method: 'POST', path: { type: 'PathPrefix', value: '/' } }),
      route('rest', { path: { type: 'PathPrefix', value: '/' } }),
    ],
  }]);
  it('header names are case-insensitive, values are not, and all must match', () => {
    assert.equal(picked(t, 'h', '/', 'GET', { 'x-version': 'two', 'X-Color': 'blue' }), 'hdr');
    assert.equal(picked(t, 'h', '/', 'GET', { 'x-version': 'Two', 'X-Color': 'blue' }), 'rest');
    assert.equal(picked(t, 'h', '/', 'GET', { 'x-version': 'two' }), 'rest');
  });
  it('query parameters: names case-sensitive, the first value of a repeated name', () => {
    assert.equal(picked(t, 'h', '/?animal=whale'), 'qp');
    assert.equal(picked(t, 'h', '/?Animal=whale'), 'rest');
    assert.equal(picked(t, 'h', '/?animal=dolphin&animal=whale'), 'rest');
    assert.equal(picked(t, 'h', '/?n=42'), 'qp-re');
    assert.equal(picked(t, 'h', '/?n=4a'), 'rest');
    assert.deepEqual([...parseQuery('a=1&b=%20x&a=2')], [['a', '1'], ['b', ' x']]);
  });
  it('method', () => {
    assert.equal(picked(t, 'h', '/', 'POST'), 'post');
    assert.equal(picked(t, 'h', '/', 'PUT'), 'rest');
  });
  it('routes are tried in the order given', () => {
    const t2 = table([{ hostname: '*', routes: [route('first', { path: { type: 'PathPrefix', value: '/' } }), route('second', { path: { type: 'Exact', value: '/x' } })] }]);
    assert.equal(picked(t2, 'h', '/x'), 'first');
  });
});
