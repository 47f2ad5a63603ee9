import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizePath, normalizeTarget, removeDotSegments } from './normalize.js';

describe('removeDotSegments', () => {
  it('follows RFC 3986 5.2.4', () => {
    const cases: [string, string][] = [
      ['/', '/'],
      ['/a/b/c/./../../g', '/a/g'],
      ['/a/b/..', '/a/'],
      ['/a/b/.', '/a/b/'],
      ['/../../etc/passwd', '/etc/passwd'],
      ['/a//b', '/a//b'],
      ['/a/b/', '/a/b/'],
      ['/..', '/'],
    ];
    for (const [inp, want] of cases) assert.equal(removeDotSegments(inp), want, inp);
  });
});

describe('normalizePath', () => {
  it('decodes unreserved characters and upper-cases the rest', () => {
    assert.equal(normalizePath('/%61%62c'), '/abc');
    assert.equal(normalizePath('/a%2fb'), '/a%2Fb');
    assert.equal(normalizePath('/a%20b'), '/a%20b');
    assert.equal(normalizePath('/%7euser'), '/~user');
  });
  it('resolves encoded dot segments but keeps encoded slashes as data', () => {
    assert.equal(normalizePath('/public/%2e%2e/admin'), '/admin');
    assert.equal(normalizePath('/public/%2E./admin'), '/admin');
    assert.equal(normalizePath('/public/..%2fadmin'), '/public/..%2Fadmin');
  });
  it('rejects malformed escapes', () => {
    assert.equal(normalizePath('/a%zz'), undefined);
    assert.equal(normalizePath('/a%2'), undefined);
  });
});

describe('normalizeTarget', () => {
  it('splits path and query, keeping the query raw', () => {
    assert.deepEqual(normalizeTarget('/a/../b?x=%2e&y'), { ok: true, path: '/b', query: 'x=%2e&y' });
    assert.deepEqual(normalizeTarget('/'), { ok: true, path: '/', query: '' });
  });
  it('accepts absolute-form and drops fragments', () => {
    assert.deepEqual(normalizeTarget('http://example.com/a/./b?q#frag'), { ok: true, path: '/a/b', query: 'q' });
    assert.deepEqual(normalizeTarget('http://example.com'), { ok: true, path: '/', query: '' });
  });
  it('rejects what is not a path, naming it', () => {
    const r = normalizeTarget('*');
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.reason : '', /"\*" is not a path/);
    assert.equal(normalizeTarget('/%').ok, false);
  });
});
