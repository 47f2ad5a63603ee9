// The matcher's additions for the mesh: value Prefix, inverted headers (withoutHeaders), case-folded
// paths (ignoreUriCase), and caller conditions that an unspecialised table never matches.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileMatch } from './match.js';
import type { RequestView, RouteMatch } from './route-table.js';

function req(path: string, headers: Record<string, string> = {}, query = ''): RequestView {
  return { host: 'h', path, query, method: 'GET', header: (n) => headers[n] };
}

function matches(m: RouteMatch, r: RequestView): boolean {
  // compileMatch's predicate takes the per-request query cache as its second argument.
  const test = compileMatch(m) as (req: RequestView, q: { get(n: string): string | undefined }) => boolean;
  return test(r, { get: (n) => new URLSearchParams(r.query).get(n) ?? undefined });
}

describe('mesh match additions', () => {
  it('header and query Prefix', () => {
    const m: RouteMatch = { headers: [{ type: 'Prefix', name: 'x-user', value: 'jas' }], queryParams: [{ type: 'Prefix', name: 'v', value: '2' }] };
    assert.equal(matches(m, req('/', { 'x-user': 'jason' }, 'v=2.1')), true);
    assert.equal(matches(m, req('/', { 'x-user': 'bob' }, 'v=2.1')), false);
    assert.equal(matches(m, req('/', { 'x-user': 'jason' }, 'v=1')), false);
  });

  it('inverted header: absent or not matching', () => {
    const m: RouteMatch = { headers: [{ type: 'Exact', name: 'x-canary', value: 'yes', invert: true }] };
    assert.equal(matches(m, req('/')), true);
    assert.equal(matches(m, req('/', { 'x-canary': 'no' })), true);
    assert.equal(matches(m, req('/', { 'x-canary': 'yes' })), false);
  });

  it('ignoreCase folds Exact, PathPrefix and regex paths', () => {
    assert.equal(matches({ path: { type: 'Exact', value: '/Login', ignoreCase: true } }, req('/LOGIN')), true);
    assert.equal(matches({ path: { type: 'Exact', value: '/Login' } }, req('/LOGIN')), false);
    assert.equal(matches({ path: { type: 'PathPrefix', value: '/API', ignoreCase: true } }, req('/api/x')), true);
    assert.equal(matches({ path: { type: 'RegularExpression', value: '/a.*', ignoreCase: true } }, req('/ABC')), true);
  });

  it('source conditions never match in a table that was not specialised', () => {
    assert.equal(matches({ sourceLabels: { app: 'web' } }, req('/')), false);
    assert.equal(matches({ sourceNamespace: 'shop' }, req('/')), false);
  });
});
